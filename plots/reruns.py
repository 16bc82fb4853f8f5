"""The rerun engine of scripts/bench: the spin-loop baseline's record and the
noisy points run again (the run's trust is judged in trust.py from what
this records in noise.json).

- The spin-loop baseline: bench/spin_baseline.c times a fixed amount of
  floating-point work per thread on 1 thread and on all threads, before the
  study and after it; `baseline` records its output in noise.json.
- Noisy points repeated: a point whose repetitions' coefficient of
  variation (CV) exceeds RERUN_CV is run again, with every point of its
  group (the same kernel, precision, size and data: the points whose times
  the study compares round by round, stats.paired_ratio), in a new
  hpk_bench process that runs only those (--benchmark_filter), for up to
  RERUN_ROUNDS rounds, at most RERUN_SHARE of the study's points per round
  (the groups of the noisiest points first).  A rerun replaces a group's
  repetitions in bench.json only when the group's highest CV is lower
  there (a disturbed round has the higher CV), and then every point of it,
  so that its rounds still pair up; the first pass is kept as
  bench.first.json, each round as bench.rerunK.json, and noise.json lists
  the points with the CV of every round.

usage (scripts/bench runs these):
  plots/reruns.py baseline DIR start|end < JSON   record hpk_spin_baseline's output
  plots/reruns.py noisy DIR ROUND                 print the --benchmark_filter of the
                                                  points to repeat (nothing: none)
  plots/reruns.py merge DIR ROUND FILE            merge a rerun's JSON into bench.json
"""
import json
import os
import re
import shutil
import statistics
import sys

import benchjson

NOISE_NAME = "noise.json"
RERUN_CV = 0.10
RERUN_ROUNDS = 2
RERUN_SHARE = 1 / 3


def read_noise(results_dir):
    """noise.json as a dict ({} when absent or unreadable)."""
    path = os.path.join(results_dir, NOISE_NAME)
    try:
        with open(path) as f:
            out = json.load(f)
        return out if isinstance(out, dict) else {}
    except (OSError, ValueError):
        return {}


def write_noise(results_dir, noise):
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
    for name, _, t, _ in benchjson.repetitions(data):
        out.setdefault(name, []).append(t)
    return out


def group_of(run_name):
    """The group a point runs in: (kernel, precision, size, data, increment)."""
    p = benchjson.parse_name(run_name)
    return p["kernel"], p["precision"], p.get("size"), p["data"], p["inc"]


def noisy_points(data, threshold=RERUN_CV, share=RERUN_SHARE):
    """The run names to repeat: the groups of the points with a CV above
    threshold, the noisiest point's group first, whole groups up to `share`
    of the points (at least one group)."""
    times = point_times(data)
    members = {}
    for name in times:
        members.setdefault(group_of(name), []).append(name)
    noisy = sorted(((cv(t), name) for name, t in times.items() if (cv(t) or 0) > threshold), reverse=True)
    limit = max(1, int(share * len(times)))
    chosen, count = [], 0
    for _, name in noisy:
        g = group_of(name)
        if g in chosen or (chosen and count + len(members[g]) > limit):
            continue
        chosen.append(g)
        count += len(members[g])
    return [name for name in times if group_of(name) in chosen]


def benchmark_filter(names):
    """A --benchmark_filter (POSIX extended regex) matching exactly these
    points, whatever Google Benchmark appends to their names."""
    return "^(" + "|".join(re.escape(n) for n in sorted(names)) + ")(/|$)"


def highest_cv(times, names):
    """The highest CV among the points `names` (None when none has one)."""
    cvs = [c for c in (cv(times.get(n, [])) for n in names) if c is not None]
    return max(cvs) if cvs else None


def merge(data, rerun, round_no):
    """Replaces in `data` (bench.json) the repetitions of each group of
    `rerun` whose highest CV is lower there, every point of the group.
    Returns {run_name: (old CV, new CV, replaced)}."""
    old, new = point_times(data), point_times(rerun)
    groups = {}
    for name in new:
        groups.setdefault(group_of(name), []).append(name)
    out = {}
    for names in groups.values():
        before, after = highest_cv(old, names), highest_cv(new, names)
        replace = any(n not in old for n in names) or (after is not None and (before is None or after < before))
        for name in names:
            out[name] = (cv(old.get(name, [])), cv(new[name]), replace)
        if replace:
            data["benchmarks"] = [b for b in data["benchmarks"] if b.get("run_name") not in names]
            data["benchmarks"] += [dict(b, hpk_round=round_no) for b in rerun["benchmarks"]
                                   if b.get("run_name") in names]
    return out


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] not in ("baseline", "noisy", "merge") or (args[0] == "merge") != (len(args) == 4):
        print(__doc__.split("usage")[1].strip(), file=sys.stderr)
        sys.exit(2)
    command, results_dir = args[0], args[1]
    noise = read_noise(results_dir)
    if command == "baseline":
        if args[2] not in ("start", "end"):
            print("reruns.py: baseline takes start or end", file=sys.stderr)
            sys.exit(2)
        try:
            b = json.load(sys.stdin)
        except ValueError as e:
            print(f"reruns.py: hpk_spin_baseline's output is not JSON ({e}); no baseline recorded",
                  file=sys.stderr)
            sys.exit(1)
        noise.setdefault("baseline", {})[args[2]] = b
        write_noise(results_dir, noise)
        print(f"spin-loop baseline ({args[2]}): usable parallelism {b['parallelism']:.2f} of {b['threads']}")
        return
    data = benchjson.load_json(results_dir)
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
        shutil.copyfile(os.path.join(results_dir, benchjson.JSON_NAME), first)
    result = merge(data, rerun, round_no)
    with open(os.path.join(results_dir, benchjson.JSON_NAME), "w") as f:
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
    write_noise(results_dir, noise)
    print(f"round {round_no}: {len(result)} noisy points run again, {replaced} replaced by the quieter rerun")


if __name__ == "__main__":
    benchjson.main_guard(main)
