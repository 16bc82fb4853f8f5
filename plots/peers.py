"""The second CPU peer in report.md: hpk OpenMP against BLIS, in the same
shape as the OpenBLAS table, and what BLIS's threading does (its level-1v
and level-2 operations run on the calling thread: the table shows BLIS's own
time on 1 thread over its time on all of them, so nobody reads a 1-thread
BLIS as a threaded one).  Imported by report.py.
"""
import statistics

import benchdata
from tables import table


def _plural(t):
    return f"{t} thread{'s' if t > 1 else ''}"


def _summary(values):
    values = [v for v in values if v]
    if not values:
        return "–"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def _largest(rows, **want):
    sel = benchdata.select(rows, **want)
    return max(sel, key=lambda r: r["size"]) if sel else None


def blis_table(rows, threads):
    """Per kernel and precision: BLIS time / hpk OpenMP time on 1 thread and
    on the most threads (median over sizes, range), GB/s of both at the
    largest size, and BLIS's own 1-thread time over its most-threads time
    there (about 1 where BLIS does not parallelise).  None without BLIS rows."""
    if not any(r["variant"] == benchdata.SECOND_PEER for r in rows):
        return None
    tmax = threads[-1]
    counts = sorted({1, tmax})
    header = ["kernel", "prec"] + [f"BLIS time / hpk time, {_plural(t)}" for t in counts]
    header += [f"hpk GB/s, largest, {tmax}t", f"BLIS GB/s, largest, {tmax}t",
               f"BLIS time 1t / BLIS time {tmax}t, largest"]
    out = []
    for kernel in benchdata.KERNELS:
        for prec in ("d", "s"):
            hpk = benchdata.select(rows, kernel=kernel, precision=prec, variant="hpk_omp")
            if not any(r["speedup_vs_blis"] for r in hpk):
                continue
            line = [kernel, prec]
            for t in counts:
                line.append(_summary(r["speedup_vs_blis"] for r in hpk if r["threads"] == t))
            for variant in ("hpk_omp", benchdata.SECOND_PEER):
                r = _largest(rows, kernel=kernel, precision=prec, variant=variant, threads=tmax)
                line.append(f"{r['gbps']:.1f}" if r and r["gbps"] else "–")
            b = _largest(rows, kernel=kernel, precision=prec, variant=benchdata.SECOND_PEER, threads=tmax)
            line.append(f"{b['speedup_vs_1thread']:.2f}" if b and b["speedup_vs_1thread"] and tmax > 1 else "–")
            out.append(line)
    return table(header, out)


def blis_section(rows, threads, context):
    """What the report's "hpk OpenMP vs BLIS" section adds to the table every
    peer gets (report.py): BLIS's build and kernels, its threading, and its
    own scaling, as markdown lines, and the plain-text table for the console
    (None, None without BLIS rows)."""
    tables = blis_table(rows, threads)
    if not tables:
        return None, None
    described = context.get("blis", "not recorded")
    generic = "generic kernels" in described
    tmax = threads[-1]
    scaling = [r["speedup_vs_1thread"] for r in rows
               if r["variant"] == benchdata.SECOND_PEER and r["threads"] == tmax and r["speedup_vs_1thread"]]
    lines = [f"BLIS: {described}.  The table below repeats BLIS time / hpk time (median over the sizes, "
             "range) beside BLIS's own scaling.  BLIS is called through its "
             "typed API (bli_?gemv, bli_?dotv, bli_?asumv, bli_?normfv, bli_?amaxv) with "
             "bli_thread_set_num_threads(t); it has no plain sum, so sum has no BLIS row.", ""]
    if tmax > 1 and scaling:
        lines += [f"BLIS parallelises its level-3 operations only (its docs/Multithreading.md): its level-1v "
                  f"and level-2 operations, all of these, run on the calling thread whatever the thread count, "
                  f"so the {tmax}-thread columns compare hpk on {tmax} threads with a one-thread BLIS.  "
                  f"Measured: BLIS's 1-thread time / its {tmax}-thread time at the largest sizes (last column) "
                  f"is {statistics.median(scaling):.2f} in the median ({min(scaling):.2f}–{max(scaling):.2f}; "
                  f"1 means no speedup).", ""]
    if generic:
        lines += ["**BLIS selected its generic sub-configuration (reference C kernels) on this CPU**: its "
                  "run-time CPU detection matched none of its optimised sub-configurations, so these numbers are "
                  "Debian's BLIS as a user of this machine gets it, not BLIS's optimised kernels.", ""]
    lines += [tables[0], ""]
    return lines, tables[1]
