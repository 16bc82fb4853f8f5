"""Batched problems (the manifest's family "batched"): hpk's one batched
call (strided-batched gemv of N x N problems, row norms and row dots of
rows of N) against a loop of single OpenBLAS calls on the same threads,
per kernel and precision, and issue 20's targets, each met or missed with
its figures:
  - strided-batched gemv >= 3x the OpenBLAS loop for N <= 32 and >= 1x
    from N = 256, at every size and thread count;
  - from DRAM sizes (working sets beyond L3), >= 85% of STREAM read
    (hpk OpenMP on the most threads);
  - row norms and row dots >= 2x the OpenBLAS loop.
A point's size is its problem count (the manifest's size "problems"); the
problem comes from the kernel's name (manifest.problem)."""
import statistics

from helpers import PRECISIONS, fmt, fmt_bytes, largest, outcome, plural, ratio_summary, select
from render import Section
from sections.versus import comparisons, tally

FAMILY = "batched"
# (what, operation, which N, hpk OpenMP time ratio over the OpenBLAS loop at every point)
RATIO_TARGETS = (
    ("strided-batched gemv, N ≤ 32", "gemv", lambda n: n <= 32, 3.0),
    ("strided-batched gemv, N ≥ 256", "gemv", lambda n: n >= 256, 1.0),
    ("row norms (nrm2)", "nrm2", lambda n: True, 2.0),
    ("row dots", "dot", lambda n: True, 2.0),
)
# Strided-batched gemv from DRAM sizes: at least this % of STREAM read.
STREAM_TARGET = 85.0


def kernels(m):
    """The family's kernels in display order: [(name, (operation, N))]."""
    return [(k, m.problem(k)) for k in m.kernels(family=FAMILY, harness=True) if m.problem(k)]


def problem_text(op, n):
    return f"{n}×{n}" if op == "gemv" else f"rows of {n}"


def problems(count):
    """'1 problem', '4096 problems'."""
    return f"{count} problem{'s' if count != 1 else ''}"


def where(p):
    return (f"{p['kernel']} {p['precision']} {fmt_bytes(p['working_set'])} ({problems(p['size'])}) "
            f"on {plural(p['threads'])}")


def bold(word):
    return word if word == "met" else f"**{word}**"


def ratio_line(rows, m, what, op, which, target):
    """A target's line: hpk OpenMP against the OpenBLAS loop at every point
    of the kernels it covers; None without such points."""
    names = [k for k, (o, n) in kernels(m) if o == op and which(n)]
    pts = [p for p in comparisons(rows, "hpk_omp", "openblas") if p["kernel"] in names]
    if not pts:
        return None
    low = min(pts, key=lambda p: p["ratio"])
    word = outcome(low["ratio"], target, low["interval"])
    interval = f"; min–max {low['interval'][0]:.2f}–{low['interval'][1]:.2f}" if low["interval"] else ""
    ratios = [p["ratio"] for p in pts]
    return (f"- **{what}** against a loop of OpenBLAS calls on the same threads (target ≥ {target:g}× at "
            f"every point): {bold(word)}; OpenBLAS loop time / hpk time median {statistics.median(ratios):.2f}× "
            f"over {len(pts)} points ({min(ratios):.2f}–{max(ratios):.2f}; {tally(pts)}), lowest "
            f"{low['ratio']:.2f}× at {where(low)}{interval}.")


def dram_rows(rows, m, tmax, cache):
    """hpk OpenMP's strided-batched gemv rows on the most threads at DRAM
    sizes (working set beyond L3; without a known L3, none)."""
    names = [k for k, (op, _) in kernels(m) if op == "gemv"]
    l3 = cache.get(3)
    return [r for r in select(rows, variant="hpk_omp", threads=tmax)
            if r["kernel"] in names and l3 and r["working_set_bytes"] and r["working_set_bytes"] > l3]


def stream_line(rows, m, tmax, cache):
    """The DRAM target's line; None without strided-batched gemv rows."""
    names = [k for k, (op, _) in kernels(m) if op == "gemv"]
    if not any(r["kernel"] in names and r["variant"] == "hpk_omp" for r in rows):
        return None
    head = (f"- **strided-batched gemv from DRAM sizes** (hpk OpenMP on {plural(tmax)}, working sets beyond "
            f"L3; target ≥ {STREAM_TARGET:.0f}% of STREAM read): ")
    if not cache.get(3):
        return head + "not judged: the run recorded no L3 size."
    dram = dram_rows(rows, m, tmax, cache)
    if not dram:
        return head + f"not judged: no point beyond L3 ({fmt_bytes(cache[3])}); raise --batch-bytes."
    pct = [r for r in dram if r["pct_stream"] is not None]
    if not pct:
        return head + "not judged: no STREAM read rows in this run (add the stream group: --kernels batched,stream)."
    low = min(pct, key=lambda r: r["pct_stream"])
    # The best repetition's share: the noise's side of the lowest point.
    best = 100 * low["gbps_best"] / low["stream_gbps"] if low["gbps_best"] and low["stream_gbps"] else None
    word = outcome(low["pct_stream"], STREAM_TARGET, (None, best) if best else None)
    values = [r["pct_stream"] for r in pct]
    return head + (f"{bold(word)}; median {statistics.median(values):.0f}% over {len(pct)} points "
                   f"({min(values):.0f}–{max(values):.0f}%), lowest {low['pct_stream']:.0f}% "
                   f"({fmt(low['gbps'], '.1f')} of {fmt(low['stream_gbps'], '.1f')} GB/s) at {low['kernel']} "
                   f"{low['precision']} {fmt_bytes(low['working_set_bytes'])} ({problems(low['size'])}).")


def target_of(op, n):
    for _, o, which, target in RATIO_TARGETS:
        if o == op and which(n):
            return f"≥ {target:g}×"
    return "–"


def table(rows, m, tmax):
    """Per kernel and precision: the OpenBLAS loop's time over hpk
    OpenMP's (median over the problem counts, range) on 1 thread and on
    the most, the tally, GB/s of both at the largest working set on the
    most threads, and the target; None without hpk OpenMP rows."""
    counts = sorted({1, tmax})
    header = ["kernel", "problem", "prec"] + [f"OpenBLAS loop time / hpk time, {plural(t)}" for t in counts]
    header += ["points: hpk ahead / tied / behind", f"hpk GB/s, largest, {tmax}t (% of STREAM read)",
               f"OpenBLAS loop GB/s, largest, {tmax}t", "target"]
    every = comparisons(rows, "hpk_omp", "openblas")
    out = []
    for kernel, (op, n) in kernels(m):
        for prec in PRECISIONS:
            if not select(rows, kernel=kernel, precision=prec, variant="hpk_omp"):
                continue
            pts = [p for p in every if (p["kernel"], p["precision"]) == (kernel, prec)]
            line = [kernel, problem_text(op, n), prec]
            line += [ratio_summary(p["ratio"] for p in pts if p["threads"] == t) for t in counts]
            line.append(tally(pts) if pts else "–")
            r = largest(rows, kernel=kernel, precision=prec, variant="hpk_omp", threads=tmax)
            line.append(f"{fmt(r['gbps'], '.1f')} ({fmt(r['pct_stream'], '.0f', '%')})" if r else "–")
            o = largest(rows, kernel=kernel, precision=prec, variant="openblas", threads=tmax)
            line.append(fmt(o["gbps"], ".1f") if o else "–")
            line.append(target_of(op, n))
            out.append(line)
    return (header, out) if out else None


def section(study):
    """The "Batched problems" section, its target lines also the
    Findings'; None without the family's rows."""
    rows, m, tmax = study.rows, study.m, study.tmax
    t = table(rows, m, tmax)
    if not t:
        return None
    lines = [ratio_line(rows, m, *target) for target in RATIO_TARGETS]
    lines.insert(2, stream_line(rows, m, tmax, study.cache))
    lines = [line for line in lines if line]
    intro = [
        "Many small problems in one call (issue 20): hpk's strided-batched gemv on N×N problems "
        "(`hpk_?gemv_strided_batched`, row-major, y = A x) and the row norms and row dots of a row-major "
        "matrix with rows of N (`hpk_?nrm2_strided_batched`, `hpk_?dot_strided_batched`), against the loop "
        "a user of OpenBLAS writes: one `cblas_?gemv` / `cblas_?nrm2` / `cblas_?dot` call per problem, on "
        "the same threads (`openblas_set_num_threads`).  A point's size is its problem count, the most "
        "problems that fit in a working set of `--batch-bytes` (A, x and y once; the rows once and the "
        "results).  Each variant's results were checked once against hpk serial's (hpk's bitwise).  The "
        "family is not in `--kernels all`: `scripts/bench --kernels batched,stream` runs it with the STREAM "
        "roofline its DRAM target needs.",
        "OpenBLAS loop time / hpk OpenMP time at the same thread count (> 1: hpk faster): median over the "
        "problem counts (range); GB/s at the largest working set."]
    return Section("Batched problems", intro=intro, table=t,
                   after=["Targets (issue 20), from the rows above:", "\n".join(lines)],
                   findings=lines,
                   text_title="Batched problems (OpenBLAS loop time / hpk time: median over problem counts (range)):")
