"""The one table renderer of the report's sections."""


def table(header, rows):
    """(markdown, plain text) renderings of the same table: header and rows
    are lists of strings."""
    md = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    text = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in [header] + rows]
    return "\n".join(md), "\n".join(text)
