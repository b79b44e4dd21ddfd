"""Where a long report table must continue on a new page.

Qt breaks a table between the lines of a cell: a row's name was left on page 1 while
its numbers, vertically centred, printed over the header repeated on page 2; and the
signatures, alone or the signers' names alone, ended on a page of their own.  Here the
document is laid out, and the first row that does not end on the page where its table
starts becomes the first row of a new table, with its own header row, on a new page.
The signatures never go alone: when they do not fit under the table, the table's last
two rows (the last service and the total) go to the next page with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtGui import QTextBlock, QTextCursor, QTextDocument, QTextFrame, QTextTable

# The last service and the total travel with the signatures.
ROWS_WITH_SIGNATURES = 2
# The height of the small block between two parts of the table, in document units.
BETWEEN_TABLES = 4.0


@dataclass(frozen=True)
class TablePart:
    """One table of the report: ``first_row`` is the number of the data row it starts
    with (0-based, over all parts); its own row 0 is the header."""

    table: QTextTable
    first_row: int


def _extent(document: QTextDocument, blocks: Sequence[QTextBlock]) -> tuple[float, float]:
    layout = document.documentLayout()
    rects = [layout.blockBoundingRect(block) for block in blocks]
    return min(rect.top() for rect in rects), max(rect.bottom() for rect in rects)


def _blocks(first: QTextCursor, last: QTextCursor) -> list[QTextBlock]:
    """The blocks from ``first``'s to ``last``'s, both included."""
    blocks: list[QTextBlock] = []
    block, end = first.block(), last.block()
    while block.isValid():
        blocks.append(block)
        if block == end:
            break
        block = block.next()
    return blocks


def _row_blocks(table: QTextTable, row: int) -> list[QTextBlock]:
    cells = [table.cellAt(row, column) for column in range(table.columns())]
    return [
        block
        for cell in cells
        for block in _blocks(cell.firstCursorPosition(), cell.lastCursorPosition())
    ]


def next_break(
    document: QTextDocument, parts: Sequence[TablePart], tail: QTextFrame, total_rows: int
) -> int | None:
    """The data row that must start a new table on a new page, or ``None`` when every
    row sits whole on one page and the signatures (``tail``) with the table's end."""
    page = document.pageSize().height()
    part = parts[-1]
    start_page = int(_extent(document, _row_blocks(part.table, 0))[0] // page)
    page_end = (start_page + 1) * page
    # Under its last row a table has its padding, grid line and frame, and the next
    # part's page break sits on a block after it: all must end on the same page, or
    # the break would come on the next one and leave a blank page.
    last_bottom = _extent(document, _row_blocks(part.table, part.table.rows() - 1))[1]
    frame_bottom = document.documentLayout().frameBoundingRect(part.table).bottom()
    room = page_end - (frame_bottom - last_bottom) - BETWEEN_TABLES
    for row in range(2, part.table.rows()):  # a part holds at least one row
        top, bottom = _extent(document, _row_blocks(part.table, row))
        if top >= page_end or bottom > room:
            return part.first_row + row - 1
    _, bottom = _extent(document, _blocks(tail.firstCursorPosition(), tail.lastCursorPosition()))
    last_row = part.first_row + part.table.rows() - 1
    carried = total_rows - ROWS_WITH_SIGNATURES
    if bottom > page_end and carried > part.first_row and last_row == total_rows:
        return carried
    return None
