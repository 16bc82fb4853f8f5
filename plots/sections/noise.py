"""Noise and trust: the run's noise (median CV per thread count, the
spin-loop baseline, the points run again) and its assessment (trust.py),
with the Findings line on whether the run can be trusted."""
import trust
from helpers import plural
from render import Section


def section(study):
    a = trust.assess(study.rows, study.noise)
    noise = study.noise
    cvs = ", ".join(f"{100 * c:.1f}% on {plural(t)}" for t, c in a["cv_by_threads"].items())
    if a["reasons"]:
        head = ("**This run is not trustworthy:** " + "; ".join(a["reasons"]) + ".  Its ratios are "
                "indicative only; rerun on a quieter machine (or with fewer other jobs) before quoting them.")
    else:
        head = ("**This run is trustworthy by the study's checks** (median CV at most "
                f"{100 * trust.TRUST_CV:.0f}%, spin-loop parallelism at least "
                f"{trust.TRUST_PARALLELISM:.0%} of the cores at the start and the end, start and end within "
                f"±{100 * trust.TRUST_DRIFT:.0f}%)" + (f"; but {a['reasons_missing']}" if
                                                      a.get("reasons_missing") else "") + ".")
    base = trust.baseline_text(noise)
    reruns = trust.rerun_text(noise)
    items = [f"- **Repetitions**: median coefficient of variation (CV) {cvs or '–'}; {a['above']} of "
             f"{a['points']} points above {100 * trust.RERUN_CV:.0f}% after the reruns.",
             "- **Spin-loop baseline** (`hpk_spin_baseline`: the same floating-point work on each thread, "
             "no memory traffic; parallelism = threads × 1-thread time / all-thread time): " +
             ("; ".join(base) if base else "not measured (no noise.json)") + ".",
             "- **Noisy points run again**: " + ("; ".join(reruns) if reruns else
                                                 "none (no point above the CV threshold, or --reruns 0)") + ".",
             "- **Ties**: a ratio whose min–max interval includes 1 is a tie: the difference is within this "
             "run's noise.  The interval of a ratio within this run (against a peer, against 1 thread) spans "
             "its rounds' ratios, each of two times taken seconds apart; across processes (one CPU path "
             "against another) it runs from the fastest of one side over the slowest of the other to the "
             "reverse."]
    judged = "**not trustworthy** (" + "; ".join(a["reasons"]) + ")" if a["reasons"] \
        else "trustworthy by the study's checks"
    finding = (f"- **This run** is {judged}: median CV " +
               (f"{100 * a['median_cv']:.1f}%" if a["median_cv"] is not None else "–") + " (see Noise and trust).")
    return Section("Noise and trust", intro=[head, "\n".join(items)], findings=[finding])
