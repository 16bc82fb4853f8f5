"""OpenCL: device-resident hpk against CLBlast, the offload against hpk
OpenMP (break-even measured and predicted by the offload model), the
device roofline and the first call in a new process, with the Findings
line on OpenCL."""
import json
import os
import statistics

import stats
from helpers import PRECISIONS, fmt, fmt_bytes, fmt_count, plural, ratio_summary, select
from render import Section
from sections.versus import comparisons, pct_at_largest, versus


def size_text(m, kernel, size):
    """A break-even size: 'n = 2^20', or '2^20 problems' for a batch."""
    return f"{fmt_count(size)} problems" if m.size(kernel) == "problems" else f"n = {fmt_count(size)}"


def opencl_table(rows, m, tmax):
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
    for kernel in m.measured():
        for prec in PRECISIONS:
            dev = select(rows, kernel=kernel, precision=prec, variant="hpk_cl_kernel")
            e2e = select(rows, kernel=kernel, precision=prec, variant="hpk_cl_e2e")
            if not dev and not e2e:
                continue
            big = max(dev or e2e, key=lambda r: r["size"])
            blast = select(rows, kernel=kernel, precision=prec, variant="clblast", size=big["size"])
            omp = {r["size"]: r for r in select(rows, kernel=kernel, precision=prec,
                                                            variant="hpk_omp", threads=tmax)}
            share = None
            if big["size"] in omp:
                share = omp[big["size"]]["time_s"] / big["time_s"]
            last = max(e2e, key=lambda r: r["size"]) if e2e else None
            moved = None
            if last and "upload_s" in last:
                moved = (last["upload_s"] + last["download_s"]) / last["time_s"]
            even = stats.break_even({r["size"]: r["time_s"] for r in e2e},
                                        {s: r["time_s"] for s, r in omp.items()})
            rate = "gbps" if big["gbps"] else "msamples_per_s"
            predicted = [predicted_text(rows, m, kernel, prec, tmax, mem) for mem in ("pageable", "pinned")]
            out.append([kernel, prec, ratio_summary(r["speedup_vs_peer"] for r in dev),
                        fmt(big[rate], ".1f") + ("" if rate == "gbps" else " Msamples/s"),
                        fmt(big.get("pct_device_stream"), ".0f", "%"),
                        (fmt(blast[0]["gbps"], ".1f") + f" ({fmt(blast[0]['pct_device_stream'], '.0f', '%')})")
                        if blast else "–",
                        fmt(share, ".2f") if share else "–", fmt(moved, ".0%") if moved is not None else "–",
                        size_text(m, kernel, even) if even else "none measured" if e2e else "–",
                        ", ".join(predicted) if any(p != "–" for p in predicted) else "–"])
    return header, out


def predicted_text(rows, m, kernel, prec, tmax, memory):
    """'n = 2^20' (size_text), 'none' or '–' (no model: a curve is missing)."""
    pred = stats.offload_prediction(rows, m, kernel, prec, tmax, memory)
    if not pred:
        return "–"
    s = stats.predicted_break_even(pred)
    return size_text(m, kernel, s) if s else "none"


def device_roofline_table(rows, m):
    """The device roofline per size: read and triad GB/s on device-resident
    buffers, and the transfers both ways from pageable and pinned memory
    (best repetition: the ceiling)."""
    dev = select(rows, variant="device")
    if not dev:
        return None
    read = m.roofline_read("device")
    cols = [(read, "read GB/s")] + [(k, "triad GB/s") for k in m.roofline("device")
                                    if k != read and not m.kernel(k).get("transfer")]
    cols += [(m.transfer(d, mem), f"{d} GB/s, {mem}") for d in ("upload", "download") for mem in ("pageable", "pinned")]
    header = ["n", "read / transfer bytes", "triad working set"] + [name for _, name in cols]
    out = []
    for size in sorted({r["size"] for r in dev}):
        at = {r["kernel"]: r for r in dev if r["size"] == size}
        some = next(iter(at.values()))
        elem = 4 if some["precision"] == "s" else 8
        line = [fmt_count(size), fmt_bytes(elem * size), fmt_bytes(3 * elem * size)]
        line += [fmt(at[k]["gbps_best"], ".1f") if k in at else "–" for k, _ in cols]
        out.append(line)
    return header, out


def device_roofline_text(rows, m):
    """'hpk OpenCL (device-resident) runs at 40–95% of the device's read
    bandwidth at the largest size (lowest: ...)'; None without the column."""
    got = pct_at_largest(rows, m.measured(), "pct_device_stream", variant="hpk_cl_kernel")
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
    return header, out


def break_evens(rows, kernels, tmax):
    """[(kernel, prec, size or None)]: the end-to-end OpenCL call against
    hpk OpenMP on tmax threads."""
    out = []
    for kernel in kernels:
        for prec in PRECISIONS:
            e2e = {r["size"]: r["time_s"] for r in select(rows, kernel=kernel, precision=prec,
                                                                     variant="hpk_cl_e2e")}
            omp = {r["size"]: r["time_s"] for r in select(rows, kernel=kernel, precision=prec,
                                                                     variant="hpk_omp", threads=tmax)}
            if e2e and omp:
                out.append((kernel, prec, stats.break_even(e2e, omp)))
    return out


def finding(study):
    """The Findings line on OpenCL; None without hpk's OpenCL rows."""
    rows, m, tmax = study.rows, study.m, study.tmax
    hpk_cl = {v for v in m.variants() if m.is_hpk(v) and m.device(v)}
    if any(r["variant"] in hpk_cl for r in rows):
        kernels = [k for k in m.measured() if any(r["kernel"] == k and r["variant"] in hpk_cl for r in rows)]
        parts = []
        for peer in m.device_peers():
            pts = comparisons(rows, "hpk_cl_kernel", peer)
            if pts:
                parts.append(f"device-resident, against {m.short(peer)}, " +
                             versus(pts, any(m.samples(k) for k in kernels), "hpk OpenCL"))
        roof = device_roofline_text(rows, m)
        if roof:
            parts.append(roof)
        even = break_evens(rows, kernels, tmax)
        wins = [f"{k} {p} from {size_text(m, k, s)}" for k, p, s in even if s]
        if even:
            parts.append(f"end to end (with transfers) against hpk OpenMP on {plural(tmax)}: break-even " +
                         (", ".join(wins) + f"; none for the other {len(even) - len(wins)} kernel–precision "
                          "pairs" if wins else f"at none of the {len(even)} kernel–precision pairs measured "
                          "(the offload never pays off at these sizes)"))
            pred = [(k, p, predicted_text(rows, m, k, p, tmax, "pageable")) for k, p, _ in even]
            pred = [x for x in pred if x[2] != "–"]
            if pred:
                wins = [f"{k} {p} from {t}" for k, p, t in pred if t != "none"]
                parts.append("the offload model (see OpenCL) predicts a break-even " +
                             (", ".join(wins) if wins else f"at none of the {len(pred)} pairs"))
        return "- **OpenCL** (" + ", ".join(kernels) + "): " + ("; ".join(parts) if parts else
                                                                 "no peer or CPU comparison measured") + "."
    return None


def section(study):
    rows, m, ctx, tmax = study.rows, study.m, study.ctx, study.tmax
    if not any(m.device(r["variant"]) for r in rows):
        return Section("OpenCL", intro=[
            "No OpenCL rows: this hpk was built without the OpenCL backend (or no "
            "device was found), so the OpenCL variants, CLBlast and the offload plot are absent."])
    s = Section("OpenCL", intro=[
        f"Device: {ctx.get('opencl_device')}; CLBlast {ctx.get('clblast_version')} "
        "on the same device and queue.  *CLBlast time / hpk time*: with the data "
        "resident on the device (median over sizes, range; a reduction includes reading its "
        "result back, as hpk's do).  *hpk OpenMP time / hpk OpenCL time*: above 1 the device-"
        "resident OpenCL call is faster.  *(upload + download) / e2e time*: the transfers' share of "
        "an end-to-end host-pointer call.  *Break-even*: the smallest size from which an end-to-end OpenCL call "
        "beats hpk OpenMP on all cores at every larger size (on a CPU device, which shares the "
        "cores and the memory with OpenMP, expect none).  *% of device read*: the row's GB/s "
        "over the device's own read bandwidth at its working set (`device_stream_gbps`, "
        "`pct_device_stream` in results.csv; see Device roofline)."], table=opencl_table(rows, m, tmax),
        after=[OFFLOAD_MODEL], findings=[finding(study)],
        text_title="hpk OpenCL vs CLBlast, device-resident (CLBlast time / hpk time), and offload:")
    roof = device_roofline_table(rows, m)
    if roof:
        s.subsections.append(Section("Device roofline", level=3, intro=[
            "The device's own bandwidth (`--variants device`, bench/device_stream.cpp), GB/s of the "
            "best repetition: a read-only sum and the triad z = x + 3y on device-resident buffers "
            "(enough work-items to fill the device, several passes per call for small arrays), "
            "and blocking host↔device copies from pageable memory and from pinned memory "
            "(CL_MEM_ALLOC_HOST_PTR, mapped)."], table=roof, text_title="Device roofline (GB/s, best repetition):"))
    else:
        s.subsections.append(Section("Device roofline", level=3, intro=[
            "Not measured in this run (`--variants device` and the stream kernels give it)."]))
    fc = first_call(study.dir)
    if fc:
        s.subsections.append(Section("First call in a new process", level=3, intro=[
            "`hpk_cl_first_call`: from the start of main, through the device's discovery, to the "
            "first results (each first call includes building or loading its program)."], table=fc,
            text_title="OpenCL first call in a new process:"))
    return s
