"""A province's communes as an XLSX workbook, styled like the commune's report (the
shared ``villagehelper/spreadsheet_style.py``): a line per commune with its period
totals, its basic-skills indicator and its stale villages, and the province's total.
Counts only."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from villagehelper.server.console_figures.province import ProvinceFigures
from villagehelper.spreadsheet_style import (
    BOX,
    NUMBER_FORMAT,
    TOTAL_LABEL,
    cell_text,
    header_cell,
    title_row,
)
from villagehelper.tally.report_wording import period_title
from villagehelper.tally.results import Counts

HEADINGS = (
    "STT",
    "Mã xã",
    "Xã, phường",
    "Số lượt",
    "Số người",
    "Số hộ",
    "Thành công",
    "Hẹn lại",
    "Chưa thành công",
    "Hẹn lại còn mở",
    "Lũy kế từ đầu năm",
    "Hộ đủ kỹ năng số cơ bản",
    "Tổng số hộ",
    "Thôn chưa đồng bộ quá 7 ngày",
)
HEADER_ROW = 4


def _numbers(counts: Counts) -> list[int]:
    return [
        counts.sessions,
        counts.people,
        counts.households,
        counts.done,
        counts.follow_up,
        counts.failed,
        counts.open_follow_ups,
        counts.cumulative,
    ]


def province_xlsx(figures: ProvinceFigures) -> bytes:
    """The workbook's bytes."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Các xã"
    width = len(HEADINGS)
    title_row(sheet, 1, f"SỐ LIỆU CÁC XÃ — {figures.province_name.upper()}", width, bold=True)
    title_row(sheet, 2, period_title(figures.period), width, bold=False)
    for column, heading in enumerate(HEADINGS, start=1):
        header_cell(sheet, HEADER_ROW, column, heading)
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.column_dimensions["C"].width = 30
    lines: list[tuple[int | None, str, str, list[int]]] = [
        (
            number,
            line.code,
            line.name,
            [
                *_numbers(line.totals),
                line.basic_skills.households_covered,
                line.basic_skills.households,
                line.stale_villages,
            ],
        )
        for number, line in enumerate(figures.communes, start=1)
    ]
    covered = sum(line.basic_skills.households_covered for line in figures.communes)
    households = sum(line.basic_skills.households for line in figures.communes)
    stale = sum(line.stale_villages for line in figures.communes)
    lines.append((None, "", TOTAL_LABEL, [*_numbers(figures.totals), covered, households, stale]))
    for offset, (number, code, name, values) in enumerate(lines, start=1):
        row = HEADER_ROW + offset
        sheet.cell(row=row, column=1, value=number)
        sheet.cell(row=row, column=2, value=code)
        sheet.cell(row=row, column=3, value=cell_text(name))
        for column, value in enumerate(values, start=4):
            sheet.cell(row=row, column=column, value=value).number_format = NUMBER_FORMAT
        for column in range(1, width + 1):
            cell = sheet.cell(row=row, column=column)
            cell.border = BOX
            if number is None:
                cell.font = Font(bold=True)
    sheet.freeze_panes = f"D{HEADER_ROW + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
