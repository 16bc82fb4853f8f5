"""hpk OpenMP across threads: Monte Carlo pi against a plain Philox loop
(the 2x target), strong scaling at the largest size, and Threads never
hurt (the worst T-thread / 1-thread ratio of every kernel), with their
Findings lines."""
import statistics

import stats
from helpers import PRECISIONS, fmt, fmt_bytes, fmt_count, largest, plural, ratio_summary, select
from render import Section


# Monte Carlo pi's target: hpk OpenMP at least this many times the samples/s
# of the plain scalar loop over hpk's Philox (variant philox_loop), on the
# same thread count.
PHILOX_TARGET = 2.0


def size_label(r):
    """'2^14 (128 KiB)', or '2^20 samples' for Monte Carlo."""
    ws = r.get("working_set_bytes")
    return f"{fmt_count(r['size'])}" + (f" ({fmt_bytes(ws)})" if ws else " samples")


def philox_points(rows):
    """{threads: [dict(size, ratio, interval, hpk, loop)]}: Monte Carlo pi (the
    kernel the plain Philox loop ran), hpk OpenMP
    against the plain Philox loop at the same size and thread count; ratio =
    loop time / hpk time (= hpk samples/s / loop samples/s), interval its
    min–max over the repetitions."""
    loop = {(r["kernel"], r["size"], r["threads"]): r for r in select(rows, variant="philox_loop")}
    kernels = {k for k, _, _ in loop}
    out = {}
    for r in select(rows, variant="hpk_omp"):
        o = loop.get((r["kernel"], r["size"], r["threads"])) if r["kernel"] in kernels else None
        if o:
            out.setdefault(r["threads"], []).append(dict(size=r["size"], ratio=o["time_s"] / r["time_s"],
                                                         interval=stats.row_interval(o, r), hpk=r, loop=o))
    return {t: sorted(v, key=lambda p: p["size"]) for t, v in sorted(out.items())}


def philox_outcome(pts):
    """'met' when hpk is at least PHILOX_TARGET times the loop at every size,
    else 'missed'; '(within the noise)' added where the lowest point's
    min–max interval reaches across the target."""
    low = min(pts, key=lambda p: p["ratio"])
    word = "met" if low["ratio"] >= PHILOX_TARGET else "missed"
    if low["interval"] and low["interval"][0] < PHILOX_TARGET <= low["interval"][1]:
        word += " (within the noise)"
    return word, low


def philox_table(rows):
    """Per thread count: hpk OpenMP's mc_pi samples/s over the plain Philox
    loop's, and the target; None without both variants' rows."""
    pts = philox_points(rows)
    if not pts:
        return None
    header = ["threads", "hpk OpenMP Msamples/s, largest", "plain Philox loop Msamples/s, largest",
              "hpk samples/s / loop samples/s: median over sizes (range)",
              "lowest (size; min–max interval)", f"target ≥ {PHILOX_TARGET:g}× at every size"]
    out = []
    for t, ps in pts.items():
        big = ps[-1]
        word, low = philox_outcome(ps)
        interval = f"{low['interval'][0]:.2f}–{low['interval'][1]:.2f}" if low["interval"] else "–"
        out.append([str(t), fmt(big["hpk"]["msamples_per_s"], ".0f"), fmt(big["loop"]["msamples_per_s"], ".0f"),
                    ratio_summary(p["ratio"] for p in ps),
                    f"{low['ratio']:.2f} ({fmt_count(low['size'])} samples; {interval})",
                    f"**{word}**" if word.startswith("missed") else word])
    return header, out


def philox_finding(rows):
    """The findings line of Monte Carlo pi against the plain Philox loop;
    None without the rows."""
    pts = philox_points(rows)
    if not pts:
        return None
    parts = []
    for t, ps in pts.items():
        word, low = philox_outcome(ps)
        parts.append(f"{statistics.median(p['ratio'] for p in ps):.2f}× on {plural(t)} (lowest "
                     f"{low['ratio']:.2f}× at {fmt_count(low['size'])} samples): {word}")
    missed = [t for t, ps in pts.items() if not philox_outcome(ps)[0].startswith("met")]
    overall = ("target met on every thread count" if not missed else
               "target missed on " + ", ".join(plural(t) for t in missed))
    return (f"- **Monte Carlo pi vs a plain Philox loop** (hpk OpenMP's samples/s over the scalar per-sample "
            f"loop over hpk's own Philox, same hits, same thread count; target ≥ {PHILOX_TARGET:g}× at every "
            f"size): {overall}; " + "; ".join(parts) + " (see Monte Carlo pi against a plain Philox loop).")


# Threads never hurt: hpk OpenMP on T threads must run at least this share of
# its 1-thread speed, at every kernel and size.
THREADS_TOLERANCE = 0.95

THREADS_RULE = (
    f"A point is **slower** when hpk OpenMP's 1-thread time / T-thread time is below {THREADS_TOLERANCE:.2f} "
    "and the whole min–max interval of that ratio over the rounds (each round's 1-thread over T-thread "
    f"time, taken seconds apart) lies below {THREADS_TOLERANCE:.2f}: even the round most in its "
    f"favour is more than {100 * (1 - THREADS_TOLERANCE):.0f}% slower.  Below {THREADS_TOLERANCE:.2f} with "
    "an interval that reaches it is **within the noise**, not called a slowdown (the study's tie rule).")


def threads_points(rows, m):
    """{(kernel, prec): {threads: [hpk_omp rows with a 1-thread ratio]}} for
    the thread counts above 1."""
    out = {}
    kernels = m.measured()
    for r in select(rows, variant="hpk_omp"):
        if r["threads"] > 1 and r["speedup_vs_1thread"] is not None and r["kernel"] in kernels:
            out.setdefault((r["kernel"], r["precision"]), {}).setdefault(r["threads"], []).append(r)
    order = {k: i for i, k in enumerate(kernels)}
    return dict(sorted(out.items(), key=lambda kv: (order[kv[0][0]], kv[0][1] != "d")))


def threads_slower(r):
    """Whether a row is slower than on 1 thread beyond the noise (THREADS_RULE)."""
    hi = r["speedup_vs_1thread_hi"]
    return r["speedup_vs_1thread"] < THREADS_TOLERANCE and (hi is None or hi < THREADS_TOLERANCE)


def threads_mark(pts):
    """(mark, worst row, slower rows): ok, slower or within the noise."""
    worst = min(pts, key=lambda r: r["speedup_vs_1thread"])
    slower = [r for r in pts if threads_slower(r)]
    mark = "slower" if slower else "ok" if worst["speedup_vs_1thread"] >= THREADS_TOLERANCE else "within the noise"
    return mark, worst, slower


def threads_table(rows, m):
    """Threads never hurt: per kernel and precision, per thread count T > 1,
    the worst 1-thread time / T-thread time over the sizes, where, and the
    mark; None without such rows."""
    pts = threads_points(rows, m)
    counts = sorted({t for by_t in pts.values() for t in by_t})
    if not counts:
        return None
    header = ["kernel", "prec"] + [f"{plural(t)}: worst time 1t / time {t}t over sizes (size): mark"
                                   for t in counts]
    out = []
    for (kernel, prec), by_t in pts.items():
        line = [kernel, prec]
        for t in counts:
            if t not in by_t:
                line.append("–")
                continue
            mark, worst, slower = threads_mark(by_t[t])
            text = f"{worst['speedup_vs_1thread']:.2f} at {size_label(worst)}: "
            text += (f"**slower** ({len(slower)} of {len(by_t[t])} sizes)" if mark == "slower" else mark)
            line.append(text)
        out.append(line)
    return header, out


def threads_finding(rows, m):
    """The findings line of Threads never hurt; None without the rows."""
    pts = threads_points(rows, m)
    counts = sorted({t for by_t in pts.values() for t in by_t})
    if not counts:
        return None
    slower, noisy, worst = [], [], None
    for (kernel, prec), by_t in pts.items():
        for t, ps in sorted(by_t.items()):
            mark, w, bad = threads_mark(ps)
            if worst is None or w["speedup_vs_1thread"] < worst[0]["speedup_vs_1thread"]:
                worst = (w, kernel, prec)
            slower += [f"{kernel} {prec} at {fmt_count(r['size'])} on {plural(t)} "
                       f"({r['speedup_vs_1thread']:.2f}×)" for r in bad]
            if mark == "within the noise":
                noisy.append(f"{kernel} {prec} at {fmt_count(w['size'])} on {plural(t)} "
                             f"({w['speedup_vs_1thread']:.2f}×)")
    w, kernel, prec = worst
    where = f"{w['speedup_vs_1thread']:.2f}× {kernel} {prec} at {fmt_count(w['size'])}" + \
        (f" on {plural(w['threads'])}" if len(counts) > 1 else "")
    ts = " or ".join(str(t) for t in counts)
    rule = (f"1-thread time / T-thread time below {THREADS_TOLERANCE:.2f} with its whole min–max interval below "
            "it is slower")
    if slower:
        text = (f"{len(slower)} point{'s' if len(slower) != 1 else ''} slower than on 1 thread: " +
                ", ".join(slower[:8]) + (f" and {len(slower) - 8} more" if len(slower) > 8 else ""))
    else:
        text = f"no kernel slower on {ts} threads than on 1 (worst {where})"
    if noisy:
        text += f"; below {THREADS_TOLERANCE:.2f} within the noise: " + ", ".join(noisy[:8]) + \
            (f" and {len(noisy) - 8} more" if len(noisy) > 8 else "")
    return f"- **Threads never hurt** (hpk OpenMP, every kernel and size; {rule}): {text} (see Threads never hurt)."


def scaling_table(rows, threads, m):
    """hpk OpenMP's strong scaling at the largest size: against the
    bandwidth-limited ideal STREAM(t) / STREAM(1) for the memory-bound
    kernels, against t with a serial fraction (Amdahl fit, Karp–Flatt)
    for the compute-bound one -- fitted only with at least
    stats.AMDAHL_MIN_THREAD_COUNTS thread counts: (header, rows)."""
    tmax = threads[-1]
    header = ["kernel", "prec", "size", f"hpk time 1t / time {tmax}t (min–max)",
              f"ideal: STREAM read {tmax}t / 1t at this size (memory-bound), or {tmax}",
              "hpk speedup / ideal", "Amdahl serial fraction (compute-bound)", f"Karp–Flatt at {tmax}t",
              f"OpenBLAS time 1t / time {tmax}t"]
    enough = len(threads) >= stats.AMDAHL_MIN_THREAD_COUNTS
    out = []
    for kernel in m.measured():
        for prec in PRECISIONS:
            r = largest(rows, kernel=kernel, precision=prec, variant="hpk_omp", threads=tmax)
            if not r or tmax == 1:
                continue
            o = select(rows, kernel=kernel, precision=prec, variant="openblas", threads=tmax,
                                 size=r["size"])
            size = fmt_bytes(r["working_set_bytes"]) if r["working_set_bytes"] \
                else f"{fmt_count(r['size'])} samples"
            s1 = fmt(r["speedup_vs_1thread"])
            if r["speedup_vs_1thread_lo"] is not None:
                s1 += f" ({r['speedup_vs_1thread_lo']:.2f}–{r['speedup_vs_1thread_hi']:.2f})"
            if m.memory_bound(kernel):
                ideal = r["bw_ideal_speedup"]
                amdahl = kf = "– (memory-bound: see the ideal)"
            else:
                ideal = tmax
                pts = [(x["threads"], x["speedup_vs_1thread"]) for x in select(
                    rows, kernel=kernel, precision=prec, variant="hpk_omp", size=r["size"])
                    if x["speedup_vs_1thread"]]
                f = stats.amdahl_fraction(pts)
                amdahl = fmt(f, ".3f") if f is not None else \
                    f"– ({len(threads)} thread counts; needs {stats.AMDAHL_MIN_THREAD_COUNTS})"
                kf = fmt(r["karp_flatt"], ".3f") if r["karp_flatt"] is not None else "–" if enough else amdahl
            out.append([kernel, prec, size, s1, fmt(ideal), fmt(r["speedup_vs_1thread"] / ideal)
                        if ideal and r["speedup_vs_1thread"] else "–", amdahl, kf,
                        fmt(o[0]["speedup_vs_1thread"]) if o else "–"])
    return header, out


def philox_section(study):
    table = philox_table(study.rows)
    if not table:
        return None
    return Section("Monte Carlo pi against a plain Philox loop", intro=[
        f"Target: hpk's mc_pi at least {PHILOX_TARGET:g}× the samples/s of a plain scalar Philox loop, "
        "thread for thread.  The loop (`philox_loop`, bench/philox_loop.c) is what a user would write "
        "with hpk's own Philox (common/philox.h): `hpk__philox_sample(seed, i, 0)` and "
        "`hpk__pi_hit` per sample under `#pragma omp parallel for reduction(+:hits)`, compiled with the "
        "build's C flags for the baseline ISA; it counts exactly hpk's hits (checked before timing).  "
        "Ratio: loop time / hpk OpenMP time at the same size and thread count (= hpk samples/s / loop "
        f"samples/s); *met* when it is at least {PHILOX_TARGET:g} at every size, *within the noise* "
        "where the lowest point's min–max interval over the repetitions reaches across the target."],
        table=table, findings=[philox_finding(study.rows)],
        text_title=f"Monte Carlo pi: hpk OpenMP against a plain Philox loop (target >= {PHILOX_TARGET:g}x):")


def scaling_section(study):
    return Section("Strong scaling at the largest size", table=scaling_table(study.rows, study.threads, study.m))


def threads_section(study):
    table = threads_table(study.rows, study.m)
    if not table:
        return None
    return Section("Threads never hurt", intro=[
        f"Target: on every kernel and size, hpk OpenMP on T threads is at most "
        f"{100 * (1 - THREADS_TOLERANCE):.0f}% slower than on 1 thread (1-thread time / T-thread time "
        f"≥ {THREADS_TOLERANCE:.2f}).  Per kernel and precision and per thread count, the worst ratio over "
        "the sizes and where it is (the size: elements, m = n for gemv, samples for Monte Carlo; the "
        "working set in brackets).  " + THREADS_RULE + "  Per point: results.csv "
        "(speedup_vs_1thread, _lo, _hi)."], table=table, findings=[threads_finding(study.rows, study.m)],
        text_title=f"Threads never hurt (hpk OpenMP, 1-thread time / T-thread time, worst over sizes; "
                   f"target >= {THREADS_TOLERANCE:.2f}):")
