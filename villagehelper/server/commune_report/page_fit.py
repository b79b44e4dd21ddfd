"""How the commune's report table fits an A4 page: its orientation, its type size and
each column's width, measured with the report font itself (fpdf2's metrics).

Every column but the name is at least as wide as its widest word (a Vietnamese word is a
syllable, never cut); the name column takes up to its longest name; the grid's columns
share the rest in proportion to their headings.  A grid too wide for a landscape page
(many villages as columns) is cut into several tables (:func:`split_to_fit`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from villagehelper.errors import ValidationError
from villagehelper.server.commune_report.table import ReportRow, ReportTable, column_parts
from villagehelper.text import format_number

FAMILY = "VillageHelperSerif"
# Decree 30/2020, Appendix I: margins top/bottom 20-25 mm, left 30-35, right 15-20.
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20.0, 20.0, 30.0, 15.0
PAGE_WIDTHS = {"P": 210.0, "L": 297.0}
# The decree sets no size for tables; the table shrinks to these before giving up.
TABLE_SIZES_PT = (12.0, 11.0, 10.0, 9.0)
CELL_PADDING = 1.2  # mm, each side
MIN_NAME_WIDTH = 38.0  # mm: "Thôn Hữu Chung", "Đăng ký tài khoản" on one or two lines
MAX_NAME_WIDTH = 52.0  # mm: a service's name on two or three lines


WIDTHS_KEPT = 20_000
_WIDTHS: dict[tuple[str, str, float, float, str], float] = {}


@dataclass(frozen=True)
class PageFit:
    orientation: str  # "P" or "L"
    table_pt: float
    widths: tuple[float, ...]


def cells(row: ReportRow) -> tuple[str, ...]:
    """A row as printed: numbers the Vietnamese way (1.234)."""
    return (row.number, row.label, *(format_number(value) for value in row.values))


def string_width(pdf: FPDF, text: str) -> float:
    """``pdf.get_string_width(text)`` in the document's current font, style and size."""
    # fpdf2 measures a string through its text-fragment machinery (some 30 µs a word);
    # fitting one table measures the same few hundred words at 8 sizes, and each report
    # fits its table again.  Every document has the same report font (fonts.py), so a
    # width once measured is the same in all of them.
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, pdf.font_stretching, text)
    width = _WIDTHS.get(key)
    if width is None:
        if len(_WIDTHS) >= WIDTHS_KEPT:  # bounded: names of villages differ by commune
            _WIDTHS.clear()
        width = _WIDTHS[key] = pdf.get_string_width(text)
    return width


def _widest_word(pdf: FPDF, texts: list[str]) -> float:
    return max((string_width(pdf, word) for text in texts for word in text.split()), default=0)


def fit_columns(pdf: FPDF, table: ReportTable) -> list[PageFit]:
    """The page orientations and table sizes the table fits, best first: portrait, then
    landscape, each from the largest table size; none when it is too wide."""
    fits: list[PageFit] = []
    rows = [table.headings, *(cells(row) for row in (*table.rows, table.total))]
    columns = list(zip(*rows, strict=True))
    for orientation in ("P", "L"):
        body = PAGE_WIDTHS[orientation] - MARGIN_LEFT - MARGIN_RIGHT
        for size in TABLE_SIZES_PT:
            pdf.set_font(FAMILY, "B", size)  # measured in bold, the widest style used
            widths = [
                _widest_word(pdf, list(column)) + 2 * CELL_PADDING + 0.5 for column in columns
            ]
            name = max(MIN_NAME_WIDTH, widths[1])
            if sum(widths) - widths[1] + name <= body:
                grid = len(table.grid_headings)
                fits.append(PageFit(orientation, size, _spread(pdf, widths, columns, grid, body)))
    return fits


def split_to_fit(pdf: FPDF, table: ReportTable) -> list[tuple[ReportTable, PageFit]]:
    """``table`` cut by column into as few landscape tables as fit, each with its fit."""
    for parts in range(2, len(table.grid_headings) + 1):
        cut = column_parts(table, parts)
        landscape = [
            [fit for fit in fit_columns(pdf, part) if fit.orientation == "L"] for part in cut
        ]
        if all(landscape):
            return [(part, fits[0]) for part, fits in zip(cut, landscape, strict=True)]
    raise ValidationError(
        "rows",
        "Bảng không vừa một trang A4 ngang, kể cả khi chia cột. Hãy chọn cách xếp khác.",
        "The table does not fit a landscape A4 page even cut by column: choose the other layout.",
    )


def _spread(
    pdf: FPDF, widths: list[float], columns: list[tuple[str, ...]], grid: int, body: float
) -> tuple[float, ...]:
    """The room left on the page: the name column up to its longest name on one line
    (at most ``MAX_NAME_WIDTH``), the rest shared by the ``grid`` columns after it so that
    their headings (names of services or villages) take as few lines as they can: each
    column as wide as its heading's length times one factor, never below its widest word."""
    longest = max(string_width(pdf, text) for text in columns[1]) + 2 * CELL_PADDING + 0.5
    others = sum(widths) - widths[1]
    widths[1] = max(MIN_NAME_WIDTH, widths[1], min(longest, MAX_NAME_WIDTH, body - others))
    grid_columns = range(2, 2 + grid)
    if not grid_columns:
        widths[1] += body - sum(widths)
        return tuple(widths)
    room = body - sum(widths) + sum(widths[column] for column in grid_columns)
    least = {column: widths[column] for column in grid_columns}
    heading = {column: string_width(pdf, columns[column][0]) for column in grid_columns}

    def used(factor: float) -> float:
        return sum(max(least[column], factor * heading[column]) for column in grid_columns)

    low, high = 0.0, room / min(heading.values()) if min(heading.values()) else 0.0
    for _ in range(40):  # the factor that fills the room, by bisection
        middle = (low + high) / 2
        low, high = (middle, high) if used(middle) <= room else (low, middle)
    for column in grid_columns:
        widths[column] = max(least[column], low * heading[column])
    widths[grid_columns[-1]] += body - sum(widths)  # what rounding left
    return tuple(widths)
