"""The printed "who is left" list of a campaign for one village, in the layout of
Decree 30/2020 (the weekly report's letterhead, margins, page numbers and signatures).

Names are printed: the list is the team's own, to carry door to door; the note under the
table says so and asks for it to be destroyed after use (docs/campaigns.md).  The table
is one Qt table whose header row Qt repeats on every page it spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument

from villagehelper.campaigns.left_list import LeftPerson, standing
from villagehelper.campaigns.left_printout import LeftPrintout, SignedList
from villagehelper.reports.counts_table import aligned, write_boxed_table
from villagehelper.reports.official_form import write_letterhead, write_signatures
from villagehelper.reports.typesetting import block_format, char_format, percent_widths
from villagehelper.reports.weekly import new_a4_document, print_from_command_line

TITLE = "DANH SÁCH NGƯỜI DÂN CHƯA ĐƯỢC HỖ TRỢ XONG"
HEADINGS = ("TT", "Họ và tên", "Năm sinh", "Chủ hộ", "Điện thoại", "Tình trạng", "Ghi chú")
# The name and the household head wrap; the note column is left for handwriting.
WIDTHS = (6.0, 29.0, 8.0, 22.0, 13.0, 15.0, 7.0)
NOTE = (
    "Ghi chú: danh sách có tên người dân, chỉ dùng trong tổ để đến từng nhà; không gửi đi, "
    "hủy sau khi dùng. Xã chỉ nhận số liệu."
)


def _cells(number: int, entry: LeftPerson) -> list[str]:
    person = entry.person
    return [
        str(number),
        person.full_name,
        str(person.birth_year) if person.birth_year else "",
        entry.household_head or "",
        person.phone or "",
        standing(entry),
        "",
    ]


def build_lists_documents(
    lists: Sequence[SignedList], *, commune_name: str, printed_on: date
) -> list[QTextDocument]:
    """One document per village, printed one after another (``weekly.write_pdf``), each
    from a new page with its own letterhead, signatures and page numbers: each village's
    team carries its own pages away.  Documents of their own, not page breaks in one:
    in one document, a later village's table painted its repeated header row over a
    row that had been split at a page's foot."""
    if not lists:
        raise ValueError("no list to print")
    return [
        build_list_document(signed, commune_name=commune_name, printed_on=printed_on)
        for signed in lists
    ]


def build_list_document(
    signed: SignedList, *, commune_name: str, printed_on: date
) -> QTextDocument:
    document = new_a4_document(f"Danh sách chưa hỗ trợ – {signed.left.campaign_name}")
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    _write_list(cursor, signed, commune_name, printed_on)
    cursor.endEditBlock()
    return document


def _write_list(
    cursor: QTextCursor, signed: SignedList, commune_name: str, printed_on: date
) -> None:
    left = signed.left
    write_letterhead(cursor, commune_name, left.village_name, printed_on)
    title = char_format(bold=True, point_size=14.0)
    cursor.insertBlock(block_format(top=18.0), title)
    cursor.insertText(TITLE, title)
    lines = (
        f"Chiến dịch: {left.campaign_name}",
        f"{left.village_name} – hạn hoàn thành {left.deadline:%d/%m/%Y}",
        "Loại hỗ trợ: " + "; ".join(left.service_labels),
    )
    for number, line in enumerate(lines):
        bottom = 12.0 if number == len(lines) - 1 else 0.0
        cursor.insertBlock(block_format(bottom=bottom), char_format(italic=number == 2))
        cursor.insertText(line, char_format(bold=number < 2, italic=number == 2))
    cursor.insertBlock(block_format(Qt.AlignmentFlag.AlignLeft))
    _write_table(cursor, [_cells(n, entry) for n, entry in enumerate(left.people, start=1)])
    note = block_format(Qt.AlignmentFlag.AlignLeft, top=4.0, bottom=18.0)
    cursor.insertBlock(note, char_format(italic=True, point_size=11.0))
    count = f"Còn {len(left.people)} người. " if left.people else "Không còn ai. "
    cursor.insertText(count + NOTE, char_format(italic=True, point_size=11.0))
    cursor.insertBlock(block_format())
    write_signatures(cursor, signed.prepared_by, signed.leader_name)


def _write_table(cursor: QTextCursor, rows: list[list[str]]) -> None:
    write_boxed_table(
        cursor,
        [list(HEADINGS), *rows],
        percent_widths(*WIDTHS),
        # The number and the birth year centred; the phone and status read as text.
        align=aligned(centred=(0, 2), left=(1, 3, 4, 5, 6)),
        bold=lambda row: row == 0,
    )


def write_left_pdf(printout: LeftPrintout, path: Path, printed_on: date) -> int:
    """The printout's lists printed to ``path`` from a command line (making the Qt
    application it lacks); the page count."""
    return print_from_command_line(
        lambda: build_lists_documents(
            printout.lists, commune_name=printout.commune_name, printed_on=printed_on
        ),
        path,
    )
