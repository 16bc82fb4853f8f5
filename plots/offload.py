"""OpenCL offload, two figures with a panel per kernel (double solid or
plain, float dashed or hatched):

- offload.png: an end-to-end OpenCL call's time (host pointers in and out:
  upload, kernel, download) and the device-resident call's time against
  hpk OpenMP on all cores, with the break-even size of each precision: the
  smallest size from which the end-to-end call wins at every larger size.
  With the device roofline (variant device) also the transfer ceiling --
  the upload alone at the measured pageable upload bandwidth, which no
  end-to-end call can beat -- and the offload model's predicted time and
  break-even (stats.offload_prediction; report.md states the model).
- offload_split.png: where the end-to-end time goes at each size: upload,
  kernel, download and the rest (host-side work), as shares of the call.

Needs the hpk_cl_e2e rows of an OpenCL build (counters upload_s, kernel_s,
download_s); without them it says so and writes nothing.

usage: /usr/bin/python3 plots/offload.py RESULTS_DIR
"""
from matplotlib.patches import Patch

import benchdata
import benchjson
import plotting
import stats
from helpers import PRECISION_NAMES, fmt_count, plural, select, thread_counts

PHASE_STYLE = {"upload_s": ("upload", "#9ecae1"), "kernel_s": ("kernel", "#2ca02c"),
               "download_s": ("download", "#fdae6b")}
PRECISION_LINES = {"d": "-", "s": "--"}
PRECISION_HATCH = {"d": "", "s": "///"}


def split_panel(ax, rows, m, kernel, precs):
    """Stacked bars of the phases' shares, one bar per precision per size."""
    e2e = {p: {r["size"]: r for r in select(rows, kernel=kernel, precision=p,
                                                      variant="hpk_cl_e2e")} for p in precs}
    sizes = sorted(set().union(*e2e.values()))
    width = 0.8 / len(precs)
    for j, p in enumerate(precs):
        xs = [i - 0.4 + width * (j + 0.5) for i, s in enumerate(sizes) if s in e2e[p]]
        got = [s for s in sizes if s in e2e[p]]
        bottom = [0.0] * len(got)
        for phase, (_, color) in PHASE_STYLE.items():
            share = [100 * e2e[p][s].get(phase, 0) / e2e[p][s]["time_s"] for s in got]
            ax.bar(xs, share, width * 0.92, bottom=bottom, color=color, hatch=PRECISION_HATCH[p],
                   edgecolor="white", linewidth=0)
            bottom = [b + v for b, v in zip(bottom, share)]
        ax.bar(xs, [max(0.0, 100 - b) for b in bottom], width * 0.92, bottom=bottom, color="0.85",
               hatch=PRECISION_HATCH[p], edgecolor="white", linewidth=0)
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([fmt_count(s) for s in sizes], rotation=45 if len(sizes) > 4 else 0)
    ax.set_xlim(-0.6, len(sizes) - 0.4)
    ax.set_ylim(0, 100)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel(m.size_label(kernel))
    ax.set_ylabel("% of end-to-end time")
    ax.set_title(m.title(kernel))


def time_panel(ax, rows, m, kernel, precs, tmax):
    """Seconds per call against size, with the break-even of each precision."""
    notes = []
    for p in precs:
        curves = {}
        for variant, threads in (("hpk_cl_e2e", 1), ("hpk_cl_kernel", 1), ("hpk_omp", tmax)):
            pts = {r["size"]: r["time_s"] for r in select(
                rows, kernel=kernel, precision=p, variant=variant, threads=threads)}
            if not pts:
                continue
            curves[variant] = pts
            lab = m.label(variant) + (f", {plural(threads)}" if variant == "hpk_omp" else "")
            ax.plot(sorted(pts), [pts[s] for s in sorted(pts)], linestyle=PRECISION_LINES[p],
                    label=lab, **plotting.style(variant))
            spread = sorted((r["size"], r["time_min_s"], r["time_max_s"]) for r in select(
                rows, kernel=kernel, precision=p, variant=variant, threads=threads))
            ax.fill_between([x[0] for x in spread], [x[1] for x in spread], [x[2] for x in spread],
                            color=plotting.style(variant)["color"], alpha=0.15, linewidth=0)
        pred = stats.offload_prediction(rows, m, kernel, p, tmax)
        if pred:
            up = stats.roofline_curves(rows, m)[m.transfer("upload", "pageable")]
            sizes = sorted(pred)
            e2e = {r["size"]: r for r in select(rows, kernel=kernel, precision=p, variant="hpk_cl_e2e")}
            moved = [stats.offload_bytes(m.size(kernel), p, s, e2e[s]["working_set_bytes"], m.problem(kernel))[0]
                     for s in sizes]
            ceiling = [b / (stats.curve_at(up, b) * 1e9) for b in moved]
            ax.plot(sizes, ceiling, linestyle=PRECISION_LINES[p], color="0.55", linewidth=2.5, alpha=0.6,
                    label="transfer ceiling: upload alone (pageable)")
            ax.plot(sizes, [pred[s][0] for s in sizes], linestyle=PRECISION_LINES[p], color="#17becf",
                    marker="x", alpha=0.7, label="offload model")
            ax.plot(sizes, [pred[s][1] for s in sizes], linestyle=PRECISION_LINES[p], color="#1f77b4",
                    marker="x", alpha=0.5, label=f"CPU model (STREAM read, {plural(tmax)})")
        if "hpk_omp" in curves and "hpk_cl_e2e" in curves:
            s = stats.break_even(curves["hpk_cl_e2e"], curves["hpk_omp"])
            if s:
                ax.axvline(s, color="black", linestyle=PRECISION_LINES[p], linewidth=1)
            note = f"{PRECISION_NAMES[p]}: " + (f"from {fmt_count(s)}" if s else "none")
            if pred:
                ps = stats.predicted_break_even(pred)
                if ps:
                    ax.axvline(ps, color="#17becf", linestyle=PRECISION_LINES[p], linewidth=1)
                note += f" (model: {'from ' + fmt_count(ps) if ps else 'none'})"
            notes.append(note)
    plotting.count_axis(ax)
    ax.set_yscale("log")
    ax.set_xlabel(m.size_label(kernel))
    ax.set_ylabel("seconds per call (log scale)")
    # One line per precision: a panel's title stays within its own width.
    title = m.title(kernel)
    if notes:
        title += "\n" + "\n".join(f"break-even, {n}" for n in notes)
    ax.set_title(title, fontsize=10)


def precision_keys(precs):
    return [(plotting.plt.Line2D([], [], color="black", linestyle=PRECISION_LINES[p]),
             f"{PRECISION_NAMES[p]}") for p in precs]


def main():
    results_dir = benchjson.results_dir_from_argv("plots/offload.py")
    data, m, rows = benchdata.read(results_dir)
    kernels = [k for k in m.measured() if select(rows, kernel=k, variant="hpk_cl_e2e")]
    if not kernels:
        print(f"offload: no OpenCL rows in {results_dir} (no OpenCL backend measured); "
              "offload.png not written")
        return
    tmax = max(thread_counts(rows))
    precs = [p for p in ("d", "s") if select(rows, variant="hpk_cl_e2e", precision=p)]
    cols = min(4, len(kernels))

    fig, axes, _ = plotting.grid(len(kernels), cols=cols)
    for ax, kernel in zip(axes, kernels):
        time_panel(ax, rows, m, kernel, [p for p in precs if select(
            rows, kernel=kernel, precision=p, variant="hpk_cl_e2e")], tmax)
    legend_rows = plotting.shared_legend(fig, axes, ncol=4, extra=precision_keys(precs))
    width, height = fig.get_size_inches()  # the legend's rows below, the panels keep their height
    fig.set_size_inches(width, height + 0.21 * legend_rows)
    title = (f"OpenCL offload: end-to-end time against hpk OpenMP on {plural(tmax)}   ·   "
             f"{plotting.subtitle(data)}")
    plotting.save(fig, results_dir, "offload.png", title, legend_rows=legend_rows)

    fig, axes, _ = plotting.grid(len(kernels), cols=cols)
    for ax, kernel in zip(axes, kernels):
        split_panel(ax, rows, m, kernel, [p for p in precs if select(
            rows, kernel=kernel, precision=p, variant="hpk_cl_e2e")])
    keys = [(Patch(color=c), name) for name, c in PHASE_STYLE.values()]
    keys += [(Patch(color="0.85"), "other (host side)")]
    keys += [(Patch(facecolor="white", edgecolor="0.3", hatch=PRECISION_HATCH[p]),
              f"{PRECISION_NAMES[p]} ({'hatched' if PRECISION_HATCH[p] else 'plain'})")
             for p in precs]
    legend_rows = plotting.shared_legend(fig, [], ncol=6, extra=keys)
    title = f"OpenCL offload: where an end-to-end call's time goes   ·   {plotting.subtitle(data)}"
    plotting.save(fig, results_dir, "offload_split.png", title, legend_rows=legend_rows)


if __name__ == "__main__":
    benchjson.main_guard(main)
