"""The accuracy study in the report: the "Accuracy" section (the worst
relative error per kernel, precision, data and library, and sentences from
the same numbers) and its Findings line, both from accuracy.py's one
reader and one rule (two errors within a factor accuracy.TIE are about the
same)."""
import csv

import accuracy
from helpers import fmt_count
from render import Section


def finding(rows):
    """The Findings line: the largest relative error of each library, and
    per other library in how many (kernel, precision, data, size) cases
    hpk's error is smaller, about the same or larger by accuracy.compare."""
    cases = {(r["kernel"], r["precision"], r["data"], r["n"]) for r in rows}
    libs = sorted({r["library"] for r in rows}, key=lambda x: (x != "hpk", x))
    worst = []
    for lib in libs:
        r = max((r for r in rows if r["library"] == lib), key=lambda r: r["rel_error"])
        key = (r["kernel"], r["precision"], r["data"], str(r["n"]))
        worst.append(f"{lib} {r['rel_error']:.2g} ({' '.join(v for v in key if v)})")
    parts = [f"{len(cases)} cases; largest relative error: " + ", ".join(worst)]
    if "hpk" in libs:
        for lib in libs[1:]:
            n = accuracy.tally_by_size(rows, lib)
            total = sum(n.values())
            if total:
                parts.append(f"hpk's error is smaller than {lib}'s (by more than {accuracy.TIE:g}×) in "
                             f"{n['smaller']}, about the same in {n['same']} and larger in {n['larger']} "
                             f"of {total} cases")
    return f"- **Accuracy** (accuracy.csv): {'; '.join(parts)}."


def section(results_dir):
    """The Accuracy section; None without accuracy.csv (a Findings line
    alone where it cannot be read or holds no usable row)."""
    try:
        rows = accuracy.load(results_dir)
    except (OSError, csv.Error) as e:
        return Section(findings=[f"- **Accuracy** (accuracy.csv): accuracy.csv could not be read ({e})."])
    if rows is None:
        return None
    if not rows:
        return Section(findings=["- **Accuracy** (accuracy.csv): accuracy.csv holds no usable row (kernel, "
                                 "precision, data, n, library, rel_error)."])
    sizes = sorted({r["n"] for r in rows})
    return Section("Accuracy", intro=[
        f"`hpk_accuracy` (accuracy.csv): each library once per size ({fmt_count(sizes[0])} … "
        f"{fmt_count(sizes[-1])} elements) and kind of data; the worst relative error "
        "|result − reference| / |reference| over the sizes, with that error in ulps of the result's "
        "precision.  Reference: the exact terms summed in long double with Neumaier's compensation. "
        "*condition*: Σ|tᵢ| / |Σtᵢ| over the summed terms (error bounds grow with it).  *cancel*: a "
        "vector and its negation at shuffled places plus noise in [0, 1e-6) (dot: nearly orthogonal "
        "vectors built the same way).  hpk runs on its OpenMP backend (its results do not depend on "
        "the thread count), OpenBLAS and BLIS on 1 thread; the textbook loop adds in the data's "
        "precision, in order."], table=accuracy.table(rows), after=[" ".join(accuracy.findings(rows))],
        findings=[finding(rows)], text_title="Accuracy (worst relative error over the sizes, its ulps):")
