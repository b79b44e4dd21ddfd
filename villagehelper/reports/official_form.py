"""The parts of an administrative document of Decree 30/2020 that the weekly report has.

The header (issuing body on the left; national name, motto, place and date on the right)
and the signature block (who prepared the report, the team leader).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QTextCursor, QTextLength, QTextTable

from villagehelper.reports.columns import widest_line
from villagehelper.reports.typesetting import (
    block_format,
    borderless_table,
    centred_lines,
    char_format,
    percent_widths,
    report_font,
)
from villagehelper.tally.report_wording import (
    MOTTO,
    NATIONAL_NAME,
    commune_committee,
    date_line,
    issuing_body,
)


def write_letterhead(
    cursor: QTextCursor, commune_name: str, village_name: str | None, printed_on: date
) -> None:
    bold = char_format(bold=True)
    # Decree 30: the issuing body on the left, the national name and motto on the right,
    # each on one line: the right block is as wide as its longest line, the left takes
    # the rest (its lines wrap between words).
    right = [
        (NATIONAL_NAME, report_font(bold=True)),
        (MOTTO, report_font(bold=True)),
        (date_line(commune_name, printed_on), char_format(italic=True).font()),
    ]
    right_width = max(widest_line([text], font) for text, font in right) + 4.0
    table = borderless_table(
        cursor,
        2,
        [
            QTextLength(QTextLength.Type.VariableLength, 0),
            QTextLength(QTextLength.Type.FixedLength, right_width),
        ],
    )
    cursor.setPosition(table.cellAt(0, 0).firstPosition())
    centred_lines(
        cursor,
        [
            (commune_committee(commune_name), char_format()),
            (issuing_body(village_name), bold),
        ],
        rule=35.0,
    )
    cursor.setPosition(table.cellAt(0, 1).firstPosition())
    centred_lines(
        cursor,
        [
            (NATIONAL_NAME, bold),
            (MOTTO, bold),
        ],
        rule=55.0,
    )
    cursor.setPosition(table.cellAt(1, 1).firstPosition())
    cursor.setBlockFormat(block_format(top=6.0))
    cursor.insertText(date_line(commune_name, printed_on), char_format(italic=True))
    cursor.movePosition(QTextCursor.MoveOperation.End)


def write_signatures(cursor: QTextCursor, prepared_by: str, leader_name: str) -> QTextTable:
    table = borderless_table(cursor, 1, percent_widths(50.0, 50.0))
    for column, (role, name) in enumerate(
        (("Người lập biểu", prepared_by), ("TỔ TRƯỞNG", leader_name))
    ):
        cell_cursor = table.cellAt(0, column).firstCursorPosition()
        centred_lines(
            cell_cursor,
            [
                (role, char_format(bold=True)),
                ("(Ký, ghi rõ họ tên)", char_format(italic=True)),
                # Room for the signature: four empty lines, as on paper forms.
                *(("", char_format()) for _ in range(4)),
                (name.strip(), char_format(bold=True)),
            ],
        )
    cursor.movePosition(QTextCursor.MoveOperation.End)
    return table
