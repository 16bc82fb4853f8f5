"""The study's MPI rows: RESULTS_DIR/mpi_results.csv (bench/mpi/hpk_bench_mpi,
run under mpirun for each pair of rank count and threads per rank by
scripts/bench, or by scripts/bench-mpi) in results.csv's schema, so that one
results.csv covers threads and ranks.

An MPI row is one point on P ranks with T OpenMP threads each (`ranks`,
`threads`): its variant is hpk_mpi_strong (a fixed global problem, split
over the ranks) or hpk_mpi_weak (a fixed problem per rank), with _uneven
appended when every boundary between ranks was moved off the canonical
blocks (hpk_bench_mpi --split uneven); `size` is the
global problem (gemv rows M = columns n, vector elements, samples).  Its
time is the median repetition of the slowest rank's wall time;
compute_s is the largest time a rank spent outside MPI in that repetition,
comm_s the rest (transfers, and waiting for the slowest rank), comm_share
comm_s / time_s.

The comparisons use the cores a row occupies, P x T:
- stream_gbps: the STREAM read roofline on P x T threads at the row's
  working set (all ranks together); pct_stream as for every row;
- peer hpk_omp: hpk OpenMP in one process on P x T threads at the same
  kernel, precision and size (speedup_vs_peer > 1: the MPI row is faster;
  the interval and position (vs_peer) from both sides' fastest and slowest
  repetitions, as every row's);
- speedup_vs_1thread: the same variant on 1 rank x 1 thread over this time,
  efficiency that over P x T, bw_ideal_speedup STREAM(P x T) / STREAM(1)
  for the memory-bound kernels.
"""
import csv
import os

import manifest
from stats import position, ratio, ratio_interval, stream_at

CSV_NAME = "mpi_results.csv"
# results.csv's columns beyond benchdata.CSV_COLUMNS (whose `ranks` is 1 on
# every row but the MPI rows): the MPI rows' time split.
COLUMNS = ["compute_s", "comm_s", "comm_share"]
VARIANTS = ("hpk_mpi_strong", "hpk_mpi_weak", "hpk_mpi_strong_uneven", "hpk_mpi_weak_uneven")
UNEVEN = "_uneven"
PEER = "hpk_omp"


def is_weak(variant):
    return variant.startswith("hpk_mpi_weak")


def is_uneven(variant):
    return variant.endswith(UNEVEN)


def uneven_costs(mpi_rows):
    """What an uneven split costs: for every point on 2 or more ranks
    measured with both splits, (the uneven row, balanced time / uneven
    time; < 1: the uneven split is slower)."""
    balanced = {(r["kernel"], r["precision"], r["variant"], r["size"], r["ranks"], r["threads"]): r
                for r in mpi_rows if not is_uneven(r["variant"])}
    out = []
    for r in mpi_rows:
        if not is_uneven(r["variant"]) or r["ranks"] < 2:
            continue
        b = balanced.get((r["kernel"], r["precision"], r["variant"][:-len(UNEVEN)], r["size"], r["ranks"],
                          r["threads"]))
        if b and b["time_s"] and r["time_s"]:
            out.append((r, b["time_s"] / r["time_s"]))
    return out


def read_raw(results_dir):
    """The rows of mpi_results.csv with numbers parsed; [] without the file."""
    path = os.path.join(results_dir, CSV_NAME)
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        raw = list(csv.DictReader(f))
    for r in raw:
        for key in ("size", "ranks", "threads", "repetitions", "working_set_bytes"):
            r[key] = int(float(r[key])) if r.get(key) not in (None, "") else None
        for key in ("time_s", "compute_s", "comm_s", "gbps", "time_min_s", "time_max_s", "time_cv"):
            r[key] = float(r[key]) if r.get(key) not in (None, "") else None
    return raw


def median_rounds(raw):
    """One row per point (kernel, precision, variant, size, ranks, threads):
    scripts/bench-mpi --rounds measures a point once per round; the round
    with the median time stands for it."""
    points = {}
    for r in raw:
        key = (r["kernel"], r["precision"], r["variant"], r["size"], r["ranks"], r["threads"])
        points.setdefault(key, []).append(r)
    out = []
    for key in sorted(points):
        runs = sorted(points[key], key=lambda r: r["time_s"])
        out.append(runs[(len(runs) - 1) // 2])
    return out


def stream_curves(rows, m):
    """The STREAM read roofline from results rows, as
    benchdata.roofline_curve gives it from the measurements: {threads:
    [(working set, best GB/s)]}."""
    stream = {}
    for r in rows:
        if r["kernel"] == m.roofline_read("cpu") and r.get("gbps_best") and r.get("working_set_bytes"):
            stream.setdefault(r["threads"], []).append((r["working_set_bytes"], r["gbps_best"]))
    for v in stream.values():
        v.sort()
    return stream


def _extremes(r):
    """A row's fastest and slowest repetition (its median when it has no
    extremes), for stats.ratio_interval."""
    return [r["time_min_s"] or r["time_s"], r["time_max_s"] or r["time_s"]]


def tidy(raw, rows, m):
    """The MPI rows (raw: read_raw) with results.csv's columns, compared with
    the harness's rows (rows: benchdata.tidy_rows; [] without a study); m:
    the manifest."""
    stream = stream_curves(rows, m)
    peers = {(r["kernel"], r["precision"], r["size"], r["threads"]): r for r in rows if r["variant"] == PEER}
    points = median_rounds(raw)
    one = {(r["kernel"], r["precision"], r["variant"], r["size"]): r
           for r in points if r["ranks"] == 1 and r["threads"] == 1}
    out = []
    for r in points:
        t, cores, ws = r["time_s"], r["ranks"] * r["threads"], r["working_set_bytes"] or None
        weak = is_weak(r["variant"])
        gbps = ws / t / 1e9 if ws and t else None
        sgbps = stream_at(stream, cores, ws) if gbps else None
        peer = None if weak else peers.get((r["kernel"], r["precision"], r["size"], cores))
        peer_int = ratio_interval(_extremes(peer), _extremes(r)) if peer else None
        # Weak scaling's base is the 1-rank problem, which is a different size.
        base = one.get((r["kernel"], r["precision"], r["variant"], r["size"] // r["ranks"] if weak else r["size"]))
        s1 = ratio(base["time_s"], t) if base else None
        s1_int = ratio_interval(_extremes(base), _extremes(r)) if base and cores > 1 else None
        bw_ideal = None
        if sgbps and cores > 1 and m.memory_bound(r["kernel"]):
            s_one = stream_at(stream, 1, ws)
            bw_ideal = sgbps / s_one if s_one else None
        row = dict(
            kernel=r["kernel"], precision=r["precision"], variant=r["variant"], size=r["size"],
            threads=r["threads"], ranks=r["ranks"], working_set_bytes=ws, repetitions=r["repetitions"],
            time_s=t, time_min_s=r["time_min_s"], time_max_s=r["time_max_s"], time_cv=r["time_cv"],
            gbps=gbps,
            gbps_best=ws / r["time_min_s"] / 1e9 if ws and r["time_min_s"] else None,
            gbps_worst=ws / r["time_max_s"] / 1e9 if ws and r["time_max_s"] else None,
            gflops=2.0 * r["size"] * (r["size"] // r["ranks"] if weak else r["size"]) / t / 1e9
            if m.size(r["kernel"]) == "matrix" else None,
            msamples_per_s=r["size"] / t / 1e6 if m.samples(r["kernel"]) else None,
            stream_gbps=sgbps, pct_stream=100 * gbps / sgbps if gbps and sgbps else None,
            peer=PEER if peer else None,
            speedup_vs_peer=ratio(peer["time_s"], t) if peer else None,
            speedup_vs_peer_lo=peer_int[0] if peer_int else None,
            speedup_vs_peer_hi=peer_int[1] if peer_int else None,
            vs_peer=position(peer_int),
            speedup_vs_1thread=s1,
            speedup_vs_1thread_lo=s1_int[0] if s1_int else None,
            speedup_vs_1thread_hi=s1_int[1] if s1_int else None,
            efficiency=s1 / cores if s1 else None,
            bw_ideal_speedup=bw_ideal, vs_bw_ideal=s1 / bw_ideal if s1 and bw_ideal else None,
            compute_s=r["compute_s"], comm_s=r["comm_s"],
            comm_share=max(r["comm_s"], 0.0) / t if t and r["comm_s"] is not None else None,
        )
        out.append(row)
    return out


def read_rows(results_dir, rows, m=None):
    """The folder's MPI rows in results.csv's schema; [] without
    mpi_results.csv.  m: the folder's manifest (read here when not given)."""
    raw = read_raw(results_dir)
    return tidy(raw, rows, m or manifest.load(results_dir)) if raw else []
