"""hpk against its peers: a section per CPU peer library present (the
second peer, BLIS, with its threading and kernels), hpk against OpenBLAS
per hpk code path run (CPU paths), and the gain over the textbook
versions; the kernels each library ran (isa.py)."""
import statistics

import isa
from helpers import PRECISIONS, fmt, largest, plural, ratio_summary, select
from render import Section
from sections.versus import comparisons, tally


def run_kernels(rows, m):
    """The kernels one hpk_bench run's libraries ran (isa.COLUMNS), from its
    first CPU row; {} without one."""
    for r in rows:
        if r.get("hpk_cpu_path") and not m.device(r["variant"]):
            return {k: r.get(k) for k in isa.COLUMNS}
    return {}


def kernels_text(study):
    """Each CPU peer present against hpk's path: ['hpk avx512 (AVX-512) vs
    OpenBLAS Haswell (AVX2): **not like for like** ...', ...]."""
    k = run_kernels(study.rows, study.m)
    out = []
    for peer in study.m.cpu_peers({r["variant"] for r in study.rows}):
        if peer in isa.PEERS:
            text = isa.comparison_text(k, peer)
            if text:
                out.append(text)
    return out


def peer_name(rows, m, peer):
    """'OpenBLAS (Haswell, AVX2)', with 'narrower than hpk's avx512, not like
    for like' where the widths differ; the plain name without the record."""
    name = m.short(peer)
    tag = isa.short_tag(run_kernels(rows, m), peer) if peer in isa.PEERS else None
    return f"{name} ({tag})" if tag else name


def headline(study, peer):
    """hpk OpenMP vs a CPU peer per kernel and precision: (header, rows)."""
    rows, tmax = study.rows, study.tmax
    name = study.m.short(peer)
    header = ["kernel", "prec"] + [f"{name} time / hpk time, {plural(t)}" for t in sorted({1, tmax})]
    header += ["points: hpk ahead / tied / behind (ratio's min–max interval above, across, below 1)",
               f"hpk GB/s, largest, {tmax}t (% of STREAM read)",
               f"{name} GB/s, largest, {tmax}t (% of STREAM read)"]
    out = []
    every = comparisons(rows, "hpk_omp", peer)
    for kernel in study.m.measured():
        for prec in PRECISIONS:
            pts = [p for p in every if (p["kernel"], p["precision"]) == (kernel, prec)]
            if not pts:
                continue
            line = [kernel, prec]
            for t in sorted({1, tmax}):
                line.append(ratio_summary(p["ratio"] for p in pts if p["threads"] == t))
            line.append(tally(pts))
            for variant in ("hpk_omp", peer):
                r = largest(rows, kernel=kernel, precision=prec, variant=variant, threads=tmax)
                line.append(f"{fmt(r['gbps'], '.1f')} ({fmt(r['pct_stream'], '.0f', '%')})" if r else "–")
            out.append(line)
    return header, out


def blis_table(study, second):
    """Per kernel and precision: BLIS time / hpk OpenMP time on 1 thread and
    on the most threads (median over sizes, range), GB/s of both at the
    largest size, and BLIS's own 1-thread time over its most-threads time
    there (about 1 where BLIS does not parallelise)."""
    rows, tmax = study.rows, study.tmax
    counts = sorted({1, tmax})
    header = ["kernel", "prec"] + [f"BLIS time / hpk time, {plural(t)}" for t in counts]
    header += [f"hpk GB/s, largest, {tmax}t", f"BLIS GB/s, largest, {tmax}t",
               f"BLIS time 1t / BLIS time {tmax}t, largest"]
    out = []
    for kernel in study.m.measured():
        for prec in PRECISIONS:
            hpk = select(rows, kernel=kernel, precision=prec, variant="hpk_omp")
            if not any(r["speedup_vs_blis"] for r in hpk):
                continue
            line = [kernel, prec]
            for t in counts:
                line.append(ratio_summary(r["speedup_vs_blis"] for r in hpk if r["threads"] == t))
            for variant in ("hpk_omp", second):
                r = largest(rows, kernel=kernel, precision=prec, variant=variant, threads=tmax)
                line.append(f"{r['gbps']:.1f}" if r and r["gbps"] else "–")
            b = largest(rows, kernel=kernel, precision=prec, variant=second, threads=tmax)
            line.append(f"{b['speedup_vs_1thread']:.2f}" if b and b["speedup_vs_1thread"] and tmax > 1 else "–")
            out.append(line)
    return header, out


def blis_section(study):
    """What the report's "hpk OpenMP vs BLIS" section adds to the table every
    peer gets: BLIS's build and kernels, its threading, and its own scaling
    (BLIS's level-1v and level-2 operations run on the calling thread: the
    table shows BLIS's own time on 1 thread over its time on all of them, so
    nobody reads a 1-thread BLIS as a threaded one).  None without BLIS rows."""
    second = study.m.second_peer()
    if not any(r["variant"] == second for r in study.rows):
        return None
    described = study.ctx.get("blis", "not recorded")
    tmax = study.tmax
    scaling = [r["speedup_vs_1thread"] for r in study.rows
               if r["variant"] == second and r["threads"] == tmax and r["speedup_vs_1thread"]]
    intro = [f"BLIS: {described}.  The table below repeats BLIS time / hpk time (median over the sizes, "
             "range) beside BLIS's own scaling.  BLIS is called through its "
             "typed API (bli_?gemv, bli_?dotv, bli_?asumv, bli_?normfv, bli_?amaxv) with "
             "bli_thread_set_num_threads(t); it has no plain sum, so sum has no BLIS row."]
    if tmax > 1 and scaling:
        intro.append(f"BLIS parallelises its level-3 operations only (its docs/Multithreading.md): its level-1v "
                     f"and level-2 operations, all of these, run on the calling thread whatever the thread "
                     f"count, so the {tmax}-thread columns compare hpk on {tmax} threads with a one-thread BLIS.  "
                     f"Measured: BLIS's 1-thread time / its {tmax}-thread time at the largest sizes (last "
                     f"column) is {statistics.median(scaling):.2f} in the median ({min(scaling):.2f}–"
                     f"{max(scaling):.2f}; 1 means no speedup).")
    if "generic kernels" in described:
        intro.append("**BLIS selected its generic sub-configuration (reference C kernels) on this CPU**: its "
                     "run-time CPU detection matched none of its optimised sub-configurations, so these numbers "
                     "are Debian's BLIS as a user of this machine gets it, not BLIS's optimised kernels.")
    return Section(None, intro=intro, table=blis_table(study, second),
                   text_title="BLIS's threading and kernels (BLIS time / hpk time; BLIS 1t / BLIS most threads):")


def peer_sections(study):
    """A section per CPU peer present: [(peer, Section)]."""
    out = []
    blis = blis_section(study)
    kernels = run_kernels(study.rows, study.m)
    for peer in study.m.cpu_peers({r["variant"] for r in study.rows}):
        name = study.m.short(peer)
        intro = []
        if peer in isa.PEERS and isa.comparison_text(kernels, peer):
            intro.append("Kernels: " + isa.comparison_text(kernels, peer) + ".")
        intro.append(f"{name} time / hpk time at the same thread count (> 1: hpk faster): median over the "
                     "sizes (range); the points where hpk is ahead, tied (the ratio's min–max interval over the "
                     "repetitions includes 1) and behind; GB/s at the largest size.")
        s = Section(f"hpk OpenMP vs {name}", intro=intro, table=headline(study, peer),
                    text_title=f"hpk OpenMP vs {name} ({name} time / hpk time: median over sizes (range)):")
        if peer == study.m.second_peer() and blis:
            s.subsections.append(blis)
        out.append(s)
    return out


def cpu_paths_section(study):
    """Per hpk code path run (the folder's own and each --cpu-path folder's)
    and kernel: OpenBLAS time / hpk OpenMP time, median over the sizes and
    both precisions (range), on 1 thread and on the most threads, with
    OpenBLAS's core of that run named.  None without such points."""
    runs = study.path_rows
    counts = sorted({r["threads"] for run in runs for r in run if r["variant"] == "hpk_omp"})
    if not counts:
        return None
    shown = sorted({1, counts[-1]})
    header = ["hpk path (ISA)", "OpenBLAS core (ISA)", "kernel"] + \
        [f"OpenBLAS time / hpk time, {plural(t)}" for t in shown] + ["points: hpk ahead / tied / behind"]
    out = []
    for run in runs:
        k = run_kernels(run, study.m)
        path = f"{k.get('hpk_cpu_path') or '?'} ({isa.label(k.get('hpk_isa'))})"
        core = (f"{k['openblas_core']} ({isa.label(k.get('openblas_isa'))}"
                + ("; **not like for like**" if k.get("openblas_vs_hpk_isa") in ("narrower", "wider") else "")
                + ")") if k.get("openblas_core") else "not recorded"
        pts_all = comparisons(run, "hpk_omp", "openblas")
        for kernel in study.m.measured():
            pts = [p for p in pts_all if p["kernel"] == kernel]
            if not pts:
                continue
            out.append([path, core, kernel] + [ratio_summary(p["ratio"] for p in pts if p["threads"] == t)
                                               for t in shown] + [tally(pts)])
    if not out:
        return None
    return Section("CPU paths", intro=[
        "hpk OpenMP against OpenBLAS per hpk code path run: OpenBLAS time / hpk time (> 1: hpk "
        "faster), median over the sizes and both precisions (range), with the OpenBLAS core that "
        "ran beside it (`openblas_get_corename()`).  `scripts/bench --cpu-path PATH,...|all` runs "
        "each path in its own process with OpenBLAS on the core of the same ISA "
        "(OPENBLAS_CORETYPE: SkylakeX for avx512, Haswell for avx2, Prescott for portable); "
        "without it the table has hpk's default path against OpenBLAS as the environment has it.  "
        "Per point: results.csv (hpk_cpu_path, openblas_core)."], table=(header, out),
        text_title="hpk OpenMP vs OpenBLAS per hpk code path (OpenBLAS time / hpk time: median over sizes (range)):")


def textbook_section(study):
    """Textbook time / hpk OpenMP time per kernel, precision and thread
    count; None without textbook rows."""
    rows, threads = study.rows, study.threads
    header = ["kernel", "prec"] + [f"textbook time / hpk OpenMP time, {plural(t)}" for t in threads]
    out = []
    for kernel in study.m.measured():
        for prec in PRECISIONS:
            naive = {(r["size"], r["threads"]): r["time_s"] for r in select(
                rows, kernel=kernel, precision=prec, variant="naive_omp")}
            if not naive:
                continue
            line = [kernel, prec]
            for t in threads:
                hpk = select(rows, kernel=kernel, precision=prec, variant="hpk_omp", threads=t)
                line.append(ratio_summary(naive[(r["size"], t)] / r["time_s"] for r in hpk
                                          if (r["size"], t) in naive))
            out.append(line)
    if not out:
        return None
    return Section("Gain over the textbook versions", intro=[
        "Textbook time / hpk OpenMP time at the same thread count: the row-by-row OpenMP "
        "matvec, and the rand()-based Monte Carlo (median over the sizes, range)."], table=(header, out))
