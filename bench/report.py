"""Plain-text tables for the runners' output."""

from __future__ import annotations


def format_table(rows: list[list[str]]) -> str:
    """Columns padded to their widest cell: the first left-aligned, numbers right-aligned, a rule under the header."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [text.rjust(width) for text, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
