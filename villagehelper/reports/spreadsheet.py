"""The weekly tally as a spreadsheet: a formatted XLSX and a plain CSV (no Qt).

Sheet 1 is the report as the commune receives it (title, two-level header, one row per
service, a total row); sheet 2 breaks the same period down by village and by team
member. Every text cell goes through the importer's formula neutralisation: village and
member names are typed by people, and a name such as ``=HYPERLINK(...)`` must stay text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from villagehelper.ops.team import list_team_members, list_villages
from villagehelper.spreadsheet_cells import neutralise
from villagehelper.spreadsheet_style import (
    BOX,
    NUMBER_FORMAT,
    TOTAL_LABEL,
    cell_text,
    header_cell,
    title_row,
)
from villagehelper.store.engine import Store
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.report_wording import REPORT_TITLE, period_title
from villagehelper.tally.results import Counts, Tally
from villagehelper.text import search_key

BREAKDOWN_SHEET = "Theo thôn, thành viên"

# (header, width in characters, Counts attribute or None, additive)
_COLUMNS: tuple[tuple[str, int, str | None, bool], ...] = (
    ("STT", 6, None, False),
    ("Loại hỗ trợ", 40, None, False),
    ("Số lượt", 10, "sessions", True),
    ("Số người", 10, "people", False),
    ("Số hộ", 10, "households", False),
    ("Thành công", 12, "done", True),
    ("Hẹn lại", 10, "follow_up", True),
    ("Chưa thành công", 16, "failed", True),
    ("Lũy kế từ đầu năm", 18, "cumulative", True),
)
# The three outcome columns share one merged "Kết quả" header above them.
_OUTCOME_FIRST, _OUTCOME_LAST = 5, 7  # 0-based indexes into _COLUMNS
_OUTCOME_HEADER = "Kết quả"

_BREAKDOWN_NAME = ("Tên", 34)
_BREAKDOWN_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("Số lượt", 10, "sessions"),
    ("Số người", 10, "people"),
    ("Thành công", 12, "done"),
    ("Hẹn lại", 10, "follow_up"),
    ("Chưa thành công", 16, "failed"),
)


@dataclass(frozen=True)
class BreakdownRow:
    name: str
    counts: Counts


@dataclass(frozen=True)
class Breakdown:
    """Sheet 2: the same period and filters, one row per village and per member."""

    villages: tuple[BreakdownRow, ...] = field(default=())
    members: tuple[BreakdownRow, ...] = field(default=())


def compute_breakdown(store: Store, tally: Tally) -> Breakdown:
    """Per-village and per-member tallies for ``tally``'s period, keeping its filters
    (a report for one village breaks down only that village, by its members)."""
    villages = [
        village
        for village in list_villages(store)
        if tally.village_id is None or village.id == tally.village_id
    ]
    members = sorted(
        (
            member
            for member in list_team_members(store)
            if tally.volunteer_id is None or member.id == tally.volunteer_id
        ),
        key=lambda member: search_key(member.full_name),
    )
    return Breakdown(
        villages=tuple(
            BreakdownRow(
                village.name,
                compute_tally(
                    store, tally.period, village_id=village.id, volunteer_id=tally.volunteer_id
                ).totals,
            )
            for village in villages
        ),
        members=tuple(
            BreakdownRow(
                member.full_name,
                compute_tally(
                    store, tally.period, village_id=tally.village_id, volunteer_id=member.id
                ).totals,
            )
            for member in members
        ),
    )


def scope_line(commune_name: str, village_name: str | None) -> str:
    return f"{village_name} – {commune_name}" if village_name else commune_name


def table_rows(tally: Tally) -> list[tuple[str, str, list[int]]]:
    """(STT, label, numbers in column order) for every service row, then the total."""

    def numbers(counts: Counts) -> list[int]:
        return [int(getattr(counts, attr)) for _, _, attr, _ in _COLUMNS if attr is not None]

    rows = [
        (str(number), row.label_vi, numbers(row.counts))
        for number, row in enumerate(tally.rows, start=1)
    ]
    rows.append(("", TOTAL_LABEL, numbers(tally.totals)))
    return rows


def column_headers() -> list[str]:
    """Flat headers (CSV and the command line): the outcome columns stand alone."""
    return [title for title, _, _, _ in _COLUMNS]


def write_tally_csv(tally: Tally, path: Path) -> None:
    """Header, one row per service, the total; UTF-8 with a BOM so that Excel on Windows
    reads the Vietnamese instead of guessing the ANSI code page."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(title) for title in column_headers()])
        for number, label, values in table_rows(tally):
            writer.writerow([neutralise(cell) for cell in (number, label, *map(str, values))])


def _write_report_sheet(
    sheet: Worksheet, tally: Tally, commune_name: str, village_name: str | None
) -> None:
    width = len(_COLUMNS)
    title_row(sheet, 1, REPORT_TITLE, width, bold=True)
    title_row(sheet, 2, period_title(tally.period), width, bold=True)
    title_row(sheet, 3, scope_line(commune_name, village_name), width, bold=False)

    top, sub = 5, 6  # two header rows: "Kết quả" above its three outcome columns
    for index, (title, column_width, _, _) in enumerate(_COLUMNS):
        column = index + 1
        sheet.column_dimensions[get_column_letter(column)].width = column_width
        if _OUTCOME_FIRST <= index <= _OUTCOME_LAST:
            sheet.cell(row=sub, column=column, value=title)
        else:
            sheet.cell(row=top, column=column, value=title)
            sheet.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=column)
    sheet.cell(row=top, column=_OUTCOME_FIRST + 1, value=_OUTCOME_HEADER)
    sheet.merge_cells(
        start_row=top, start_column=_OUTCOME_FIRST + 1, end_row=top, end_column=_OUTCOME_LAST + 1
    )
    for header_row in (top, sub):
        for column in range(1, width + 1):
            header_cell(sheet, header_row, column)

    first_data = sub + 1
    rows = table_rows(tally)
    service_rows, (_, _, total_values) = rows[:-1], rows[-1]
    for offset, (number, label, values) in enumerate(service_rows):
        row = first_data + offset
        sheet.cell(row=row, column=1, value=int(number)).alignment = Alignment(horizontal="center")
        sheet.cell(row=row, column=2, value=cell_text(label))
        for column, number_value in enumerate(values, start=3):
            sheet.cell(row=row, column=column, value=number_value)

    total_row = first_data + len(service_rows)
    last_data = total_row - 1
    sheet.cell(row=total_row, column=2, value=TOTAL_LABEL)
    for index, (_, _, _, additive) in enumerate(_COLUMNS[2:], start=2):
        column = index + 1
        letter = get_column_letter(column)
        # People and households are distinct counts over all services (one person helped
        # twice is one person): a SUM would overcount, so they are the engine's values.
        if additive and service_rows:
            value: int | str = f"=SUM({letter}{first_data}:{letter}{last_data})"
        else:
            value = total_values[index - 2]
        sheet.cell(row=total_row, column=column, value=value)
    for row in range(first_data, total_row + 1):
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            cell.border = BOX
            if column > 2:
                cell.number_format = NUMBER_FORMAT
            if row == total_row:
                cell.font = Font(bold=True)
    sheet.freeze_panes = f"C{first_data}"  # labels and headers stay in view


def _write_breakdown_sheet(sheet: Worksheet, breakdown: Breakdown) -> None:
    headers = [_BREAKDOWN_NAME, *((title, width) for title, width, _ in _BREAKDOWN_COLUMNS)]
    for column, (_, column_width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    row = 1
    sections: Sequence[tuple[str, tuple[BreakdownRow, ...]]] = (
        ("Theo thôn", breakdown.villages),
        ("Theo thành viên", breakdown.members),
    )
    for heading, entries in sections:
        sheet.cell(row=row, column=1, value=heading).font = Font(bold=True, size=12)
        row += 1
        for column, (title, _) in enumerate(headers, start=1):
            header_cell(sheet, row, column, title)
        row += 1
        for entry in entries:
            sheet.cell(row=row, column=1, value=cell_text(entry.name)).border = BOX
            for column, (_, _, attr) in enumerate(_BREAKDOWN_COLUMNS, start=2):
                cell = sheet.cell(row=row, column=column, value=int(getattr(entry.counts, attr)))
                cell.number_format = NUMBER_FORMAT
                cell.border = BOX
            row += 1
        row += 1  # a blank line between the two sections


def write_tally_xlsx(
    tally: Tally,
    path: Path,
    *,
    commune_name: str,
    village_name: str | None,
    breakdown: Breakdown | None = None,
) -> None:
    """The report sheet and the breakdown sheet (``breakdown`` from
    :func:`compute_breakdown`; without it the second sheet has its headings only)."""
    book = openpyxl.Workbook()
    report = book.active
    assert report is not None  # a new workbook always has one sheet
    report.title = "Báo cáo"
    _write_report_sheet(report, tally, commune_name, village_name)
    _write_breakdown_sheet(book.create_sheet(BREAKDOWN_SHEET), breakdown or Breakdown())
    book.save(path)
