"""Whether a run can be trusted: its repetitions' noise, the spin-loop
baseline at the start and the end (recorded by reruns.py in noise.json),
and the points run again.

The assessment (assess): not trustworthy when the median CV exceeds
TRUST_CV, when the spin loop's parallelism (threads x 1-thread time /
all-thread time: how many cores the study really had) is below
TRUST_PARALLELISM of the thread count at the start or the end, or when the
start and the end differ by more than TRUST_DRIFT (the load changed).
"""
import statistics

from reruns import RERUN_CV

TRUST_CV = 0.10
TRUST_PARALLELISM = 0.75
TRUST_DRIFT = 0.15


def assess(rows, noise):
    """The run's noise and its assessment: dict(cv_by_threads, median_cv,
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
