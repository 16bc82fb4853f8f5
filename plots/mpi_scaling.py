"""Plots an MPI scaling study: RESULTS_DIR/mpi_results.csv (written by
bench/mpi/hpk_bench_mpi) to RESULTS_DIR/mpi_scaling.png.

One row of panels per scaling mode in the file (strong, weak), one panel per
kernel and precision.  Each panel stacks, for every rank count, the median
call time split into computation (the slowest rank's time outside MPI) and
communication (the rest: transfers, and waiting for the slowest rank), on the
left axis; on the right axis the speedup over one rank (strong scaling,
ideal = ranks) or the efficiency T(1) / T(P) (weak scaling, ideal = 1).
When a point was measured several times (scripts/bench-mpi --rounds), the
run with the median time stands for it.

usage: /usr/bin/python3 plots/mpi_scaling.py RESULTS_DIR [OUTPUT.png]
"""
import csv
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CSV_NAME = "mpi_results.csv"
PNG_NAME = "mpi_scaling.png"
KERNEL_TITLES = {
    "gemv_n": "gemv  y = A x  (y in blocks)",
    "gemv_n_gathered": "gemv  y = A x  (y gathered)",
    "gemv_t": "gemv  y = Aᵀ x",
    "dot": "dot",
    "sum": "sum",
    "asum": "asum",
    "nrm2": "nrm2",
    "iamax": "i?amax",
    "mc_pi": "Monte Carlo pi",
    "mc_integrate": "Monte Carlo integral (3-D)",
}
PRECISIONS = {"d": "double", "s": "float"}
MODES = {"hpk_mpi_strong": "strong scaling (fixed global size)",
         "hpk_mpi_weak": "weak scaling (fixed size per rank)"}
COMPUTE, COMM, RATIO = "#1f77b4", "#ff7f0e", "#2ca02c"


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for key in ("size", "ranks", "threads"):
            r[key] = int(r[key])
        for key in ("time_s", "compute_s", "comm_s"):
            r[key] = float(r[key])
    return rows


def series_key(r):
    """A series is one kernel, precision and problem: the global size for
    strong scaling, the size per rank for weak scaling."""
    per = r["size"] // r["ranks"] if r["variant"] == "hpk_mpi_weak" else r["size"]
    return (r["kernel"], r["precision"], per, r["threads"])


def size_label(kernel, size, weak):
    unit = "rows" if kernel.startswith("gemv") else "samples" if kernel.startswith("mc_") else "elements"
    exp = math.log2(size) if size > 0 else 0
    text = f"2^{exp:.0f}" if exp == int(exp) and size >= 1024 else f"{size:,}"
    return f"{text} {unit}{' per rank' if weak else ''}"


def panel(ax, rows, weak):
    by_ranks = {}
    for r in sorted(rows, key=lambda r: r["time_s"]):
        by_ranks.setdefault(r["ranks"], []).append(r)
    by_ranks = {p: runs[(len(runs) - 1) // 2] for p, runs in by_ranks.items()}
    ranks = sorted(by_ranks)
    pos = list(range(len(ranks)))
    compute = [by_ranks[p]["compute_s"] * 1e3 for p in ranks]
    comm = [max(by_ranks[p]["comm_s"], 0.0) * 1e3 for p in ranks]
    ax.bar(pos, compute, color=COMPUTE, width=0.6, label="compute")
    ax.bar(pos, comm, bottom=compute, color=COMM, width=0.6, label="communication")
    ax.set_xticks(pos, [str(p) for p in ranks])
    ax.set_xlabel("MPI ranks")
    ax.set_ylabel("time per call [ms]")
    ax.yaxis.set_label_coords(-0.12, 0.25)
    # Bars in the lower half of the panel, the ratio curve in the upper part.
    top = max(c + m for c, m in zip(compute, comm))
    ax.set_ylim(0, top / 0.5)
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top * 1.05])
    for x, c, m in zip(pos, compute, comm):
        share = m / (c + m) if c + m > 0 else 0.0
        ax.text(x, c + m + top * 0.03, f"{c + m:.3g} ms, {share:.0%} comm", ha="center", va="bottom", fontsize=7)

    twin = ax.twinx()
    if 1 in by_ranks:
        base = by_ranks[1]["time_s"]
        ratio = [base / by_ranks[p]["time_s"] for p in ranks]
        ideal = [1.0] * len(ranks) if weak else [float(p) for p in ranks]
        high = max(max(ratio), max(ideal)) * 1.05
        twin.set_ylim(-1.6 * high, 1.22 * high)
        twin.plot(pos, ideal, ls="--", color="grey", lw=1, label="ideal")
        twin.plot(pos, ratio, marker="o", color=RATIO, lw=1.8, label="efficiency" if weak else "speedup")
        twin.set_yticks([t for t in twin.get_yticks() if 0 <= t <= high])
        twin.set_ylabel("efficiency T(1)/T(P)" if weak else "speedup T(1)/T(P)", color=RATIO)
        twin.yaxis.set_label_coords(1.1, 0.8)
        for x, v in zip(pos, ratio):
            twin.annotate(f"{v:.2f}", (x, v), textcoords="offset points", xytext=(0, 7), ha="center", color=RATIO,
                          fontsize=8, fontweight="bold")
    twin.tick_params(axis="y", colors=RATIO)
    twin.grid(False)
    return twin


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) > 1 else 2)
    results = sys.argv[1]
    output = sys.argv[2] if len(sys.argv) == 3 else os.path.join(results, PNG_NAME)
    rows = read(os.path.join(results, CSV_NAME))
    if not rows:
        sys.exit(f"{CSV_NAME} in {results} has no rows")

    modes = [m for m in MODES if any(r["variant"] == m for r in rows)]
    order = list(KERNEL_TITLES)
    layout = []
    for mode in modes:
        series = {}
        for r in rows:
            if r["variant"] == mode:
                series.setdefault(series_key(r), []).append(r)
        keys = sorted(series, key=lambda k: (order.index(k[0]) if k[0] in order else 99, k[1], k[2], k[3]))
        layout.append((mode, [(k, series[k]) for k in keys]))

    cols = min(4, max(len(panels) for _, panels in layout))
    nrows = sum(math.ceil(len(panels) / cols) for _, panels in layout)
    fig, axes = plt.subplots(nrows, cols, figsize=(4.6 * cols, 3.6 * nrows), squeeze=False)
    for a in axes.flat:
        a.set_visible(False)
    row = 0
    handles = None
    for mode, panels in layout:
        weak = mode == "hpk_mpi_weak"
        for i, (key, series) in enumerate(panels):
            ax = axes[row + i // cols][i % cols]
            ax.set_visible(True)
            ax.grid(True, axis="y", alpha=0.3)
            kernel, precision, size, threads = key
            twin = panel(ax, series, weak)
            ax.set_title(f"{KERNEL_TITLES.get(kernel, kernel)}, {PRECISIONS.get(precision, precision)}\n"
                         f"{size_label(kernel, size, weak)}, {threads} thread(s)/rank — {'weak' if weak else 'strong'}",
                         fontsize=9)
            if handles is None:
                h1, l1 = ax.get_legend_handles_labels()
                h2, l2 = twin.get_legend_handles_labels()
                handles = (h1 + h2, l1 + l2)
        row += math.ceil(len(panels) / cols)
    title = "hpk across MPI ranks: " + "; ".join(MODES[m] for m in modes)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    if handles:
        fig.legend(*handles, loc="lower center", ncol=len(handles[0]), frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    fig.savefig(output, dpi=110)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
