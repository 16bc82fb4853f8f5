"""Strong scaling: the same problem on more threads.  One figure per
precision (scaling_d.png, scaling_s.png); per kernel, speedup over the same
variant on 1 thread (top) and parallel efficiency (bottom) against threads,
for sizes that fit in L2, in L3 and that live in DRAM, each with a band
(the smallest and largest of the rounds' 1-thread over t-thread time,
stats.paired_ratio), and the ideal line.  A memory-bound kernel is compared
with its bandwidth-limited ideal, the STREAM read ratio BW(t)/BW(1) at its
largest size; the compute-bound Monte Carlo with t, and an Amdahl fit of
hpk's largest size where there are at least three thread counts (with two
a fit only restates the one speedup).

usage: /usr/bin/python3 plots/scaling.py RESULTS_DIR
"""
import math

import benchdata
import benchjson
import plotting
import stats
from helpers import PRECISION_NAMES, fmt_bytes, fmt_count, select, thread_counts

CLASS_SHADES = {"hpk_omp": ["#9ecae1", "#4292c6", "#08306b"],
                "openblas": ["#fcbba1", "#ef3b2c", "#67000d"],
                "naive_omp": ["#fdd0a2", "#fd8d3c", "#a63603"],
                "philox_loop": ["#e5e5a0", "#dbdb8d", "#8c8c14"]}


amdahl_fraction = stats.amdahl_fraction


def curve(rows, kernel, prec, variant, size):
    """[(threads, speedup, lo, hi)]: the interval at 1 thread is (1, 1)."""
    pts = sorted((r["threads"], r["speedup_vs_1thread"], r["speedup_vs_1thread_lo"] or r["speedup_vs_1thread"],
                  r["speedup_vs_1thread_hi"] or r["speedup_vs_1thread"]) for r in select(
        rows, kernel=kernel, precision=prec, variant=variant, size=size) if r["speedup_vs_1thread"])
    return pts if len(pts) > 1 else []


def class_note(m, kernel, classes, rows):
    """'small: 512 KiB, in L2' and so on, one line per class."""
    lines = []
    for name, where, size in classes:
        if m.size(kernel) == "samples":
            lines.append(f"{name}: {fmt_count(size)} samples")
        else:
            ws = next(r["working_set_bytes"] for r in rows if r["size"] == size)
            lines.append(f"{name}: {fmt_bytes(ws)}, {where}")
    return "\n".join(lines)


def panels(ax_s, ax_e, rows, m, kernel, prec, cache, threads):
    krows = select(rows, kernel=kernel, precision=prec)
    classes = stats.size_classes(krows, cache)
    fit = None
    for variant, ls in (("hpk_omp", "-"), ("openblas", "--"), ("naive_omp", "-."),
                        ("philox_loop", (0, (3, 1, 1, 1, 1, 1)))):
        # the baselines at the largest size only, to keep the panel legible
        shown = classes[-1:] if variant in ("naive_omp", "philox_loop") else classes
        shades = CLASS_SHADES[variant][-len(shown):]
        for (name, _, size), color in zip(shown, shades):
            pts = curve(krows, kernel, prec, variant, size)
            if not pts:
                continue
            lab = f"{m.label(variant)}, {name}"
            marker = plotting.style(variant)["marker"]
            ps = [p[0] for p in pts]
            ax_s.plot(ps, [p[1] for p in pts], color=color, linestyle=ls, marker=marker, label=lab)
            ax_s.fill_between(ps, [p[2] for p in pts], [p[3] for p in pts], color=color, alpha=0.15,
                              linewidth=0)
            ax_e.plot(ps, [p[1] / p[0] for p in pts], color=color, linestyle=ls, marker=marker, label=lab)
            ax_e.fill_between(ps, [p[2] / p[0] for p in pts], [p[3] / p[0] for p in pts], color=color,
                              alpha=0.15, linewidth=0)
            if variant == "hpk_omp":
                fit = ([(p[0], p[1]) for p in pts], color)
    if fit and not m.memory_bound(kernel):
        f = amdahl_fraction(fit[0])
        if f is None:
            ax_s.annotate(f"no Amdahl fit: {len(fit[0])} thread counts "
                          f"(needs {stats.AMDAHL_MIN_THREAD_COUNTS})", xy=(0.03, 0.97),
                          xycoords="axes fraction", va="top", fontsize=8.5, color="0.35")
        if f is not None and -0.05 <= f <= 1:  # rounding can make a perfect fit slightly negative
            f = max(f, 0.0)
            ps = [1 + i * (threads[-1] - 1) / 40 for i in range(41)]
            ax_s.plot(ps, [1 / (f + (1 - f) / p) for p in ps], color=fit[1], linewidth=1,
                      linestyle=(0, (1, 1)), label="Amdahl fit, hpk OpenMP large")
            ax_s.annotate(f"Amdahl fit: serial fraction {f:.2f}", xy=(0.03, 0.97),
                          xycoords="axes fraction", va="top", fontsize=8.5, color=fit[1])
    if m.memory_bound(kernel):
        stream_rows = select(rows, kernel=m.roofline_read("cpu"))
        if stream_rows:
            big = max(r["size"] for r in stream_rows)
            best = {r["threads"]: r["gbps_best"] for r in stream_rows if r["size"] == big}
            stream = sorted((t, g / best[1]) for t, g in best.items() if g and best.get(1))
            if len(stream) > 1:
                lab = "bandwidth-limited ideal: STREAM read BW(t) / BW(1), largest size, best repetitions"
                ax_s.plot(*zip(*stream), color="0.35", linewidth=3, alpha=0.45, label=lab)
                ax_e.plot([p for p, _ in stream], [s / p for p, s in stream], color="0.35",
                          linewidth=3, alpha=0.45, label=lab)
    ax_s.plot(threads, threads, color="black", linestyle=":", linewidth=1, label="ideal")
    ax_e.axhline(1, color="black", linestyle=":", linewidth=1)
    ax_e.annotate(class_note(m, kernel, classes, krows), xy=(0.03, 0.04), xycoords="axes fraction",
                  fontsize=8, color="0.3", va="bottom")
    for ax in (ax_s, ax_e):
        ax.set_xticks(threads)
        ax.set_xlabel("threads")
    top = max([threads[-1]] + [max(l.get_ydata()) for l in ax_s.get_lines()])
    ax_s.set_ylim(0, top * 1.15)
    ax_e.set_ylim(0, max([1.2] + [max(l.get_ydata()) * 1.1 for l in ax_e.get_lines()]))
    ax_s.set_ylabel("speedup vs 1 thread")
    ax_e.set_ylabel("parallel efficiency")
    ax_s.set_title(f"{m.title(kernel)}: speedup")
    ax_e.set_title(f"{m.title(kernel)}: efficiency", fontweight="normal")


def main():
    results_dir = benchjson.results_dir_from_argv("plots/scaling.py")
    data, m, rows = benchdata.read(results_dir)
    threads = thread_counts(rows)
    if len(threads) < 2:
        print("scaling: one thread count only; no scaling plot")
        return
    cache = benchdata.caches(data)
    for prec in ("d", "s"):
        kernels = [k for k in m.measured() if select(rows, kernel=k, precision=prec)]
        if not kernels:
            continue
        cols = min(4, len(kernels))
        fig, axes, _ = plotting.grid(2 * cols * math.ceil(len(kernels) / cols), cols=cols, height=3.0)
        used = []
        for i, kernel in enumerate(kernels):
            r, c = divmod(i, cols)
            ax_s, ax_e = axes[2 * r * cols + c], axes[(2 * r + 1) * cols + c]
            panels(ax_s, ax_e, rows, m, kernel, prec, cache, threads)
            used += [ax_s, ax_e]
        for ax in axes:
            if ax not in used:
                ax.set_visible(False)
        legend_rows = plotting.shared_legend(fig, used, ncol=4)
        title = (f"Strong scaling — {PRECISION_NAMES[prec]}: speedup and efficiency vs threads"
                 f"   ·   {plotting.subtitle(data)}")
        plotting.save(fig, results_dir, f"scaling_{prec}.png", title, legend_rows=legend_rows)


if __name__ == "__main__":
    benchjson.main_guard(main)
