"""Writes RESULTS_DIR/report.md: findings written from the data (the kernels
each library ran and whether hpk and each peer ran the same vector width,
isa.py; per kernel family: where hpk is ahead of, tied with or behind each
peer present, how close to the roofline it runs, whether hpk OpenMP on T
threads is ever more than 5% slower than on 1, Monte Carlo pi against a
plain scalar Philox loop (target 2x), the offload break-even, the accuracy
study's outcome when accuracy.csv exists), the run's noise and whether it
can be trusted (noise.json, plots/noise.py), the machine, the STREAM
roofline, the headline ratios (hpk OpenMP against each CPU peer -- with
BLIS's threading and kernel choice, peers.py -- and against the textbook
versions), Monte Carlo pi against the plain Philox loop (per thread count,
the 2x target met or missed), hpk against OpenBLAS per hpk code path run
("CPU paths": the folder's own run and each scripts/bench --cpu-path run in
cpu-path-PATH/), the accuracy study (accuracy.py), strong scaling at the
largest size, the worst T-thread / 1-thread ratio of every kernel and
precision ("Threads never hurt"), hpk over MPI ranks (mpi_report.py, from
mpi_results.csv) and the plots; prints the findings and the headline
tables.  Run the plot scripts first so the images exist.

usage: /usr/bin/python3 plots/report.py RESULTS_DIR
"""
import csv
import json
import math
import os
import statistics

import accuracy
import benchdata
import isa
import mpi_report
import mpidata
import noise as noise_study
import peers
from tables import table


def fmt(v, spec=".2f", suffix=""):
    if v is None:
        return "–"
    text = f"{v:{spec}}"
    return (text[1:] if text.startswith("-") and float(text) == 0 else text) + suffix


def plural(t):
    return f"{t} thread{'s' if t > 1 else ''}"


def largest(rows, **want):
    sel = benchdata.select(rows, **want)
    return max(sel, key=lambda r: r["size"]) if sel else None


def ratio_summary(values):
    """'1.23 (0.90–1.50)': the median over sizes and the range."""
    values = [v for v in values if v]
    if not values:
        return "–"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def comparisons(rows, variant, peer):
    """Every point where `variant` and `peer` both ran (same kernel,
    precision, size, threads): dict(kernel, precision, size, threads,
    working_set, ratio = peer time / variant time (> 1: variant faster),
    interval (min–max over the repetitions), verdict ahead / tie / behind)."""
    theirs = {(r["kernel"], r["precision"], r["size"], r["threads"]): r
              for r in rows if r["variant"] == peer}
    out = []
    for r in rows:
        o = theirs.get((r["kernel"], r["precision"], r["size"], r["threads"])) if r["variant"] == variant else None
        if not o:
            continue
        interval = benchdata.row_interval(o, r)
        out.append(dict(kernel=r["kernel"], precision=r["precision"], size=r["size"], threads=r["threads"],
                        working_set=r["working_set_bytes"], ratio=o["time_s"] / r["time_s"],
                        interval=interval, verdict=benchdata.verdict(interval)))
    return out


def tally(points):
    """'3 ahead / 5 tied / 1 behind'."""
    n = {v: sum(1 for p in points if p["verdict"] == v) for v in ("ahead", "tie", "behind")}
    return f"{n['ahead']} ahead / {n['tie']} tied / {n['behind']} behind"


def headline(rows, threads, peer="openblas"):
    """hpk OpenMP vs a CPU peer per kernel and precision."""
    tmax = threads[-1]
    name = benchdata.short_label(peer)
    header = ["kernel", "prec"] + [f"{name} time / hpk time, {plural(t)}" for t in sorted({1, tmax})]
    header += ["points: hpk ahead / tied / behind (ratio's min–max interval above, across, below 1)",
               f"hpk GB/s, largest, {tmax}t (% of STREAM read)",
               f"{name} GB/s, largest, {tmax}t (% of STREAM read)"]
    out = []
    for kernel in benchdata.KERNELS:
        for prec in ("d", "s"):
            pts = [p for p in comparisons(rows, "hpk_omp", peer) if (p["kernel"], p["precision"]) == (kernel, prec)]
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
    return table(header, out)


def textbook(rows, threads):
    header = ["kernel", "prec"] + [f"textbook time / hpk OpenMP time, {plural(t)}" for t in threads]
    out = []
    for kernel in benchdata.KERNELS:
        for prec in ("d", "s"):
            naive = {(r["size"], r["threads"]): r["time_s"] for r in benchdata.select(
                rows, kernel=kernel, precision=prec, variant="naive_omp")}
            if not naive:
                continue
            line = [kernel, prec]
            for t in threads:
                hpk = benchdata.select(rows, kernel=kernel, precision=prec, variant="hpk_omp", threads=t)
                line.append(ratio_summary(naive[(r["size"], t)] / r["time_s"] for r in hpk
                                          if (r["size"], t) in naive))
            out.append(line)
    return table(header, out)


# Monte Carlo pi's target: hpk OpenMP at least this many times the samples/s
# of the plain scalar loop over hpk's Philox (variant philox_loop), on the
# same thread count.
PHILOX_TARGET = 2.0


def size_label(r):
    """'2^14 (128 KiB)', or '2^20 samples' for Monte Carlo."""
    ws = r.get("working_set_bytes")
    return f"{benchdata.fmt_count(r['size'])}" + (f" ({benchdata.fmt_bytes(ws)})" if ws else " samples")


def philox_points(rows):
    """{threads: [dict(size, ratio, interval, hpk, loop)]}: mc_pi, hpk OpenMP
    against the plain Philox loop at the same size and thread count; ratio =
    loop time / hpk time (= hpk samples/s / loop samples/s), interval its
    min–max over the repetitions."""
    loop = {(r["size"], r["threads"]): r for r in benchdata.select(rows, kernel="mc_pi", variant="philox_loop")}
    out = {}
    for r in benchdata.select(rows, kernel="mc_pi", variant="hpk_omp"):
        o = loop.get((r["size"], r["threads"]))
        if o:
            out.setdefault(r["threads"], []).append(dict(size=r["size"], ratio=o["time_s"] / r["time_s"],
                                                         interval=benchdata.row_interval(o, r), hpk=r, loop=o))
    return {t: sorted(v, key=lambda p: p["size"]) for t, v in sorted(out.items())}


def philox_verdict(pts):
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
        word, low = philox_verdict(ps)
        interval = f"{low['interval'][0]:.2f}–{low['interval'][1]:.2f}" if low["interval"] else "–"
        out.append([str(t), fmt(big["hpk"]["msamples_per_s"], ".0f"), fmt(big["loop"]["msamples_per_s"], ".0f"),
                    ratio_summary(p["ratio"] for p in ps),
                    f"{low['ratio']:.2f} ({benchdata.fmt_count(low['size'])} samples; {interval})",
                    f"**{word}**" if word.startswith("missed") else word])
    return table(header, out)


def philox_finding(rows):
    """The findings line of Monte Carlo pi against the plain Philox loop;
    None without the rows."""
    pts = philox_points(rows)
    if not pts:
        return None
    parts = []
    for t, ps in pts.items():
        word, low = philox_verdict(ps)
        parts.append(f"{statistics.median(p['ratio'] for p in ps):.2f}× on {plural(t)} (lowest "
                     f"{low['ratio']:.2f}× at {benchdata.fmt_count(low['size'])} samples): {word}")
    missed = [t for t, ps in pts.items() if not philox_verdict(ps)[0].startswith("met")]
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
    "and the whole min–max interval of that ratio over the repetitions (slowest 1-thread over fastest "
    f"T-thread time, and the reverse) lies below {THREADS_TOLERANCE:.2f}: even the repetitions most in its "
    f"favour are more than {100 * (1 - THREADS_TOLERANCE):.0f}% slower.  Below {THREADS_TOLERANCE:.2f} with "
    "an interval that reaches it is **within the noise**, not called a slowdown (the study's tie rule).")


def threads_points(rows):
    """{(kernel, prec): {threads: [hpk_omp rows with a 1-thread ratio]}} for
    the thread counts above 1."""
    out = {}
    for r in benchdata.select(rows, variant="hpk_omp"):
        if r["threads"] > 1 and r["speedup_vs_1thread"] is not None and r["kernel"] in benchdata.KERNELS:
            out.setdefault((r["kernel"], r["precision"]), {}).setdefault(r["threads"], []).append(r)
    order = {k: i for i, k in enumerate(benchdata.KERNELS)}
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


def threads_table(rows):
    """Threads never hurt: per kernel and precision, per thread count T > 1,
    the worst 1-thread time / T-thread time over the sizes, where, and the
    mark; None without such rows."""
    pts = threads_points(rows)
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
    return table(header, out)


def threads_finding(rows):
    """The findings line of Threads never hurt; None without the rows."""
    pts = threads_points(rows)
    counts = sorted({t for by_t in pts.values() for t in by_t})
    if not counts:
        return None
    slower, noisy, worst = [], [], None
    for (kernel, prec), by_t in pts.items():
        for t, ps in sorted(by_t.items()):
            mark, w, bad = threads_mark(ps)
            if worst is None or w["speedup_vs_1thread"] < worst[0]["speedup_vs_1thread"]:
                worst = (w, kernel, prec)
            slower += [f"{kernel} {prec} at {benchdata.fmt_count(r['size'])} on {plural(t)} "
                       f"({r['speedup_vs_1thread']:.2f}×)" for r in bad]
            if mark == "within the noise":
                noisy.append(f"{kernel} {prec} at {benchdata.fmt_count(w['size'])} on {plural(t)} "
                             f"({w['speedup_vs_1thread']:.2f}×)")
    w, kernel, prec = worst
    where = f"{w['speedup_vs_1thread']:.2f}× {kernel} {prec} at {benchdata.fmt_count(w['size'])}" + \
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


def stream_table(rows, threads, cache):
    """STREAM read and triad GB/s (best of the repetitions: the roofline)
    per thread count at the representative sizes: in L2, in L3, in DRAM."""
    classes = benchdata.size_classes(benchdata.select(rows, kernel="stream_read"), cache)
    if not classes:
        return "Not measured in this run (the kernel selection left STREAM out).", "not measured"
    header = ["threads"]
    for _, where, size in classes:
        ws = benchdata.select(rows, kernel="stream_read", size=size)[0]["working_set_bytes"]
        header.append(f"read GB/s, {benchdata.fmt_bytes(ws)} ({where})")
    header.append("triad GB/s, largest")
    out = []
    for t in threads:
        line = [str(t)]
        for _, _, size in classes:
            r = benchdata.select(rows, kernel="stream_read", threads=t, size=size)
            line.append(fmt(r[0]["gbps_best"], ".1f") if r else "–")
        r = largest(rows, kernel="stream_triad", threads=t)
        line.append(fmt(r["gbps_best"], ".1f") if r else "–")
        out.append(line)
    return table(header, out)


def scaling_table(rows, threads):
    """hpk OpenMP's strong scaling at the largest size: against the
    bandwidth-limited ideal STREAM(t) / STREAM(1) for the memory-bound
    kernels, against t with a serial fraction (Amdahl fit, Karp–Flatt)
    for the compute-bound one -- fitted only with at least
    benchdata.AMDAHL_MIN_THREAD_COUNTS thread counts."""
    tmax = threads[-1]
    header = ["kernel", "prec", "size", f"hpk time 1t / time {tmax}t (min–max)",
              f"ideal: STREAM read {tmax}t / 1t at this size (memory-bound), or {tmax}",
              "hpk speedup / ideal", "Amdahl serial fraction (compute-bound)", f"Karp–Flatt at {tmax}t",
              f"OpenBLAS time 1t / time {tmax}t"]
    enough = len(threads) >= benchdata.AMDAHL_MIN_THREAD_COUNTS
    out = []
    for kernel in benchdata.KERNELS:
        for prec in ("d", "s"):
            r = largest(rows, kernel=kernel, precision=prec, variant="hpk_omp", threads=tmax)
            if not r or tmax == 1:
                continue
            o = benchdata.select(rows, kernel=kernel, precision=prec, variant="openblas", threads=tmax,
                                 size=r["size"])
            size = benchdata.fmt_bytes(r["working_set_bytes"]) if r["working_set_bytes"] \
                else f"{benchdata.fmt_count(r['size'])} samples"
            s1 = fmt(r["speedup_vs_1thread"])
            if r["speedup_vs_1thread_lo"] is not None:
                s1 += f" ({r['speedup_vs_1thread_lo']:.2f}–{r['speedup_vs_1thread_hi']:.2f})"
            if benchdata.memory_bound(kernel):
                ideal = r["bw_ideal_speedup"]
                amdahl = kf = "– (memory-bound: see the ideal)"
            else:
                ideal = tmax
                pts = [(x["threads"], x["speedup_vs_1thread"]) for x in benchdata.select(
                    rows, kernel=kernel, precision=prec, variant="hpk_omp", size=r["size"])
                    if x["speedup_vs_1thread"]]
                f = benchdata.amdahl_fraction(pts)
                amdahl = fmt(f, ".3f") if f is not None else \
                    f"– ({len(threads)} thread counts; needs {benchdata.AMDAHL_MIN_THREAD_COUNTS})"
                kf = fmt(r["karp_flatt"], ".3f") if r["karp_flatt"] is not None else "–" if enough else amdahl
            out.append([kernel, prec, size, s1, fmt(ideal), fmt(r["speedup_vs_1thread"] / ideal)
                        if ideal and r["speedup_vs_1thread"] else "–", amdahl, kf,
                        fmt(o[0]["speedup_vs_1thread"]) if o else "–"])
    return table(header, out)


def opencl_table(rows, tmax):
    """Per kernel and precision: device-resident hpk against CLBlast (median
    over sizes, range), the GB/s of both and hpk OpenMP's time on all cores
    over hpk OpenCL's at the largest size, the transfers' share of an
    end-to-end call there, and the break-even size against hpk OpenMP."""
    header = ["kernel", "prec", "CLBlast time / hpk time", "hpk GB/s, largest",
              "hpk % of device read, largest", "CLBlast GB/s, largest (% of device read)",
              f"hpk OpenMP {tmax}t time / hpk OpenCL time, largest",
              "(upload + download) / e2e time, largest", f"break-even vs OpenMP {tmax}t",
              "predicted break-even (model: pageable, pinned)"]
    out = []
    for kernel in benchdata.KERNELS:
        for prec in ("d", "s"):
            dev = benchdata.select(rows, kernel=kernel, precision=prec, variant="hpk_cl_kernel")
            e2e = benchdata.select(rows, kernel=kernel, precision=prec, variant="hpk_cl_e2e")
            if not dev and not e2e:
                continue
            big = max(dev or e2e, key=lambda r: r["size"])
            blast = benchdata.select(rows, kernel=kernel, precision=prec, variant="clblast", size=big["size"])
            omp = {r["size"]: r for r in benchdata.select(rows, kernel=kernel, precision=prec,
                                                            variant="hpk_omp", threads=tmax)}
            share = None
            if big["size"] in omp:
                share = omp[big["size"]]["time_s"] / big["time_s"]
            last = max(e2e, key=lambda r: r["size"]) if e2e else None
            moved = None
            if last and "upload_s" in last:
                moved = (last["upload_s"] + last["download_s"]) / last["time_s"]
            even = benchdata.break_even({r["size"]: r["time_s"] for r in e2e},
                                        {s: r["time_s"] for s, r in omp.items()})
            rate = "gbps" if big["gbps"] else "msamples_per_s"
            predicted = [predicted_text(rows, kernel, prec, tmax, m) for m in ("pageable", "pinned")]
            out.append([kernel, prec, ratio_summary(r["speedup_vs_peer"] for r in dev),
                        fmt(big[rate], ".1f") + ("" if rate == "gbps" else " Msamples/s"),
                        fmt(big.get("pct_device_stream"), ".0f", "%"),
                        (fmt(blast[0]["gbps"], ".1f") + f" ({fmt(blast[0]['pct_device_stream'], '.0f', '%')})")
                        if blast else "–",
                        fmt(share, ".2f") if share else "–", fmt(moved, ".0%") if moved is not None else "–",
                        f"n = {benchdata.fmt_count(even)}" if even else "none measured" if e2e else "–",
                        ", ".join(predicted) if any(p != "–" for p in predicted) else "–"])
    return table(header, out)


def predicted_text(rows, kernel, prec, tmax, memory):
    """'n = 2^20', 'none' or '–' (no model: a curve is missing)."""
    pred = benchdata.offload_prediction(rows, kernel, prec, tmax, memory)
    if not pred:
        return "–"
    s = benchdata.predicted_break_even(pred)
    return f"n = {benchdata.fmt_count(s)}" if s else "none"


def device_roofline_table(rows):
    """The device roofline per size: read and triad GB/s on device-resident
    buffers, and the transfers both ways from pageable and pinned memory
    (best repetition: the ceiling)."""
    dev = benchdata.select(rows, variant="device")
    if not dev:
        return None
    cols = [("cl_stream_read", "read GB/s"), ("cl_stream_triad", "triad GB/s"),
            ("cl_upload", "upload GB/s, pageable"), ("cl_upload_pinned", "upload GB/s, pinned"),
            ("cl_download", "download GB/s, pageable"), ("cl_download_pinned", "download GB/s, pinned")]
    header = ["n", "read / transfer bytes", "triad working set"] + [name for _, name in cols]
    out = []
    for size in sorted({r["size"] for r in dev}):
        at = {r["kernel"]: r for r in dev if r["size"] == size}
        some = next(iter(at.values()))
        elem = 4 if some["precision"] == "s" else 8
        line = [benchdata.fmt_count(size), benchdata.fmt_bytes(elem * size), benchdata.fmt_bytes(3 * elem * size)]
        line += [fmt(at[k]["gbps_best"], ".1f") if k in at else "–" for k, _ in cols]
        out.append(line)
    return table(header, out)


def device_roofline_text(rows):
    """'hpk OpenCL (device-resident) runs at 40–95% of the device's read
    bandwidth at the largest size (lowest: ...)'; None without the column."""
    got = pct_at_largest(rows, benchdata.KERNELS, "pct_device_stream", variant="hpk_cl_kernel")
    if not got:
        return None
    span, lowest = got
    return (f"device-resident hpk OpenCL runs at {span} of the device's own read bandwidth at the largest "
            f"size (lowest: {lowest})")


OFFLOAD_MODEL = (
    "**The offload model** (predicted break-even): an end-to-end call is predicted to take "
    "*upload bytes / upload GB/s + working set / device read GB/s + download bytes / download GB/s*, "
    "each bandwidth the measured one (best repetition) at that transfer size or working set, "
    "interpolated in log(size) as for STREAM; the CPU *working set / STREAM read GB/s* on all "
    "threads.  The upload is everything the call reads (gemv: A and x; a reduction: its vectors), "
    "the download gemv's y (a reduction's scalar is counted as no bytes).  The predicted break-even "
    "is the smallest size from which the predicted offload is faster at every larger size, with "
    "pageable transfers (what hpk's host-pointer API is given) and with pinned ones.  Both sides are "
    "memory-bound, so the offload can only pay off where 1 / upload GB/s + 1 / device GB/s < "
    "1 / CPU GB/s: a single call with its data on the host rarely does.")


FIRST_CALL_NAME = "first_call.json"


def first_call(results_dir):
    """The first-call times of hpk_cl_first_call (scripts/bench): the cold
    run (empty cache) and the median of the warm runs, in milliseconds."""
    path = os.path.join(results_dir, FIRST_CALL_NAME)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        runs = json.load(f)
    cold = [r for r in runs if r.get("cache") == "cold"]
    warm = [r for r in runs if r.get("cache") == "warm"]
    keys = [("context_s", "context created"), ("first_gemv_s", "first dgemv"),
            ("first_dot_s", "first ddot"), ("first_mc_pi_s", "first mc_pi"),
            ("to_first_result_s", "start to first result"), ("total_s", "start to all three results")]
    header = ["ms", "cold cache (1 run)", f"warm cache (median of {len(warm)})"]
    out = []
    for key, name in keys:
        c = fmt(1e3 * cold[0][key], ".1f") if cold else "–"
        w = fmt(1e3 * statistics.median(r[key] for r in warm), ".1f") if warm else "–"
        out.append([name, c, w])
    return table(header, out)


def noise_section(rows, threads, noise):
    """The run's noise (median CV per thread count, the spin-loop baseline,
    the points repeated) and the verdict: (markdown lines, assessment)."""
    a = noise_study.assess(rows, noise)
    cvs = ", ".join(f"{100 * c:.1f}% on {plural(t)}" for t, c in a["cv_by_threads"].items())
    md = ["## Noise and trust", ""]
    if a["reasons"]:
        md += ["**This run is not trustworthy:** " + "; ".join(a["reasons"]) + ".  Its ratios are "
               "indicative only; rerun on a quieter machine (or with fewer other jobs) before quoting them.", ""]
    else:
        md += ["**This run is trustworthy by the study's checks** (median CV at most "
               f"{100 * noise_study.TRUST_CV:.0f}%, spin-loop parallelism at least "
               f"{noise_study.TRUST_PARALLELISM:.0%} of the cores at the start and the end, start and end within "
               f"±{100 * noise_study.TRUST_DRIFT:.0f}%)" + (f"; but {a['reasons_missing']}" if
                                                            a.get("reasons_missing") else "") + ".", ""]
    md.append(f"- **Repetitions**: median coefficient of variation (CV) {cvs or '–'}; {a['above']} of "
              f"{a['points']} points above {100 * noise_study.RERUN_CV:.0f}% after the reruns.")
    base = noise_study.baseline_text(noise)
    md.append("- **Spin-loop baseline** (`hpk_spin_baseline`: the same floating-point work on each thread, "
              "no memory traffic; parallelism = threads × 1-thread time / all-thread time): " +
              ("; ".join(base) if base else "not measured (no noise.json)") + ".")
    reruns = noise_study.rerun_text(noise)
    md.append("- **Noisy points run again**: " + ("; ".join(reruns) if reruns else
                                                  "none (no point above the CV threshold, or --reruns 0)") + ".")
    md.append("- **Ties**: a ratio whose min–max interval over the repetitions (fastest of one side over the "
              "slowest of the other, and the reverse) includes 1 is a tie: the difference is within this "
              "run's noise.")
    return md + [""], a


FAMILIES = [("gemv", ["gemv_n", "gemv_t"]), ("reductions", ["dot", "sum", "asum", "nrm2", "iamax"]),
            ("Monte Carlo", ["mc_pi"])]


def size_text(points, kernels):
    """The range of sizes of some comparison points: working sets, or
    sample counts for Monte Carlo."""
    ws = [p["working_set"] for p in points if p["working_set"]]
    if ws:
        lo, hi = min(ws), max(ws)
        return benchdata.fmt_bytes(lo) if lo == hi else f"{benchdata.fmt_bytes(lo)}–{benchdata.fmt_bytes(hi)}"
    sizes = [p["size"] for p in points]
    lo, hi = min(sizes), max(sizes)
    unit = " samples" if "mc_pi" in kernels else ""
    return (benchdata.fmt_count(lo) if lo == hi else f"{benchdata.fmt_count(lo)}–{benchdata.fmt_count(hi)}") + unit


def point_text(p):
    where = benchdata.fmt_bytes(p["working_set"]) if p["working_set"] else benchdata.fmt_count(p["size"])
    return f"{p['kernel']} {p['precision']} {where} {p['threads']}t: {p['ratio']:.2f}"


def versus(points, kernels, who="hpk"):
    """'ahead at 5 of 12 points (64 KiB–128 MiB), tied at 6 (...), behind at
    1 (dot d 8 KiB 1t: 0.83)': the points listed where there are few."""
    parts = []
    for verdict, word in (("ahead", "ahead"), ("tie", "tied"), ("behind", "behind")):
        sel = [p for p in points if p["verdict"] == verdict]
        if not sel:
            continue
        where = "; ".join(point_text(p) for p in sel) if len(sel) <= 3 else size_text(sel, kernels)
        parts.append(f"{word} at {len(sel)} ({where})")
    ratios = [p["ratio"] for p in points]
    return (f"{who} is " + ", ".join(parts) + f" of {len(points)} point{'s' if len(points) != 1 else ''}; "
            f"peer time / {who} time median "
            f"{statistics.median(ratios):.2f} (range {min(ratios):.2f}–{max(ratios):.2f})")


def pct_at_largest(rows, kernels, column, **want):
    """A percentage column at the largest size of each kernel and precision
    (rows matching want): ('82–106%', 'dot d 128 MiB, 82%'), the span and
    the lowest; None where no row has it."""
    got = []
    for kernel in kernels:
        for prec in ("d", "s"):
            r = largest(rows, kernel=kernel, precision=prec, **want)
            if r and r.get(column) is not None:
                got.append((r[column], f"{kernel} {prec} {benchdata.fmt_bytes(r['working_set_bytes'])}"))
    if not got:
        return None
    lo, hi = min(got), max(got)
    span = f"{lo[0]:.0f}%" if len(got) == 1 else f"{lo[0]:.0f}–{hi[0]:.0f}%"
    return span, f"{lo[1]}, {lo[0]:.0f}%"


def roofline_text(rows, kernels, tmax):
    """% of STREAM read of hpk OpenMP at the largest size, per kernel and
    precision, on all threads: 'at 82–106% of STREAM read (lowest: ...)'."""
    got = pct_at_largest(rows, kernels, "pct_stream", variant="hpk_omp", threads=tmax)
    if not got:
        return None
    span, lowest = got
    return f"at the largest size on {plural(tmax)} hpk OpenMP runs at {span} of STREAM read (lowest: {lowest})"


def break_evens(rows, kernels, tmax):
    """[(kernel, prec, size or None)]: the end-to-end OpenCL call against
    hpk OpenMP on tmax threads."""
    out = []
    for kernel in kernels:
        for prec in ("d", "s"):
            e2e = {r["size"]: r["time_s"] for r in benchdata.select(rows, kernel=kernel, precision=prec,
                                                                     variant="hpk_cl_e2e")}
            omp = {r["size"]: r["time_s"] for r in benchdata.select(rows, kernel=kernel, precision=prec,
                                                                     variant="hpk_omp", threads=tmax)}
            if e2e and omp:
                out.append((kernel, prec, benchdata.break_even(e2e, omp)))
    return out


ACCURACY_NAME = "accuracy.csv"


def accuracy_text(results_dir):
    """The accuracy study's outcome (accuracy.csv: kernel, precision, data,
    n, library, rel_error; other columns ignored, unreadable rows skipped):
    the largest relative error of each library, and in how many cases hpk's
    error is at most each other library's.  None without the file."""
    path = os.path.join(results_dir, ACCURACY_NAME)
    if not os.path.exists(path):
        return None
    cases = {}
    try:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                r = {(k or "").strip().lower(): (v or "").strip() for k, v in r.items()}
                try:
                    err = abs(float(r.get("rel_error", "")))
                except ValueError:
                    continue
                lib = r.get("library", "")
                if not lib or math.isnan(err):
                    continue
                key = tuple(r.get(k, "") for k in ("kernel", "precision", "data", "n"))
                lib = "hpk" if lib.lower().startswith("hpk") else lib
                cases.setdefault(key, {})
                cases[key][lib] = max(err, cases[key].get(lib, 0.0))
    except (OSError, csv.Error) as e:
        return f"accuracy.csv could not be read ({e})"
    if not cases:
        return "accuracy.csv holds no usable row (kernel, precision, data, n, library, rel_error)"
    libs = sorted({lib for c in cases.values() for lib in c}, key=lambda x: (x != "hpk", x))
    worst = []
    for lib in libs:
        key, err = max(((k, c[lib]) for k, c in cases.items() if lib in c), key=lambda kc: kc[1])
        worst.append(f"{lib} {err:.2g} ({' '.join(v for v in key if v)})")
    parts = [f"{len(cases)} cases; largest relative error: " + ", ".join(worst)]
    if "hpk" in libs:
        for lib in libs[1:]:
            both = [c for c in cases.values() if "hpk" in c and lib in c]
            if both:
                le = sum(1 for c in both if c["hpk"] <= c[lib])
                parts.append(f"hpk's error is at most {lib}'s in {le} of {len(both)} cases")
    return "; ".join(parts)


def run_kernels(rows):
    """The kernels one hpk_bench run's libraries ran (isa.COLUMNS), from its
    first CPU row; {} without one."""
    for r in rows:
        if r.get("hpk_cpu_path") and not benchdata.device(r["variant"]):
            return {k: r.get(k) for k in isa.COLUMNS}
    return {}


def kernels_text(rows):
    """Each CPU peer present against hpk's path: ['hpk avx512 (AVX-512) vs
    OpenBLAS Haswell (AVX2): **not like for like** ...', ...]."""
    k = run_kernels(rows)
    out = []
    for peer in benchdata.cpu_peers(rows):
        if peer in isa.PEERS:
            text = isa.comparison_text(k, peer)
            if text:
                out.append(text)
    return out


def peer_name(rows, peer):
    """'OpenBLAS (Haswell, AVX2)', with 'narrower than hpk's avx512, not like
    for like' where the widths differ; the plain name without the record."""
    name = benchdata.short_label(peer)
    tag = isa.short_tag(run_kernels(rows), peer) if peer in isa.PEERS else None
    return f"{name} ({tag})" if tag else name


def cpu_paths_table(runs):
    """Per hpk code path run (the folder's own and each --cpu-path folder's)
    and kernel: OpenBLAS time / hpk OpenMP time, median over the sizes and
    both precisions (range), on 1 thread and on the most threads, with
    OpenBLAS's core of that run named.  None without such points."""
    counts = sorted({t for run in runs for r in run if r["variant"] == "hpk_omp" for t in [r["threads"]]})
    if not counts:
        return None
    shown = sorted({1, counts[-1]})
    header = ["hpk path (ISA)", "OpenBLAS core (ISA)", "kernel"] + \
        [f"OpenBLAS time / hpk time, {plural(t)}" for t in shown] + ["points: hpk ahead / tied / behind"]
    out = []
    for run in runs:
        k = run_kernels(run)
        path = f"{k.get('hpk_cpu_path') or '?'} ({isa.label(k.get('hpk_isa'))})"
        core = (f"{k['openblas_core']} ({isa.label(k.get('openblas_isa'))}"
                + ("; **not like for like**" if k.get("openblas_vs_hpk_isa") in ("narrower", "wider") else "")
                + ")") if k.get("openblas_core") else "not recorded"
        pts_all = comparisons(run, "hpk_omp", "openblas")
        for kernel in benchdata.KERNELS:
            pts = [p for p in pts_all if p["kernel"] == kernel]
            if not pts:
                continue
            out.append([path, core, kernel] + [ratio_summary(p["ratio"] for p in pts if p["threads"] == t)
                                               for t in shown] + [tally(pts)])
    return table(header, out) if out else None


def findings(rows, threads, results_dir, assessment, mpi_rows=()):
    """The Findings section: every figure computed from this folder."""
    tmax = threads[-1]
    md = ["## Findings", "",
          "Written from this run's data.  *Ahead*, *tied*, *behind*: hpk OpenMP's time against the "
          "peer's at the same kernel, precision, size and thread count, a tie when the min–max interval of "
          "the time ratio over the repetitions includes 1.", ""]
    verdict = "**not trustworthy** (" + "; ".join(assessment["reasons"]) + ")" if assessment["reasons"] \
        else "trustworthy by the study's checks"
    md.append(f"- **This run** is {verdict}: median CV " +
              (f"{100 * assessment['median_cv']:.1f}%" if assessment["median_cv"] is not None else "–") +
              " (see Noise and trust).")
    compared = kernels_text(rows)
    if compared:
        md.append("- **Kernels compared** (the ISA each library ran): " + "; ".join(compared) + ".")
    for path_rows in benchdata.all_path_rows(results_dir, rows)[1:]:
        k = run_kernels(path_rows)
        pts = comparisons(path_rows, "hpk_omp", "openblas")
        if k and pts:
            md.append(f"- **hpk's {k['hpk_cpu_path']} path** (`--cpu-path`; "
                      f"{isa.comparison_text(k, 'openblas') or 'OpenBLAS core not recorded'}): against "
                      f"OpenBLAS, " + versus(pts, benchdata.KERNELS) + " (see CPU paths).")
    peers = benchdata.cpu_peers(rows)
    for family, kernels in FAMILIES:
        frows = [r for r in rows if r["kernel"] in kernels]
        if not any(r["variant"] == "hpk_omp" for r in frows):
            continue
        parts = []
        for peer in peers + ["naive_omp"]:
            pts = comparisons(frows, "hpk_omp", peer)
            if pts and (peer != "naive_omp" or not parts):
                name = "the textbook version" if peer == "naive_omp" else peer_name(frows, peer)
                parts.append(f"against {name}, " + versus(pts, kernels))
        if benchdata.memory_bound(kernels[0]):
            roof = roofline_text(frows, kernels, tmax)
            if roof:
                parts.append(roof)
        else:
            r = largest(frows, variant="hpk_omp", threads=tmax)
            if r and r["msamples_per_s"]:
                parts.append(f"{r['msamples_per_s']:.0f} Msamples/s at {benchdata.fmt_count(r['size'])} samples "
                             f"on {plural(tmax)}" + (f", {r['speedup_vs_1thread']:.2f}× its 1-thread speed"
                                                     if tmax > 1 and r["speedup_vs_1thread"] else "") +
                             " (compute-bound: no roofline)")
        md.append(f"- **{family}** ({', '.join(k for k in kernels if any(r['kernel'] == k for r in frows))}): " +
                  ("; ".join(parts) if parts else "no peer measured") + ".")
    for line in (threads_finding(rows), philox_finding(rows)):
        if line:
            md.append(line)
    if any(r["variant"] in ("hpk_cl_kernel", "hpk_cl_e2e") for r in rows):
        kernels = [k for k in benchdata.KERNELS if any(r["kernel"] == k and r["variant"].startswith("hpk_cl")
                                                      for r in rows)]
        parts = []
        for peer in benchdata.DEVICE_PEERS:
            pts = comparisons(rows, "hpk_cl_kernel", peer)
            if pts:
                parts.append(f"device-resident, against {benchdata.short_label(peer)}, " +
                             versus(pts, kernels, "hpk OpenCL"))
        roof = device_roofline_text(rows)
        if roof:
            parts.append(roof)
        even = break_evens(rows, kernels, tmax)
        wins = [f"{k} {p} from n = {benchdata.fmt_count(s)}" for k, p, s in even if s]
        if even:
            parts.append(f"end to end (with transfers) against hpk OpenMP on {plural(tmax)}: break-even " +
                         (", ".join(wins) + f"; none for the other {len(even) - len(wins)} kernel–precision "
                          "pairs" if wins else f"at none of the {len(even)} kernel–precision pairs measured "
                          "(the offload never pays off at these sizes)"))
            pred = [(k, p, predicted_text(rows, k, p, tmax, "pageable")) for k, p, _ in even]
            pred = [x for x in pred if x[2] != "–"]
            if pred:
                wins = [f"{k} {p} from {t}" for k, p, t in pred if t != "none"]
                parts.append("the offload model (see OpenCL) predicts a break-even " +
                             (", ".join(wins) if wins else f"at none of the {len(pred)} pairs"))
        md.append("- **OpenCL** (" + ", ".join(kernels) + "): " + ("; ".join(parts) if parts else
                                                                    "no peer or CPU comparison measured") + ".")
    ranks = mpi_report.finding(mpi_rows)
    if ranks:
        md.append(ranks)
    acc = accuracy_text(results_dir)
    if acc:
        md.append(f"- **Accuracy** (accuracy.csv): {acc}.")
    return md + [""]


def machine(data, rows=()):
    c = data.get("context", {})
    cache = ", ".join(f"L{lvl} {benchdata.fmt_bytes(s)}" for lvl, s in sorted(benchdata.caches(data).items()))
    items = [
        ("host, date", f"{c.get('host_name')}, {c.get('date')}"),
        ("CPU", f"{c.get('cpu_model')}, {c.get('cores', c.get('num_cpus'))} cores, {cache}"),
        ("OS", c.get("os")),
        ("hpk", f"{c.get('hpk_version')}, commit {c.get('hpk_commit')}, CPU path {c.get('hpk_cpu_path')}, "
                f"{c.get('hpk_build_type')}, {c.get('hpk_c_compiler')} `{c.get('hpk_c_flags')}`"),
        ("harness", f"{c.get('bench_cxx_compiler')} `{c.get('bench_cxx_flags')}`, "
                    f"Google Benchmark {c.get('benchmark_version')}; {c.get('harness')}"),
        ("OpenBLAS", f"{c.get('openblas_config')} ({c.get('openblas_parallel')}), "
                     f"{c.get('openblas_library')}; core {c.get('openblas_core', 'not recorded')}"
                     + (f" (OPENBLAS_CORETYPE={c['openblas_coretype_env']})"
                        if c.get("openblas_coretype_env", "(not set)") != "(not set)" else "")),
        ("BLIS", c.get("blis", "not recorded")),
        ("kernels compared", "; ".join(kernels_text(rows)) or "not recorded"),
        ("OpenCL device", c.get("opencl_device")),
        ("threading environment", c.get("threading_env")),
        ("load average before the build (1 min)", c.get("load_before_build", "not recorded")),
        ("load average as the runs started (1, 5, 15 min; includes the build's)",
         ", ".join(f"{v:.2f}" for v in c.get("load_avg", []))),
    ]
    return "\n".join(f"- **{k}**: {v}" for k, v in items)


HOW_TO_READ = """\
## How to read this

- **Times** are medians over the repetitions of each point; the repetitions
  of all points ran in random order, and a pause separated runs of
  different thread pools (OpenBLAS's workers spin for ~0.1 s after a call).
- **Every ratio column says what it divides.**  A time ratio is written
  *other time / hpk time*, so that above 1 hpk is faster.
- **OpenBLAS time / hpk time** is taken at the same size and thread count.  The table gives the median over
  all sizes and, in brackets, the range.  Each point also has an interval:
  the peer's fastest repetition over hpk's slowest, to the peer's slowest
  over hpk's fastest.  A point is a tie when that interval includes 1 (the
  plots draw the intervals as bands), hpk ahead when all of it is above 1.
- **GB/s** counts the bytes a call must move (gemv: the matrix, x and y;
  dot: both vectors).  **% of STREAM read** is 100 × the row's GB/s (median
  time) / the read-only STREAM GB/s (best repetition) at the same thread
  count and working set, interpolated in log(working set) between the two
  measured STREAM sizes around it (the nearest one outside their range):
  these kernels are memory-bound, so 100% is the roofline, and in-cache
  sizes are compared with in-cache bandwidth.
- **Strong scaling** keeps the problem fixed and adds threads.  For a
  memory-bound kernel the best possible speedup is the STREAM ratio
  GB/s(t) / GB/s(1) at its working set, not t: the table divides the
  speedup by that.  For the compute-bound Monte Carlo, the serial fraction
  of an Amdahl fit and Karp–Flatt's (1/S − 1/p)/(1 − 1/p) are given only
  with at least three thread counts (with two they restate the speedup).
- **Kernels compared**: each library picks its kernels for the CPU (or as
  `OPENBLAS_CORETYPE` says).  hpk's code path, OpenBLAS's core and BLIS's
  sub-configuration are named with their ISA; a peer on narrower vectors
  than hpk's path is **not like for like**, and part of hpk's lead over it
  is the wider ISA.
- `results.csv` holds every point (columns explained in `plots/tidy.py`);
  `bench.json` is Google Benchmark's raw output with the machine context.
"""

PLOTS = [
    ("throughput_d.png", "Throughput vs working set, double"),
    ("throughput_s.png", "Throughput vs working set, float"),
    ("vs_openblas.png", "Speedup over OpenBLAS vs size"),
    ("vs_blis.png", "Speedup over BLIS vs size"),
    ("vs_clblast.png", "Speedup over CLBlast vs size"),
    ("scaling_d.png", "Strong scaling, double"),
    ("scaling_s.png", "Strong scaling, float"),
    ("offload.png", "OpenCL offload: end-to-end time against the CPU, the transfer ceiling, break-even "
                    "measured and predicted"),
    ("offload_split.png", "OpenCL offload: where an end-to-end call's time goes"),
    ("accuracy.png", "Accuracy: relative error vs size"),
    ("mpi_scaling.png", "hpk across MPI ranks and threads: compute, communication, speedup"),
]


def data_table(data):
    """hpk OpenMP (and OpenBLAS) GB/s on each --data kind relative to uniform
    data, per kernel: the smallest ratio over sizes and thread counts, and
    where it is."""
    rows = benchdata.data_rows(data)
    worst = {}
    for r in rows:
        if r["vs_uniform"] is None or r["variant"] not in ("hpk_omp", "openblas"):
            continue
        key = (r["kernel"], r["precision"], r["data"], r["variant"])
        if key not in worst or r["vs_uniform"] < worst[key]["vs_uniform"]:
            worst[key] = r
    out = []
    for (kernel, prec, kind, variant), r in sorted(worst.items()):
        if variant != "hpk_omp":
            continue
        peer = worst.get((kernel, prec, kind, "openblas"))
        flag = " **below 0.85**" if r["vs_uniform"] < 0.85 else ""
        out.append([kernel, prec, kind, f"{r['vs_uniform']:.2f}{flag} (n {r['size']}, {plural(r['threads'])})",
                    fmt(peer["vs_uniform"]) if peer else "–"])
    return table(["kernel", "prec", "data", "hpk OpenMP: lowest GB/s on data / GB/s on uniform",
                  "OpenBLAS: lowest GB/s on data / GB/s on uniform"], out)[0]


def main():
    results_dir = benchdata.results_dir_from_argv("plots/report.py")
    data = benchdata.load_json(results_dir)
    rows = benchdata.tidy_rows(data)
    threads = benchdata.thread_counts(rows)
    cache = benchdata.caches(data)
    ctx = data.get("context", {})

    noise_md, assessment = noise_section(rows, threads, noise_study.load(results_dir))
    mpi_rows = mpidata.read_rows(results_dir, rows)
    find_md = findings(rows, threads, results_dir, assessment, mpi_rows)
    heads = [(peer, *headline(rows, threads, peer)) for peer in benchdata.cpu_peers(rows)]
    naive_md, _ = textbook(rows, threads)
    stream_md, stream_text = stream_table(rows, threads, cache)
    scale_md, _ = scaling_table(rows, threads)
    images = [(f, t) for f, t in PLOTS if os.path.exists(os.path.join(results_dir, f))]
    opencl = any(r["variant"].startswith(("hpk_cl", "clblast", "device")) for r in rows)

    md = [f"# hpk benchmark study: {ctx.get('host_name', '?')}, {ctx.get('date', '?')}", "",
          f"Command: `{ctx.get('command', '?').strip()}`", ""] + find_md + noise_md + [
          "## Machine", "", machine(data, rows), "",
          "## STREAM bandwidth (the roofline)", "",
          "GB/s of the best repetition, per thread count: the read-only sum and the triad.  Each "
          "row of results.csv is compared (stream_gbps, pct_stream) with the read at its thread count "
          "and working set, interpolated in log(size) between the measured sizes.", "",
          stream_md, ""]
    blis_md, blis_text = peers.blis_section(rows, threads, ctx)
    for peer, head_md, _ in heads:
        name = benchdata.short_label(peer)
        md += [f"## hpk OpenMP vs {name}", ""]
        if peer in isa.PEERS and isa.comparison_text(run_kernels(rows), peer):
            md += ["Kernels: " + isa.comparison_text(run_kernels(rows), peer) + ".", ""]
        md += [f"{name} time / hpk time at the same thread count (> 1: hpk faster): median over the "
               "sizes (range); the points where hpk is ahead, tied (the ratio's min–max interval over the "
               "repetitions includes 1) and behind; GB/s at the largest size.", "", head_md, ""]
        if peer == benchdata.SECOND_PEER and blis_md:
            md += blis_md
    paths = cpu_paths_table(benchdata.all_path_rows(results_dir, rows))
    if paths:
        md += ["## CPU paths", "",
               "hpk OpenMP against OpenBLAS per hpk code path run: OpenBLAS time / hpk time (> 1: hpk "
               "faster), median over the sizes and both precisions (range), with the OpenBLAS core that "
               "ran beside it (`openblas_get_corename()`).  `scripts/bench --cpu-path PATH,...|all` runs "
               "each path in its own process with OpenBLAS on the core of the same ISA "
               "(OPENBLAS_CORETYPE: SkylakeX for avx512, Haswell for avx2, Prescott for portable); "
               "without it the table has hpk's default path against OpenBLAS as the environment has it.  "
               "Per point: results.csv (hpk_cpu_path, openblas_core).", "", paths[0], ""]
    accuracy_md, accuracy_text_ = accuracy.section(results_dir)
    if accuracy_md:
        md += accuracy_md
    if naive_md.count("\n") > 1:
        md += ["## Gain over the textbook versions", "",
               "Textbook time / hpk OpenMP time at the same thread count: the row-by-row OpenMP "
               "matvec, and the rand()-based Monte Carlo (median over the sizes, range).", "", naive_md, ""]
    philox = philox_table(rows)
    if philox:
        md += ["## Monte Carlo pi against a plain Philox loop", "",
               f"Target: hpk's mc_pi at least {PHILOX_TARGET:g}× the samples/s of a plain scalar Philox loop, "
               "thread for thread.  The loop (`philox_loop`, bench/philox_loop.c) is what a user would write "
               "with hpk's own Philox (common/philox.h): `hpk__philox_sample(seed, i, 0)` and "
               "`hpk__pi_hit` per sample under `#pragma omp parallel for reduction(+:hits)`, compiled with the "
               "build's C flags for the baseline ISA; it counts exactly hpk's hits (checked before timing).  "
               "Ratio: loop time / hpk OpenMP time at the same size and thread count (= hpk samples/s / loop "
               f"samples/s); *met* when it is at least {PHILOX_TARGET:g} at every size, *within the noise* "
               "where the lowest point's min–max interval over the repetitions reaches across the target.",
               "", philox[0], ""]
    md += ["## Strong scaling at the largest size", "", scale_md, ""]
    never_hurt = threads_table(rows)
    if never_hurt:
        md += ["## Threads never hurt", "",
               f"Target: on every kernel and size, hpk OpenMP on T threads is at most "
               f"{100 * (1 - THREADS_TOLERANCE):.0f}% slower than on 1 thread (1-thread time / T-thread time "
               f"≥ {THREADS_TOLERANCE:.2f}).  Per kernel and precision and per thread count, the worst ratio over "
               "the sizes and where it is (the size: elements, m = n for gemv, samples for Monte Carlo; the "
               "working set in brackets).  " + THREADS_RULE + "  Per point: results.csv "
               "(speedup_vs_1thread, _lo, _hi).", "", never_hurt[0], ""]
    mpi_md, mpi_text = mpi_report.section(mpi_rows)
    md += mpi_md
    if benchdata.data_kinds(data):
        md += ["## Data that reductions may be slow on", "",
               "GB/s on each kind of data (`--data`) over GB/s on uniform random data of the same "
               "size and thread count; the lowest ratio over the sizes and thread counts, which "
               "should stay above 0.85.  Per point: data.csv.", "", data_table(data), ""]
    if opencl:
        cl_md, cl_text = opencl_table(rows, threads[-1])
        md += ["## OpenCL", "", f"Device: {ctx.get('opencl_device')}; CLBlast {ctx.get('clblast_version')} "
               "on the same device and queue.  *CLBlast time / hpk time*: with the data "
               "resident on the device (median over sizes, range; a reduction includes reading its "
               "result back, as hpk's do).  *hpk OpenMP time / hpk OpenCL time*: above 1 the device-"
               "resident OpenCL call is faster.  *(upload + download) / e2e time*: the transfers' share of "
               "an end-to-end host-pointer call.  *Break-even*: the smallest size from which an end-to-end OpenCL call "
               "beats hpk OpenMP on all cores at every larger size (on a CPU device, which shares the "
               "cores and the memory with OpenMP, expect none).  *% of device read*: the row's GB/s "
               "over the device's own read bandwidth at its working set (`device_stream_gbps`, "
               "`pct_device_stream` in results.csv; see Device roofline).", "", cl_md, "",
               OFFLOAD_MODEL, ""]
        roof = device_roofline_table(rows)
        if roof:
            md += ["### Device roofline", "",
                   "The device's own bandwidth (`--variants device`, bench/device_stream.cpp), GB/s of the "
                   "best repetition: a read-only sum and the triad z = x + 3y on device-resident buffers "
                   "(enough work-items to fill the device, several passes per call for small arrays), "
                   "and blocking host↔device copies from pageable memory and from pinned memory "
                   "(CL_MEM_ALLOC_HOST_PTR, mapped).", "", roof[0], ""]
        else:
            md += ["### Device roofline", "", "Not measured in this run (`--variants device` and the "
                   "stream kernels give it).", ""]
        fc = first_call(results_dir)
        if fc:
            md += ["### First call in a new process", "",
                   "`hpk_cl_first_call`: from the start of main, through the device's discovery, to the "
                   "first results (each first call includes building or loading its program).", "",
                   fc[0], ""]
    else:
        md += ["## OpenCL", "", "No OpenCL rows: this hpk was built without the OpenCL backend (or no "
               "device was found), so the OpenCL variants, CLBlast and the offload plot are absent.", ""]
    md += [HOW_TO_READ, "## Plots", ""]
    for f, title in images:
        md += [f"### {title}", "", f"![{title}]({f})", ""]
    path = os.path.join(results_dir, "report.md")
    with open(path, "w") as f:
        f.write("\n".join(md))
    print(f"wrote {path}")
    print()
    print("\n".join(line for line in find_md if line))
    print()
    print("\n".join(line for line in noise_md[2:] if line))
    print()
    print("STREAM bandwidth, GB/s:")
    print(stream_text)
    print()
    for peer, _, head_text in heads:
        name = benchdata.short_label(peer)
        print(f"hpk OpenMP vs {name} ({name} time / hpk time: median over sizes (range)):")
        print(head_text)
    if paths:
        print()
        print("hpk OpenMP vs OpenBLAS per hpk code path (OpenBLAS time / hpk time: median over sizes (range)):")
        print(paths[1])
    if blis_text:
        print()
        print("BLIS's threading and kernels (BLIS time / hpk time; BLIS 1t / BLIS most threads):")
        print(blis_text)
    if philox:
        print()
        print(f"Monte Carlo pi: hpk OpenMP against a plain Philox loop (target >= {PHILOX_TARGET:g}x):")
        print(philox[1])
    if never_hurt:
        print()
        print(f"Threads never hurt (hpk OpenMP, 1-thread time / T-thread time, worst over sizes; "
              f"target >= {THREADS_TOLERANCE:.2f}):")
        print(never_hurt[1])
    if mpi_text:
        print()
        print("hpk over MPI ranks (strong scaling; hpk OpenMP time / MPI time on ranks x threads threads):")
        print(mpi_text)
    if accuracy_text_:
        print()
        print("Accuracy (worst relative error over the sizes, its ulps):")
        print(accuracy_text_)
    if opencl:
        print()
        print("hpk OpenCL vs CLBlast, device-resident (CLBlast time / hpk time), and offload:")
        print(cl_text)
        roof = device_roofline_table(rows)
        if roof:
            print()
            print("Device roofline (GB/s, best repetition):")
            print(roof[1])
        fc = first_call(results_dir)
        if fc:
            print()
            print("OpenCL first call in a new process:")
            print(fc[1])


if __name__ == "__main__":
    benchdata.main_guard(main)
