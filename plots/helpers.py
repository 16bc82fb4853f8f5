"""Small helpers every part of the study shares: selecting tidy rows and
formatting numbers, counts, sizes and ratios for the tables and the text."""
import math
import statistics

PRECISION_NAMES = {"s": "float", "d": "double"}
PRECISIONS = ("d", "s")  # the report's order


def select(rows, **want):
    return [r for r in rows if all(r[k] == v for k, v in want.items())]


def largest(rows, **want):
    """The row of the largest size among rows matching want; None."""
    sel = select(rows, **want)
    return max(sel, key=lambda r: r["size"]) if sel else None


def thread_counts(rows):
    return sorted({r["threads"] for r in rows})


def fmt(v, spec=".2f", suffix=""):
    """v formatted by spec ('–' for None; no '-0.00')."""
    if v is None:
        return "–"
    text = f"{v:{spec}}"
    return (text[1:] if text.startswith("-") and float(text) == 0 else text) + suffix


def plural(t):
    """'1 thread', '4 threads'."""
    return f"{t} thread{'s' if t > 1 else ''}"


def ratio_summary(values):
    """'1.23 (0.90–1.50)': the median over sizes and the range."""
    values = [v for v in values if v]
    if not values:
        return "–"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def fmt_bytes(n):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            v = n / scale
            return f"{v:.0f} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n:.0f} B"


def fmt_count(n):
    k = int(round(math.log2(n))) if n > 0 else 0
    return f"2^{k}" if n == 2 ** k else f"{n:g}"


def outcome(value, target, interval=None):
    """'met', 'missed' or 'missed (within the noise)': the lowest value
    against its target, the noise when its interval reaches the target."""
    if value >= target:
        return "met"
    return "missed (within the noise)" if interval and interval[1] >= target else "missed"
