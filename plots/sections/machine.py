"""The report's frame: the machine, the STREAM roofline, the data kinds,
how to read the report and the plots."""
import os

import benchdata
import stats
from helpers import fmt, fmt_bytes, largest, plural, select
from render import Section
from sections.peers import kernels_text


def machine(study):
    c = study.ctx
    cache = ", ".join(f"L{lvl} {fmt_bytes(s)}" for lvl, s in sorted(study.cache.items()))
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
        ("kernels compared", "; ".join(kernels_text(study)) or "not recorded"),
        ("OpenCL device", c.get("opencl_device")),
        ("threading environment", c.get("threading_env")),
        ("load average before the build (1 min)", c.get("load_before_build", "not recorded")),
        ("load average as the runs started (1, 5, 15 min; includes the build's)",
         ", ".join(f"{v:.2f}" for v in c.get("load_avg", []))),
    ]
    return Section("Machine", intro=["\n".join(f"- **{k}**: {v}" for k, v in items)])


def stream_section(study):
    """STREAM read and triad GB/s (best of the repetitions: the roofline)
    per thread count at the representative sizes: in L2, in L3, in DRAM."""
    rows, m = study.rows, study.m
    read = m.roofline_read("cpu")
    triad = next((k for k in m.roofline("cpu") if k != read), None)
    title = "STREAM bandwidth (the roofline)"
    intro = ("GB/s of the best repetition, per thread count: the read-only sum and the triad.  Each "
             "row of results.csv is compared (stream_gbps, pct_stream) with the read at its thread count "
             "and working set, interpolated in log(size) between the measured sizes.")
    classes = stats.size_classes(select(rows, kernel=read), study.cache)
    if not classes:
        return Section(title, intro=[intro, "Not measured in this run (the kernel selection left STREAM out)."],
                       text_title="STREAM bandwidth, GB/s:", text_body="not measured")
    header = ["threads"]
    for _, where, size in classes:
        ws = select(rows, kernel=read, size=size)[0]["working_set_bytes"]
        header.append(f"read GB/s, {fmt_bytes(ws)} ({where})")
    header.append("triad GB/s, largest")
    out = []
    for t in study.threads:
        line = [str(t)]
        for _, _, size in classes:
            r = select(rows, kernel=read, threads=t, size=size)
            line.append(fmt(r[0]["gbps_best"], ".1f") if r else "–")
        r = largest(rows, kernel=triad, threads=t)
        line.append(fmt(r["gbps_best"], ".1f") if r else "–")
        out.append(line)
    return Section(title, intro=[intro], table=(header, out), text_title="STREAM bandwidth, GB/s:")


HOW_TO_READ = """\
- **Times** are medians over the repetitions of each point.  The study ran
  in rounds, one repetition of every point per round: each round took the
  groups of points (a kernel, precision, size and data: every variant and
  thread count) in a new random order and a group's points back to back,
  and a pause separated runs of different thread pools (OpenBLAS's workers
  spin for ~0.1 s after a call).
- **Every ratio column says what it divides.**  A time ratio is written
  *other time / hpk time*, so that above 1 hpk is faster.
- **OpenBLAS time / hpk time** is taken at the same size and thread count,
  round by round: a point's ratio is the median of its rounds' ratios, each
  of two times taken seconds apart.  The table gives the median over all
  sizes and, in brackets, the range.  Each point also has an interval, the
  smallest and the largest of its rounds' ratios (for results without
  rounds: the peer's fastest repetition over hpk's slowest, to the peer's
  slowest over hpk's fastest).  A point is a tie when that interval
  includes 1 (the plots draw the intervals as bands), hpk ahead when all
  of it is above 1.
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
  `bench.json` is Google Benchmark's raw output with the machine context."""


def how_to_read():
    return Section("How to read this", intro=[HOW_TO_READ])


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


def plots_section(study):
    images = [(f, t) for f, t in PLOTS if os.path.exists(os.path.join(study.dir, f))]
    return Section("Plots", subsections=[Section(title, intro=[f"![{title}]({f})"], level=3) for f, title in images])


def data_section(study):
    """hpk OpenMP (and OpenBLAS) GB/s on each --data kind relative to uniform
    data, per kernel: the smallest ratio over sizes and thread counts, and
    where it is."""
    if not benchdata.data_kinds(study.data):
        return None
    rows = benchdata.data_rows(study.data)
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
    return Section("Data that reductions may be slow on", intro=[
        "GB/s on each kind of data (`--data`) over GB/s on uniform random data of the same "
        "size and thread count; the lowest ratio over the sizes and thread counts, which "
        "should stay above 0.85.  Per point: data.csv."],
        table=(["kernel", "prec", "data", "hpk OpenMP: lowest GB/s on data / GB/s on uniform",
                "OpenBLAS: lowest GB/s on data / GB/s on uniform"], out))


def strided_section(study):
    """hpk OpenMP on strided vectors (--incs): against OpenBLAS on the same
    point and against itself at unit stride, point by point."""
    rows = benchdata.all_path_strided_rows(study.dir, study.data)
    if not rows:
        return None
    paths = len({r["hpk_cpu_path"] for r in rows}) > 1
    out = []
    for r in rows:
        peer = r["speedup_vs_peer"]
        lo, hi = r["speedup_vs_peer_lo"], r["speedup_vs_peer_hi"]
        flag = " **below 0.9**" if peer is not None and peer < 0.9 else ""
        out.append(([str(r["hpk_cpu_path"])] if paths else []) +
                   [r["kernel"], r["precision"], str(r["size"]), str(r["inc"]), str(r["threads"]),
                    fmt(r["gbps"], ".1f"), (f"{peer:.2f}{flag} ({lo:.2f}-{hi:.2f})" if peer is not None else "–"),
                    fmt(r["vs_unit"])])
    return Section("Strided vectors", intro=[
        "The reductions over vectors read at an increment (`--incs`; dot: both vectors): hpk OpenMP's "
        "GB/s of the elements read, OpenBLAS time / hpk time on the same point (median of the rounds, "
        "their range), and hpk's GB/s over its own at unit stride; each --cpu-path run's.  Per point: "
        "strided.csv."],
        table=((["hpk path"] if paths else []) +
               ["kernel", "prec", "n", "inc", "threads", "hpk OpenMP GB/s", "vs OpenBLAS", "GB/s / GB/s at inc 1"],
               out))
