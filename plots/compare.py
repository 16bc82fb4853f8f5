"""Run-to-run comparison of two results folders (two commits, two machines,
before and after a change): per point (kernel, precision, variant, size,
threads, data) the ratio of the median times OLD / NEW (> 1: NEW is
faster), its min–max interval over the repetitions, and a two-sided
Mann–Whitney U test over the repetitions (as Google Benchmark's
tools/compare.py does).  A point got faster or slower beyond the noise when
p < ALPHA and the ratio differs from 1 by more than THRESHOLD; every other
point is "same".  Writes compare.csv, compare.md and compare.png into OUT
(default: NEW).  Builds and runs nothing.

usage: /usr/bin/python3 plots/compare.py OLD NEW [OUT]
"""
import csv
import math
import os
import statistics
import sys
from functools import lru_cache

import benchdata
import noise

ALPHA = 0.05
THRESHOLD = 0.05
CSV_COLUMNS = ["kernel", "precision", "variant", "size", "threads", "data", "working_set_bytes",
               "old_repetitions", "new_repetitions", "old_time_s", "new_time_s", "speedup", "speedup_lo",
               "speedup_hi", "p_value", "change"]


# ---- the Mann–Whitney U test -------------------------------------------------
@lru_cache(maxsize=None)
def _u_counts(m, n):
    """How many of the C(m+n, m) orderings of two samples of sizes m and n
    (no ties) give each value of U: a tuple indexed by U = 0 .. m n."""
    if m == 0 or n == 0:
        return (1,)
    a = _u_counts(m - 1, n)  # the largest value is from the second sample: U unchanged
    b = _u_counts(m, n - 1)  # from the first: it beats all n of the second
    out = [0] * (m * n + 1)
    for k, c in enumerate(b):
        out[k] += c
    for k, c in enumerate(a):
        out[k + n] += c
    return tuple(out)


def mann_whitney(x, y):
    """Two-sided p-value of the Mann–Whitney U test of samples x and y:
    exact without ties (up to 50 a side), otherwise the normal
    approximation with the tie correction and a continuity correction
    (scipy.stats.mannwhitneyu's 'auto').  None when a sample is empty."""
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        return None
    values = sorted((v, i) for i, v in enumerate(list(x) + list(y)))
    ranks = [0.0] * (n1 + n2)
    ties = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1][0] == values[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[values[k][1]] = (i + j) / 2 + 1
        ties.append(j - i + 1)
        i = j + 1
    u1 = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    if max(ties) == 1 and max(n1, n2) <= 50:
        counts = _u_counts(min(n1, n2), max(n1, n2))
        p = 2 * sum(counts[int(round(u)):]) / math.comb(n1 + n2, n1)
        return min(1.0, p)
    n = n1 + n2
    sigma2 = n1 * n2 / 12 * ((n + 1) - sum(t ** 3 - t for t in ties) / (n * (n - 1)))
    if sigma2 <= 0:
        return 1.0
    z = (u - n1 * n2 / 2 - 0.5) / math.sqrt(sigma2)
    return min(1.0, math.erfc(z / math.sqrt(2)))


def smallest_p(n1, n2):
    """The smallest two-sided p the exact test can give with n1 and n2
    repetitions: every one of one sample below every one of the other."""
    return min(1.0, 2 / math.comb(n1 + n2, n1)) if n1 and n2 else 1.0


# ---- the comparison ------------------------------------------------------------
def points(data):
    """{(kernel, prec, variant, size, threads, data): dict(times, working_set)}."""
    out = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration" or b.get("error_occurred") or b.get("skipped"):
            continue
        p = benchdata.parse_name(b["run_name"])
        key = (p["kernel"], p["precision"], p["variant"], p.get("size"), p.get("threads"), p["data"])
        info = out.setdefault(key, dict(times=[], working_set=b.get("working_set")))
        info["times"].append(b["real_time"] * benchdata._UNIT[b["time_unit"]])
    return out


def classify(speedup, p, alpha=ALPHA, threshold=THRESHOLD):
    """'faster' / 'slower' (NEW against OLD) beyond the noise, else 'same'."""
    if p is None or speedup is None or p >= alpha:
        return "same"
    if speedup > 1 + threshold:
        return "faster"
    if speedup < 1 / (1 + threshold):
        return "slower"
    return "same"


def compare(old_data, new_data):
    """The rows of compare.csv (points in both), and the keys only in OLD and only in NEW."""
    old, new = points(old_data), points(new_data)
    rows = []
    for key in sorted(set(old) & set(new), key=lambda k: tuple(str(v) for v in k)):
        a, b = old[key]["times"], new[key]["times"]
        speedup = statistics.median(a) / statistics.median(b)
        interval = benchdata.ratio_interval(a, b)
        p = mann_whitney(a, b)
        kernel, prec, variant, size, threads, kind = key
        rows.append(dict(kernel=kernel, precision=prec, variant=variant, size=size, threads=threads, data=kind,
                         working_set_bytes=new[key]["working_set"] or old[key]["working_set"],
                         old_repetitions=len(a), new_repetitions=len(b), old_time_s=statistics.median(a),
                         new_time_s=statistics.median(b), speedup=speedup, speedup_lo=interval[0],
                         speedup_hi=interval[1], p_value=p, change=classify(speedup, p)))
    return rows, sorted(set(old) - set(new), key=str), sorted(set(new) - set(old), key=str)


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def point_name(r):
    size = benchdata.fmt_bytes(r["working_set_bytes"]) if r["working_set_bytes"] else \
        benchdata.fmt_count(r["size"])
    data = "" if r["data"] == "uniform" else f", {r['data']} data"
    return (f"{r['kernel']} {r['precision']} {benchdata.short_label(r['variant'])} n={r['size']} "
            f"({size}), {r['threads']}t{data}")


def describe(folder, data):
    c = data.get("context", {})
    return (f"`{folder}`: hpk commit {c.get('hpk_commit', '?')}, {c.get('host_name', '?')}, "
            f"{c.get('cpu_model', '?')}, {c.get('date', '?')}; `{str(c.get('command', '?')).strip()}`")


def markdown(old_dir, new_dir, old_data, new_data, rows, only_old, only_new):
    faster = sorted((r for r in rows if r["change"] == "faster"), key=lambda r: -r["speedup"])
    slower = sorted((r for r in rows if r["change"] == "slower"), key=lambda r: r["speedup"])
    reps = sorted({(r["old_repetitions"], r["new_repetitions"]) for r in rows})
    best_p = min(smallest_p(a, b) for a, b in reps)
    md = ["# Comparison of two benchmark runs", "",
          f"- **OLD** {describe(old_dir, old_data)}",
          f"- **NEW** {describe(new_dir, new_data)}", ""]
    warn = []
    co, cn = old_data.get("context", {}), new_data.get("context", {})
    if os.path.realpath(old_dir) == os.path.realpath(new_dir):
        warn.append("OLD and NEW are the same folder: no change can show.")
    for key, what in (("host_name", "hosts"), ("cpu_model", "CPUs"), ("hpk_cpu_path", "hpk CPU paths")):
        if co.get(key) != cn.get(key):
            warn.append(f"Different {what} ({co.get(key)} / {cn.get(key)}): the changes include the machine's.")
    if best_p >= ALPHA:
        warn.append(f"With {' / '.join(f'{a} and {b}' for a, b in reps)} repetitions the smallest p the test "
                    f"can give is {best_p:.3g}, not below {ALPHA}: no change can be significant.  Run both "
                    "studies with --repetitions 5 or more (5 and 5: p down to 0.008).")
    for name, folder, data in (("OLD", old_dir, old_data), ("NEW", new_dir, new_data)):
        a = noise.assess(benchdata.tidy_rows(data), noise.load(folder))
        if a["reasons"]:
            warn.append(f"The {name} run is not trustworthy by its own checks: " + "; ".join(a["reasons"]) +
                        ".  Its changes may be the machine's load, not the code's.")
    if only_old or only_new:
        warn.append(f"{len(only_old)} points only in OLD and {len(only_new)} only in NEW are left out "
                    "(different selections).")
    if warn:
        md += ["**Read with care:**", ""] + [f"- {w}" for w in warn] + [""]
    g = geomean(r["speedup"] for r in rows)
    md += ["## Summary", "",
           f"{len(rows)} points in both runs: **{len(faster)} faster**, **{len(slower)} slower** beyond the "
           f"noise (two-sided Mann–Whitney U over the repetitions p < {ALPHA} and the median time changed by "
           f"more than {100 * THRESHOLD:.0f}%), {len(rows) - len(faster) - len(slower)} the same.  "
           f"Geometric mean of OLD time / NEW time over all points: {g:.3f} (> 1: NEW faster).", "",
           "| kernel | variant | points | faster | slower | OLD time / NEW time: geometric mean (range) |",
           "|---|---|---|---|---|---|"]
    groups = {}
    for r in rows:
        groups.setdefault((r["kernel"], r["variant"]), []).append(r)
    for (kernel, variant), rs in sorted(groups.items()):
        sp = [r["speedup"] for r in rs]
        md.append(f"| {kernel} | {benchdata.short_label(variant)} | {len(rs)} | "
                  f"{sum(r['change'] == 'faster' for r in rs)} | {sum(r['change'] == 'slower' for r in rs)} | "
                  f"{geomean(sp):.3f} ({min(sp):.3f}–{max(sp):.3f}) |")
    md.append("")
    for title, sel in (("Faster beyond the noise", faster), ("Slower beyond the noise", slower)):
        md += [f"## {title}", ""]
        if not sel:
            md += ["None.", ""]
            continue
        md += ["| point | OLD time / NEW time | min–max interval | p |", "|---|---|---|---|"]
        md += [f"| {point_name(r)} | {r['speedup']:.3f} | {r['speedup_lo']:.3f}–{r['speedup_hi']:.3f} | "
               f"{r['p_value']:.3g} |" for r in sel]
        md.append("")
    md += ["Every point: compare.csv (speedup = OLD median time / NEW median time; speedup_lo, speedup_hi: "
           "from the repetitions' extremes; p_value: the U test).", ""]
    return "\n".join(md)


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


THREAD_STYLES = ["-", "--", ":", "-."]
PRECISION_MARKERS = {"d": "o", "s": "^"}


def plot(out_dir, rows, old_dir, new_dir):
    """compare.png: a panel per kernel, OLD time / NEW time against size;
    colour: the variant, line style: the thread count, marker: the
    precision, filled where the change is beyond the noise; bands: the
    ratio's min–max interval over the repetitions."""
    import plotting
    Line2D = plotting.plt.Line2D
    kernels = [k for k in benchdata.KERNELS + ["stream_read", "stream_triad"] if any(r["kernel"] == k for r in rows)]
    if not kernels:
        return None
    threads = sorted({r["threads"] for r in rows})
    tstyle = {t: THREAD_STYLES[i % len(THREAD_STYLES)] for i, t in enumerate(threads)}
    variants = sorted({r["variant"] for r in rows}, key=lambda v: (list(benchdata.VARIANTS).index(v)
                                                                 if v in benchdata.VARIANTS else 99, v))
    colors = {v: benchdata.style(v)["color"] or plotting.plt.cm.tab10(i % 10) for i, v in enumerate(variants)}
    cols = min(3, len(kernels))
    fig, axes, _ = plotting.grid(len(kernels), cols=cols, width=5.0, height=3.8)
    for ax, kernel in zip(axes, kernels):
        krows = [r for r in rows if r["kernel"] == kernel and r["data"] == "uniform"]
        mc = not any(r["working_set_bytes"] for r in krows)
        for (variant, prec, t) in sorted({(r["variant"], r["precision"], r["threads"]) for r in krows}):
            sel = sorted((r for r in krows if (r["variant"], r["precision"], r["threads"]) == (variant, prec, t)),
                         key=lambda r: r["size"])
            xs = [r["size"] if mc else r["working_set_bytes"] for r in sel]
            color = colors[variant]
            # labelled, so that ratio_axis takes its limits from it (the legend is built apart)
            ax.plot(xs, [r["speedup"] for r in sel], color=color, linestyle=tstyle[t], linewidth=1.3,
                    label=f"{variant} {prec} {t}")
            if len(sel) > 1:
                ax.fill_between(xs, [r["speedup_lo"] for r in sel], [r["speedup_hi"] for r in sel],
                                color=color, alpha=0.10, linewidth=0)
            else:
                r = sel[0]
                ax.errorbar(xs, [r["speedup"]], yerr=[[max(0, r["speedup"] - r["speedup_lo"])],
                                                      [max(0, r["speedup_hi"] - r["speedup"])]],
                            color=color, capsize=3, linestyle="none")
            for x, r in zip(xs, sel):
                ax.plot([x], [r["speedup"]], linestyle="none", color=color, marker=PRECISION_MARKERS.get(prec, "o"),
                        markersize=6, markerfacecolor=color if r["change"] != "same" else "white")
        plotting.ratio_axis(ax)
        ax.axhspan(1 / (1 + THRESHOLD), 1 + THRESHOLD, color="0.88", zorder=0)
        ax.axhline(1, color="black", linewidth=1)
        (plotting.count_axis if mc else plotting.bytes_axis)(ax)
        ax.set_xlabel(benchdata.size_unit(kernel) if mc else "working set")
        ax.set_ylabel("OLD time / NEW time\n(> 1×: NEW faster; log scale)")
        ax.set_title(benchdata.KERNEL_TITLES.get(kernel, kernel))
    extra = [(Line2D([], [], color=colors[v], linewidth=2.5), benchdata.label(v)) for v in variants]
    extra += [(Line2D([], [], color="0.3", linestyle=tstyle[t]), f"{t} thread{'s' if t > 1 else ''}")
              for t in threads]
    extra += [(Line2D([], [], color="0.3", marker=m, linestyle="none"), benchdata.PRECISION_NAMES[p])
              for p, m in PRECISION_MARKERS.items() if any(r["precision"] == p for r in rows)]
    extra += [(Line2D([], [], color="0.3", marker="o", linestyle="none"),
               f"filled: changed beyond the noise (p < {ALPHA}, > {100 * THRESHOLD:.0f}%)"),
              (Line2D([], [], color="0.3", marker="o", markerfacecolor="white", linestyle="none"), "hollow: same"),
              (plotting.plt.Rectangle((0, 0), 1, 1, color="0.88"), f"±{100 * THRESHOLD:.0f}%"),
              (plotting.plt.Rectangle((0, 0), 1, 1, color="0.3", alpha=0.15), "band: min–max interval")]
    legend_rows = plotting.shared_legend(fig, [], ncol=4, extra=extra)
    title = (f"{os.path.basename(os.path.normpath(old_dir))} → {os.path.basename(os.path.normpath(new_dir))}: "
             "OLD time / NEW time per point   ·   uniform data")
    return plotting.save(fig, out_dir, "compare.png", title, legend_rows=legend_rows)


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 3) or any(a in ("-h", "--help") for a in args):
        print("usage: plots/compare.py OLD NEW [OUT]   (two results folders holding bench.json; "
              "OUT defaults to NEW)", file=sys.stderr)
        sys.exit(2)
    old_dir, new_dir = args[0], args[1]
    out_dir = args[2] if len(args) == 3 else new_dir
    try:
        old_data = benchdata.load_json(old_dir)
    except benchdata.NoResults as e:
        raise benchdata.NoResults(f"OLD: {e}")
    try:
        new_data = benchdata.load_json(new_dir)
    except benchdata.NoResults as e:
        raise benchdata.NoResults(f"NEW: {e}")
    rows, only_old, only_new = compare(old_data, new_data)
    if not rows:
        raise benchdata.NoResults(f"{old_dir} and {new_dir} have no point in common (kernel, precision, "
                                  "variant, size, threads, data): nothing to compare")
    os.makedirs(out_dir, exist_ok=True)
    write_csv(os.path.join(out_dir, "compare.csv"), rows)
    png = plot(out_dir, rows, old_dir, new_dir)
    md = markdown(old_dir, new_dir, old_data, new_data, rows, only_old, only_new)
    if png:
        md += "\n![OLD time / NEW time per point](compare.png)\n"
    with open(os.path.join(out_dir, "compare.md"), "w") as f:
        f.write(md)
    faster = sum(r["change"] == "faster" for r in rows)
    slower = sum(r["change"] == "slower" for r in rows)
    print(f"wrote {os.path.join(out_dir, 'compare.csv')} and compare.md ({len(rows)} points)")
    print(f"{faster} faster, {slower} slower beyond the noise (p < {ALPHA}, change > {100 * THRESHOLD:.0f}%), "
          f"{len(rows) - faster - slower} the same")


if __name__ == "__main__":
    benchdata.main_guard(main)
