"""OpenCL offload (offload.png): where the time of an end-to-end OpenCL call
goes (upload, kernel, download) at each size, and its total time against
hpk OpenMP on all cores, with the break-even size: the smallest size from
which offloading wins at every larger size.  Needs the hpk_cl_e2e rows of an
OpenCL build (counters upload_s, kernel_s, download_s); without them it says
so and writes nothing.

usage: /usr/bin/python3 plots/offload.py RESULTS_DIR
"""
import benchdata
import plotting

PHASE_STYLE = {"upload_s": ("upload", "#9ecae1"), "kernel_s": ("kernel", "#2ca02c"),
               "download_s": ("download", "#fdae6b")}


def panels(ax_split, ax_time, rows, kernel, prec, tmax):
    e2e = {r["size"]: r for r in benchdata.select(rows, kernel=kernel, precision=prec, variant="hpk_cl_e2e")}
    sizes = sorted(e2e)
    xs = range(len(sizes))
    bottom = [0.0] * len(sizes)
    for phase, (name, color) in PHASE_STYLE.items():
        share = [100 * e2e[s].get(phase, 0) / e2e[s]["time_s"] for s in sizes]
        ax_split.bar(xs, share, bottom=bottom, color=color, label=name)
        bottom = [b + v for b, v in zip(bottom, share)]
    ax_split.bar(xs, [max(0.0, 100 - b) for b in bottom], bottom=bottom, color="0.85", label="other (host)")
    ax_split.set_xticks(list(xs))
    ax_split.set_xticklabels([benchdata.fmt_count(s) for s in sizes], rotation=45)
    ax_split.set_ylim(0, 100)
    ax_split.set_xlabel("size (n)")
    ax_split.set_ylabel("% of end-to-end time")
    ax_split.set_title(f"{benchdata.KERNEL_TITLES.get(kernel, kernel)}, {benchdata.PRECISION_NAMES[prec]}: "
                       "where the time goes")

    curves = {}
    for variant, threads in (("hpk_cl_e2e", 1), ("hpk_cl_kernel", 1), ("clblast", 1), ("hpk_omp", tmax)):
        pts = {r["size"]: r["time_s"] for r in benchdata.select(
            rows, kernel=kernel, precision=prec, variant=variant, threads=threads)}
        if pts:
            curves[variant] = pts
            lab = benchdata.label(variant) + (f", {threads} threads" if variant == "hpk_omp" else "")
            ax_time.plot(sorted(pts), [pts[s] for s in sorted(pts)], label=lab, **benchdata.style(variant))
    if "hpk_omp" in curves:
        s = benchdata.break_even(curves["hpk_cl_e2e"], curves["hpk_omp"])
        text = f"break-even: n = {benchdata.fmt_count(s)}" if s else "no break-even in the measured sizes"
        if s:
            ax_time.axvline(s, color="black", linestyle="--", linewidth=1)
        ax_time.annotate(text, xy=(0.03, 0.97), xycoords="axes fraction", va="top", fontsize=9)
    plotting.count_axis(ax_time)
    ax_time.set_yscale("log")
    ax_time.set_xlabel("size (n)")
    ax_time.set_ylabel("seconds per call")
    ax_time.set_title(f"{benchdata.KERNEL_TITLES.get(kernel, kernel)}, {benchdata.PRECISION_NAMES[prec]}: "
                      "offload vs CPU")


def main():
    results_dir = benchdata.results_dir_from_argv("plots/offload.py")
    data = benchdata.load_json(results_dir)
    rows = benchdata.tidy_rows(data)
    order = {k: i for i, k in enumerate(benchdata.KERNELS)}
    cases = sorted({(r["kernel"], r["precision"]) for r in rows if r["variant"] == "hpk_cl_e2e"},
                   key=lambda c: (order.get(c[0], len(order)), c[1]))
    if not cases:
        print(f"offload: no OpenCL rows in {results_dir} (no OpenCL backend measured); "
              "offload.png not written")
        return
    tmax = max(benchdata.thread_counts(rows))
    fig, axes, _ = plotting.grid(2 * len(cases), cols=4)
    for i, (kernel, prec) in enumerate(cases):
        panels(axes[2 * i], axes[2 * i + 1], rows, kernel, prec, tmax)
    plotting.shared_legend(fig, axes, ncol=7)
    title = f"OpenCL offload: time split and break-even   ·   {plotting.subtitle(data)}"
    plotting.save(fig, results_dir, "offload.png", title, legend_space=0.06)


if __name__ == "__main__":
    main()
