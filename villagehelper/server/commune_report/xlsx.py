"""The commune's report as an XLSX workbook, styled like the laptop's export
(``reports/spreadsheet.py``, through the shared ``villagehelper/spreadsheet_style.py``):
centred title rows, a boxed bold header, one row per village or service, the total in
bold, numbers as numbers with thousands separators, labels and header kept in view."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from villagehelper.server.commune_report.figures import CommuneFigures
from villagehelper.server.commune_report.table import NOTE, Orientation, build_table
from villagehelper.spreadsheet_style import (
    BOX,
    NUMBER_FORMAT,
    cell_text,
    header_cell,
    title_row,
)
from villagehelper.tally.report_wording import REPORT_TITLE, commune_committee, period_title

SHEET = "Báo cáo"
NAME_WIDTH = {Orientation.VILLAGES_AS_ROWS: 28, Orientation.SERVICES_AS_ROWS: 44}
HEADER_ROW = 5


def commune_report_xlsx(figures: CommuneFigures, orientation: Orientation) -> bytes:
    """The workbook's bytes: counts only, never a resident's name."""
    table = build_table(figures, orientation)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = SHEET
    width = len(table.headings)
    title_row(sheet, 1, REPORT_TITLE, width, bold=True)
    title_row(sheet, 2, period_title(figures.period), width, bold=True)
    title_row(sheet, 3, commune_committee(figures.commune_name), width, bold=False)

    for column, heading in enumerate(table.headings, start=1):
        header_cell(sheet, HEADER_ROW, column, heading)
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 6 if column == 1 else 12
    sheet.column_dimensions["B"].width = NAME_WIDTH[orientation]

    for offset, row in enumerate((*table.rows, table.total), start=1):
        line = HEADER_ROW + offset
        number = sheet.cell(row=line, column=1, value=int(row.number) if row.number else None)
        number.alignment = Alignment(horizontal="center")
        sheet.cell(row=line, column=2, value=cell_text(row.label))
        for column, value in enumerate(row.values, start=3):
            sheet.cell(row=line, column=column, value=value).number_format = NUMBER_FORMAT
        for column in range(1, width + 1):
            cell = sheet.cell(row=line, column=column)
            cell.border = BOX
            if row is table.total:
                cell.font = Font(bold=True)
    note_row = HEADER_ROW + len(table.rows) + 2
    sheet.cell(row=note_row + 1, column=1, value=NOTE).font = Font(italic=True)
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"  # labels and header stay in view
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
