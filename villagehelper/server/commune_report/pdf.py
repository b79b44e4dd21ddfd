"""The commune's report as a PDF in the layout of Decree 30/2020, without Qt.

fpdf2 typesets it with the report font the laptops bundle (``villagehelper/report_font.py``),
embedded in the file, so it prints the same on a server without a single system font.
The layout follows the laptop's printout (``reports/weekly.py``, ``official_form.py``):
A4 with the decree's margins; the issuing body (the commune People's Committee) and the
number line on the left, the national name and the motto on the right, each on one line,
the place and date under them; the title naming the period; the table, its header row
repeated on every page; the note; the signatures, which never go to a page alone (the
table's last service and its total travel with them, as on the laptop).  Page numbers
from page 2, centred in the top margin.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from fpdf import FPDF
from fpdf.fonts import FontFace

from villagehelper.server.commune_report.figures import CommuneFigures
from villagehelper.server.commune_report.fonts import (
    add_report_fonts,
    release_rehearsed_fonts,
    release_report_fonts,
)
from villagehelper.server.commune_report.grid import GridRow, draw_grid
from villagehelper.server.commune_report.page_fit import (
    CELL_PADDING,
    FAMILY,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PageFit,
    cells,
    fit_columns,
    split_to_fit,
)
from villagehelper.server.commune_report.table import (
    NOTE,
    Orientation,
    ReportRow,
    ReportTable,
    build_table,
)
from villagehelper.tally.report_wording import (
    MOTTO,
    NATIONAL_NAME,
    REPORT_TITLE,
    commune_committee,
    date_line,
    period_title,
)

BODY_PT = 13.0
TITLE_PT = 14.0
NOTE_PT = 11.0
LINE = 0.42  # mm of line per point of type: 1.2 times the type's size
# The header row in smaller type: names of services in narrow columns take many lines.
HEADING_SMALLER = 1.5
NUMBER_LINE = "Số:        /BC-UBND"
ROWS_WITH_SIGNATURES = 2  # the last row and the total travel with the signatures


class _Report(FPDF):
    def header(self) -> None:
        # Decree 30: page numbers from page 2, centred in the top margin.
        if self.page_no() > 1:
            self.set_font(FAMILY, "", BODY_PT)
            self.set_xy(MARGIN_LEFT, 8.0)
            self.cell(self.epw, 6.0, str(self.page_no()), align="C")
            self.set_xy(MARGIN_LEFT, MARGIN_TOP)


def _new_document(orientation: str, made: list[FPDF]) -> _Report:
    pdf = _Report(orientation=orientation, unit="mm", format="A4")
    made.append(pdf)  # its fonts released once the report is written
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    add_report_fonts(pdf, FAMILY)  # parsed once per process (fonts.py)
    pdf.set_creator("VillageHelper")
    return pdf


def _centred_lines(pdf: FPDF, x: float, width: float, lines: list[tuple[str, str, float]]) -> float:
    """Lines centred in a column at ``x``; the bottom of the last one."""
    for text, style, size in lines:
        pdf.set_font(FAMILY, style, size)
        pdf.set_x(x)
        pdf.multi_cell(width, size * LINE, text, align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf.get_y()


def _rule(pdf: FPDF, centre: float, length: float, y: float) -> None:
    pdf.set_line_width(0.3)
    pdf.line(centre - length / 2, y, centre + length / 2, y)


def _letterhead(pdf: FPDF, commune_name: str, printed_on: date) -> None:
    place_and_date = date_line(commune_name, printed_on)
    pdf.set_font(FAMILY, "B", BODY_PT)
    right_width = max(pdf.get_string_width(NATIONAL_NAME), pdf.get_string_width(MOTTO))
    pdf.set_font(FAMILY, "I", BODY_PT)
    right_width = max(right_width, pdf.get_string_width(place_and_date)) + 2.0
    left_width = pdf.epw - right_width
    left_x, right_x, top = pdf.l_margin, pdf.l_margin + left_width, pdf.get_y()

    pdf.set_y(top)
    committee_bottom = _centred_lines(
        pdf, left_x, left_width, [(commune_committee(commune_name), "B", BODY_PT)]
    )
    _rule(pdf, left_x + left_width / 2, min(30.0, left_width * 0.5), committee_bottom + 0.8)
    pdf.set_y(committee_bottom + 2.0)
    left_bottom = _centred_lines(pdf, left_x, left_width, [(NUMBER_LINE, "", BODY_PT)])

    pdf.set_y(top)
    motto_bottom = _centred_lines(
        pdf, right_x, right_width, [(NATIONAL_NAME, "B", BODY_PT), (MOTTO, "B", BODY_PT)]
    )
    pdf.set_font(FAMILY, "B", BODY_PT)
    _rule(pdf, right_x + right_width / 2, pdf.get_string_width(MOTTO), motto_bottom + 0.8)
    pdf.set_y(motto_bottom + 2.5)
    right_bottom = _centred_lines(pdf, right_x, right_width, [(place_and_date, "I", BODY_PT)])
    pdf.set_y(max(left_bottom, right_bottom) + 4.0)


def _title(pdf: FPDF, table: ReportTable, figures: CommuneFigures) -> None:
    _centred_lines(
        pdf,
        pdf.l_margin,
        pdf.epw,
        [(REPORT_TITLE, "B", TITLE_PT), (period_title(figures.period), "B", TITLE_PT)],
    )
    by = (
        "Theo thôn, tổ dân phố"
        if table.orientation is Orientation.VILLAGES_AS_ROWS
        else "Theo loại hỗ trợ"
    )
    # One line: the page's height is what keeps a normal week on one page.
    _centred_lines(
        pdf, pdf.l_margin, pdf.epw, [(f"({by}; đơn vị tính: lượt hỗ trợ)", "I", NOTE_PT)]
    )
    pdf.ln(1.5)


def _table(
    pdf: FPDF, table: ReportTable, fit: PageFit, rows: list[ReportRow], *, heading: bool
) -> None:
    """Rows of the table, under its header row when ``heading``; the total bold."""
    pdf.set_font(FAMILY, "", fit.table_pt)
    count = len(table.headings)
    align = ("CENTER", "LEFT", *("RIGHT",) * (count - 2))
    plain = pdf.font_face()
    bold = FontFace.combine(plain, FontFace(emphasis="BOLD"))
    heading_face = FontFace.combine(
        plain, FontFace(emphasis="BOLD", size_pt=fit.table_pt - HEADING_SMALLER)
    )
    assert bold is not None and heading_face is not None  # combined with a face: a face
    grid = [GridRow(cells(row), bold if row is table.total else plain, align) for row in rows]
    if heading:
        grid.insert(0, GridRow(table.headings, heading_face, ("CENTER",) * count))
    draw_grid(
        pdf,
        fit.widths,
        grid,
        line=fit.table_pt * LINE,
        padding=CELL_PADDING,
        headings=1 if heading else 0,
    )


def _signatures(pdf: FPDF, prepared_by: str, signer_name: str) -> None:
    pdf.set_font(FAMILY, "I", NOTE_PT)
    pdf.ln(1.5)
    pdf.multi_cell(pdf.epw, NOTE_PT * LINE, NOTE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4.0)
    top, half = pdf.get_y(), pdf.epw / 2
    blanks: list[tuple[str, str, float]] = [("", "", BODY_PT)] * 3  # room to sign
    _centred_lines(
        pdf,
        pdf.l_margin,
        half,
        [
            ("Người lập biểu", "B", BODY_PT),
            ("(Ký, ghi rõ họ tên)", "I", BODY_PT),
            ("", "", BODY_PT),
            *blanks,
            (prepared_by.strip(), "B", BODY_PT),
        ],
    )
    pdf.set_y(top)
    _centred_lines(
        pdf,
        pdf.l_margin + half,
        half,
        [
            ("TM. ỦY BAN NHÂN DÂN", "B", BODY_PT),
            ("CHỦ TỊCH", "B", BODY_PT),
            ("(Ký, ghi rõ họ tên, đóng dấu)", "I", BODY_PT),
            *blanks,
            (signer_name.strip(), "B", BODY_PT),
        ],
    )


def _table_and_signatures(
    pdf: FPDF, table: ReportTable, fit: PageFit, prepared_by: str, signer_name: str
) -> None:
    rows = [*table.rows, table.total]
    # Written in two parts: the tail (last row, total) goes with the signatures, onto a
    # new page with its own header row when they would not fit under the table.
    split = max(0, len(rows) - ROWS_WITH_SIGNATURES)
    if split:
        _table(pdf, table, fit, rows[:split], heading=True)
    with pdf.offset_rendering() as trial:
        # A recorder that forwards every call to the document, then rolls it back.
        rehearsal = cast(FPDF, trial)
        _table(rehearsal, table, fit, rows[split:], heading=not split)
        _signatures(rehearsal, prepared_by, signer_name)
        rehearsed = list(pdf.fonts.values())  # put back as they were once this ends
    release_rehearsed_fonts(pdf, rehearsed)
    if trial.page_break_triggered and split:
        pdf.add_page()
        _table(pdf, table, fit, rows[split:], heading=True)
    else:
        _table(pdf, table, fit, rows[split:], heading=not split)
    _signatures(pdf, prepared_by, signer_name)


def commune_report_pdf(
    figures: CommuneFigures,
    orientation: Orientation,
    *,
    printed_on: date,
    prepared_by: str = "",
    signer_name: str = "",
) -> bytes:
    """The report as PDF bytes: counts only, never a resident's name."""
    made: list[FPDF] = []
    try:
        return _best_layout(figures, orientation, printed_on, (prepared_by, signer_name), made)
    finally:
        release_report_fonts(made)


def _best_layout(
    figures: CommuneFigures,
    orientation: Orientation,
    printed_on: date,
    names: tuple[str, str],
    made: list[FPDF],
) -> bytes:
    table = build_table(figures, orientation)
    measure = _new_document("P", made)
    fits = fit_columns(measure, table)
    # The first layout that holds the whole report on one page (a normal week), else
    # the first that fits the width: a long table then flows over pages at its best size.
    # A grid wider than a landscape page is cut by column into several tables.
    layouts = [[(table, fit)] for fit in fits] if fits else [split_to_fit(measure, table)]
    documents = (_typeset(figures, layout, printed_on, names, made) for layout in layouts)
    first = next(documents)
    # Two pages is a near miss that a smaller table or a landscape page may save; a
    # longer table keeps its best size and flows over its pages.
    near_miss = first.pages_count == 2
    whole = next((pdf for pdf in documents if pdf.pages_count == 1), first) if near_miss else first
    return bytes(whole.output())


def _typeset(
    figures: CommuneFigures,
    layout: list[tuple[ReportTable, PageFit]],
    printed_on: date,
    names: tuple[str, str],
    made: list[FPDF],
) -> FPDF:
    """The report with its table in one part, or in several cut by column (each whole,
    one under the other; the signatures under the last)."""
    prepared_by, signer_name = names
    pdf = _new_document(layout[0][1].orientation, made)
    pdf.set_title(f"Báo cáo {figures.period.label} – {figures.commune_name}")
    pdf.add_page()
    _letterhead(pdf, figures.commune_name, printed_on)
    _title(pdf, layout[0][0], figures)
    for part, fit in layout[:-1]:
        _table(pdf, part, fit, [*part.rows, part.total], heading=True)
        pdf.ln(4.0)
    last, fit = layout[-1]
    _table_and_signatures(pdf, last, fit, prepared_by, signer_name)
    return pdf
