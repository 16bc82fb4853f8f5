"""Writes RESULTS_DIR/report.md: the machine, the STREAM roofline, the
headline ratios (hpk OpenMP against OpenBLAS, against BLIS (peers.py), and
against the textbook versions), the accuracy study (accuracy.py), strong scaling at the largest size, and the plots; prints the
headline table.  Run the plot scripts first so the images exist.

usage: /usr/bin/python3 plots/report.py RESULTS_DIR
"""
import json
import os
import statistics

import accuracy
import benchdata
import peers


def fmt(v, spec=".2f", suffix=""):
    if v is None:
        return "–"
    text = f"{v:{spec}}"
    return (text[1:] if text.startswith("-") and float(text) == 0 else text) + suffix


def table(header, rows):
    """(markdown, plain text) renderings of the same table."""
    md = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    text = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in [header] + rows]
    return "\n".join(md), "\n".join(text)


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


def headline(rows, threads):
    """hpk OpenMP vs OpenBLAS per kernel and precision."""
    tmax = threads[-1]
    header = ["kernel", "prec"] + [f"OpenBLAS time / hpk time, {plural(t)}" for t in sorted({1, tmax})]
    header += [f"hpk GB/s, largest, {tmax}t (% of STREAM read)",
               f"OpenBLAS GB/s, largest, {tmax}t (% of STREAM read)"]
    out = []
    for kernel in benchdata.KERNELS:
        for prec in ("d", "s"):
            hpk = benchdata.select(rows, kernel=kernel, precision=prec, variant="hpk_omp")
            if not any(r["speedup_vs_peer"] for r in hpk):
                continue
            line = [kernel, prec]
            for t in sorted({1, tmax}):
                line.append(ratio_summary(r["speedup_vs_peer"] for r in hpk if r["threads"] == t))
            for variant in ("hpk_omp", "openblas"):
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
    tmax = threads[-1]
    header = ["kernel", "prec", "size", f"hpk time 1t / time {tmax}t", f"hpk efficiency (that / {tmax})",
              "Karp–Flatt", f"OpenBLAS time 1t / time {tmax}t", f"STREAM read GB/s {tmax}t / 1t"]
    stream = largest(rows, kernel="stream_read", threads=tmax)
    stream1 = largest(rows, kernel="stream_read", threads=1)
    bw_ratio = None
    if stream and stream1 and stream["size"] == stream1["size"]:
        bw_ratio = stream["gbps_best"] / stream1["gbps_best"]
    out = []
    for kernel in benchdata.KERNELS:
        for prec in ("d", "s"):
            r = largest(rows, kernel=kernel, precision=prec, variant="hpk_omp", threads=tmax)
            if not r:
                continue
            o = benchdata.select(rows, kernel=kernel, precision=prec, variant="openblas", threads=tmax,
                                 size=r["size"])
            size = benchdata.fmt_bytes(r["working_set_bytes"]) if r["working_set_bytes"] \
                else f"{benchdata.fmt_count(r['size'])} samples"
            out.append([kernel, prec, size, fmt(r["speedup_vs_1thread"]), fmt(r["efficiency"]),
                        fmt(r["karp_flatt"]), fmt(o[0]["speedup_vs_1thread"]) if o else "–",
                        fmt(bw_ratio) if kernel != "mc_pi" else "–"])
    return table(header, out)


def opencl_table(rows, tmax):
    """Per kernel and precision: device-resident hpk against CLBlast (median
    over sizes, range), the GB/s of both and hpk OpenMP's time on all cores
    over hpk OpenCL's at the largest size, the transfers' share of an
    end-to-end call there, and the break-even size against hpk OpenMP."""
    header = ["kernel", "prec", "CLBlast time / hpk time", "hpk GB/s, largest", "CLBlast GB/s, largest",
              f"hpk OpenMP {tmax}t time / hpk OpenCL time, largest",
              "(upload + download) / e2e time, largest", f"break-even vs OpenMP {tmax}t"]
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
            out.append([kernel, prec, ratio_summary(r["speedup_vs_peer"] for r in dev),
                        fmt(big[rate], ".1f") + ("" if rate == "gbps" else " Msamples/s"),
                        fmt(blast[0]["gbps"], ".1f") if blast else "–",
                        fmt(share, ".2f") if share else "–", fmt(moved, ".0%") if moved is not None else "–",
                        f"n = {benchdata.fmt_count(even)}" if even else "none measured" if e2e else "–"])
    return table(header, out)


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


def noise(rows, threads):
    """The median coefficient of variation of the repetitions, per thread
    count: how much the machine disturbed the measurement."""
    parts = []
    for t in threads:
        cvs = [r["time_cv"] for r in rows if r["threads"] == t and r["time_cv"] is not None]
        if cvs:
            parts.append(f"{100 * statistics.median(cvs):.1f}% on {plural(t)}")
    return "median coefficient of variation of the repetitions: " + ", ".join(parts) if parts else "–"


def machine(data):
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
                     f"{c.get('openblas_library')}"),
        ("BLIS", c.get("blis", "not recorded")),
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
  all sizes and, in brackets, the range.  Two identical libraries measured
  this way differ by up to ±10% per point on a small shared machine, so read
  ratios within 0.9–1.1 as a tie.
- **GB/s** counts the bytes a call must move (gemv: the matrix, x and y;
  dot: both vectors).  **% of STREAM read** is 100 × the row's GB/s (median
  time) / the read-only STREAM GB/s (best repetition) at the same thread
  count and working set, interpolated in log(working set) between the two
  measured STREAM sizes around it (the nearest one outside their range):
  these kernels are memory-bound, so 100% is the roofline, and in-cache
  sizes are compared with in-cache bandwidth.
- **Strong scaling** keeps the problem fixed and adds threads.  For a
  memory-bound kernel in DRAM the best possible speedup is the STREAM ratio
  GB/s(t) / GB/s(1), not t.  Karp–Flatt is the serial fraction implied by the
  measured speedup, (1/S − 1/p)/(1 − 1/p).
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
    ("offload.png", "OpenCL offload: end-to-end time against the CPU, break-even"),
    ("offload_split.png", "OpenCL offload: where an end-to-end call's time goes"),
    ("accuracy.png", "Accuracy: relative error vs size"),
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

    head_md, head_text = headline(rows, threads)
    naive_md, _ = textbook(rows, threads)
    stream_md, stream_text = stream_table(rows, threads, cache)
    scale_md, _ = scaling_table(rows, threads)
    images = [(f, t) for f, t in PLOTS if os.path.exists(os.path.join(results_dir, f))]
    opencl = any(r["variant"].startswith(("hpk_cl", "clblast")) for r in rows)

    md = [f"# hpk benchmark study: {ctx.get('host_name', '?')}, {ctx.get('date', '?')}", "",
          f"Command: `{ctx.get('command', '?').strip()}`", "", machine(data),
          f"- **noise**: {noise(rows, threads)}", "",
          "## STREAM bandwidth (the roofline)", "",
          "GB/s of the best repetition, per thread count: the read-only sum and the triad.  Each "
          "row of results.csv is compared (stream_gbps, pct_stream) with the read at its thread count "
          "and working set, interpolated in log(size) between the measured sizes.", "",
          stream_md, "",
          "## hpk OpenMP vs OpenBLAS", "",
          "OpenBLAS time / hpk time at the same thread count (> 1: hpk faster): median over the "
          "sizes (range); GB/s at the largest size.", "", head_md, ""]
    blis_md, blis_text = peers.blis_section(rows, threads, ctx)
    if blis_md:
        md += blis_md
    accuracy_md, accuracy_text = accuracy.section(results_dir)
    if accuracy_md:
        md += accuracy_md
    if naive_md.count("\n") > 1:
        md += ["## Gain over the textbook versions", "",
               "Textbook time / hpk OpenMP time at the same thread count: the row-by-row OpenMP "
               "matvec, and the rand()-based Monte Carlo (median over the sizes, range).", "", naive_md, ""]
    md += ["## Strong scaling at the largest size", "", scale_md, ""]
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
               "cores and the memory with OpenMP, expect none).", "", cl_md, ""]
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
    print(f"Noise: {noise(rows, threads)}")
    print()
    print("STREAM bandwidth, GB/s:")
    print(stream_text)
    print()
    print("hpk OpenMP vs OpenBLAS (OpenBLAS time / hpk time: median over sizes (range)):")
    print(head_text)
    if blis_text:
        print()
        print("hpk OpenMP vs BLIS (BLIS time / hpk time: median over sizes (range)):")
        print(blis_text)
    if accuracy_text:
        print()
        print("Accuracy (worst relative error over the sizes, its ulps):")
        print(accuracy_text)
    if opencl:
        print()
        print("hpk OpenCL vs CLBlast, device-resident (CLBlast time / hpk time), and offload:")
        print(cl_text)
        fc = first_call(results_dir)
        if fc:
            print()
            print("OpenCL first call in a new process:")
            print(fc[1])


if __name__ == "__main__":
    benchdata.main_guard(main)
