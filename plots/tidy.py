"""Writes RESULTS_DIR/results.csv: one row per (kernel, precision, variant,
size, threads) from the Google Benchmark JSON.

Columns: time_s is the median over repetitions (time_min_s the best,
time_cv their coefficient of variation); gbps, gflops and msamples_per_s
follow from time_s and the work per call, gbps_best from time_min_s.
stream_gbps is the roofline of the row: the read-only STREAM bandwidth at
the same thread count, best repetition, for the same working set --
interpolated linearly in log2(working set) between the two measured STREAM
sizes around the row's working set, or the nearest measured size's value
outside their range (STREAM runs at the --vec-sizes; blank when STREAM was
not measured at that thread count, and for the OpenCL rows, whose device
threads STREAM does not measure).  pct_stream = 100 * gbps / stream_gbps.
device_stream_gbps is the same for the device-resident OpenCL rows
(hpk_cl_kernel, clblast) against the device's own read bandwidth
(cl_stream_read, variant device), pct_device_stream = 100 * gbps /
device_stream_gbps; blank elsewhere and without the device roofline.
speedup_vs_serial is hpk serial's time over this row's time,
speedup_vs_peer `peer`'s time (OpenBLAS, or CLBlast for OpenCL) at the same
size and thread count over this row's time (> 1: this row is faster);
speedup_vs_1thread is the same variant's 1-thread time over this time,
efficiency that divided by threads, and karp_flatt the experimentally
determined serial fraction (1/S - 1/p) / (1 - 1/p).  speedup_vs_blis is
BLIS's time at the same size and thread count over this row's time, for
every CPU row but BLIS's own (BLIS, the second CPU peer, has no sum).  OpenCL end-to-end
rows add upload_s, kernel_s and download_s (median seconds per call).

Intervals and ties: time_max_s is the slowest repetition and gbps_worst
its GB/s.  hpk_bench runs a point's variants and thread counts back to
back, one repetition each per round, so speedup_vs_peer is the median of
the rounds' ratios and speedup_vs_peer_lo and _hi their smallest and
largest (stats.paired_ratio; where the rounds do not pair up, the medians'
ratio, bounded by the repetitions' extremes: the peer's fastest over this
row's slowest, the peer's slowest over this row's fastest); vs_peer is
ahead (lo > 1), behind (hi < 1) or tie (the interval includes 1: within
the run's noise); speedup_vs_1thread and its _lo and _hi likewise.  bw_ideal_speedup is a memory-bound
row's bandwidth-limited ideal, STREAM read at its working set on its thread
count over STREAM on 1 thread, and vs_bw_ideal its speedup over that ideal.
karp_flatt is given only for the compute-bound Monte Carlo, and only where
the point ran at three or more thread counts.

The MPI rows (plots/mpidata.py) come from RESULTS_DIR/mpi_results.csv when
the study ran hpk over MPI ranks: `ranks` ranks of `threads` threads each,
compared with hpk OpenMP and STREAM on ranks x threads threads, and the
time split into compute_s and comm_s (comm_share of the time).  Every
other row is one process: ranks 1.  A folder of scripts/bench-mpi (no
bench.json) gets a results.csv of its MPI rows alone.

The kernels each library ran: every CPU row carries hpk_cpu_path (the code
path hpk's CPU variants ran: portable, avx2, avx512), openblas_core
(openblas_get_corename()) and blis_arch (BLIS's sub-configuration), the ISA
of each (hpk_isa, openblas_isa, blis_isa: sse2 ... sse4.2 128-bit, avx and
avx2 256-bit, avx512 512-bit; plots/isa.py maps the names), and the width
of each peer's ISA against hpk's path (openblas_vs_hpk_isa, blis_vs_hpk_isa:
narrower, same, wider, or unknown for a name isa.py does not know).  A
speedup over a peer on narrower vectors is not a like-for-like result.
With scripts/bench --cpu-path, the rows of every path run follow one
another (the folder's own bench.json first, then each cpu-path-<PATH>/
folder's, best path first): a point appears once per path, hpk_cpu_path
tells them apart.

RESULTS_DIR/data.csv has the reductions' GB/s on each other kind of data
(--data) beside their GB/s on uniform data (vs_uniform: the ratio), and
RESULTS_DIR/strided.csv hpk_omp's GB/s on strided vectors (--incs: the
elements read per second; every --cpu-path run's, hpk_cpu_path telling
them apart) beside its GB/s at unit stride (vs_unit) and
against OpenBLAS on the same point (speedup_vs_peer: OpenBLAS time / hpk
time, round by round, with its interval).  Each is written when the study
ran such points (the default study does, at two sizes).

usage: /usr/bin/python3 plots/tidy.py RESULTS_DIR
"""
import csv
import os

import benchdata
import benchjson
import manifest
import mpidata


def write_csv(results_dir, rows):
    path = os.path.join(results_dir, benchdata.CSV_NAME)
    with open(path, "w", newline="") as f:
        phases = [p for p in benchdata.OFFLOAD_PHASES if any(p in r for r in rows)]
        w = csv.DictWriter(f, fieldnames=benchdata.CSV_COLUMNS + phases + mpidata.COLUMNS, restval="")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else f"{v:.6g}" if isinstance(v, float) else v)
                        for k, v in r.items()})
    return path


def write_side_csv(results_dir, name, columns, rows):
    """One of the side tables (data.csv, strided.csv)."""
    path = os.path.join(results_dir, name)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, restval="")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else f"{v:.6g}" if isinstance(v, float) else v)
                        for k, v in r.items()})
    return path


def main():
    results_dir = benchjson.results_dir_from_argv("plots/tidy.py")
    mpi_only = not os.path.exists(os.path.join(results_dir, benchjson.JSON_NAME)) and mpidata.read_raw(results_dir)
    m = manifest.load(results_dir)
    rows = [] if mpi_only else benchdata.read_rows(results_dir, m)
    mpi_rows = mpidata.read_rows(results_dir, rows, m)
    # The further --cpu-path runs' rows after the folder's own.
    path_rows = [r for run in benchdata.all_path_rows(results_dir, rows, m)[1:] for r in run] if rows else []
    path = write_csv(results_dir, rows + path_rows + mpi_rows)
    print(f"wrote {path} ({len(rows) + len(path_rows) + len(mpi_rows)} rows"
          f"{f', {len(path_rows)} of them from the other --cpu-path runs' if path_rows else ''}"
          f"{f', {len(mpi_rows)} of them MPI' if mpi_rows else ''})")
    if mpi_only:
        return
    data = benchjson.load_json(results_dir)
    for name, columns, side_rows in ((benchdata.DATA_CSV_NAME, benchdata.DATA_COLUMNS, benchdata.data_rows(data)),
                                     (benchdata.STRIDED_CSV_NAME, benchdata.STRIDED_COLUMNS,
                                      benchdata.all_path_strided_rows(results_dir, data))):
        if side_rows:
            print(f"wrote {write_side_csv(results_dir, name, columns, side_rows)} ({len(side_rows)} rows)")


if __name__ == "__main__":
    benchjson.main_guard(main)
