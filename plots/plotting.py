"""Matplotlib set-up shared by the plot scripts: a headless backend, legible
defaults, byte-labelled size axes and cache-size markers."""
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import (FixedLocator, FuncFormatter, LogLocator,  # noqa: E402
                               NullFormatter, NullLocator)

from helpers import fmt_bytes, fmt_count  # noqa: E402

# Each variant's colour and marker (a variant not listed here gets the
# default colour cycle and no marker).
STYLES = {
    "hpk_serial": ("#7f7f7f", "s"), "hpk_omp": ("#1f77b4", "o"), "openblas": ("#d62728", "^"),
    "blis": ("#8c564b", "X"), "naive_omp": ("#ff7f0e", "v"), "philox_loop": ("#bcbd22", "*"),
    "hpk_cl_kernel": ("#2ca02c", "D"), "hpk_cl_e2e": ("#17becf", "d"), "clblast": ("#9467bd", "P"),
    "stream": ("black", ""), "device": ("0.3", ""),
}


def style(variant):
    color, marker = STYLES.get(variant, (None, None))
    return dict(color=color, marker=marker or None)


plt.rcParams.update({
    "figure.dpi": 110,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
})


def grid(n, cols=4, width=4.2, height=3.3, min_width=9.0):
    """A figure with n panels in rows of `cols`, at least min_width inches
    wide (room for the title and the legend); unused panels are hidden."""
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(max(width * cols, min_width), height * rows),
                             squeeze=False)
    flat = [a for row in axes for a in row]
    for a in flat[n:]:
        a.set_visible(False)
    return fig, flat[:n], flat[n:]


def _log2_axis(ax, axis, step, fmt):
    """Log2 axis with major ticks every `step` powers of two, labelled by fmt."""
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log", base=2)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(LogLocator(base=2 ** step))
    target.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))
    target.set_minor_locator(LogLocator(base=2 ** step, subs=[2 ** k for k in range(1, step)]))
    target.set_minor_formatter(NullFormatter())


def bytes_axis(ax, axis="x"):
    """Log2 axis labelled in B / KiB / MiB / GiB at every 16x."""
    _log2_axis(ax, axis, 4, fmt_bytes)


def count_axis(ax, axis="x"):
    """Log2 axis labelled 2^k at every 4x."""
    _log2_axis(ax, axis, 2, fmt_count)


def rate_axis(ax):
    """Log2 y axis for rates spanning cache and DRAM speeds: 4, 8, 16, ... ."""
    ax.set_yscale("log", base=2)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def ratio_axis(ax, lo=1 / 1024, hi=1024):
    """Log2 y axis for ratios, its limits from the data (at least 1/1.5x to
    1.5x, so that the 1x line and the noise band show), labelled 2x, 1x,
    1/2x, ...; only beyond lo..hi are points left out, and the panel then
    says how many."""
    values = [v for line in ax.get_lines() if not line.get_label().startswith("_")
              for v in line.get_ydata() if v > 0]
    if not values:
        return
    bottom = max(lo, min(min(values) / 1.25, 1 / 1.5))
    top = min(hi, max(max(values) * 1.25, 1.5))
    ax.set_yscale("log", base=2)
    ax.set_ylim(bottom, top)
    k0, k1 = math.floor(math.log2(bottom)), math.ceil(math.log2(top))
    step = max(1, math.ceil((k1 - k0) / 8))
    ticks = [2.0 ** k for k in range(k0, k1 + 1) if k % step == 0 and bottom <= 2.0 ** k <= top]
    if len(ticks) < 3:  # a narrow range: label 1.25x and 1.5x steps too
        ticks = sorted(set(ticks) | {v for v in (1 / 1.5, 1 / 1.25, 1.25, 1.5) if bottom <= v <= top})
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}×" if v >= 1 else f"1/{1 / v:.3g}×"))
    ax.yaxis.set_minor_locator(NullLocator())
    off = sum(1 for v in values if not bottom <= v <= top)
    if off:
        ax.annotate(f"{off} point{'s' if off > 1 else ''} off scale", xy=(0.02, 0.02),
                    xycoords="axes fraction", fontsize=8, color="0.35")


def cache_markers(ax, cache):
    """Vertical lines at the L1, L2 and L3 sizes, labelled at the top."""
    for level, size in sorted(cache.items()):
        ax.axvline(size, color="0.55", linestyle=":", linewidth=1, zorder=0)
        ax.annotate(f"L{level}", xy=(size, 1), xycoords=("data", "axes fraction"),
                    xytext=(2, -2), textcoords="offset points", va="top", fontsize=8, color="0.4")


def shared_legend(fig, axes, ncol=6, extra=()):
    """One legend for all panels (plus `extra` (handle, label) pairs), to be
    placed below them by save(); returns its number of rows."""
    handles = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    for h, lab in extra:
        handles.setdefault(lab, h)
    if not handles:
        return 0
    ncol = min(len(handles), ncol)
    renderer = fig.canvas.get_renderer()
    while True:
        # A long handle, so that a dashed line shows its dashes beside its marker.
        legend = fig.legend(list(handles.values()), list(handles.keys()), loc="lower center", ncol=ncol,
                            frameon=False, handlelength=4, bbox_to_anchor=(0.5, 0.005))
        if ncol == 1 or legend.get_window_extent(renderer).width <= 0.98 * fig.bbox.width:
            return math.ceil(len(handles) / ncol)
        legend.remove()  # wider than the figure: fewer columns
        ncol -= 1


def save(fig, results_dir, name, title, legend_rows=0):
    """Titles, lays out (leaving room for legend_rows rows of a shared
    legend right below the panels) and writes RESULTS_DIR/name."""
    text = fig.suptitle(title, fontsize=13, fontweight="bold")
    if text.get_window_extent(fig.canvas.get_renderer()).width > 0.98 * fig.bbox.width:
        text.set_text(title.replace("   ·   ", "\n"))  # a narrow figure: the machine on a second line
    height = fig.get_size_inches()[1]
    bottom = (0.12 + 0.21 * legend_rows) / height if legend_rows else 0
    fig.tight_layout(rect=(0, bottom, 1, 1 - 0.25 * (1 + text.get_text().count("\n")) / height))
    path = os.path.join(results_dir, name)
    fig.savefig(path)
    plt.close(fig)
    print(f"wrote {path}")
    return path


def subtitle(data):
    ctx = data.get("context", {})
    return f"{ctx.get('cpu_model', '?')}, {ctx.get('cores', ctx.get('num_cpus', '?'))} cores, " \
           f"{ctx.get('host_name', '?')}"
