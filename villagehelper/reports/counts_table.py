"""The table of the weekly report: one row per service with activity this year, a total.

Each number column is as wide as its widest word (measured in bold, header included)
and as its heading needs to fit on three lines; the service name takes the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QTextCharFormat,
    QTextCursor,
    QTextFrameFormat,
    QTextLength,
    QTextTable,
    QTextTableCellFormat,
    QTextTableFormat,
)

from villagehelper.reports.columns import fitted_columns
from villagehelper.reports.typesetting import block_format, char_format, report_font
from villagehelper.tally.results import Counts, Tally
from villagehelper.text import format_number

# The table's text: the decree sets no size for tables, and at 12 pt all fourteen
# services, the headers and the signatures fit on one A4 page.
TABLE_PT = 12.0
CELL_PADDING = 3.0

COLUMNS = (
    "STT",
    "Loại hỗ trợ",
    "Số lượt",
    "Số người",
    "Thành công",
    "Hẹn lại",
    "Chưa thành công",
    "Lũy kế từ đầu năm",
)
NAME_COLUMN = 1  # the service's name: the one column that takes the rest of the width
HEADING_LINES = 3  # "Lũy kế / từ đầu / năm": narrow number columns, a short header row


def counts_cells(counts: Counts) -> list[str]:
    return [
        format_number(value)
        for value in (
            counts.sessions,
            counts.people,
            counts.done,
            counts.follow_up,
            counts.failed,
            counts.cumulative,
        )
    ]


def data_rows(tally: Tally) -> list[list[str]]:
    """The table's rows under its header: one per service, then the total."""
    # Services with activity this year (in the period or before it since 1 January): a
    # service nobody has asked for all year tells the commune nothing.
    active = [row for row in tally.rows if row.counts.sessions or row.counts.cumulative]
    rows = [
        [str(number), row.label_vi, *counts_cells(row.counts)]
        for number, row in enumerate(active, start=1)
    ]
    rows.append(["", "Tổng cộng", *counts_cells(tally.totals)])
    return rows


def table_columns(rows: list[list[str]]) -> list[QTextLength]:
    # Every cell measured in bold, the widest style the table uses (header and total).
    cells_by_column = [
        [heading, *(row[index] for row in rows)] for index, heading in enumerate(COLUMNS)
    ]
    return fitted_columns(
        cells_by_column,
        report_font(TABLE_PT, bold=True),
        extra=2 * CELL_PADDING + 1.0,  # padding both sides and the collapsed grid line
        stretch=NAME_COLUMN,
        heading_lines=HEADING_LINES,
    )


def boxed_table_format(columns: list[QTextLength]) -> QTextTableFormat:
    """A table of the report's kind: a grid of single black lines, full width, one
    header row."""
    fmt = QTextTableFormat()
    fmt.setBorder(1.0)
    fmt.setBorderBrush(QBrush(QColor(0, 0, 0)))
    fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
    # Collapsed: one line between cells (otherwise each cell draws its own box).
    fmt.setBorderCollapse(True)
    fmt.setCellPadding(CELL_PADDING)
    fmt.setCellSpacing(0)
    fmt.setHeaderRowCount(1)
    fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    fmt.setColumnWidthConstraints(columns)
    return fmt


def boxed_cell_format() -> QTextTableCellFormat:
    """A cell of that grid, its text in the middle of its height."""
    cell_format = QTextTableCellFormat()
    # Explicit: a cell format without border properties draws no grid line.
    cell_format.setBorder(1.0)
    cell_format.setBorderBrush(QBrush(QColor(0, 0, 0)))
    cell_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
    cell_format.setPadding(CELL_PADDING)
    cell_format.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignMiddle)
    return cell_format


def aligned(
    *, centred: tuple[int, ...], left: tuple[int, ...]
) -> Callable[[int, int], Qt.AlignmentFlag]:
    """Where a cell's text goes: the header row and ``centred`` columns centred,
    ``left`` columns (names) to the left, the rest (numbers) to the right."""

    def align(row: int, column: int) -> Qt.AlignmentFlag:
        if row == 0 or column in centred:
            return Qt.AlignmentFlag.AlignHCenter
        return Qt.AlignmentFlag.AlignLeft if column in left else Qt.AlignmentFlag.AlignRight

    return align


def write_boxed_table(
    cursor: QTextCursor,
    rows: list[list[str]],
    columns: list[QTextLength],
    *,
    align: Callable[[int, int], Qt.AlignmentFlag],
    bold: Callable[[int], bool],
) -> QTextTable:
    """``rows`` (the header row first) as a table of the report's kind at ``cursor``,
    which is left after it."""
    table = cursor.insertTable(len(rows), len(rows[0]), boxed_table_format(columns))
    for row_index, values in enumerate(rows):
        for column, text in enumerate(values):
            cell = table.cellAt(row_index, column)
            cell.setFormat(boxed_cell_format())
            cell_cursor = cell.firstCursorPosition()
            cell_cursor.setBlockFormat(block_format(align(row_index, column)))
            cell_cursor.insertText(text, char_format(bold=bold(row_index), point_size=TABLE_PT))
    cursor.movePosition(QTextCursor.MoveOperation.End)
    return table


def write_counts_table(
    cursor: QTextCursor,
    rows: list[list[str]],
    columns: list[QTextLength],
    *,
    with_total: bool,
) -> QTextTable:
    """One table of the report: the header row, then ``rows`` (the total last when
    ``with_total``)."""
    # Its header row is repeated by Qt only if one row were taller than a page; otherwise
    # keep_together starts a new table, with its own header row, before a row that would
    # break.
    all_rows = [list(COLUMNS), *rows]
    last = len(all_rows) - 1
    return write_boxed_table(
        cursor,
        all_rows,
        columns,
        align=aligned(centred=(0,), left=(NAME_COLUMN,)),
        bold=lambda row: row == 0 or (with_total and row == last),
    )
