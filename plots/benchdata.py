"""Reading a results folder: Google Benchmark's JSON in, one tidy row per
(kernel, precision, variant, size, threads) out, plus the names, colours and
machine facts the plots and the report share.

A row's time is the median over its repetitions (Google Benchmark's "median"
aggregate, recomputed here from the repetitions themselves); every rate is
derived from that median time and the work per call the harness recorded.
Every ratio also has an interval from the repetitions' extremes (the
fastest and the slowest of each side): a ratio whose interval includes 1 is
a tie, a difference within the run's noise.
"""
import json
import math
import os
import statistics
import sys

import isa

JSON_NAME = "bench.json"
CSV_NAME = "results.csv"

# Every variant the harness may produce (bench/harness.cpp's registry).
# `peer` is what its speedup is measured against at the same thread count;
# `threaded` variants are swept over thread counts; the OpenCL ones run once
# (as threads:1) on the device's own threads.  CLBlast is the peer of
# device-resident hpk; the end-to-end rows (with transfers) are compared with
# the CPU in offload.py.
VARIANTS = {
    "hpk_serial": dict(threaded=False, label="hpk serial", color="#7f7f7f", marker="s",
                       peer="openblas"),
    "hpk_omp": dict(threaded=True, label="hpk OpenMP", color="#1f77b4", marker="o", peer="openblas"),
    "openblas": dict(threaded=True, label="OpenBLAS", color="#d62728", marker="^", peer=None,
                     short="OpenBLAS"),
    # BLIS, the second CPU peer: every CPU row also has speedup_vs_blis.
    "blis": dict(threaded=True, label="BLIS", color="#8c564b", marker="X", peer="openblas", short="BLIS"),
    "naive_omp": dict(threaded=True, label="textbook OpenMP", color="#ff7f0e", marker="v",
                      peer="openblas"),
    # Monte Carlo pi as the plain scalar loop over hpk's own Philox
    # (bench/philox_loop.c): hpk_omp's baseline thread for thread (report.py's
    # target: hpk at least PHILOX_TARGET times its samples/s).
    "philox_loop": dict(threaded=True, label="plain Philox loop", color="#bcbd22", marker="*",
                        peer="openblas"),
    "hpk_cl_kernel": dict(threaded=False, label="hpk OpenCL (device-resident)", color="#2ca02c",
                          marker="D", peer="clblast"),
    "hpk_cl_e2e": dict(threaded=False, label="hpk OpenCL (with transfers)", color="#17becf",
                       marker="d", peer=None),
    "clblast": dict(threaded=False, label="CLBlast (device-resident)", color="#9467bd", marker="P",
                    peer=None, short="CLBlast"),
    "stream": dict(threaded=True, label="STREAM", color="black", marker="", peer=None),
    # The OpenCL device's own roofline (bench/device_stream.cpp): read,
    # triad and the host<->device transfers.
    "device": dict(threaded=False, label="device roofline", color="0.3", marker="", peer=None),
}

KERNELS = ["gemv_n", "gemv_t", "dot", "sum", "asum", "nrm2", "iamax", "mc_pi"]
KERNEL_TITLES = {
    "gemv_n": "gemv  y = A x",
    "gemv_t": "gemv  y = Aᵀ x",
    "dot": "dot",
    "sum": "sum",
    "asum": "asum",
    "nrm2": "nrm2",
    "iamax": "i?amax",
    "mc_pi": "Monte Carlo pi",
    "stream_read": "STREAM read",
    "stream_triad": "STREAM triad",
    "cl_stream_read": "device read",
    "cl_stream_triad": "device triad",
    "cl_upload": "upload (pageable)",
    "cl_download": "download (pageable)",
    "cl_upload_pinned": "upload (pinned)",
    "cl_download_pinned": "download (pinned)",
}
# The device roofline's transfer kernels: (direction, host memory).
TRANSFERS = {"cl_upload": ("upload", "pageable"), "cl_upload_pinned": ("upload", "pinned"),
             "cl_download": ("download", "pageable"), "cl_download_pinned": ("download", "pinned")}
PRECISION_NAMES = {"s": "float", "d": "double"}


def size_unit(kernel):
    """What a kernel's size counts: the axis label for it."""
    if kernel.startswith("gemv"):
        return "matrix size m = n"
    if kernel == "mc_pi":
        return "samples per call"
    return "vector elements n"

# Counters an OpenCL end-to-end variant records: seconds per call spent in
# each phase (host to device, kernel, device to host).
OFFLOAD_PHASES = ("upload_s", "kernel_s", "download_s")

CSV_COLUMNS = [
    "kernel", "precision", "variant", "size", "threads", "ranks", "working_set_bytes", "repetitions",
    "time_s", "time_min_s", "time_max_s", "time_cv", "gbps", "gbps_best", "gbps_worst", "gflops",
    "msamples_per_s", "stream_gbps", "pct_stream", "speedup_vs_serial", "peer", "speedup_vs_peer",
    "speedup_vs_peer_lo", "speedup_vs_peer_hi", "vs_peer", "speedup_vs_1thread",
    "speedup_vs_1thread_lo", "speedup_vs_1thread_hi", "efficiency", "bw_ideal_speedup",
    "vs_bw_ideal", "karp_flatt", "speedup_vs_blis", "device_stream_gbps", "pct_device_stream",
] + isa.COLUMNS

# scripts/bench --cpu-path: the first path's hpk_bench run is the folder's
# own bench.json; each further path's is a results folder of its own,
# cpu-path-<PATH>/ (its bench.json and reruns), inside it.
PATH_RUN_PREFIX = "cpu-path-"
PATH_ORDER = ["avx512", "avx2", "portable", "native"]

# The OpenCL rows compared with the device's own read bandwidth.
DEVICE_RESIDENT = ("hpk_cl_kernel", "clblast")

# The second CPU peer: each CPU row's speedup over it (speedup_vs_blis).
SECOND_PEER = "blis"

# The CPU libraries hpk is compared with, where their rows exist, and the
# device one.  A CPU variant this file does not know is taken for a peer too.
CPU_PEERS = ("openblas", "blis")
DEVICE_PEERS = ("clblast",)
HPK_OWN = ("hpk_serial", "hpk_omp", "naive_omp", "philox_loop", "stream", "device")

# Fewer thread counts than this (1 included) and a serial fraction (Amdahl
# fit, Karp–Flatt) only restates the one measured speedup: not fitted.
AMDAHL_MIN_THREAD_COUNTS = 3


def memory_bound(kernel):
    """Every kernel but Monte Carlo moves more bytes than it computes on:
    its scaling limit is the memory bandwidth, STREAM(t) / STREAM(1)."""
    return kernel != "mc_pi"


def cpu_peers(rows):
    """The CPU peer libraries present in rows, known ones first."""
    present = {r["variant"] for r in rows}
    known = [v for v in CPU_PEERS if v in present]
    other = sorted(v for v in present if v not in VARIANTS and v not in known and not device(v)
                   and v not in HPK_OWN and not v.startswith("hpk"))
    return known + other


def ratio_interval(num_times, den_times):
    """The interval of num/den time ratios the repetitions allow: from the
    fastest numerator over the slowest denominator to the slowest numerator
    over the fastest denominator; None without both."""
    if not num_times or not den_times or min(den_times) <= 0 or max(den_times) <= 0:
        return None
    return min(num_times) / max(den_times), max(num_times) / min(den_times)


def verdict(interval):
    """'ahead' (the whole interval above 1: the row is faster), 'behind'
    (below 1) or 'tie' (the interval includes 1: within the noise)."""
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


def threaded(variant):
    return VARIANTS.get(variant, {}).get("threaded", False)


def device(variant):
    """True for the variants that run on the OpenCL device (the device
    roofline's too)."""
    return variant.startswith("hpk_cl_") or variant in ("clblast", "device")


def label(variant):
    return VARIANTS.get(variant, {}).get("label", variant)


def short_label(variant):
    """The library alone: OpenBLAS, CLBlast, hpk OpenMP, ..."""
    return VARIANTS.get(variant, {}).get("short", label(variant))


def style(variant):
    v = VARIANTS.get(variant, {})
    return dict(color=v.get("color"), marker=v.get("marker") or None)


def results_dir_from_argv(script):
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(f"usage: {script} RESULTS_DIR   (a folder holding {JSON_NAME})", file=sys.stderr)
        sys.exit(2)
    return sys.argv[1]


class NoResults(Exception):
    """A results folder without usable results (its message says why)."""


def load_json(results_dir):
    """The folder's bench.json; NoResults when the folder, the file or its
    measurements are missing or unreadable."""
    if not os.path.isdir(results_dir):
        raise NoResults(f"{results_dir} is not a folder")
    path = os.path.join(results_dir, JSON_NAME)
    if not os.path.exists(path):
        raise NoResults(f"{results_dir} has no {JSON_NAME}: the study did not run there or did not "
                        "finish (run scripts/bench, or scripts/bench --out DIR)")
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise NoResults(f"{path} is not readable JSON ({e}): the study did not finish writing it")
    if not isinstance(data, dict) or not any(
            b.get("run_type") == "iteration" and not b.get("error_occurred") and not b.get("skipped")
            for b in data.get("benchmarks", [])):
        raise NoResults(f"{path} holds no successful measurement")
    return data


def main_guard(main):
    """Runs a plot script's main(), turning NoResults into a one-line
    message and exit status 1 instead of a traceback."""
    try:
        main()
    except NoResults as e:
        print(f"{os.path.basename(sys.argv[0])}: {e}", file=sys.stderr)
        sys.exit(1)


def parse_name(run_name):
    """kernel/precision/variant/size:N[/data:D]/threads:T[/min_time:...] -> dict
    (data "uniform" when the name has none)."""
    parts = run_name.split("/")
    point = dict(kernel=parts[0], precision=parts[1], variant=parts[2], data="uniform")
    for part in parts[3:]:
        key, _, value = part.partition(":")
        if key in ("size", "threads"):
            point[key] = int(value)
        elif key == "data":
            point["data"] = value
    return point


_UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def measurements(data, kind="uniform"):
    """The repetitions of every point on `kind` data (--data):
    {(kernel, prec, variant, size, threads): info}."""
    points = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration" or b.get("error_occurred") or b.get("skipped"):
            continue
        p = parse_name(b["run_name"])
        if p["data"] != kind:
            continue
        key = (p["kernel"], p["precision"], p["variant"], p["size"], p["threads"])
        t = b["real_time"] * _UNIT[b["time_unit"]]
        info = points.setdefault(key, dict(times=[], counters={}))
        info["times"].append(t)
        for c in ("bytes", "working_set", "flops", "samples"):
            if c in b:
                info["counters"][c] = b[c]
        for c in OFFLOAD_PHASES:
            if c in b:
                info.setdefault("phases", {}).setdefault(c, []).append(b[c])
    return points


def caches(data):
    """Data/unified cache sizes in bytes by level, as Google Benchmark read them."""
    out = {}
    for c in data.get("context", {}).get("caches", []):
        if c.get("type") in ("Data", "Unified"):
            out[c["level"]] = c["size"]
    return out


def _ratio(a, b):
    return a / b if a and b else None


def stream_curves(points):
    """The STREAM read roofline by thread count: {threads: [(working set,
    GB/s)]}, sorted by working set.  A STREAM call makes several passes over
    its array (at least 16 MiB per call, stream.cpp), so its GB/s is the
    bytes it moved (the `bytes` counter: working set x passes) over its
    time -- not its working set over its time.  The roofline is the best
    repetition (the shortest time): the bandwidth the machine can deliver,
    which a noisy repetition only lowers."""
    stream = {}
    for (kernel, _, variant, _, threads), info in points.items():
        c = info["counters"]
        if kernel == "stream_read" and c.get("bytes") and c.get("working_set") and info["times"]:
            stream.setdefault(threads, []).append((c["working_set"], c["bytes"] / min(info["times"]) / 1e9))
    for v in stream.values():
        v.sort()
    return stream


def device_curves(points, kernel="cl_stream_read"):
    """The device roofline of one of its kernels (cl_stream_read,
    cl_stream_triad, cl_upload, ...): [(working set, GB/s)] sorted by
    working set, from the bytes moved (`bytes`: working set x passes for
    the read and triad) over the best repetition, as stream_curves; []
    without the rows.  Any precision (a device without fp64 measures in
    float)."""
    out = []
    for (k, _, variant, _, _), info in points.items():
        c = info["counters"]
        if k == kernel and variant == "device" and c.get("bytes") and c.get("working_set") and info["times"]:
            out.append((c["working_set"], c["bytes"] / min(info["times"]) / 1e9))
    return sorted(out)


def curve_at(pts, ws):
    """stream_at's interpolation on one curve [(working set, GB/s)]."""
    return stream_at({1: pts}, 1, ws)


def offload_bytes(kernel, precision, size, working_set):
    """(upload, download) bytes of an end-to-end call in the offload model:
    everything the call reads goes up (its working set, less the output);
    gemv's y (m elements) comes down; a reduction's result (one scalar) is
    taken as no bytes."""
    elem = 4 if precision == "s" else 8
    if kernel.startswith("gemv"):
        return working_set - elem * size, elem * size
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


def roofline_curves(rows):
    """From tidy rows: {kernel: [(working set, GB/s of the best repetition)]}
    for the device roofline's kernels (variant device), and
    {"stream_read@T": ...} for the CPU's STREAM read on T threads."""
    out = {}
    for r in rows:
        if r["working_set_bytes"] and r["gbps_best"]:
            if r["variant"] == "device":
                out.setdefault(r["kernel"], []).append((r["working_set_bytes"], r["gbps_best"]))
            elif r["variant"] == "stream" and r["kernel"] == "stream_read":
                out.setdefault(f"stream_read@{r['threads']}", []).append((r["working_set_bytes"], r["gbps_best"]))
    return {k: sorted(v) for k, v in out.items()}


def offload_prediction(rows, kernel, precision, threads, memory="pageable"):
    """The offload model at the sizes of the kernel's end-to-end OpenCL rows
    (hpk_cl_e2e): {size: (predicted offload seconds, predicted CPU
    seconds)}, the offload as predicted_offload_s with the `memory`
    (pageable or pinned) transfers, the CPU as the working set at STREAM
    read on `threads` threads.  {} without the curves."""
    curves = roofline_curves(rows)
    suffix = "" if memory == "pageable" else "_" + memory
    up, down = curves.get("cl_upload" + suffix), curves.get("cl_download" + suffix)
    read, cpu = curves.get("cl_stream_read"), curves.get(f"stream_read@{threads}")
    if not (up and down and read and cpu):
        return {}
    out = {}
    for r in select(rows, kernel=kernel, precision=precision, variant="hpk_cl_e2e"):
        ws = r["working_set_bytes"]
        if not ws:
            continue
        u, d = offload_bytes(kernel, precision, r["size"], ws)
        out[r["size"]] = (predicted_offload_s(u, d, ws, up, down, read), ws / (curve_at(cpu, ws) * 1e9))
    return out


def stream_at(stream, threads, ws):
    """STREAM read GB/s (stream_curves) for a working set of `ws` bytes at
    `threads` threads: interpolated linearly in log2(working set) between
    the two measured STREAM sizes around ws; the nearest measured size's
    value outside the measured range; None without a STREAM measurement at
    that thread count."""
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


def tidy_rows(data):
    """One dict per point with the CSV_COLUMNS (None where a value does not apply)."""
    points = measurements(data)
    # The kernels each library ran in this process (isa.py): on the CPU rows.
    kernels = isa.columns(data.get("context", {}))
    no_kernels = dict.fromkeys(isa.COLUMNS)
    median = {k: statistics.median(v["times"]) for k, v in points.items()}
    stream = stream_curves(points)
    device_read = device_curves(points)
    counts = {}  # the thread counts measured for each (kernel, prec, variant, size)
    for kernel, prec, variant, size, threads in points:
        counts.setdefault((kernel, prec, variant, size), set()).add(threads)

    rows = []
    for key in sorted(points):
        kernel, prec, variant, size, threads = key
        info, t = points[key], median[key]
        times, c = info["times"], info["counters"]
        ws = c.get("working_set") or None
        gbps = c["bytes"] / t / 1e9 if c.get("bytes") else None
        # The CPU's STREAM is no roofline for an OpenCL device's threads.
        sgbps = stream_at(stream, threads, ws) if gbps and not device(variant) else None
        # The device-resident OpenCL rows against the device's own read.
        dgbps = curve_at(device_read, ws) if gbps and variant in DEVICE_RESIDENT else None
        peer = VARIANTS.get(variant, {}).get("peer")
        one = median.get((kernel, prec, variant, size, 1))
        s1 = _ratio(one, t)
        s1_int = ratio_interval(points[(kernel, prec, variant, size, 1)]["times"], times) \
            if one and threads > 1 else None
        peer_times = points.get((kernel, prec, peer, size, threads), {}).get("times") if peer else None
        peer_int = ratio_interval(peer_times, times)
        # Bandwidth-limited ideal speedup of a memory-bound row: STREAM at its
        # working set on its thread count over STREAM on 1 thread.
        bw_ideal = None
        if sgbps and threads > 1 and memory_bound(kernel):
            s_one = stream_at(stream, 1, ws)
            bw_ideal = sgbps / s_one if s_one else None
        kf = None
        if s1 and threads > 1 and not memory_bound(kernel) and \
                len(counts[(kernel, prec, variant, size)]) >= AMDAHL_MIN_THREAD_COUNTS:
            kf = (1 / s1 - 1 / threads) / (1 - 1 / threads)
        cv = statistics.pstdev(times) / statistics.mean(times) if len(times) > 1 else None
        rows.append(dict(
            kernel=kernel, precision=prec, variant=variant, size=size, threads=threads, ranks=1,
            working_set_bytes=ws, repetitions=len(times),
            time_s=t, time_min_s=min(times), time_max_s=max(times), time_cv=cv,
            gbps=gbps,
            gbps_best=c["bytes"] / min(times) / 1e9 if c.get("bytes") else None,
            gbps_worst=c["bytes"] / max(times) / 1e9 if c.get("bytes") else None,
            gflops=c["flops"] / t / 1e9 if c.get("flops") else None,
            msamples_per_s=c["samples"] / t / 1e6 if c.get("samples") else None,
            stream_gbps=sgbps,
            pct_stream=100 * gbps / sgbps if gbps and sgbps else None,
            speedup_vs_serial=_ratio(median.get((kernel, prec, "hpk_serial", size, 1)), t),
            peer=peer if peer and (kernel, prec, peer, size, threads) in median else None,
            speedup_vs_peer=_ratio(median.get((kernel, prec, peer, size, threads)), t) if peer else None,
            speedup_vs_peer_lo=peer_int[0] if peer_int else None,
            speedup_vs_peer_hi=peer_int[1] if peer_int else None,
            vs_peer=verdict(peer_int),
            speedup_vs_1thread=s1,
            speedup_vs_1thread_lo=s1_int[0] if s1_int else None,
            speedup_vs_1thread_hi=s1_int[1] if s1_int else None,
            efficiency=s1 / threads if s1 else None,
            bw_ideal_speedup=bw_ideal,
            vs_bw_ideal=s1 / bw_ideal if s1 and bw_ideal else None,
            karp_flatt=kf,
            speedup_vs_blis=_ratio(median.get((kernel, prec, SECOND_PEER, size, threads)), t)
            if variant not in (SECOND_PEER, "stream") and not device(variant) else None,
            device_stream_gbps=dgbps,
            pct_device_stream=100 * gbps / dgbps if gbps and dgbps else None,
            **(no_kernels if device(variant) else kernels),
        ))
        for phase, values in info.get("phases", {}).items():
            rows[-1][phase] = statistics.median(values)
    return rows


def read_rows(results_dir):
    return tidy_rows(load_json(results_dir))


def path_runs(results_dir):
    """The further --cpu-path runs inside a results folder: [(path,
    folder)] of its cpu-path-<PATH>/ folders holding a bench.json, in
    PATH_ORDER (best first); [] for a study without --cpu-path."""
    try:
        names = os.listdir(results_dir)
    except OSError:
        return []
    out = [(n[len(PATH_RUN_PREFIX):], os.path.join(results_dir, n)) for n in names
           if n.startswith(PATH_RUN_PREFIX) and os.path.exists(os.path.join(results_dir, n, JSON_NAME))]
    rank = {p: i for i, p in enumerate(PATH_ORDER)}
    return sorted(out, key=lambda pf: (rank.get(pf[0], len(rank)), pf[0]))


def all_path_rows(results_dir, rows=None):
    """The folder's rows (`rows` if given) followed by those of each
    further --cpu-path run (path_runs), each row carrying its run's
    hpk_cpu_path: [(rows of one run)], the folder's own first."""
    runs = [rows if rows is not None else read_rows(results_dir)]
    for _, folder in path_runs(results_dir):
        try:
            runs.append(read_rows(folder))
        except NoResults:
            continue
    return runs


def select(rows, **want):
    return [r for r in rows if all(r[k] == v for k, v in want.items())]


def thread_counts(rows):
    return sorted({r["threads"] for r in rows})


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


def fmt_bytes(n):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            v = n / scale
            return f"{v:.0f} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n:.0f} B"


def fmt_count(n):
    k = int(round(math.log2(n))) if n > 0 else 0
    return f"2^{k}" if n == 2 ** k else f"{n:g}"


DATA_CSV_NAME = "data.csv"
DATA_COLUMNS = ["kernel", "precision", "variant", "size", "threads", "data", "gbps", "uniform_gbps",
                "vs_uniform"]


def data_kinds(data):
    """The non-uniform data kinds the study ran (--data), in order."""
    kinds = []
    for b in data["benchmarks"]:
        kind = parse_name(b["run_name"])["data"]
        if kind != "uniform" and kind not in kinds:
            kinds.append(kind)
    return kinds


def data_rows(data):
    """GB/s on each non-uniform kind of data against uniform data, same point
    otherwise (medians over the repetitions)."""
    def gbps(points):
        out = {}
        for key, info in points.items():
            times = sorted(info["times"])
            nbytes = info["counters"].get("bytes")
            if times and nbytes:
                out[key] = nbytes / times[len(times) // 2] / 1e9
        return out
    uniform = gbps(measurements(data))
    rows = []
    for kind in data_kinds(data):
        for key, g in sorted(gbps(measurements(data, kind)).items()):
            base = uniform.get(key)
            kernel, prec, variant, size, threads = key
            rows.append(dict(kernel=kernel, precision=prec, variant=variant, size=size, threads=threads,
                             data=kind, gbps=g, uniform_gbps=base, vs_uniform=g / base if base else None))
    return rows
