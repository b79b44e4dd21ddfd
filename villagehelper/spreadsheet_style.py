"""How the reports' spreadsheets look, shared by the laptop's XLSX export
(``reports/spreadsheet.py``) and the commune server's report (``server/commune_report/``):
the grid, the header cells, the number format, the centred title rows, and text made safe
for a cell.  openpyxl only, no Qt.
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from villagehelper.spreadsheet_cells import neutralise

NUMBER_FORMAT = "#,##0"
TOTAL_LABEL = "Tổng cộng"

_THIN = Side(style="thin")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def cell_text(value: str) -> str:
    """Text as a cell shows it: openpyxl stores a string starting with "=" as a formula,
    and refuses control characters; both would come from a name typed by a person."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def title_row(sheet: Worksheet, row: int, text: str, width: int, *, bold: bool) -> None:
    """``text`` centred over the first ``width`` columns: bold 14 pt, or 12 pt."""
    sheet.cell(row=row, column=1, value=cell_text(text)).font = Font(
        bold=bold, size=14 if bold else 12
    )
    sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def header_cell(sheet: Worksheet, row: int, column: int, text: str | None = None) -> None:
    """A cell of a table's header: bold, centred, wrapped, boxed."""
    cell = sheet.cell(row=row, column=column)
    if text is not None:
        cell.value = cell_text(text)
    cell.font = Font(bold=True)
    cell.alignment = CENTRE
    cell.border = BOX
