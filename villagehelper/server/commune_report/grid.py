"""The report's table drawn as fpdf2's ``FPDF.table()`` draws it, with half the rehearsal.

fpdf2's table finds each row's height by typesetting every cell on trial (a dry-run
``multi_cell``) before it draws them all again: a third of the time of a whole report.
Here a cell whose text is narrower than its column (every number, most names) is known
to take one line without that rehearsal (its width measured once per process,
page_fit.py); only a cell that may wrap (a long heading or name) is rehearsed, by the
same ``multi_cell``.  A one-line text is drawn by ``cell`` (no line breaking), a wrapping
one by ``multi_cell`` as fpdf2's table does; the same borders
(``TableBordersLayout.ALL``), column positions, vertical centring, page breaks and
header row repeated on a new page.  The pages are the same to the pixel and the text the
same (tests/test_commune_report_grid.py); only the embedded subset numbers its glyphs in
another order (the order the text first met them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, TableBordersLayout, WrapMode
from fpdf.fonts import FontFace
from fpdf.recorder import FPDFRecorder
from fpdf.util import Padding

from villagehelper.server.commune_report.page_fit import string_width

# A text this much narrower than its column's room is surely on one line (no rounding
# at the edge); one nearer the edge is rehearsed like a wrapping one.
ONE_LINE_SLACK = 0.01  # mm
# Rehearsed heights of wrapping cells, per process: the same headings (names of
# services) at the same widths come back in every report of a commune and its layout,
# and the rows under the signatures are laid out twice (on trial, then for real).
HEIGHTS_KEPT = 5_000
_HEIGHTS: dict[tuple[str, str, float, str, float, float, float, str], float] = {}


@dataclass(frozen=True)
class GridRow:
    texts: tuple[str, ...]
    style: FontFace  # the font the row's text is set in
    aligns: tuple[str, ...]


def _writer(pdf: FPDF | FPDFRecorder) -> FPDF:
    # Inside ``offset_rendering`` calls reach the document through a recorder that
    # rolls it back afterwards; fpdf2's table works on the document itself too.
    return pdf.pdf if isinstance(pdf, FPDFRecorder) else pdf


def _text_height(
    pdf: FPDF, row: GridRow, column: int, width: float, *, line: float, padding: Padding
) -> float:
    """The cell's text height with its padding, as ``multi_cell`` reports it."""
    text = row.texts[column]
    with pdf.use_font_face(row.style):
        room = width - padding.left - padding.right
        if text and "\n" not in text and string_width(pdf, text) < room - ONE_LINE_SLACK:
            return line + padding.top + padding.bottom
        key = (
            pdf.font_family,
            pdf.font_style,
            pdf.font_size_pt,
            text,
            width,
            line,
            padding.left,
            str(row.aligns[column]),
        )
        kept = _HEIGHTS.get(key)
        if kept is not None:
            return kept
        with pdf._disable_writing():  # fpdf2's table rehearses so too
            height = pdf.multi_cell(
                w=width,
                h=line,
                text=text,
                max_line_height=line,
                align=row.aligns[column],
                new_x="RIGHT",
                new_y="TOP",
                output=MethodReturnValue.HEIGHT,
                wrapmode=WrapMode.WORD,
                padding=padding,
            )
    assert isinstance(height, float)
    if len(_HEIGHTS) >= HEIGHTS_KEPT:  # bounded: names of villages differ by commune
        _HEIGHTS.clear()
    _HEIGHTS[key] = height
    return height


def draw_grid(
    document: FPDF | FPDFRecorder,
    widths: Sequence[float],
    rows: list[GridRow],
    *,
    line: float,
    padding: float,
    headings: int,
) -> None:
    """``rows`` as a bordered table from the left margin; the first ``headings`` rows
    repeated at the top of each new page the table flows onto."""
    pdf = _writer(document)
    pad = Padding.new(padding)
    total = float(sum(widths))
    # As fpdf2 sizes its columns (a share of the table's width): the same rounding.
    columns = [float(width) / sum(widths) * total for width in widths]
    lefts = [pdf.l_margin]
    for width in columns:
        lefts.append(lefts[-1] + width)
    heights = [
        [_text_height(pdf, row, j, columns[j], line=line, padding=pad) for j in range(len(widths))]
        for row in rows
    ]
    layout = _Layout(rows, columns, lefts, heights, line, pad)
    if len(rows) > headings > 0:  # never the header row alone at a page's foot
        pdf._perform_page_break_if_need_be(sum(layout.row_heights[: headings + 1]))
    for i in range(len(rows)):
        broke = pdf._perform_page_break_if_need_be(layout.row_heights[i])
        if broke and i >= headings:
            for heading in range(headings):
                layout.draw_row(pdf, heading)
        layout.draw_row(pdf, i)
    pdf.x = pdf.l_margin


@dataclass(frozen=True)
class _Layout:
    """Where every cell goes: column widths and left edges, each cell's text height."""

    rows: list[GridRow]
    columns: list[float]
    lefts: list[float]
    heights: list[list[float]]
    line: float
    pad: Padding

    @property
    def row_heights(self) -> list[float]:
        return [max(cells) for cells in self.heights]

    def draw_row(self, pdf: FPDF, i: int) -> None:
        row, top, height = self.rows[i], pdf.y, max(self.heights[i])
        count = len(self.columns)
        for j, text in enumerate(row.texts):
            left, width = self.lefts[j], self.columns[j]
            pdf.set_x(left)
            TableBordersLayout.ALL.cell_style_getter(
                row_idx=i,
                col_idx=j,
                col_pos=j,
                num_heading_rows=0,
                num_rows=len(self.rows),
                num_col_idx=count,
                num_col_pos=count,
            ).draw_cell_border(pdf, left, top, left + width, top + height)
            if text:
                shift = (height - self.heights[i][j]) / 2  # centred in the row's height
                pdf.y += shift
                with pdf.use_font_face(row.style):
                    self._draw_text(pdf, i, j, width)
            pdf.set_y(top)
        pdf.ln(height)

    def _draw_text(self, pdf: FPDF, i: int, j: int, width: float) -> None:
        text, align = self.rows[i].texts[j], Align.coerce(self.rows[i].aligns[j])
        if self.heights[i][j] == self.line + self.pad.top + self.pad.bottom:
            # One line: ``cell`` with the padding as its margin puts it where
            # ``multi_cell`` would, without breaking it into lines first.
            margin, pdf.c_margin = pdf.c_margin, self.pad.left
            pdf.y += self.pad.top
            pdf.cell(width, self.line, text, align=align)
            pdf.c_margin = margin
            return
        pdf.multi_cell(
            w=width,
            h=self.line,
            text=text,
            max_line_height=self.line,
            align=align,
            new_x="RIGHT",
            new_y="TOP",
            wrapmode=WrapMode.WORD,
            padding=self.pad,
        )
