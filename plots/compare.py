"""Run-to-run comparison of two results folders (two commits, two machines,
before and after a change): per point (kernel, precision, variant, size,
threads, data) the ratio of the median times OLD / NEW (> 1: NEW is
faster), its min–max interval over the repetitions, and a two-sided
Mann–Whitney U test over the repetitions (as Google Benchmark's
tools/compare.py does).  A point got faster or slower beyond the noise when
p < ALPHA and the ratio differs from 1 by more than THRESHOLD; every other
point is "same".

A shared machine drifts: its load, clock or memory placement can move every
library by the same 5-20% between two runs.  So each point of hpk's own
variants (hpk_serial, hpk_omp, naive_omp, philox_loop, hpk_cl_kernel, hpk_cl_e2e) is
also compared relative to its peer (the manifest's `peer`: OpenBLAS
for the CPU, CLBlast for the device-resident OpenCL calls; CLBlast for the
end-to-end OpenCL calls too, which have none there) at the same kernel,
precision, size, threads and data, whose code did not change: its
vs_peer_speedup is hpk's OLD/NEW ratio over the peer's.  Its significance is
the Mann–Whitney U test of OLD's repetitions divided by OLD's peer times
against NEW's divided by NEW's: each repetition is measured in units of
the peer's time in the same round of the same run (hpk_bench runs a
point's variants back to back each round, bench/harness.h), or of the
peer's median time where the rounds do not pair up (stats.round_ratios).

Two runs also differ point by point beyond what their repetitions show:
plots/run_to_run.py measures that run-to-run noise from the peers' points (a
band), keeps only the changes outside it, and gives the verdict from the
median moves of the peers and of hpk relative to them: the machine
changed, hpk changed, or nothing did.

Writes compare.csv, compare.md and compare.png into OUT (default: NEW).
Builds and runs nothing.

usage: /usr/bin/python3 plots/compare.py OLD NEW [OUT]
"""
import csv
import math
import os
import statistics
import sys
from functools import lru_cache

import benchdata
import benchjson
import manifest
import reruns
import run_to_run
import trust
from helpers import PRECISION_NAMES, fmt_bytes, fmt_count
from stats import ratio_interval, round_ratios

ALPHA = run_to_run.ALPHA
THRESHOLD = run_to_run.THRESHOLD
CSV_COLUMNS = ["kernel", "precision", "variant", "size", "threads", "data", "inc", "working_set_bytes",
               "old_repetitions", "new_repetitions", "old_time_s", "new_time_s", "speedup", "speedup_lo",
               "speedup_hi", "p_value", "noise_band", "change", "peer", "peer_speedup", "vs_peer_speedup", "vs_peer_p_value",
               "vs_peer_change"]


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
    """{(kernel, prec, variant, size, threads, data, inc): dict(times, working_set)}."""
    out = {}
    for _, p, t, b in benchjson.repetitions(data):
        key = (p["kernel"], p["precision"], p["variant"], p.get("size"), p.get("threads"), p["data"], p["inc"])
        info = out.setdefault(key, dict(times=[], working_set=b.get("working_set"), rounds=[]))
        info["times"].append(t)
        info["rounds"].append(benchjson.round_of(b))
    return out


def direction(speedup, threshold=THRESHOLD):
    """'faster' / 'slower' where an OLD/NEW ratio is beyond the threshold, else 'same'."""
    if speedup is None:
        return "same"
    if speedup > 1 + threshold:
        return "faster"
    if speedup < 1 / (1 + threshold):
        return "slower"
    return "same"


def classify(speedup, p, alpha=ALPHA, threshold=THRESHOLD):
    """'faster' / 'slower' (NEW against OLD) beyond the noise, else 'same'."""
    if p is None or p >= alpha:
        return "same"
    return direction(speedup, threshold)


def shift(a, b):
    """(OLD median / NEW median, Mann–Whitney p) of two samples."""
    return statistics.median(a) / statistics.median(b), mann_whitney(a, b)


def peers(m):
    """The peer libraries' variants: the CPU's, then the device's."""
    return m.cpu_peers() + m.device_peers()


def peer_of(variant, m):
    """The library an hpk variant is measured against: its manifest peer, and
    the device peer for the device variants without one (the end-to-end
    OpenCL calls); None for the peers themselves and the rooflines."""
    if m.is_peer(variant) or m.is_roofline(variant):
        return None
    if m.device(variant) and not m.peer(variant):
        return next(iter(m.device_peers()), None)
    return m.peer(variant)


def in_peer_units(info, peer_info):
    """A point's repetitions, each over the peer's time in its round (its
    median where the rounds do not pair up)."""
    return round_ratios(info, peer_info) or [t / statistics.median(peer_info["times"]) for t in info["times"]]


def against_peer(key, old, new, m):
    """The peer-relative columns of one point (None without a peer measured
    at the same point in both runs): hpk's times over the peer's median time,
    OLD against NEW (the module's docstring)."""
    kernel, prec, variant, size, threads, kind, inc = key
    peer = peer_of(variant, m)
    pkey = (kernel, prec, peer, size, threads, kind, inc)
    if not peer or pkey not in old or pkey not in new:
        return dict(peer=None, peer_speedup=None, vs_peer_speedup=None, vs_peer_p_value=None,
                    vs_peer_change=None)
    relative, p = shift(in_peer_units(old[key], old[pkey]), in_peer_units(new[key], new[pkey]))
    po, pn = old[pkey]["times"], new[pkey]["times"]
    return dict(peer=peer, peer_speedup=shift(po, pn)[0], vs_peer_speedup=relative, vs_peer_p_value=p,
                vs_peer_change=classify(relative, p))


def compare(old_data, new_data, m):
    """The rows of compare.csv (points in both), and the keys only in OLD and only in NEW."""
    old, new = points(old_data), points(new_data)
    rows = []
    for key in sorted(set(old) & set(new), key=lambda k: tuple(str(v) for v in k)):
        a, b = old[key]["times"], new[key]["times"]
        speedup, p = shift(a, b)
        interval = ratio_interval(a, b)
        kernel, prec, variant, size, threads, kind, inc = key
        rows.append(dict(kernel=kernel, precision=prec, variant=variant, size=size, threads=threads, data=kind, inc=inc,
                         working_set_bytes=new[key]["working_set"] or old[key]["working_set"],
                         old_repetitions=len(a), new_repetitions=len(b), old_time_s=statistics.median(a),
                         new_time_s=statistics.median(b), speedup=speedup, speedup_lo=interval[0],
                         speedup_hi=interval[1], p_value=p, change=classify(speedup, p),
                         **against_peer(key, old, new, m)))
    run_to_run.apply_band(rows, peers(m))
    return rows, sorted(set(old) - set(new), key=str), sorted(set(new) - set(old), key=str)


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def band_text(rows):
    """The run-to-run band per thread count, in words."""
    bands = sorted({(r["threads"], r["noise_band"]) for r in rows if r.get("noise_band") is not None})
    if not bands:
        return f"no band, fewer than {run_to_run.MIN_POINTS} peer points"
    return ("outside ±" + ", ±".join(f"{100 * b:.1f}% on {t} thread{'s' if t != 1 else ''}" for t, b in bands) +
            f", the {100 * run_to_run.BAND_QUANTILE:.0f}th percentile of the peers' own point-to-point change "
            "(plots/run_to_run.py); relative to the peer √2 times that")


def verdict(rows, m):
    """One line: the machine changed (the peers moved), hpk changed relative
    to its peers, both, or neither (run_to_run.verdict)."""
    return run_to_run.verdict(rows, peers(m), m.short, lambda v: peer_of(v, m), m.is_hpk)


def point_name(r, m):
    size = fmt_bytes(r["working_set_bytes"]) if r["working_set_bytes"] else fmt_count(r["size"])
    data = "" if r["data"] == "uniform" else f", {r['data']} data"
    inc = "" if r["inc"] == 1 else f", inc {r['inc']}"
    return (f"{r['kernel']} {r['precision']} {m.short(r['variant'])} n={r['size']} "
            f"({size}), {r['threads']}t{data}{inc}")


def describe(folder, data):
    c = data.get("context", {})
    return (f"`{folder}`: hpk commit {c.get('hpk_commit', '?')}, {c.get('host_name', '?')}, "
            f"{c.get('cpu_model', '?')}, {c.get('date', '?')}; `{str(c.get('command', '?')).strip()}`")


def markdown(old_dir, new_dir, old_data, new_data, rows, only_old, only_new, m):
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
        a = trust.assess(benchdata.tidy_rows(data, m), reruns.read_noise(folder))
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
           f"noise (two-sided Mann–Whitney U over the repetitions p < {ALPHA}, the median time changed by "
           f"more than {100 * THRESHOLD:.0f}%, and beyond the run-to-run noise: {band_text(rows)}), "
           f"{len(rows) - len(faster) - len(slower)} the same.  "
           f"Geometric mean of OLD time / NEW time over all points: {g:.3f} (> 1: NEW faster).", "",
           f"**Verdict:** {verdict(rows, m)}", "",
           "| kernel | variant | points | faster | slower | OLD time / NEW time: geometric mean (range) | "
           "relative to the peer: geometric mean |",
           "|---|---|---|---|---|---|---|"]
    groups = {}
    for r in rows:
        groups.setdefault((r["kernel"], r["variant"]), []).append(r)
    for (kernel, variant), rs in sorted(groups.items()):
        sp = [r["speedup"] for r in rs]
        md.append(f"| {kernel} | {m.short(variant)} | {len(rs)} | "
                  f"{sum(r['change'] == 'faster' for r in rs)} | {sum(r['change'] == 'slower' for r in rs)} | "
                  f"{geomean(sp):.3f} ({min(sp):.3f}–{max(sp):.3f}) | {relative_mean(rs, m)} |")
    md.append("")
    md += peer_table(rows, m)
    for title, sel in (("Faster beyond the noise", faster), ("Slower beyond the noise", slower)):
        md += [f"## {title}", ""]
        if not sel:
            md += ["None.", ""]
            continue
        md += ["| point | OLD time / NEW time | min–max interval | p |", "|---|---|---|---|"]
        md += [f"| {point_name(r, m)} | {r['speedup']:.3f} | {r['speedup_lo']:.3f}–{r['speedup_hi']:.3f} | "
               f"{r['p_value']:.3g} |" for r in sel]
        md.append("")
    md += ["Every point: compare.csv (speedup = OLD median time / NEW median time; speedup_lo, speedup_hi: "
           "from the repetitions' extremes; p_value: the U test; peer_speedup: the peer's OLD / NEW; "
           "vs_peer_speedup, vs_peer_p_value, vs_peer_change: hpk's relative to its peer).", ""]
    return "\n".join(md)


def relative_mean(rows, m):
    """A (kernel, variant) group's geometric mean of vs_peer_speedup with its peer(s), or '–'."""
    rel = [r for r in rows if r["vs_peer_speedup"] is not None]
    if not rel:
        return "–"
    names = " / ".join(m.short(p) for p in dict.fromkeys(r["peer"] for r in rel))
    return f"{geomean(r['vs_peer_speedup'] for r in rel):.3f} (vs {names})"


def peer_table(rows, m):
    """compare.md's points that moved against their peer beyond the noise."""
    sel = sorted((r for r in rows if r["vs_peer_change"] in ("faster", "slower")), key=lambda r: -r["vs_peer_speedup"])
    md = ["## Faster or slower relative to the peer", "",
          "hpk's OLD time / NEW time over its peer's at the same point (> 1: hpk gained on its peer), beyond the "
          f"noise by the same rule (U test of hpk's times over the peer's median time, p < {ALPHA}, change > "
          f"{100 * THRESHOLD:.0f}%).", ""]
    if not sel:
        return md + ["None.", ""]
    md += ["| point | peer | hpk OLD / NEW | peer OLD / NEW | relative | p | change |", "|---|---|---|---|---|---|---|"]
    md += [f"| {point_name(r, m)} | {m.short(r['peer'])} | {r['speedup']:.3f} | {r['peer_speedup']:.3f} | "
           f"{r['vs_peer_speedup']:.3f} | {r['vs_peer_p_value']:.3g} | {r['vs_peer_change']} |" for r in sel]
    return md + [""]


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


THREAD_STYLES = ["-", "--", ":", "-."]
PRECISION_MARKERS = {"d": "o", "s": "^"}
# The panels: OLD/NEW per point, and hpk's OLD/NEW relative to its peer's.
VIEWS = (("speedup", "change", "OLD time / NEW time\n(> 1×: NEW faster; log scale)", ""),
         ("vs_peer_speedup", "vs_peer_change", "hpk's OLD / NEW over its peer's\n(> 1×: hpk gained; log scale)",
          ": relative to the peer"))


def panel(ax, krows, kernel, view, colors, tstyle, m):
    """One kernel's lines of one VIEWS column against size: colour the
    variant, line style the thread count, marker the precision, filled where
    the change is beyond the noise; bands (OLD/NEW only): the min–max
    interval over the repetitions."""
    import plotting
    column, change, ylabel, title = view
    krows = [r for r in krows if r[column] is not None]
    mc = not any(r["working_set_bytes"] for r in krows)
    for (variant, prec, t) in sorted({(r["variant"], r["precision"], r["threads"]) for r in krows}):
        sel = sorted((r for r in krows if (r["variant"], r["precision"], r["threads"]) == (variant, prec, t)),
                     key=lambda r: r["size"])
        xs = [r["size"] if mc else r["working_set_bytes"] for r in sel]
        color = colors[variant]
        # labelled, so that ratio_axis takes its limits from it (the legend is built apart)
        ax.plot(xs, [r[column] for r in sel], color=color, linestyle=tstyle[t], linewidth=1.3,
                label=f"{variant} {prec} {t}")
        if column == "speedup" and len(sel) > 1:
            ax.fill_between(xs, [r["speedup_lo"] for r in sel], [r["speedup_hi"] for r in sel],
                            color=color, alpha=0.10, linewidth=0)
        elif column == "speedup":
            r = sel[0]
            ax.errorbar(xs, [r["speedup"]], yerr=[[max(0, r["speedup"] - r["speedup_lo"])],
                                                  [max(0, r["speedup_hi"] - r["speedup"])]],
                        color=color, capsize=3, linestyle="none")
        for x, r in zip(xs, sel):
            ax.plot([x], [r[column]], linestyle="none", color=color, marker=PRECISION_MARKERS.get(prec, "o"),
                    markersize=6, markerfacecolor=color if r[change] != "same" else "white")
    plotting.ratio_axis(ax)
    ax.axhspan(1 / (1 + THRESHOLD), 1 + THRESHOLD, color="0.88", zorder=0)
    ax.axhline(1, color="black", linewidth=1)
    (plotting.count_axis if mc else plotting.bytes_axis)(ax)
    ax.set_xlabel(m.size_label(kernel) if mc else "working set")
    ax.set_ylabel(ylabel)
    ax.set_title(m.title(kernel) + title)


def plot(out_dir, rows, old_dir, new_dir, m):
    """compare.png: a panel per kernel of OLD time / NEW time against size,
    then (from a new row) a panel per kernel with hpk points that have a peer
    of their OLD/NEW relative to the peer's (panel())."""
    import plotting
    Line2D = plotting.plt.Line2D
    rows = [r for r in rows if r["data"] == "uniform" and r["inc"] == 1]
    order = m.measured() + m.roofline("cpu")
    panels = [(k, VIEWS[0]) for k in order if any(r["kernel"] == k for r in rows)]
    relative = [(k, VIEWS[1]) for k in order
                if any(r["kernel"] == k and r["vs_peer_speedup"] is not None for r in rows)]
    if not panels:
        return None
    cols = min(3, len(panels))
    panels += [None] * (-len(panels) % cols if relative else 0) + relative  # the relative ones on a row of their own
    threads = sorted({r["threads"] for r in rows})
    tstyle = {t: THREAD_STYLES[i % len(THREAD_STYLES)] for i, t in enumerate(threads)}
    known = m.variants()
    variants = sorted({r["variant"] for r in rows}, key=lambda v: (known.index(v) if v in known else 99, v))
    colors = {v: plotting.style(v)["color"] or plotting.plt.cm.tab10(i % 10) for i, v in enumerate(variants)}
    fig, axes, _ = plotting.grid(len(panels), cols=cols, width=5.0, height=3.8)
    for ax, p in zip(axes, panels):
        if p is None:
            ax.set_visible(False)
        else:
            panel(ax, [r for r in rows if r["kernel"] == p[0]], p[0], p[1], colors, tstyle, m)
    extra = [(Line2D([], [], color=colors[v], linewidth=2.5), m.label(v)) for v in variants]
    extra += [(Line2D([], [], color="0.3", linestyle=tstyle[t]), f"{t} thread{'s' if t > 1 else ''}")
              for t in threads]
    extra += [(Line2D([], [], color="0.3", marker=m, linestyle="none"), PRECISION_NAMES[p])
              for p, m in PRECISION_MARKERS.items() if any(r["precision"] == p for r in rows)]
    extra += [(Line2D([], [], color="0.3", marker="o", linestyle="none"),
               f"filled: changed beyond the noise (p < {ALPHA}, > {100 * THRESHOLD:.0f}%, outside the "
               "run-to-run band)"),
              (Line2D([], [], color="0.3", marker="o", markerfacecolor="white", linestyle="none"), "hollow: same"),
              (plotting.plt.Rectangle((0, 0), 1, 1, color="0.88"), f"±{100 * THRESHOLD:.0f}%"),
              (plotting.plt.Rectangle((0, 0), 1, 1, color="0.3", alpha=0.15), "band: min–max interval")]
    legend_rows = plotting.shared_legend(fig, [], ncol=4, extra=extra)
    title = (f"{os.path.basename(os.path.normpath(old_dir))} → {os.path.basename(os.path.normpath(new_dir))}: "
             "OLD time / NEW time per point" + (", and relative to the peer" if relative else "") +
             "   ·   uniform data")
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
        old_data = benchjson.load_json(old_dir)
    except benchjson.NoResults as e:
        raise benchjson.NoResults(f"OLD: {e}")
    try:
        new_data = benchjson.load_json(new_dir)
    except benchjson.NoResults as e:
        raise benchjson.NoResults(f"NEW: {e}")
    # NEW's manifest (OLD's where NEW has none: a study from before it).
    try:
        m = manifest.load(new_dir)
    except benchjson.NoResults:
        m = manifest.load(old_dir)
    rows, only_old, only_new = compare(old_data, new_data, m)
    if not rows:
        raise benchjson.NoResults(f"{old_dir} and {new_dir} have no point in common (kernel, precision, "
                                  "variant, size, threads, data): nothing to compare")
    os.makedirs(out_dir, exist_ok=True)
    write_csv(os.path.join(out_dir, "compare.csv"), rows)
    png = plot(out_dir, rows, old_dir, new_dir, m)
    md = markdown(old_dir, new_dir, old_data, new_data, rows, only_old, only_new, m)
    if png:
        md += "\n![OLD time / NEW time per point](compare.png)\n"
    with open(os.path.join(out_dir, "compare.md"), "w") as f:
        f.write(md)
    faster = sum(r["change"] == "faster" for r in rows)
    slower = sum(r["change"] == "slower" for r in rows)
    print(f"wrote {os.path.join(out_dir, 'compare.csv')} and compare.md ({len(rows)} points)")
    print(f"{faster} faster, {slower} slower beyond the noise (p < {ALPHA}, change > {100 * THRESHOLD:.0f}%), "
          f"{len(rows) - faster - slower} the same")
    print(f"Verdict: {verdict(rows, m)}")


if __name__ == "__main__":
    benchjson.main_guard(main)
