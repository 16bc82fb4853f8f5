"""Plots hpk across MPI ranks: RESULTS_DIR/mpi_results.csv (written by
bench/mpi/hpk_bench_mpi under scripts/bench or scripts/bench-mpi) to
RESULTS_DIR/mpi_scaling.png.

One panel per scaling mode (strong, weak; each with the balanced split or
an uneven one), kernel, precision and problem.
Along the x axis, every configuration measured: P ranks x T threads per
rank, in order of the cores they occupy.  Bars (left axis): the median call
time split into computation (the slowest rank's time outside MPI) and
communication (the rest: transfers, and waiting for the slowest rank).
Line (right axis): the speedup over the fewest cores measured (1 rank x 1
thread where present) for strong scaling, with the ideal (cores used over
the base's), or the efficiency T(1 rank) / T(P ranks) for weak scaling
(ideal 1).  In a scripts/bench study, diamonds mark hpk OpenMP in one
process on the same number of threads (results.csv), on the same speedup
scale: where they sit above the line, threads beat ranks.  When a point was
measured several times (scripts/bench-mpi --rounds), the run with the
median time stands for it.

usage: /usr/bin/python3 plots/mpi_scaling.py RESULTS_DIR [OUTPUT.png]
"""
import csv
import json
import math
import os
import re
import sys

import plotting  # noqa: F401  (the headless backend and defaults)
import matplotlib.pyplot as plt  # noqa: E402

import benchdata  # noqa: E402
import benchjson  # noqa: E402
import manifest  # noqa: E402
import mpidata  # noqa: E402
from helpers import PRECISION_NAMES, fmt_count  # noqa: E402

PNG_NAME = "mpi_scaling.png"
# What a problem's size counts, by the manifest's size of the kernel.
SIZE_UNITS = {"matrix": "rows", "samples": "samples"}
MODES = {"hpk_mpi_strong": "strong scaling (fixed global size)",
         "hpk_mpi_weak": "weak scaling (fixed size per rank)",
         "hpk_mpi_strong_uneven": "strong scaling, uneven split",
         "hpk_mpi_weak_uneven": "weak scaling, uneven split"}
COMPUTE, COMM, RATIO, THREADS = "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"


def series_key(r):
    """A series is one kernel, precision and problem: the global size for
    strong scaling, the size per rank for weak scaling."""
    weak = mpidata.is_weak(r["variant"])
    return (r["variant"], r["kernel"], r["precision"], r["size"] // r["ranks"] if weak else r["size"])


def size_label(m, kernel, size, weak):
    unit = SIZE_UNITS.get(m.size(kernel), "elements")
    return f"{fmt_count(size)} {unit}{' per rank' if weak else ''}"


def omp_times(results_dir):
    """hpk OpenMP's median times from the folder's results.csv:
    {(kernel, precision, size, threads): seconds}; {} without one.  With
    --cpu-path runs a point appears once per path: the folder's own run,
    whose rows come first, gives it."""
    path = os.path.join(results_dir, benchdata.CSV_NAME)
    if not os.path.exists(path):
        return {}
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["variant"] == "hpk_omp" and r["time_s"]:
                out.setdefault((r["kernel"], r["precision"], int(r["size"]), int(r["threads"])), float(r["time_s"]))
    return out


def machine(results_dir):
    """Where the study ran: bench.json's context, else the MPI log's host."""
    try:
        with open(os.path.join(results_dir, benchjson.JSON_NAME)) as f:
            return plotting.subtitle(json.load(f))
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(results_dir, "mpi_study.txt")) as f:
            found = re.search(r" on (\S+)", f.readline())
            return found.group(1) if found else "?"
    except OSError:
        return "?"


def panel(ax, rows, weak, omp):
    configs = sorted(rows, key=lambda r: (r["ranks"] * r["threads"], r["ranks"]))
    pos = list(range(len(configs)))
    # Milliseconds, or microseconds for calls under 0.1 ms.
    scale, unit = (1e3, "ms") if max(r["time_s"] for r in configs) >= 1e-4 else (1e6, "µs")
    compute = [min(r["compute_s"], r["time_s"]) * scale for r in configs]
    comm = [r["time_s"] * scale - c for r, c in zip(configs, compute)]
    ax.bar(pos, compute, color=COMPUTE, width=0.6, label="compute")
    ax.bar(pos, comm, bottom=compute, color=COMM, width=0.6, label="communication")
    ax.set_xticks(pos, [f"{r['ranks']}×{r['threads']}" for r in configs])
    ax.set_xlabel("MPI ranks × threads per rank")
    ax.set_ylabel(f"time per call [{unit}]")
    ax.yaxis.set_label_coords(-0.12, 0.25)
    # Bars in the lower half of the panel, the ratio curve in the upper part.
    top = max(c + m for c, m in zip(compute, comm))
    ax.set_ylim(0, top / 0.5)
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top * 1.05])
    for x, c, m in zip(pos, compute, comm):
        ax.text(x, c + m + top * 0.03, f"{c + m:.3g} {unit}\n{m / (c + m) if c + m > 0 else 0:.0%} comm",
                ha="center", va="bottom", fontsize=7)

    twin = ax.twinx()
    twin.grid(False)
    twin.tick_params(axis="y", colors=RATIO)
    # Weak scaling compares ranks at the same threads per rank; strong
    # scaling every configuration with the fewest cores.
    base = min(configs, key=lambda r: (r["ranks"] * r["threads"], r["ranks"]))
    threads = []
    if weak:
        one_rank = {r["threads"]: r["time_s"] for r in configs if r["ranks"] == 1}
        ratio = [one_rank[r["threads"]] / r["time_s"] if r["threads"] in one_rank else math.nan for r in configs]
        ideal = [1.0] * len(configs)
    else:
        ratio = [base["time_s"] / r["time_s"] for r in configs]
        ideal = [r["ranks"] * r["threads"] / (base["ranks"] * base["threads"]) for r in configs]
        for x, r in zip(pos, configs):
            key = (r["kernel"], r["precision"], r["size"], r["ranks"] * r["threads"])
            if key in omp:
                threads.append((x, base["time_s"] / omp[key]))
    high = max([v for v in ratio + ideal if not math.isnan(v)] + [v for _, v in threads]) * 1.05
    twin.set_ylim(-1.6 * high, 1.22 * high)
    twin.plot(pos, ideal, ls="--", color="grey", lw=1, label="ideal")
    twin.plot(pos, ratio, marker="o", color=RATIO, lw=1.8,
              label="efficiency T(1 rank)/T(P ranks)" if weak else "speedup over the fewest cores")
    if threads:
        twin.plot(*zip(*threads), ls="none", marker="D", color=THREADS, ms=6,
                  label="hpk OpenMP, one process on ranks × threads threads")
    twin.set_yticks([t for t in twin.get_yticks() if 0 <= t <= high])
    twin.set_ylabel("efficiency" if weak else "speedup", color=RATIO)
    twin.yaxis.set_label_coords(1.1, 0.8)
    for x, v in zip(pos, ratio):
        if not math.isnan(v):
            twin.annotate(f"{v:.2f}", (x, v), textcoords="offset points", xytext=(0, 7), ha="center",
                          color=RATIO, fontsize=8, fontweight="bold")
    return twin


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        sys.exit(0 if len(sys.argv) > 1 else 2)
    results = sys.argv[1]
    output = sys.argv[2] if len(sys.argv) == 3 else os.path.join(results, PNG_NAME)
    rows = mpidata.median_rounds(mpidata.read_raw(results))
    if not rows:
        sys.exit(f"{results} has no {mpidata.CSV_NAME} with rows")
    omp = omp_times(results)
    try:
        m = manifest.load(results)
    except benchjson.NoResults as e:
        sys.exit(str(e))

    series = {}
    for r in rows:
        series.setdefault(series_key(r), []).append(r)
    keys = sorted(series, key=lambda k: (list(MODES).index(k[0]), m.order(k[1]),
                                         k[2], k[3]))
    cols = min(4, len(keys))
    nrows = math.ceil(len(keys) / cols)
    width = max(4.6, 1.0 + 0.9 * max(len(s) for s in series.values()))
    fig, axes = plt.subplots(nrows, cols, figsize=(width * cols, 4.2 * nrows + 1.2), squeeze=False)
    for a in axes.flat:
        a.set_visible(False)
    panels = []
    for i, key in enumerate(keys):
        ax = axes[i // cols][i % cols]
        ax.set_visible(True)
        ax.grid(True, axis="y", alpha=0.3)
        variant, kernel, precision, size = key
        weak = mpidata.is_weak(variant)
        panels += [ax, panel(ax, series[key], weak, omp)]
        ax.set_title(f"{m.title(kernel, mpi=True)}, {PRECISION_NAMES.get(precision, precision)}\n"
                     f"{size_label(m, kernel, size, weak)} — {'weak' if weak else 'strong'}"
                     f"{', uneven split' if mpidata.is_uneven(variant) else ''}", fontsize=9,
                     fontweight="normal")
    modes = sorted({k[0] for k in keys}, key=list(MODES).index)
    legend_rows = plotting.shared_legend(fig, panels, ncol=3)
    plotting.save(fig, os.path.dirname(output) or ".", os.path.basename(output),
                  f"hpk across MPI ranks and threads: {'; '.join(MODES[m] for m in modes)}   ·   {machine(results)}",
                  legend_rows)


if __name__ == "__main__":
    main()
