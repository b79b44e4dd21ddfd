"""Tables the command line prints: columns as wide as their widest cell, the label
column to the left and the numbers to the right, a rule under the headers and one
above the last row (the total)."""

from __future__ import annotations

from collections.abc import Sequence


def table_text(headers: Sequence[str], rows: Sequence[Sequence[str]], label_column: int) -> str:
    """``rows`` under ``headers``; the last row is the total, set off by a rule."""
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if index == label_column else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "-" * len(line(["-" * width for width in widths]))
    return "\n".join([line(headers), rule, *(line(row) for row in rows[:-1]), rule, line(rows[-1])])
