"""Speedup over the peer libraries against size (vs_openblas.png, and
vs_blis.png against BLIS from the speedup_vs_blis column): per kernel,
OpenBLAS's median time over hpk OpenMP's at the same thread count, for each
thread count and precision (double solid, float dashed), on a log axis whose
limits follow the data.  Above 1 hpk is faster.  The shaded band is
+-10%, the point-to-point noise of two identical libraries measured this way
on a small shared machine: differences inside it are not results.
In OpenCL builds, vs_clblast.png does the same for hpk's device-resident
OpenCL calls against CLBlast on the same device and queue.

usage: /usr/bin/python3 plots/vs_peer.py RESULTS_DIR
"""
import benchdata
import plotting

THREAD_COLORS = ["#6baed6", "#08519c", "#74c476", "#006d2c", "#fd8d3c", "#a63603"]
PRECISION_STYLES = {"d": "-", "s": "--"}


def panel(ax, rows, kernel, variants, peer, cache, column="speedup_vs_peer"):
    plotted = False
    for variant in variants:
        for prec, ls in PRECISION_STYLES.items():
            for i, t in enumerate(benchdata.thread_counts(rows)):
                pts = sorted((r["working_set_bytes"], r[column]) for r in benchdata.select(
                    rows, kernel=kernel, precision=prec, variant=variant, threads=t) if r[column])
                if not pts:
                    continue
                lab = f"{benchdata.label(variant)}, {benchdata.PRECISION_NAMES[prec]}"
                if benchdata.threaded(variant):
                    lab += f", {t} thread{'s' if t > 1 else ''}"
                ax.plot(*zip(*pts), color=THREAD_COLORS[i % len(THREAD_COLORS)], linestyle=ls,
                        marker=benchdata.style(variant)["marker"], label=lab)
                plotted = True
    plotting.ratio_axis(ax)
    ax.axhspan(1 / 1.1, 1.1, color="0.85", zorder=0, label="±10%: noise")
    ax.axhline(1, color="black", linewidth=1)
    plotting.bytes_axis(ax)
    plotting.cache_markers(ax, cache)
    ax.set_xlabel("working set")
    ax.set_ylabel(f"{benchdata.short_label(peer)} time / hpk time\n(> 1×: hpk faster; log scale)")
    ax.set_title(benchdata.KERNEL_TITLES.get(kernel, kernel))
    return plotted


def figure(results_dir, data, rows, peer, variants, name, column="speedup_vs_peer"):
    cache = benchdata.caches(data)
    kernels = [k for k in benchdata.KERNELS
               if any(r[column] for r in rows if r["kernel"] == k and r["variant"] in variants)]
    if not kernels:
        print(f"vs_peer: no rows compared with {peer}; {name} not written")
        return
    fig, axes, _ = plotting.grid(len(kernels), cols=min(4, len(kernels)))
    for ax, kernel in zip(axes, kernels):
        panel(ax, rows, kernel, variants, peer, cache, column)
    legend_rows = plotting.shared_legend(fig, axes, ncol=5)
    title = f"Speedup over {benchdata.label(peer)} vs size   ·   {plotting.subtitle(data)}"
    plotting.save(fig, results_dir, name, title, legend_rows=legend_rows)


def main():
    results_dir = benchdata.results_dir_from_argv("plots/vs_peer.py")
    data = benchdata.load_json(results_dir)
    rows = benchdata.tidy_rows(data)
    figure(results_dir, data, rows, "openblas", ["hpk_omp"], "vs_openblas.png")
    if any(r["variant"] == benchdata.SECOND_PEER for r in rows):
        figure(results_dir, data, rows, benchdata.SECOND_PEER, ["hpk_omp"], "vs_blis.png", "speedup_vs_blis")
    if any(r["variant"] == "clblast" for r in rows):
        figure(results_dir, data, rows, "clblast", ["hpk_cl_kernel"], "vs_clblast.png")


if __name__ == "__main__":
    benchdata.main_guard(main)
