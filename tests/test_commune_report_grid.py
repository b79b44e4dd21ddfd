"""The report's table drawn by ``server/commune_report/grid.py`` looks exactly as
fpdf2's own ``FPDF.table()`` draws it: the same pages rendered to pixels by pdftoppm,
the same text read back by pdftotext — wrapped headings and names, numbers to the right,
the bold total, and the header row repeated on each page a long table flows onto."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from fpdf.fonts import FontFace

from villagehelper.server.commune_report.fonts import add_report_fonts
from villagehelper.server.commune_report.grid import GridRow, draw_grid

FAMILY = "VillageHelperSerif"
SIZE = 10.0
LINE = SIZE * 0.42
PADDING = 1.2
WIDTHS = (9.0, 40.0, 22.0, 17.0, 19.0, 28.0, 30.0)
HEADINGS = (
    "STT",
    "Thôn, tổ dân phố",
    "Cài đặt VNeID mức 2",
    "Dịch vụ công",
    "Thanh toán không dùng tiền mặt",
    "Đăng ký tài khoản ngân hàng",
    "Tổng",
)
ALIGN = ("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def _rows(count: int) -> list[tuple[str, ...]]:
    names = ("Thôn Hữu Chung", "Tổ dân phố số 12 Khu tập thể Nhà máy Cơ khí Quang Trung", "Ỷ")
    return [
        (str(n), names[n % 3], *(f"{n * k * 37 % 1913:,}".replace(",", ".") for k in range(1, 6)))
        for n in range(1, count + 1)
    ]


def _document() -> FPDF:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(30.0, 20.0, 15.0)
    pdf.set_auto_page_break(True, margin=20.0)
    add_report_fonts(pdf, FAMILY)
    pdf.add_page()
    pdf.set_font(FAMILY, "", SIZE)
    pdf.ln(30.0)  # the table starts under a letterhead, as in the report
    return pdf


def _by_fpdf2(rows: list[tuple[str, ...]]) -> bytes:
    pdf = _document()
    with pdf.table(
        align="LEFT",
        col_widths=WIDTHS,
        width=sum(WIDTHS),
        text_align=ALIGN,
        line_height=LINE,
        padding=PADDING,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="BOLD", size_pt=SIZE - 1.5),
        repeat_headings=1,
    ) as table:
        header = table.row()
        for text in HEADINGS:
            header.cell(text, align="CENTER")
        for number, row in enumerate(rows, start=1):
            line = table.row()
            style = FontFace(emphasis="BOLD") if number == len(rows) else None
            for text in row:
                line.cell(text, style=style)
    pdf.cell(0, LINE, "Ghi chú")
    return bytes(pdf.output())


def _by_grid(rows: list[tuple[str, ...]]) -> bytes:
    pdf = _document()
    plain = pdf.font_face()
    bold = FontFace.combine(plain, FontFace(emphasis="BOLD"))
    heading = FontFace.combine(plain, FontFace(emphasis="BOLD", size_pt=SIZE - 1.5))
    assert bold is not None and heading is not None
    grid = [GridRow(HEADINGS, heading, ("CENTER",) * len(HEADINGS))]
    grid += [
        GridRow(row, bold if number == len(rows) else plain, ALIGN)
        for number, row in enumerate(rows, start=1)
    ]
    draw_grid(pdf, WIDTHS, grid, line=LINE, padding=PADDING, headings=1)
    pdf.cell(0, LINE, "Ghi chú")
    return bytes(pdf.output())


def _pages(pdf: bytes, folder: Path, name: str) -> list[bytes]:
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", str(folder / f"{name}.pdf"), str(folder / name)],
        check=True,
    )
    return [page.read_bytes() for page in sorted(folder.glob(f"{name}-*.png"))]


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode("utf-8")


@pytest.mark.parametrize("rows", [3, 70])
def test_the_grid_looks_as_fpdf2_table_draws_it(rows: int, tmp_path: Path) -> None:
    made = _rows(rows)
    ours, theirs = _by_grid(made), _by_fpdf2(made)
    assert _text(ours) == _text(theirs)
    pages = _pages(ours, tmp_path, "grid")
    assert pages == _pages(theirs, tmp_path, "table")
    if rows > 3:
        assert len(pages) >= 3  # flows over pages, its header row on each
        for page in _text(ours).split("\f")[:-1]:
            assert "Cài đặt VNeID" in page
            assert "Tổng" in page
