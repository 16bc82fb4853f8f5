"""Issue 19's targets ("Fast on every CPU that runs hpk"), each met or
missed with its figures, per hpk code path run (the folder's own and each
--cpu-path folder's): hpk OpenMP against OpenBLAS on the core of that run.
  - a vector path (avx2, avx512): every kernel and precision, median over
    the sizes >= 1.0 on each thread count; no point below 0.9 from a
    256 KiB working set up; dgemv N and T, geometric mean over
    n = 256 ... 8192 >= 1.10; dnrm2 >= 2 (median); i?amax >= 1.0 at every
    size;
  - the portable path: median over all its points >= 0.9;
  - a wider path never slower than a narrower one: hpk OpenMP's time at
    the same point (kernel, precision, size, threads) at most 5% above.
A miss is "within the noise" when the min-max interval of the ratio (over
the rounds within a process, stats.paired_ratio; over the repetitions'
extremes across two paths' processes) reaches the target (the study's tie
rule).  Monte Carlo
pi's target has its own section (threads.philox_section)."""
import math
import statistics

import isa
import stats
from helpers import fmt_bytes, fmt_count, outcome, plural
from render import Section
from sections.peers import run_kernels
from sections.versus import comparisons

MEDIAN_TARGET = 1.0          # vector paths: median over the sizes, every kernel and precision
POINT_FLOOR = 0.9            # ... and no point below it
POINT_FLOOR_FROM = 256 * 1024  # working set in bytes from which the floor holds
GEMV_GEOMEAN = (256, 8192, 1.10)  # dgemv N and T: sizes, geometric mean target
NRM2_TARGET = 2.0            # dnrm2, median over the sizes
IAMAX_TARGET = 1.0           # i?amax, at every size
PORTABLE_TARGET = 0.9        # the portable path, median over all points
WIDER_SLOWER = 0.95          # narrower time / wider time below this: the wider path is slower


def word(value, target, interval=None):
    """'met', '**missed**' or '**missed** (within the noise)' (helpers.outcome)."""
    return outcome(value, target, interval).replace("missed", "**missed**", 1)


def where(p):
    at = fmt_bytes(p["working_set"]) if p["working_set"] else fmt_count(p["size"])
    return f"{p['kernel']} {p['precision']} {at} {p['threads']}t"


def listed(points, limit=4):
    """'gemv_n s 256 KiB 1t 0.70, ... and 3 more', lowest first."""
    pts = sorted(points, key=lambda p: p["ratio"])
    text = ", ".join(f"{where(p)} {p['ratio']:.2f}" for p in pts[:limit])
    return text + (f" and {len(pts) - limit} more" if len(pts) > limit else "")


def groups(points):
    """{(kernel, precision, threads): [points]}."""
    out = {}
    for p in points:
        out.setdefault((p["kernel"], p["precision"], p["threads"]), []).append(p)
    return out


def median_line(points):
    by = groups(points)
    missed = [(k, statistics.median(p["ratio"] for p in pts)) for k, pts in sorted(by.items())]
    missed = [(k, v) for k, v in missed if v < MEDIAN_TARGET]
    head = f"- **every kernel, s and d: median over the sizes ≥ {MEDIAN_TARGET:g}×** ({len(by)} kernel, " \
           "precision and thread count groups): "
    if not missed:
        return head + "met."
    text = ", ".join(f"{k} {prec} {t}t {v:.2f}" for (k, prec, t), v in missed)
    return head + f"**missed** in {len(missed)}: {text}."


def floor_line(points):
    big = [p for p in points if p["working_set"] and p["working_set"] >= POINT_FLOOR_FROM]
    low = [p for p in big if p["ratio"] < POINT_FLOOR]
    head = (f"- **no point below {POINT_FLOOR:g}× from {fmt_bytes(POINT_FLOOR_FROM)} up** ({len(big)} "
            "points): ")
    if not big:
        return head + "not judged: no point that large."
    if not low:
        return head + "met."
    clear = [p for p in low if p["interval"] and p["interval"][1] < POINT_FLOOR]
    return head + (f"**missed** at {len(low)}, {len(clear)} of them beyond the noise (the ratio's whole "
                   f"min–max interval below {POINT_FLOOR:g}): {listed(clear or low)}.")


def geomean_lines(points):
    lo, hi, target = GEMV_GEOMEAN
    out = []
    for kernel, form in (("gemv_n", "N"), ("gemv_t", "T")):
        by_t = {}
        for p in points:
            if p["kernel"] == kernel and p["precision"] == "d" and lo <= p["size"] <= hi:
                by_t.setdefault(p["threads"], []).append(p["ratio"])
        if not by_t:
            continue
        means = {t: math.exp(statistics.fmean(math.log(r) for r in v)) for t, v in sorted(by_t.items())}
        worst = min(means.values())
        text = ", ".join(f"{v:.2f} on {plural(t)}" for t, v in means.items())
        out.append(f"- **dgemv {form}: geometric mean over n = {lo} … {hi} ≥ {target:.2f}×**: "
                   f"{word(worst, target)}; {text}.")
    return out


def lowest_line(points, kernel, precisions, target, every, what):
    """A target on one kernel: its median over the sizes (every=False) or
    its lowest point (every=True), per precision, met or missed."""
    out = []
    for prec in precisions:
        pts = [p for p in points if p["kernel"] == kernel and p["precision"] == prec]
        if not pts:
            continue
        if every:
            low = min(pts, key=lambda p: p["ratio"])
            out.append(f"{prec}: {word(low['ratio'], target, low['interval'])}, lowest {low['ratio']:.2f} "
                       f"({where(low)})")
        else:
            by_t = groups(pts)
            meds = {t: statistics.median(p["ratio"] for p in v) for (_, _, t), v in sorted(by_t.items())}
            worst = min(meds.values())
            out.append(f"{prec}: {word(worst, target)}, median " +
                       " / ".join(f"{v:.2f} ({t}t)" for t, v in meds.items()))
    return f"- **{what}**: " + "; ".join(out) + "." if out else None


def vector_path_lines(points):
    lines = [median_line(points), floor_line(points)] + geomean_lines(points)
    lines.append(lowest_line(points, "nrm2", ("d",), NRM2_TARGET, False,
                             f"dnrm2 ≥ {NRM2_TARGET:g}× (median over the sizes)"))
    lines.append(lowest_line(points, "iamax", ("d", "s"), IAMAX_TARGET, True,
                             f"i?amax ≥ {IAMAX_TARGET:g}× at every size"))
    return [line for line in lines if line]


def portable_lines(points):
    ratios = [p["ratio"] for p in points]
    med = statistics.median(ratios)
    return [f"- **median over all {len(points)} points ≥ {PORTABLE_TARGET:g}×**: {word(med, PORTABLE_TARGET)}; "
            f"{med:.2f} ({min(ratios):.2f}–{max(ratios):.2f})."]


def path_of(run, m):
    k = run_kernels(run, m)
    return k.get("hpk_cpu_path"), k.get("hpk_isa"), k.get("openblas_core")


def hpk_rows(run):
    return {(r["kernel"], r["precision"], r["size"], r["threads"]): r for r in run if r["variant"] == "hpk_omp"}


def wider_lines(runs, m):
    """A line per pair of paths of different vector widths: the points
    where the wider one's hpk OpenMP time is more than 5% above the
    narrower one's."""
    paths = [(path_of(run, m), hpk_rows(run)) for run in runs]
    paths = [(p, rows) for p, rows in paths if p[0] and isa.bits(p[1])]
    out = []
    for i, ((wide, wide_isa, _), wrows) in enumerate(paths):
        for (narrow, narrow_isa, _), nrows in paths[i + 1:] + paths[:i]:
            if isa.bits(wide_isa) <= isa.bits(narrow_isa):
                continue
            shared = [k for k in wrows if k in nrows]
            slower = []
            for k in shared:
                ratio = nrows[k]["time_s"] / wrows[k]["time_s"]
                if ratio < WIDER_SLOWER:
                    interval = stats.row_interval(nrows[k], wrows[k])
                    slower.append(dict(kernel=k[0], precision=k[1], size=k[2], threads=k[3], ratio=ratio,
                                       working_set=wrows[k]["working_set_bytes"], interval=interval))
            if not shared:
                continue
            head = (f"- **{wide} never slower than {narrow}** (hpk OpenMP, {narrow} time / {wide} time ≥ "
                    f"{WIDER_SLOWER:g} at each of {len(shared)} shared points, in the two paths' own "
                    "processes): ")
            if not slower:
                out.append(head + "met.")
                continue
            clear = [p for p in slower if p["interval"] and p["interval"][1] < WIDER_SLOWER]
            state = "**missed**" if clear else "**missed** (within the noise)"
            out.append(head + f"{state} at {len(slower)}, {len(clear)} of them beyond the noise: "
                       f"{listed(clear or slower)}.")
    return out


def section(study):
    """The "CPU path targets" section; None without hpk OpenMP and OpenBLAS
    points in any path run."""
    lines = []
    for run in study.path_rows:
        points = comparisons(run, "hpk_omp", "openblas")
        path, path_isa, core = path_of(run, study.m)
        if not points or not path:
            continue
        lines.append(f"**{path}** ({isa.label(path_isa)}) against OpenBLAS {core or '(core not recorded)'} "
                     f"({isa.label(isa.openblas_isa(core))}):")
        lines.append("\n".join(portable_lines(points) if path == "portable" else vector_path_lines(points)))
    wider = wider_lines(study.path_rows, study.m)
    if wider:
        lines += ["**Paths against each other:**", "\n".join(wider)]
    if not lines:
        return None
    return Section("CPU path targets", intro=[
        "Issue 19's targets per hpk code path, from the rows of the CPU paths table: OpenBLAS time / hpk "
        "OpenMP time at the same size and thread count (> 1: hpk faster).  A miss is *within the noise* "
        "when the ratio's min–max interval (over the rounds within a run; over the repetitions across "
        "two paths' runs) reaches the target.  Monte Carlo pi's "
        "target (≥ 2× a plain Philox loop) is in its own section; avx512 is judged only where a run on an "
        "AVX-512 machine is in the folder (`--cpu-path all`)."], after=lines)
