"""The report's model and its two renderers.

A Section is computed once from the data: a title, intro paragraphs, a
table (header and rows of strings), paragraphs after it, subsections, and
the lines it adds to the report's Findings.  markdown() renders it for
report.md, text() for the console; table() renders one table both ways.
"""
from dataclasses import dataclass, field


@dataclass
class Section:
    title: str = None      # the heading; None: none (a part of its parent)
    intro: list = field(default_factory=list)      # markdown paragraphs before the table
    table: tuple = None    # (header, rows): lists of strings
    after: list = field(default_factory=list)      # paragraphs after the table
    subsections: list = field(default_factory=list)
    findings: list = field(default_factory=list)   # its lines in the Findings
    text_title: str = None  # the console's heading of its table
    text_body: str = None   # the console's text where there is no table
    level: int = 2

    def __bool__(self):
        return True


def table(header, rows):
    """(markdown, plain text) renderings of the same table: header and rows
    are lists of strings."""
    md = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    md += ["| " + " | ".join(r) + " |" for r in rows]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    text = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in [header] + rows]
    return "\n".join(md), "\n".join(text)


def markdown(section):
    """The section's markdown lines (a blank line after each block)."""
    lines = [f"{'#' * section.level} {section.title}", ""] if section.title else []
    for p in section.intro:
        lines += [p, ""]
    if section.table:
        lines += [table(*section.table)[0], ""]
    for p in section.after:
        lines += [p, ""]
    for sub in section.subsections:
        lines += markdown(sub)
    return lines


def text(section):
    """The console's rendering: the heading of the table and the table in
    plain text (text_body where there is no table); None for neither."""
    body = table(*section.table)[1] if section.table else section.text_body
    if body is None or section.text_title is None:
        return None
    return f"{section.text_title}\n{body}"


def plain(section, heading=True):
    """The section's markdown without blank lines (and without its heading):
    the console's rendering of a section of prose."""
    lines = [line for line in markdown(section) if line]
    return lines if heading or not section.title else lines[1:]
