"""The weekly report's part on the open campaigns: a heading and a table of counts (as
of the day the report is made), after the week's table.  Never a resident's name."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from villagehelper.campaigns.report_lines import CampaignLine
from villagehelper.reports.counts_table import aligned, write_boxed_table
from villagehelper.reports.typesetting import block_format, char_format, percent_widths
from villagehelper.text import format_number

HEADING = "TIẾN ĐỘ CÁC CHIẾN DỊCH (tính đến ngày lập báo cáo)"
COLUMNS = (
    "TT",
    "Chiến dịch",
    "Hạn",
    "Danh sách",
    "Đã tiếp cận",
    "Thành công",
    "Hẹn lại",
    "Chưa thành công",
    "Chưa làm",
)
WIDTHS = (5.0, 27.0, 12.0, 9.0, 10.0, 10.0, 9.0, 9.0, 9.0)
NAME_COLUMN = 1


def _cells(number: int, line: CampaignLine) -> list[str]:
    counts = line.counts
    numbers = (counts.total, counts.reached, counts.done)
    rest = (counts.follow_up, counts.failed, counts.not_yet)
    return [str(number), line.name, f"{line.deadline:%d/%m/%Y}"] + [
        format_number(value) for value in (*numbers, *rest)
    ]


def write_campaign_progress(cursor: QTextCursor, lines: Sequence[CampaignLine]) -> None:
    heading = char_format(bold=True)
    cursor.insertBlock(block_format(Qt.AlignmentFlag.AlignLeft, top=6.0, bottom=4.0), heading)
    cursor.insertText(HEADING, heading)
    cursor.insertBlock(block_format(Qt.AlignmentFlag.AlignLeft))
    rows = [list(COLUMNS), *(_cells(n, line) for n, line in enumerate(lines, start=1))]
    write_boxed_table(
        cursor,
        rows,
        percent_widths(*WIDTHS),
        align=aligned(centred=(0, 2), left=(NAME_COLUMN,)),
        bold=lambda row: row == 0,
    )
    cursor.insertBlock(block_format(bottom=12.0))  # the signatures a line below
