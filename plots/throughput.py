"""Throughput vs working-set size, one panel per kernel, one figure per
precision (throughput_d.png, throughput_s.png): GB/s of every variant at the
largest thread count (hpk serial on 1 thread), under the STREAM read-only
bandwidth measured at the same sizes (the roofline), with the cache sizes
marked.  Monte Carlo shows samples per second against the sample count.
Each variant's band spans its slowest to its fastest repetition.

usage: /usr/bin/python3 plots/throughput.py RESULTS_DIR
"""
import benchdata
import benchjson
import plotting
from helpers import PRECISION_NAMES, select, thread_counts

ORDER = ["hpk_omp", "openblas", "naive_omp", "philox_loop", "hpk_cl_kernel", "hpk_cl_e2e", "clblast",
         "hpk_serial"]


def panel(ax, rows, m, kernel, prec, tmax, cache):
    mc = m.samples(kernel)
    metric = "msamples_per_s" if mc else "gbps"
    xkey = "size" if mc else "working_set_bytes"
    for variant in ORDER:
        threads = tmax if m.threaded(variant) else 1
        # the rate and its band: from the slowest to the fastest repetition
        pts = sorted((r[xkey], r[metric], r[metric] * r["time_s"] / r["time_max_s"],
                      r[metric] * r["time_s"] / r["time_min_s"]) for r in select(
            rows, kernel=kernel, precision=prec, variant=variant, threads=threads) if r[metric])
        if not pts:
            continue
        suffix = ", 1 thread" if threads == 1 and tmax > 1 else ""
        xs = [p[0] for p in pts]
        ax.plot(xs, [p[1] for p in pts], label=m.label(variant) + suffix, **plotting.style(variant))
        color = plotting.style(variant)["color"]
        if len(pts) > 1:
            ax.fill_between(xs, [p[2] for p in pts], [p[3] for p in pts], color=color, alpha=0.15, linewidth=0)
        else:  # one size: an error bar
            ax.errorbar(xs, [pts[0][1]], yerr=[[max(0, pts[0][1] - pts[0][2])], [max(0, pts[0][3] - pts[0][1])]], color=color,
                        capsize=3, linestyle="none")
    if not mc:
        for threads, ls in ((tmax, "--"), (1, ":")):
            # The roofline is the best repetition: what the machine delivers.
            pts = sorted((r["working_set_bytes"], r["gbps_best"]) for r in select(
                rows, kernel=m.roofline_read("cpu"), variant="stream", threads=threads))
            if pts and (threads == tmax or tmax > 1):
                ax.plot(*zip(*pts), color="black", linestyle=ls, linewidth=1.3,
                        label=f"STREAM read, {threads} thread{'s' if threads > 1 else ''} "
                              "(best repetition)")
        plotting.bytes_axis(ax)
        plotting.cache_markers(ax, cache)
        ax.set_xlabel("working set")
        ax.set_ylabel("GB/s (log scale)")
    else:
        plotting.count_axis(ax)
        ax.set_xlabel(m.size_label(kernel))
        ax.set_ylabel("million samples / s")
    if mc:
        ax.set_ylim(bottom=0)
    else:
        plotting.rate_axis(ax)
    ax.set_title(m.title(kernel))


def main():
    results_dir = benchjson.results_dir_from_argv("plots/throughput.py")
    data, m, rows = benchdata.read(results_dir)
    cache = benchdata.caches(data)
    tmax = max(thread_counts(rows))
    for prec in ("d", "s"):
        kernels = [k for k in m.measured() if select(rows, kernel=k, precision=prec)]
        if not kernels:
            continue
        fig, axes, spare = plotting.grid(len(kernels), cols=min(4, len(kernels)))
        for ax, kernel in zip(axes, kernels):
            panel(ax, rows, m, kernel, prec, tmax, cache)
        legend_rows = plotting.shared_legend(fig, axes)
        title = (f"Throughput vs size — {PRECISION_NAMES[prec]}, {tmax} thread{'s' if tmax > 1 else ''} "
                 f"(hpk serial on 1)   ·   {plotting.subtitle(data)}")
        plotting.save(fig, results_dir, f"throughput_{prec}.png", title, legend_rows=legend_rows)


if __name__ == "__main__":
    benchjson.main_guard(main)
