"""The study's statistics on measured points: the intervals of ratios and
the position they give (ahead, tie, behind), the serial fraction of a
strong-scaling curve, the STREAM and device rooflines interpolated at a
working set, representative sizes, break-even sizes and the offload model.

Every ratio has an interval: a ratio whose interval includes 1 is a tie, a
difference within the run's noise.  hpk_bench runs a point's variants and
thread counts back to back, one repetition of each per round
(bench/harness.h), so two points of the same kernel, precision and size
are compared round by round where their rounds pair up (paired_ratio):
the ratio is the median of the rounds' ratios and the interval their
smallest and largest, which a slow stretch of the machine under one round
moves little.  Without rounds that pair up (results of older studies, a
rerun of one side only), the ratio is that of the medians and the interval
runs from the repetitions' extremes (the fastest and the slowest of each
side: ratio_interval).
"""
import math
import statistics

from helpers import select

# Fewer thread counts than this (1 included) and a serial fraction (Amdahl
# fit, Karp–Flatt) only restates the one measured speedup: not fitted.
AMDAHL_MIN_THREAD_COUNTS = 3


def ratio(a, b):
    return a / b if a and b else None


def ratio_interval(num_times, den_times):
    """The interval of num/den time ratios the repetitions allow: from the
    fastest numerator over the slowest denominator to the slowest numerator
    over the fastest denominator; None without both."""
    if not num_times or not den_times or min(den_times) <= 0 or max(den_times) <= 0:
        return None
    return min(num_times) / max(den_times), max(num_times) / min(den_times)


def round_times(info):
    """{round: seconds} of a point's repetitions (benchdata.measurements'
    info), or None when a repetition has no round or two share one."""
    rounds = info.get("rounds") or []
    if len(rounds) != len(info["times"]) or None in rounds or len(set(rounds)) != len(rounds):
        return None
    return dict(zip(rounds, info["times"]))


def round_ratios(num_info, den_info):
    """num/den time round by round, when every repetition of both has a
    partner from the same round; else None."""
    num, den = round_times(num_info), round_times(den_info)
    if num and den and num.keys() == den.keys() and all(den.values()):
        return [num[r] / den[r] for r in num]
    return None


def paired_ratio(num_info, den_info):
    """(ratio, interval) of num/den time: the median and extremes of the
    round_ratios where the rounds pair up, else the medians' ratio and
    ratio_interval of all the repetitions; (None, None) without both."""
    if not num_info or not den_info or not num_info["times"] or not den_info["times"]:
        return None, None
    pairs = round_ratios(num_info, den_info)
    if pairs:
        return statistics.median(pairs), (min(pairs), max(pairs))
    return (ratio(statistics.median(num_info["times"]), statistics.median(den_info["times"])),
            ratio_interval(num_info["times"], den_info["times"]))


def position(interval):
    """Where a row stands against another: 'ahead' (the whole interval
    above 1: the row is faster), 'behind' (below 1) or 'tie' (the interval
    includes 1: within the noise)."""
    if interval is None:
        return None
    lo, hi = interval
    return "ahead" if lo > 1 else "behind" if hi < 1 else "tie"


def row_interval(num_row, den_row):
    """ratio_interval from two tidy rows' fastest and slowest times."""
    if not num_row or not den_row:
        return None
    return ratio_interval([num_row["time_min_s"], num_row["time_max_s"]],
                          [den_row["time_min_s"], den_row["time_max_s"]])


def amdahl_applicable(points):
    """Whether a serial fraction may be fitted: (threads, speedup) points at
    AMDAHL_MIN_THREAD_COUNTS or more thread counts."""
    return len({p for p, _ in points}) >= AMDAHL_MIN_THREAD_COUNTS


def amdahl_fraction(points):
    """Least-squares serial fraction f of S(p) = 1 / (f + (1 - f) / p),
    fitted on 1/S - 1/p = f (1 - 1/p) over the points with p > 1; None
    where amdahl_applicable is false."""
    if not amdahl_applicable(points):
        return None
    num = sum((1 - 1 / p) * (1 / s - 1 / p) for p, s in points if p > 1)
    den = sum((1 - 1 / p) ** 2 for p, s in points if p > 1)
    return num / den if den else None


def stream_at(stream, threads, ws):
    """STREAM read GB/s (stream curves: {threads: [(working set, GB/s)]})
    for a working set of `ws` bytes at `threads` threads: interpolated
    linearly in log2(working set) between the two measured STREAM sizes
    around ws; the nearest measured size's value outside the measured
    range; None without a STREAM measurement at that thread count."""
    pts = stream.get(threads)
    if not pts or not ws:
        return None
    if ws <= pts[0][0]:
        return pts[0][1]
    for (w0, b0), (w1, b1) in zip(pts, pts[1:]):
        if ws <= w1:
            f = math.log(ws / w0) / math.log(w1 / w0)
            return b0 + f * (b1 - b0)
    return pts[-1][1]


def curve_at(pts, ws):
    """stream_at's interpolation on one curve [(working set, GB/s)]."""
    return stream_at({1: pts}, 1, ws)


def size_classes(rows, cache):
    """Up to three representative sizes: [(class, where, size)] with class
    small / medium / large.  For kernels with a working set: the largest size
    that fits in L2, the largest that fits in L3, and the largest measured
    (in DRAM when it exceeds L3); otherwise (Monte Carlo) the smallest,
    middle and largest sample counts."""
    if not rows:
        return []
    if any(r["working_set_bytes"] for r in rows):
        sizes = sorted({(r["working_set_bytes"], r["size"]) for r in rows})
        picks = []
        for where, limit in (("L2", cache.get(2)), ("L3", cache.get(3))):
            fit = [s for ws, s in sizes if limit and ws <= limit]
            if fit and fit[-1] not in [p[1] for p in picks]:
                picks.append((where, fit[-1]))
        largest_ws, largest = sizes[-1]
        if largest not in [p[1] for p in picks]:
            picks.append(("DRAM" if cache.get(3) and largest_ws > cache[3] else "largest", largest))
    else:
        sizes = sorted({r["size"] for r in rows})
        picks = [("", s) for s in dict.fromkeys((sizes[0], sizes[len(sizes) // 2], sizes[-1]))]
    names = ["small", "medium", "large"][-len(picks):]
    return [(name, where, size) for name, (where, size) in zip(names, picks)]


def break_even(offload, cpu):
    """The smallest size from which `offload` ({size: seconds}) beats `cpu`
    at every larger size measured for both; None when it never does."""
    sizes = sorted(set(offload) & set(cpu))
    best = None
    for s in reversed(sizes):
        if offload[s] < cpu[s]:
            best = s
        else:
            break
    return best


# ---- the offload model ---------------------------------------------------------
def offload_bytes(size_kind, precision, size, working_set, problem=None):
    """(upload, download) bytes of an end-to-end call in the offload model:
    everything the call reads goes up (its working set, less the output);
    a matrix kernel's y (m elements, size_kind "matrix") comes down, and a
    batch's outputs (size_kind "problems", `problem` (operation, N) as
    manifest.problem gives it: N elements per gemv, one per row
    reduction); a reduction's result (one scalar) is taken as no bytes."""
    elem = 4 if precision == "s" else 8
    if size_kind == "matrix":
        return working_set - elem * size, elem * size
    if size_kind == "problems" and problem:
        down = elem * size * (problem[1] if problem[0] == "gemv" else 1)
        return working_set - down, down
    return working_set, 0


def predicted_offload_s(up_bytes, down_bytes, working_set, up, down, read):
    """The model's end-to-end time: upload at the measured upload GB/s at
    that transfer size, the kernel's working set at the device's read GB/s
    at that working set, download likewise (curves [(bytes, GB/s)], each
    interpolated as stream_at); None without a curve it needs."""
    parts = []
    for nbytes, curve in ((up_bytes, up), (working_set, read), (down_bytes, down)):
        if not nbytes:
            continue
        gbps = curve_at(curve, nbytes) if curve else None
        if not gbps:
            return None
        parts.append(nbytes / (gbps * 1e9))
    return sum(parts)


def predicted_break_even(points):
    """points: {size: (predicted offload seconds, predicted CPU seconds)};
    the smallest size from which the prediction has the offload faster at
    every larger size (break_even's rule); None when it never is."""
    ok = {s: p for s, p in points.items() if p[0] is not None and p[1] is not None}
    return break_even({s: p[0] for s, p in ok.items()}, {s: p[1] for s, p in ok.items()})


def roofline_curves(rows, m):
    """From tidy rows: {kernel: [(working set, GB/s of the best repetition)]}
    for the device roofline's kernels (variant device), and
    {"stream_read@T": ...} for the CPU's STREAM read on T threads."""
    out = {}
    read = m.roofline_read("cpu")
    for r in rows:
        if r["working_set_bytes"] and r["gbps_best"]:
            if r["variant"] == "device":
                out.setdefault(r["kernel"], []).append((r["working_set_bytes"], r["gbps_best"]))
            elif r["variant"] == "stream" and r["kernel"] == read:
                out.setdefault(f"stream_read@{r['threads']}", []).append((r["working_set_bytes"], r["gbps_best"]))
    return {k: sorted(v) for k, v in out.items()}


def offload_prediction(rows, m, kernel, precision, threads, memory="pageable"):
    """The offload model at the sizes of the kernel's end-to-end OpenCL rows
    (hpk_cl_e2e): {size: (predicted offload seconds, predicted CPU
    seconds)}, the offload as predicted_offload_s with the `memory`
    (pageable or pinned) transfers, the CPU as the working set at STREAM
    read on `threads` threads.  {} without the curves."""
    curves = roofline_curves(rows, m)
    up, down = curves.get(m.transfer("upload", memory)), curves.get(m.transfer("download", memory))
    read, cpu = curves.get(m.roofline_read("device")), curves.get(f"stream_read@{threads}")
    if not (up and down and read and cpu):
        return {}
    out = {}
    for r in select(rows, kernel=kernel, precision=precision, variant="hpk_cl_e2e"):
        ws = r["working_set_bytes"]
        if not ws:
            continue
        u, d = offload_bytes(m.size(kernel), precision, r["size"], ws, m.problem(kernel))
        out[r["size"]] = (predicted_offload_s(u, d, ws, up, down, read), ws / (curve_at(cpu, ws) * 1e9))
    return out
