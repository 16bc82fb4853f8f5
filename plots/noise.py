"""The study's noise: how much the machine disturbed it, what scripts/bench
did about it, and whether the run can be trusted.

- The spin-loop baseline: bench/spin_baseline.c times a fixed amount of
  floating-point work per thread on 1 thread and on all threads, before the
  study and after it.  Its usable parallelism (threads x 1-thread time /
  all-thread time) says how many cores the study really had, and the
  difference between start and end says whether the load changed.
- Noisy points repeated: a point whose repetitions' coefficient of
  variation (CV) exceeds RERUN_CV is run again, in a new hpk_bench process
  that runs only those points (--benchmark_filter), for up to RERUN_ROUNDS
  rounds, the noisiest RERUN_SHARE of the study's points at most per round.
  A rerun replaces the point's repetitions in bench.json only when its CV is
  lower (a disturbed round has the higher CV); the first pass is kept as
  bench.first.json, each round as bench.rerunK.json, and noise.json lists
  the points with the CV of every round.
- The verdict (assess): not trustworthy when the median CV exceeds
  TRUST_CV, when the spin loop's parallelism is below TRUST_PARALLELISM of
  the thread count at the start or the end, or when the start and the end
  differ by more than TRUST_DRIFT.

usage (scripts/bench runs these):
  plots/noise.py baseline DIR start|end < JSON   record hpk_spin_baseline's output
  plots/noise.py noisy DIR ROUND                 print the --benchmark_filter of the
                                                 points to repeat (nothing: none)
  plots/noise.py merge DIR ROUND FILE            merge a rerun's JSON into bench.json
"""
import json
import os
import re
import shutil
import statistics
import sys

import benchdata

NOISE_NAME = "noise.json"
RERUN_CV = 0.10
RERUN_ROUNDS = 2
RERUN_SHARE = 1 / 3
TRUST_CV = 0.10
TRUST_PARALLELISM = 0.75
TRUST_DRIFT = 0.15


def load(results_dir):
    """noise.json as a dict ({} when absent or unreadable)."""
    path = os.path.join(results_dir, NOISE_NAME)
    try:
        with open(path) as f:
            out = json.load(f)
        return out if isinstance(out, dict) else {}
    except (OSError, ValueError):
        return {}


def save(results_dir, noise):
    with open(os.path.join(results_dir, NOISE_NAME), "w") as f:
        json.dump(noise, f, indent=1)


def cv(times):
    """Coefficient of variation (population standard deviation / mean)."""
    if len(times) < 2 or statistics.mean(times) <= 0:
        return None
    return statistics.pstdev(times) / statistics.mean(times)


def point_times(data):
    """{run_name: [seconds]} of every successful repetition, every kind of data."""
    out = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "iteration" or b.get("error_occurred") or b.get("skipped"):
            continue
        out.setdefault(b["run_name"], []).append(b["real_time"] * benchdata._UNIT[b["time_unit"]])
    return out


def noisy_points(data, threshold=RERUN_CV, share=RERUN_SHARE):
    """The run names to repeat: CV above threshold, the noisiest first, at
    most `share` of the points (at least one)."""
    times = point_times(data)
    noisy = sorted(((cv(t), name) for name, t in times.items() if (cv(t) or 0) > threshold), reverse=True)
    limit = max(1, int(share * len(times)))
    return [name for _, name in noisy[:limit]]


def benchmark_filter(names):
    """A --benchmark_filter (POSIX extended regex) matching exactly these
    points, whatever Google Benchmark appends to their names."""
    return "^(" + "|".join(re.escape(n) for n in sorted(names)) + ")(/|$)"


def merge(data, rerun, round_no):
    """Replaces in `data` (bench.json) the repetitions of each point of
    `rerun` whose CV is lower there.  Returns {run_name: (old CV, new CV,
    replaced)}."""
    old, new = point_times(data), point_times(rerun)
    out = {}
    for name, times in new.items():
        before, after = cv(old.get(name, [])), cv(times)
        replace = name not in old or (after is not None and (before is None or after < before))
        out[name] = (before, after, replace)
        if replace:
            data["benchmarks"] = [b for b in data["benchmarks"] if b.get("run_name") != name]
            for b in rerun["benchmarks"]:
                if b.get("run_name") == name:
                    data["benchmarks"].append(dict(b, hpk_round=round_no))
    return out


def assess(rows, noise):
    """The run's noise and the verdict: dict(cv_by_threads, median_cv,
    above (points with CV > RERUN_CV), points, baseline (start, end),
    reasons (why it is not trustworthy; empty: trustworthy))."""
    cvs = [r["time_cv"] for r in rows if r["time_cv"] is not None]
    by_threads = {}
    for r in rows:
        if r["time_cv"] is not None:
            by_threads.setdefault(r["threads"], []).append(r["time_cv"])
    out = dict(cv_by_threads={t: statistics.median(v) for t, v in sorted(by_threads.items())},
               median_cv=statistics.median(cvs) if cvs else None,
               above=sum(1 for c in cvs if c > RERUN_CV), points=len(cvs), reasons=[])
    if out["median_cv"] is not None and out["median_cv"] > TRUST_CV:
        out["reasons"].append(f"the median coefficient of variation of the repetitions is "
                              f"{100 * out['median_cv']:.1f}% (above {100 * TRUST_CV:.0f}%)")
    base = noise.get("baseline", {})
    start, end = base.get("start"), base.get("end")
    out["baseline"] = (start, end)
    for when, b in (("start", start), ("end", end)):
        if b and b.get("parallelism") and b["parallelism"] < TRUST_PARALLELISM * b["threads"]:
            out["reasons"].append(f"at the {when}, the spin loop ran {b['parallelism']:.2f}× faster on "
                                  f"{b['threads']} threads than on 1 (below {TRUST_PARALLELISM:.0%} of "
                                  f"{b['threads']}): the study did not have all the cores")
    if start and end and start.get("median_1") and end.get("median_1"):
        d1 = end["median_1"] / start["median_1"] - 1
        dp = end["parallelism"] / start["parallelism"] - 1
        if abs(d1) > TRUST_DRIFT or abs(dp) > TRUST_DRIFT:
            out["reasons"].append(f"the spin loop changed between start and end (1-thread time "
                                  f"{100 * d1:+.0f}%, parallelism {100 * dp:+.0f}%; limit ±"
                                  f"{100 * TRUST_DRIFT:.0f}%): the load changed during the run")
    if not start and not end:
        out["reasons_missing"] = "no spin-loop baseline (noise.json) in this folder"
    return out


def baseline_text(noise):
    """One line per baseline measurement, for report.md."""
    base = noise.get("baseline", {})
    lines = []
    for when in ("start", "end"):
        b = base.get(when)
        if not b:
            continue
        lines.append(f"at the {when}: 1 thread {1e3 * b['median_1']:.1f} ms, {b['threads']} threads "
                     f"{1e3 * b['median_all']:.1f} ms (medians of {b['repetitions']}): usable parallelism "
                     f"{b['parallelism']:.2f} of {b['threads']} ({b['parallelism'] / b['threads']:.0%})")
    s, e = base.get("start"), base.get("end")
    if s and e:
        lines.append(f"end against start: 1-thread time {100 * (e['median_1'] / s['median_1'] - 1):+.1f}%, "
                     f"parallelism {100 * (e['parallelism'] / s['parallelism'] - 1):+.1f}%")
    return lines


def rerun_text(noise):
    """One line per rerun round, for report.md."""
    lines = []
    for r in noise.get("reruns", []):
        lines.append(f"round {r['round']}: {r['points']} point{'s' if r['points'] != 1 else ''} with CV above "
                     f"{100 * noise.get('rerun_cv', RERUN_CV):.0f}% run again, {r['replaced']} replaced by "
                     f"the quieter rerun")
    return lines


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] not in ("baseline", "noisy", "merge") or (args[0] == "merge") != (len(args) == 4):
        print(__doc__.split("usage")[1].strip(), file=sys.stderr)
        sys.exit(2)
    command, results_dir = args[0], args[1]
    noise = load(results_dir)
    if command == "baseline":
        if args[2] not in ("start", "end"):
            print("noise.py: baseline takes start or end", file=sys.stderr)
            sys.exit(2)
        try:
            b = json.load(sys.stdin)
        except ValueError as e:
            print(f"noise.py: hpk_spin_baseline's output is not JSON ({e}); no baseline recorded",
                  file=sys.stderr)
            sys.exit(1)
        noise.setdefault("baseline", {})[args[2]] = b
        save(results_dir, noise)
        print(f"spin-loop baseline ({args[2]}): usable parallelism {b['parallelism']:.2f} of {b['threads']}")
        return
    data = benchdata.load_json(results_dir)
    if command == "noisy":
        names = noisy_points(data)
        if names:
            print(benchmark_filter(names))
        return
    round_no = int(args[2])
    with open(args[3]) as f:
        rerun = json.load(f)
    first = os.path.join(results_dir, "bench.first.json")
    if not os.path.exists(first):
        shutil.copyfile(os.path.join(results_dir, benchdata.JSON_NAME), first)
    result = merge(data, rerun, round_no)
    with open(os.path.join(results_dir, benchdata.JSON_NAME), "w") as f:
        json.dump(data, f, indent=1)
    replaced = sum(1 for *_, r in result.values() if r)
    noise["rerun_cv"] = RERUN_CV
    noise.setdefault("reruns", []).append(dict(round=round_no, points=len(result), replaced=replaced))
    points = noise.setdefault("rerun_points", {})
    for name, (before, after, rep) in sorted(result.items()):
        p = points.setdefault(name, dict(cv=[before], kept=0))
        p["cv"].append(after)
        if rep:
            p["kept"] = round_no
    save(results_dir, noise)
    print(f"round {round_no}: {len(result)} noisy points run again, {replaced} replaced by the quieter rerun")


if __name__ == "__main__":
    benchdata.main_guard(main)
