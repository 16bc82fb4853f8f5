"""hpk against another variant point by point: the comparisons, their
tally (ahead, tied, behind) and the sentences the Findings write from
them."""
import statistics

import stats
from helpers import PRECISIONS, fmt_bytes, fmt_count, largest


def comparisons(rows, variant, peer):
    """Every point where `variant` and `peer` both ran (same kernel,
    precision, size, threads): dict(kernel, precision, size, threads,
    working_set, ratio = peer time / variant time (> 1: variant faster),
    interval, position ahead / tie / behind): the row's own columns where
    `peer` is its peer (the rounds' ratios, stats.paired_ratio), else the
    medians' ratio and the repetitions' extremes."""
    theirs = {(r["kernel"], r["precision"], r["size"], r["threads"]): r
              for r in rows if r["variant"] == peer}
    out = []
    for r in rows:
        o = theirs.get((r["kernel"], r["precision"], r["size"], r["threads"])) if r["variant"] == variant else None
        if not o:
            continue
        if r.get("peer") == peer and r.get("speedup_vs_peer") is not None:
            ratio = r["speedup_vs_peer"]
            interval = (r["speedup_vs_peer_lo"], r["speedup_vs_peer_hi"]) \
                if r.get("speedup_vs_peer_lo") is not None else None
        else:
            ratio, interval = o["time_s"] / r["time_s"], stats.row_interval(o, r)
        out.append(dict(kernel=r["kernel"], precision=r["precision"], size=r["size"], threads=r["threads"],
                        working_set=r["working_set_bytes"], ratio=ratio, interval=interval,
                        position=stats.position(interval)))
    return out


def tally(points):
    """'3 ahead / 5 tied / 1 behind'."""
    n = {v: sum(1 for p in points if p["position"] == v) for v in ("ahead", "tie", "behind")}
    return f"{n['ahead']} ahead / {n['tie']} tied / {n['behind']} behind"


def size_text(points, samples=False):
    """The range of sizes of some comparison points: working sets, or
    counts (of samples where `samples`)."""
    ws = [p["working_set"] for p in points if p["working_set"]]
    if ws:
        lo, hi = min(ws), max(ws)
        return fmt_bytes(lo) if lo == hi else f"{fmt_bytes(lo)}–{fmt_bytes(hi)}"
    sizes = [p["size"] for p in points]
    lo, hi = min(sizes), max(sizes)
    return (fmt_count(lo) if lo == hi else f"{fmt_count(lo)}–{fmt_count(hi)}") + (" samples" if samples else "")


def point_text(p):
    where = fmt_bytes(p["working_set"]) if p["working_set"] else fmt_count(p["size"])
    return f"{p['kernel']} {p['precision']} {where} {p['threads']}t: {p['ratio']:.2f}"


def versus(points, samples=False, who="hpk"):
    """'ahead at 5 of 12 points (64 KiB–128 MiB), tied at 6 (...), behind at
    1 (dot d 8 KiB 1t: 0.83)': the points listed where there are few;
    `samples`: the points' sizes count samples."""
    parts = []
    for position, word in (("ahead", "ahead"), ("tie", "tied"), ("behind", "behind")):
        sel = [p for p in points if p["position"] == position]
        if not sel:
            continue
        where = "; ".join(point_text(p) for p in sel) if len(sel) <= 3 else size_text(sel, samples)
        parts.append(f"{word} at {len(sel)} ({where})")
    ratios = [p["ratio"] for p in points]
    return (f"{who} is " + ", ".join(parts) + f" of {len(points)} point{'s' if len(points) != 1 else ''}; "
            f"peer time / {who} time median "
            f"{statistics.median(ratios):.2f} (range {min(ratios):.2f}–{max(ratios):.2f})")


def pct_at_largest(rows, kernels, column, **want):
    """A percentage column at the largest size of each kernel and precision
    (rows matching want): ('82–106%', 'dot d 128 MiB, 82%'), the span and
    the lowest; None where no row has it."""
    got = []
    for kernel in kernels:
        for prec in PRECISIONS:
            r = largest(rows, kernel=kernel, precision=prec, **want)
            if r and r.get(column) is not None:
                got.append((r[column], f"{kernel} {prec} {fmt_bytes(r['working_set_bytes'])}"))
    if not got:
        return None
    lo, hi = min(got), max(got)
    span = f"{lo[0]:.0f}%" if len(got) == 1 else f"{lo[0]:.0f}–{hi[0]:.0f}%"
    return span, f"{lo[1]}, {lo[0]:.0f}%"
