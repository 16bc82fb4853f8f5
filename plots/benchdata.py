"""Reading a results folder's points: Google Benchmark's repetitions
(benchjson.py) in, one tidy row per (kernel, precision, variant, size, threads)
out, with every column of results.csv.

A row's time is the median over its repetitions (Google Benchmark's "median"
aggregate, recomputed here from the repetitions themselves); every rate is
derived from that median time and the work per call the harness recorded.
Every ratio against a peer or 1 thread is taken round by round where the
rounds pair up, with an interval (stats.paired_ratio).  Kernel and variant
facts (peers, threading, the device, the rooflines) come from the folder's
manifest (manifest.py).
"""
import os
import statistics

import isa
import benchjson
import manifest
from stats import AMDAHL_MIN_THREAD_COUNTS, curve_at, paired_ratio, ratio, position, stream_at

CSV_NAME = "results.csv"

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


def measurements(data, kind="uniform", inc=1):
    """The repetitions of every point on `kind` data (--data) at increment
    inc (--incs): {(kernel, prec, variant, size, threads): info}."""
    points = {}
    for _, p, t, b in benchjson.repetitions(data):
        if p["data"] != kind or p["inc"] != inc:
            continue
        key = (p["kernel"], p["precision"], p["variant"], p["size"], p["threads"])
        info = points.setdefault(key, dict(times=[], counters={}, rounds=[]))
        info["times"].append(t)
        info["rounds"].append(benchjson.round_of(b))
        for c in ("bytes", "working_set", "flops", "samples"):
            if c in b:
                info["counters"][c] = b[c]
        for c in OFFLOAD_PHASES:
            if c in b:
                info.setdefault("phases", {}).setdefault(c, []).append(b[c])
    return points


def roofline_curve(points, kernel, variant=None):
    """A roofline kernel's [(working set, GB/s)] from the measurements, by
    thread count ({threads: curve}, sorted by working set): the bytes moved
    (`bytes`: working set x passes -- a STREAM or device read call makes
    several passes over small arrays) over the best repetition (the
    bandwidth the machine can deliver, which a noisy repetition only
    lowers)."""
    out = {}
    for (k, _, v, _, threads), info in points.items():
        c = info["counters"]
        if k == kernel and (variant is None or v == variant) and c.get("bytes") and c.get("working_set") \
                and info["times"]:
            out.setdefault(threads, []).append((c["working_set"], c["bytes"] / min(info["times"]) / 1e9))
    return {t: sorted(v) for t, v in out.items()}


def device_curve(points, m, kernel=None):
    """The device roofline of one of its kernels (default: its read):
    [(working set, GB/s)] for any precision and thread count (a device
    without fp64 measures in float); [] without the rows."""
    by_threads = roofline_curve(points, kernel or m.roofline_read("device"), "device")
    return sorted(p for v in by_threads.values() for p in v)


def caches(data):
    """Data/unified cache sizes in bytes by level, as Google Benchmark read them."""
    out = {}
    for c in data.get("context", {}).get("caches", []):
        if c.get("type") in ("Data", "Unified"):
            out[c["level"]] = c["size"]
    return out



def tidy_rows(data, m):
    """One dict per point with the CSV_COLUMNS (None where a value does not apply)."""
    points = measurements(data)
    # The kernels each library ran in this process (isa.py): on the CPU rows.
    kernels = isa.columns(data.get("context", {}))
    no_kernels = dict.fromkeys(isa.COLUMNS)
    median = {k: statistics.median(v["times"]) for k, v in points.items()}
    stream = roofline_curve(points, m.roofline_read("cpu"))
    device_read = device_curve(points, m)
    resident = m.device_resident()
    second = m.second_peer()
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
        sgbps = stream_at(stream, threads, ws) if gbps and not m.device(variant) else None
        # The device-resident OpenCL rows against the device's own read.
        dgbps = curve_at(device_read, ws) if gbps and variant in resident else None
        peer = m.peer(variant)
        s1, s1_int = paired_ratio(points.get((kernel, prec, variant, size, 1)), info)
        if threads == 1:
            s1_int = None
        peer_ratio, peer_int = paired_ratio(points.get((kernel, prec, peer, size, threads)), info) \
            if peer else (None, None)
        # Bandwidth-limited ideal speedup of a memory-bound row: STREAM at its
        # working set on its thread count over STREAM on 1 thread.
        bw_ideal = None
        if sgbps and threads > 1 and m.memory_bound(kernel):
            s_one = stream_at(stream, 1, ws)
            bw_ideal = sgbps / s_one if s_one else None
        kf = None
        if s1 and threads > 1 and not m.memory_bound(kernel) and \
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
            speedup_vs_serial=ratio(median.get((kernel, prec, "hpk_serial", size, 1)), t),
            peer=peer if peer and (kernel, prec, peer, size, threads) in median else None,
            speedup_vs_peer=peer_ratio,
            speedup_vs_peer_lo=peer_int[0] if peer_int else None,
            speedup_vs_peer_hi=peer_int[1] if peer_int else None,
            vs_peer=position(peer_int),
            speedup_vs_1thread=s1,
            speedup_vs_1thread_lo=s1_int[0] if s1_int else None,
            speedup_vs_1thread_hi=s1_int[1] if s1_int else None,
            efficiency=s1 / threads if s1 else None,
            bw_ideal_speedup=bw_ideal,
            vs_bw_ideal=s1 / bw_ideal if s1 and bw_ideal else None,
            karp_flatt=kf,
            speedup_vs_blis=ratio(median.get((kernel, prec, second, size, threads)), t)
            if variant not in (second, "stream") and not m.device(variant) else None,
            device_stream_gbps=dgbps,
            pct_device_stream=100 * gbps / dgbps if gbps and dgbps else None,
            **(no_kernels if m.device(variant) else kernels),
        ))
        for phase, values in info.get("phases", {}).items():
            rows[-1][phase] = statistics.median(values)
    return rows


def read(results_dir):
    """A results folder's (bench.json, manifest, tidy rows)."""
    data, m = benchjson.load_json(results_dir), manifest.load(results_dir)
    return data, m, tidy_rows(data, m)


def read_rows(results_dir, m=None):
    """The folder's tidy rows, with its own manifest (`m` where it has none)."""
    if m is None or os.path.exists(os.path.join(results_dir, manifest.MANIFEST_NAME)):
        m = manifest.load(results_dir)
    return tidy_rows(benchjson.load_json(results_dir), m)


def path_runs(results_dir):
    """The further --cpu-path runs inside a results folder: [(path,
    folder)] of its cpu-path-<PATH>/ folders holding a bench.json, in
    PATH_ORDER (best first); [] for a study without --cpu-path."""
    try:
        names = os.listdir(results_dir)
    except OSError:
        return []
    out = [(n[len(PATH_RUN_PREFIX):], os.path.join(results_dir, n)) for n in names
           if n.startswith(PATH_RUN_PREFIX) and os.path.exists(os.path.join(results_dir, n, benchjson.JSON_NAME))]
    rank = {p: i for i, p in enumerate(PATH_ORDER)}
    return sorted(out, key=lambda pf: (rank.get(pf[0], len(rank)), pf[0]))


def all_path_rows(results_dir, rows=None, m=None):
    """The folder's rows (`rows` if given) followed by those of each
    further --cpu-path run (path_runs), each row carrying its run's
    hpk_cpu_path: [(rows of one run)], the folder's own first.  A run's
    folder without a manifest is read with the folder's (`m`)."""
    runs = [rows if rows is not None else read_rows(results_dir, m)]
    for _, folder in path_runs(results_dir):
        try:
            runs.append(read_rows(folder, m))
        except benchjson.NoResults:
            continue
    return runs


DATA_CSV_NAME = "data.csv"
DATA_COLUMNS = ["kernel", "precision", "variant", "size", "threads", "data", "gbps", "uniform_gbps",
                "vs_uniform"]


def data_kinds(data):
    """The non-uniform data kinds the study ran (--data), in order."""
    kinds = []
    for b in data["benchmarks"]:
        kind = benchjson.parse_name(b["run_name"])["data"]
        if kind != "uniform" and kind not in kinds:
            kinds.append(kind)
    return kinds


def median_gbps(points):
    """{key: GB/s at the median time} of measurements() (points with bytes)."""
    out = {}
    for key, info in points.items():
        times = sorted(info["times"])
        nbytes = info["counters"].get("bytes")
        if times and nbytes:
            out[key] = nbytes / times[len(times) // 2] / 1e9
    return out


def data_rows(data):
    """GB/s on each non-uniform kind of data against uniform data, same point
    otherwise (medians over the repetitions)."""
    uniform = median_gbps(measurements(data))
    rows = []
    for kind in data_kinds(data):
        for key, g in sorted(median_gbps(measurements(data, kind)).items()):
            base = uniform.get(key)
            kernel, prec, variant, size, threads = key
            rows.append(dict(kernel=kernel, precision=prec, variant=variant, size=size, threads=threads,
                             data=kind, gbps=g, uniform_gbps=base, vs_uniform=g / base if base else None))
    return rows


STRIDED_CSV_NAME = "strided.csv"
STRIDED_COLUMNS = ["hpk_cpu_path", "kernel", "precision", "size", "threads", "inc", "gbps", "unit_gbps",
                   "vs_unit", "openblas_gbps", "speedup_vs_peer", "speedup_vs_peer_lo", "speedup_vs_peer_hi"]


def strided_incs(data):
    """The increments other than 1 the study ran (--incs), in order."""
    incs = []
    for b in data["benchmarks"]:
        inc = benchjson.parse_name(b["run_name"])["inc"]
        if inc != 1 and inc not in incs:
            incs.append(inc)
    return incs


def strided_rows(data):
    """hpk's OpenMP variant on strided vectors (uniform data; GB/s of the
    elements read, medians over the repetitions): against itself at unit
    stride, same size and thread count, and against OpenBLAS on the same
    point (OpenBLAS time / hpk time, round by round: stats.paired_ratio)."""
    unit = median_gbps(measurements(data))
    rows = []
    for inc in strided_incs(data):
        points = measurements(data, inc=inc)
        rates = median_gbps(points)
        for key in sorted(points):
            kernel, prec, variant, size, threads = key
            if variant != "hpk_omp" or key not in rates:
                continue
            peer_key = (kernel, prec, "openblas", size, threads)
            r, interval = paired_ratio(points.get(peer_key), points[key])
            base = unit.get(key)
            rows.append(dict(hpk_cpu_path=data.get("context", {}).get("hpk_cpu_path"), kernel=kernel,
                             precision=prec, size=size, threads=threads, inc=inc,
                             gbps=rates[key], unit_gbps=base, vs_unit=rates[key] / base if base else None,
                             openblas_gbps=rates.get(peer_key), speedup_vs_peer=r,
                             speedup_vs_peer_lo=interval[0] if interval else None,
                             speedup_vs_peer_hi=interval[1] if interval else None))
    return rows


def all_path_strided_rows(results_dir, data):
    """strided_rows of the folder's run (`data`, its bench.json) followed by
    those of each further --cpu-path run (path_runs)."""
    rows = strided_rows(data)
    for _, folder in path_runs(results_dir):
        try:
            rows += strided_rows(benchjson.load_json(folder))
        except benchjson.NoResults:
            continue
    return rows
