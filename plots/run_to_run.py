"""Run-to-run noise between two runs and the verdict of their comparison
(plots/compare.py).

The repetitions of one run measure the noise within a run; two runs of the
same code also differ point by point (memory placement, the other
processes on a shared machine, clocks), often by more: on a shared 2-core
machine, two runs of one build differ by a median 4.5% a point and by up to
2x at a few.  A test over the repetitions alone calls many of those points
changed.  The peers' code is the same in both runs, so their points show
that run-to-run noise:

- the band: per thread count (all points together where a thread count has
  fewer than MIN_POINTS peer points), the BAND_QUANTILE quantile of the peer
  points' |log(OLD/NEW) - the peers' median log(OLD/NEW)|.  A point has
  changed beyond the noise when the U test says so (p < ALPHA) and its
  ratio lies outside the band (and beyond THRESHOLD); hpk's ratio relative
  to its peer outside sqrt(2) x the band (two points' noise).  Without
  MIN_POINTS peer points there is no band, only the U test and THRESHOLD.
- the verdict: a library moved as a whole when the median of its points'
  log(OLD/NEW) is beyond THRESHOLD and a two-sided sign test over the points
  says it is not 0 (p < VERDICT_ALPHA).  The peers moving is the machine changing;
  hpk's own change is its move relative to its peers, overall or in one
  (kernel, variant) group of at least MIN_GROUP points, or at some points
  only: when more of hpk's points lie outside the band than chance gives
  (the band's own rate, or the peers' where higher; a binomial test).  A change
  confined to a few points of the peers is taken for run-to-run noise.
"""
import math
import statistics

ALPHA = 0.05
THRESHOLD = 0.05
BAND_QUANTILE = 0.95
MIN_POINTS = 8
# The verdict's tests: stricter than a point's, as a study has many groups.
VERDICT_ALPHA = 0.01
MIN_GROUP = 8


def sign_test(logs):
    """Two-sided p of the sign test that the median of `logs` is 0 (zeros
    left out); 1.0 without non-zero values."""
    values = [v for v in logs if v != 0]
    n = len(values)
    if n == 0:
        return 1.0
    k = min(sum(v > 0 for v in values), sum(v < 0 for v in values))
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)


def binomial_tail(k, n, p):
    """P(X >= k) for X ~ Binomial(n, p)."""
    return min(1.0, sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1)))


def _quantile(values, q):
    values = sorted(values)
    return values[max(0, math.ceil(q * len(values)) - 1)]


def band(peer_rows):
    """{threads: band in log units, None: all threads together} from the
    peers' points (rows with `speedup`); {} with fewer than MIN_POINTS."""
    logs = [(r["threads"], math.log(r["speedup"])) for r in peer_rows if r["speedup"]]
    if len(logs) < MIN_POINTS:
        return {}
    center = statistics.median(v for _, v in logs)
    out = {None: _quantile([abs(v - center) for _, v in logs], BAND_QUANTILE)}
    for t in {t for t, _ in logs}:
        dev = [abs(v - center) for tt, v in logs if tt == t]
        if len(dev) >= MIN_POINTS:
            out[t] = _quantile(dev, BAND_QUANTILE)
    return out


def band_of(bands, threads):
    return bands.get(threads, bands.get(None))


def within_band(change, speedup, width):
    """`change` ('faster', 'slower', 'same', None), 'same' where the ratio
    lies within the band `width` (log units; None: no band)."""
    if change in ("faster", "slower") and width is not None and abs(math.log(speedup)) <= width:
        return "same"
    return change


def apply_band(rows, peers):
    """Each row's `noise_band` (the band as a fraction, blank without one),
    and its change and vs_peer_change within the band made 'same'."""
    bands = band([r for r in rows if r["variant"] in peers])
    for r in rows:
        width = band_of(bands, r["threads"])
        r["noise_band"] = math.exp(width) - 1 if width is not None else None
        r["change"] = within_band(r["change"], r["speedup"], width)
        if r.get("vs_peer_speedup"):
            r["vs_peer_change"] = within_band(r["vs_peer_change"], r["vs_peer_speedup"],
                                              None if width is None else math.sqrt(2) * width)
    return bands


def move(values, logs=None):
    """A library's move over its points (values: OLD/NEW ratios, or logs:
    their logarithms): the median change of NEW's time (+0.05: 5% slower),
    the sign test's p, the count, and whether it moved as a whole."""
    logs = logs if logs is not None else [math.log(v) for v in values if v]
    if not logs:
        return None
    median = statistics.median(logs)
    p = sign_test(logs)
    return dict(change=math.exp(-median) - 1, p=p, points=len(logs),
                moved=p < VERDICT_ALPHA and abs(median) > math.log(1 + THRESHOLD))


def describe(m, what="in time"):
    return f"{100 * m['change']:+.1f}% {what} (median of {m['points']} points, sign test p = {m['p']:.2g})"


def relative_move(rows):
    """hpk's move relative to its peers over rows with vs_peer_speedup: the
    hpk variants that share a peer point (serial and OpenMP on 1 thread)
    move with its noise together, so each peer point counts once, with the
    mean of their logs."""
    units = {}
    for r in rows:
        key = (r["kernel"], r["precision"], r["peer"], r["size"], r["threads"], r["data"], r.get("inc", 1))
        units.setdefault(key, []).append(math.log(r["vs_peer_speedup"]))
    return move(None, [statistics.fmean(v) for v in units.values()])


def verdict(rows, peers, label, peer_of, is_hpk):
    """The comparison's verdict, one line: whether the peers moved (the
    machine changed), whether hpk moved relative to them (overall or in some
    kernel), or neither.  peers: the peer variants; label(variant): a short
    name; peer_of(variant): the peer of a variant compared with one (None for
    the others); is_hpk(variant): whether it is hpk's library's (not the
    textbook loops)."""
    peer_moves = {p: move([r["speedup"] for r in rows if r["variant"] == p]) for p in peers}
    peer_moves = {p: m for p, m in peer_moves.items() if m}
    hpk = [r for r in rows if peer_of(r["variant"]) and is_hpk(r["variant"])]
    if not peer_moves:
        own = move([r["speedup"] for r in hpk])
        return ("No peer library in both runs: the machine's change cannot be told from hpk's" +
                (f"; hpk moved by {describe(own)}." if own else "."))
    plist = "; ".join(f"{label(p)} {describe(m)}" for p, m in peer_moves.items())
    rel_rows = [r for r in hpk if r.get("vs_peer_speedup")]
    rel = relative_move(rel_rows)
    groups = {}
    for r in rel_rows:
        groups.setdefault((r["kernel"], r["variant"]), []).append(r["vs_peer_speedup"])
    moved_groups = sorted(((k, m) for k, v in groups.items() if len(v) >= MIN_GROUP
                           for m in [move(v)] if m["moved"]), key=lambda km: -abs(km[1]["change"]))
    group_text = "; by kernel: " + ", ".join(f"{k} ({label(v)}) {100 * m['change']:+.1f}%"
                                              for (k, v), m in moved_groups[:8]) if moved_groups else ""
    machine = any(m["moved"] for m in peer_moves.values())
    own = rel is not None and (rel["moved"] or bool(moved_groups))
    rel_text = describe(rel, "in time relative to its peers, each peer point once") if rel \
        else "no hpk point has its peer in both runs"
    if machine and own:
        return (f"Machine change and hpk's own change: the peers moved ({plist}): the machine or its load "
                f"changed; hpk moved by {rel_text}{group_text}.")
    if machine:
        return (f"Machine change: the peers moved ({plist}): the machine or its load changed.  Relative to "
                f"its peers hpk did not move beyond the noise ({rel_text}).")
    if own:
        return f"hpk's own change: hpk moved by {rel_text}{group_text}, while its peers did not ({plist})."
    faster = sum(r["vs_peer_change"] == "faster" for r in rel_rows)
    slower = sum(r["vs_peer_change"] == "slower" for r in rel_rows)
    peer_beyond = sum(r["change"] in ("faster", "slower") for r in rows if r["variant"] in peer_moves)
    peer_points = sum(m["points"] for m in peer_moves.values())
    counts = (f"{faster + slower} of {len(rel_rows)} hpk points moved beyond the noise relative to their peer "
              f"({faster} faster, {slower} slower), {peer_beyond} of {peer_points} peer points on their own")
    # More hpk points beyond the band than chance gives (the band's own rate,
    # or the peers' where higher; binomial test): a change confined to them.
    chance = max(1 - BAND_QUANTILE, peer_beyond / peer_points if peer_points else 0.0)
    if faster + slower and binomial_tail(faster + slower, len(rel_rows), chance) < VERDICT_ALPHA:
        return (f"hpk's own change at some points: {counts}; overall hpk moved by {rel_text}, and its peers "
                f"did not ({plist}).")
    return (f"No change beyond the run-to-run noise: neither the peers ({plist}) nor hpk ({rel_text}) moved; "
            f"{counts}.")
