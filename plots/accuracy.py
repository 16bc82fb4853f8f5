"""The accuracy study: RESULTS_DIR/accuracy.csv (written by hpk_accuracy,
see bench/accuracy.cpp) read once (load), judged by one rule (compare: two
errors within a factor TIE are about the same), and drawn into
accuracy.png -- relative error against size per library, one panel per
kernel and kind of data, float dashed, double solid.  The report's
"Accuracy" section and its Findings line (sections/accuracy.py) use the
same reader and the same rule.

usage: /usr/bin/python3 plots/accuracy.py RESULTS_DIR
"""
import csv
import math
import os

import benchjson
from helpers import PRECISION_NAMES

ACCURACY_CSV = "accuracy.csv"
LIBRARIES = ["hpk", "openblas", "blis", "textbook"]
LIBRARY_LABELS = {"hpk": "hpk", "openblas": "OpenBLAS", "blis": "BLIS", "textbook": "textbook loop"}
SENTENCE_NAMES = {"openblas": "OpenBLAS", "blis": "BLIS", "textbook": "the textbook loop"}
LIBRARY_COLORS = {"hpk": "#1f77b4", "openblas": "#d62728", "blis": "#8c564b", "textbook": "#ff7f0e"}
DATA = ["uniform", "cancel", "huge", "tiny"]
DATA_TITLES = {"uniform": "uniform [0, 1)", "cancel": "cancellation", "huge": "huge (1e200 / 1e30)",
               "tiny": "tiny (1e-200 / 1e-30)"}
# Within this factor two errors are "about the same".
TIE = 2.0


def load(results_dir):
    """accuracy.csv's rows with numbers parsed (inf for an Inf result; a
    missing or empty condition or ulps column reads as None; column names
    and values stripped, names in any case; every hpk_* library is hpk);
    None when the file is absent.  Rows without kernel, precision, data, n,
    library and a relative error that is a number are skipped.  OSError or
    csv.Error where the file cannot be read."""
    path = os.path.join(results_dir, ACCURACY_CSV)
    if not os.path.exists(path):
        return None
    rows = []
    with open(path, newline="") as f:
        for raw in csv.DictReader(f):
            r = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            try:
                if any(not r.get(k) for k in ("kernel", "precision", "data", "library")):
                    continue
                r["rel_error"] = abs(float(r["rel_error"]))
                r["n"] = int(r["n"])
            except (KeyError, TypeError, ValueError):
                continue
            if math.isnan(r["rel_error"]):
                continue
            r["library"] = "hpk" if r["library"].lower().startswith("hpk") else r["library"]
            for k in ("condition", "ulps"):
                r[k] = float(r[k]) if r.get(k) else None
            rows.append(r)
    return rows


def kernel_order(rows):
    """The kernels in the order accuracy.csv has them."""
    return list(dict.fromkeys(r["kernel"] for r in rows))


def worst(rows):
    """{(kernel, precision, data, library): the row with the largest
    relative error over the sizes}."""
    out = {}
    for r in rows:
        key = (r["kernel"], r["precision"], r["data"], r["library"])
        if key not in out or r["rel_error"] > out[key]["rel_error"]:
            out[key] = r
    return out


def cases(rows):
    """The (kernel, precision, data) measured, in the table's order."""
    seen = {(r["kernel"], r["precision"], r["data"]) for r in rows}
    kernels = kernel_order(rows)
    order = lambda c: (kernels.index(c[0]), c[1] != "d",
                       DATA.index(c[2]) if c[2] in DATA else 99)
    return sorted(seen, key=order)


def fmt_error(r):
    """'2.1e-16 (0.94 ulp)'; a non-finite result says so."""
    if r is None:
        return "–"
    if math.isinf(r["rel_error"]):
        return "Inf/NaN result"
    if r["rel_error"] == 0:
        return "exact"
    return f"{r['rel_error']:.1e}" + (f" ({r['ulps']:.3g} ulp)" if r["ulps"] is not None else "")


def compare(hpk, other):
    """'smaller', 'same' or 'larger': hpk's worst relative error against
    another library's (same within a factor TIE; an Inf/NaN result is worse
    than any number, two of them the same)."""
    a, b = hpk["rel_error"], other["rel_error"]
    if math.isinf(a) and math.isinf(b):
        return "same"
    if math.isinf(b) or b > TIE * a:
        return "smaller"
    if math.isinf(a) or a > TIE * b:
        return "larger"
    return "same"


def findings(rows):
    """Sentences from the numbers: hpk's worst error in ulps on uniform data
    per precision, and per other library in how many cases hpk's worst
    relative error is smaller, about the same (within 2x) or larger."""
    w = worst(rows)
    out = []
    parts = []
    for prec in ("d", "s"):
        ulps = [r["ulps"] for (k, p, d, lib), r in w.items()
                if lib == "hpk" and p == prec and d == "uniform" and r["ulps"] is not None]
        if ulps:
            parts.append(f"{max(ulps):.2g} ulp in {PRECISION_NAMES[prec]}")
    if parts:
        out.append(f"On well-conditioned data (uniform [0, 1)) hpk's worst error over every kernel and size is "
                   f"{' and '.join(parts)}.")
    for lib in LIBRARIES[1:]:
        tally = {"smaller": 0, "same": 0, "larger": 0}
        for kernel, prec, data in cases(rows):
            h, o = w.get((kernel, prec, data, "hpk")), w.get((kernel, prec, data, lib))
            if h and o:
                tally[compare(h, o)] += 1
        total = sum(tally.values())
        if total:
            out.append(f"Against {SENTENCE_NAMES[lib]}, hpk's worst relative error is smaller (by more than "
                       f"{TIE:g}×) in {tally['smaller']} of {total} cases, about the same in {tally['same']} "
                       f"and larger in {tally['larger']}.")
    broken = sorted({SENTENCE_NAMES[lib] for (k, p, d, lib), r in w.items()
                     if k == "nrm2" and d in ("huge", "tiny") and (math.isinf(r["rel_error"]) or r["rel_error"] >= 0.5)})
    if any(lib == "hpk" for (k, p, d, lib) in w if k == "nrm2" and d in ("huge", "tiny")):
        safe = all(r["rel_error"] < 1e-6 for (k, p, d, lib), r in w.items()
                   if lib == "hpk" and k == "nrm2" and d in ("huge", "tiny"))
        out.append(f"nrm2 of huge and tiny values: hpk {'stays accurate' if safe else 'loses accuracy'}"
                   + (f"; {', '.join(broken)} overflow{'s' if len(broken) == 1 else ''} or underflow"
                      f"{'s' if len(broken) == 1 else ''} (an Inf or a zero)." if broken else "."))
    return out


def table(rows):
    """(header, rows): per kernel, precision and data, the condition number
    range and each library's worst relative error (its ulps; 'no KERNEL'
    where the library has no such kernel)."""
    w = worst(rows)
    libs = [lib for lib in LIBRARIES if any(k[3] == lib for k in w)]
    header = ["kernel", "prec", "data", "condition"] + [LIBRARY_LABELS[lib] for lib in libs]
    out = []
    for kernel, prec, data in cases(rows):
        conds = [r["condition"] for r in rows
                 if (r["kernel"], r["precision"], r["data"]) == (kernel, prec, data) and r["condition"] is not None]
        cond = ("–" if not conds else f"{min(conds):.2g}" if max(conds) <= 1.5 * min(conds)
                else f"{min(conds):.2g}–{max(conds):.2g}")
        line = [kernel, prec, data, cond]
        for lib in libs:
            has = any(k[0] == kernel and k[3] == lib for k in w)
            line.append(fmt_error(w.get((kernel, prec, data, lib))) if has else f"no {kernel}")
        out.append(line)
    return header, out


def tally_by_size(rows, lib):
    """hpk against `lib` at every (kernel, precision, data, size) both ran,
    by compare's rule: {'smaller': n, 'same': n, 'larger': n}."""
    cases = {}
    for r in rows:
        key = (r["kernel"], r["precision"], r["data"], r["n"])
        if r["library"] in ("hpk", lib):
            c = cases.setdefault(key, {})
            if r["library"] not in c or r["rel_error"] > c[r["library"]]["rel_error"]:
                c[r["library"]] = r
    out = {"smaller": 0, "same": 0, "larger": 0}
    for c in cases.values():
        if "hpk" in c and lib in c:
            out[compare(c["hpk"], c[lib])] += 1
    return out


def plot(results_dir, rows, context):
    import plotting  # matplotlib only here: the table needs none
    panels = [(k, d) for k in kernel_order(rows) for d in DATA if any(r["kernel"] == k and r["data"] == d for r in rows)]
    fig, axes, _ = plotting.grid(len(panels), cols=min(4, len(panels)))
    finite = [r["rel_error"] for r in rows if r["rel_error"] > 0 and not math.isinf(r["rel_error"])]
    floor = min(finite + [1e-17]) / 4
    top = max(max(finite + [1.0]) * 4, 1.0)
    for ax, (kernel, data) in zip(axes, panels):
        for lib in LIBRARIES:
            for prec, ls in (("d", "-"), ("s", "--")):
                pts = sorted((r["n"], r["rel_error"]) for r in rows
                             if (r["kernel"], r["data"], r["library"], r["precision"]) == (kernel, data, lib, prec))
                if not pts:
                    continue
                xs = [n for n, _ in pts]
                ys = [top if math.isinf(e) else floor if e == 0 else e for _, e in pts]
                ax.plot(xs, ys, color=LIBRARY_COLORS[lib], linestyle=ls, marker="o", markersize=3.5,
                        zorder=3 if lib == "hpk" else 2,  # hpk on top where libraries agree
                        label=f"{LIBRARY_LABELS[lib]}, {PRECISION_NAMES[prec]}")
                bad = [(n, top) for n, e in pts if math.isinf(e)]
                if bad:
                    ax.plot(*zip(*bad), linestyle="none", marker="X", markersize=9, color=LIBRARY_COLORS[lib],
                            label="Inf/NaN result (drawn at the top)")
        for u, name in ((2.0 ** -53, "u double"), (2.0 ** -24, "u float")):
            ax.axhline(u, color="0.5", linestyle=":", linewidth=1)
            ax.annotate(name, xy=(0.99, u), xycoords=("axes fraction", "data"), ha="right", va="bottom",
                        fontsize=7, color="0.35")
        ax.set_yscale("log")
        ax.set_ylim(floor / 2, top * 3)
        plotting.count_axis(ax)
        ax.set_xlabel("elements n")
        ax.set_ylabel("relative error (log)")
        ax.set_title(f"{kernel}: {DATA_TITLES.get(data, data)}")
    legend_rows = plotting.shared_legend(fig, axes, ncol=5)
    title = "Relative error vs size (double solid, float dashed; 0 drawn at the bottom)"
    sub = context and plotting.subtitle(context)
    plotting.save(fig, results_dir, "accuracy.png", f"{title}   ·   {sub}" if sub else title,
                  legend_rows=legend_rows)


def main():
    results_dir = benchjson.results_dir_from_argv("plots/accuracy.py")
    rows = load(results_dir)
    if not rows:
        print(f"accuracy: no {ACCURACY_CSV} in {results_dir}; accuracy.png not written")
        return
    try:
        data = benchjson.load_json(results_dir)
    except benchjson.NoResults:
        data = None
    plot(results_dir, rows, data)


if __name__ == "__main__":
    benchjson.main_guard(main)
