"""Speedup over the peer libraries against size (vs_openblas.png, and
vs_blis.png against BLIS from the speedup_vs_blis column): per kernel,
OpenBLAS's time over hpk OpenMP's at the same thread count (the median of
the rounds' ratios, stats.paired_ratio), for each thread count and
precision (double solid, float dashed), on a log axis whose limits follow
the data.  Above 1 hpk is faster.  Each line's band is the ratio's
interval (the smallest and largest of the rounds' ratios); a point whose
interval includes 1 is a tie, drawn hollow.
In OpenCL builds, vs_clblast.png does the same for hpk's device-resident
OpenCL calls against CLBlast on the same device and queue.

usage: /usr/bin/python3 plots/vs_peer.py RESULTS_DIR
"""
import benchdata
import benchjson
import plotting
from helpers import PRECISION_NAMES, select, thread_counts

THREAD_COLORS = ["#6baed6", "#08519c", "#74c476", "#006d2c", "#fd8d3c", "#a63603"]
PRECISION_STYLES = {"d": "-", "s": "--"}


def panel(ax, rows, m, kernel, variants, peer, cache, column="speedup_vs_peer"):
    plotted = False
    for variant in variants:
        for prec, ls in PRECISION_STYLES.items():
            for i, t in enumerate(thread_counts(rows)):
                sel = sorted((r for r in select(rows, kernel=kernel, precision=prec, variant=variant,
                                                          threads=t) if r[column]),
                             key=lambda r: r["working_set_bytes"])
                if not sel:
                    continue
                lab = f"{m.label(variant)}, {PRECISION_NAMES[prec]}"
                if m.threaded(variant):
                    lab += f", {t} thread{'s' if t > 1 else ''}"
                color = THREAD_COLORS[i % len(THREAD_COLORS)]
                marker = plotting.style(variant)["marker"]
                xs = [r["working_set_bytes"] for r in sel]
                ax.plot(xs, [r[column] for r in sel], color=color, linestyle=ls, marker=marker, label=lab)
                if column != "speedup_vs_peer":  # intervals and ties: the first peer's (benchdata.py)
                    plotted = True
                    continue
                ax.fill_between(xs, [r["speedup_vs_peer_lo"] for r in sel], [r["speedup_vs_peer_hi"] for r in sel],
                                color=color, alpha=0.12, linewidth=0)
                ties = [r for r in sel if r["vs_peer"] == "tie"]
                if ties:  # hollow: within the noise
                    ax.plot([r["working_set_bytes"] for r in ties], [r["speedup_vs_peer"] for r in ties],
                            linestyle="none", marker=marker, color=color, markerfacecolor="white", label="_")
                plotted = True
    plotting.ratio_axis(ax)
    ax.axhline(1, color="black", linewidth=1)
    plotting.bytes_axis(ax)
    plotting.cache_markers(ax, cache)
    ax.set_xlabel("working set")
    ax.set_ylabel(f"{m.short(peer)} time / hpk time\n(> 1×: hpk faster; log scale)")
    ax.set_title(m.title(kernel))
    return plotted


def figure(results_dir, data, rows, m, peer, variants, name, column="speedup_vs_peer"):
    cache = benchdata.caches(data)
    kernels = [k for k in m.measured()
               if any(r[column] for r in rows if r["kernel"] == k and r["variant"] in variants)]
    if not kernels:
        print(f"vs_peer: no rows compared with {peer}; {name} not written")
        return
    fig, axes, _ = plotting.grid(len(kernels), cols=min(4, len(kernels)))
    for ax, kernel in zip(axes, kernels):
        panel(ax, rows, m, kernel, variants, peer, cache, column)
    tie = plotting.plt.Line2D([], [], color="0.3", marker="o", markerfacecolor="white", linestyle="none")
    band = plotting.plt.Rectangle((0, 0), 1, 1, color="0.3", alpha=0.15)
    extra = [(tie, "hollow: tie (interval includes 1)"), (band, "band: min–max over the repetitions")]
    legend_rows = plotting.shared_legend(fig, axes, ncol=5, extra=extra if column == "speedup_vs_peer" else ())
    title = f"Speedup over {m.label(peer)} vs size   ·   {plotting.subtitle(data)}"
    plotting.save(fig, results_dir, name, title, legend_rows=legend_rows)


def main():
    results_dir = benchjson.results_dir_from_argv("plots/vs_peer.py")
    data, m, rows = benchdata.read(results_dir)
    figure(results_dir, data, rows, m, "openblas", ["hpk_omp"], "vs_openblas.png")
    second = m.second_peer()
    if any(r["variant"] == second for r in rows):
        figure(results_dir, data, rows, m, second, ["hpk_omp"], f"vs_{second}.png", "speedup_vs_blis")
    if any(r["variant"] == "clblast" for r in rows):
        figure(results_dir, data, rows, m, "clblast", ["hpk_cl_kernel"], "vs_clblast.png")


if __name__ == "__main__":
    benchjson.main_guard(main)
