"""The report font parsed once per process and lent to each document
(``server/commune_report/fonts.py``): later reports parse no font file, and reports
made at once in several threads each carry their own words in their own embedded
subset, read back with pdftotext and pdffonts."""

from __future__ import annotations

import dataclasses
import gc
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fpdf import FPDF

from tests.test_commune_report import made_up_figures
from villagehelper.report_font import BOLD_FONT, ITALIC_FONT, REGULAR_FONT
from villagehelper.server.commune_report import grid
from villagehelper.server.commune_report import pdf as report_pdf
from villagehelper.server.commune_report.figures import CommuneFigures, VillageTally
from villagehelper.server.commune_report.pdf import commune_report_pdf
from villagehelper.server.commune_report.table import Orientation

PRINTED_ON = date(2026, 11, 23)
# Names with letters the others lack, so that a subset shared by mistake shows.
VILLAGES = ("Ỷ", "Pắc", "Đồng", "Quỳnh")


def _figures(name: str) -> CommuneFigures:
    made = made_up_figures(3, 5)
    villages = tuple(
        VillageTally(f"{name}{number}", village.tally)
        for number, village in enumerate(made.villages, start=1)
    )
    return dataclasses.replace(made, villages=villages)


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode("utf-8")


def test_a_later_report_parses_no_font_file(monkeypatch: pytest.MonkeyPatch) -> None:
    commune_report_pdf(_figures(VILLAGES[0]), Orientation.VILLAGES_AS_ROWS, printed_on=PRINTED_ON)
    parsed: list[str] = []
    original = FPDF.add_font

    def counted(self: FPDF, *args: object, **kwargs: object) -> None:
        parsed.append(str(args))
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(FPDF, "add_font", counted)
    pdf = commune_report_pdf(
        _figures(VILLAGES[1]), Orientation.SERVICES_AS_ROWS, printed_on=PRINTED_ON
    )
    assert parsed == []
    assert f"{VILLAGES[1]}1" in _text(pdf)


def test_reports_made_at_once_each_embed_their_own_words(tmp_path: Path) -> None:
    serial = {
        name: _text(
            commune_report_pdf(_figures(name), Orientation.VILLAGES_AS_ROWS, printed_on=PRINTED_ON)
        )
        for name in VILLAGES
    }

    def made(name: str) -> bytes:
        return commune_report_pdf(
            _figures(name), Orientation.VILLAGES_AS_ROWS, printed_on=PRINTED_ON
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        together = dict(zip(VILLAGES * 3, pool.map(made, VILLAGES * 3), strict=True))
    for number, (name, pdf) in enumerate(together.items()):
        text = _text(pdf)
        assert text == serial[name]  # every glyph drawn from its own subset
        for other in VILLAGES:
            assert (f"{other}1" in text) is (other == name)
        file = tmp_path / f"{number}.pdf"
        file.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(file)], check=True, capture_output=True).stdout
        listed = fonts.decode()
        embedded = [line for line in listed.splitlines() if "VillageHelper" in line]
        assert embedded and all(" yes yes " in line for line in embedded), listed


def _report_bytes(monkeypatch: pytest.MonkeyPatch, *, shipped_files: bool) -> bytes:
    """A report of 20 villages with a fixed creation time; its fonts the shared ones of
    ``fonts.py`` or, with ``shipped_files``, the shipped files given to fpdf2 as they are."""
    made = report_pdf._new_document

    def fixed_time(orientation: str, documents: list[FPDF]) -> FPDF:
        document = made(orientation, documents)
        document.set_creation_date(datetime(2026, 11, 23, 9, tzinfo=UTC))
        return document

    def shipped(document: FPDF, family: str) -> None:
        for style, path in (("", REGULAR_FONT), ("B", BOLD_FONT), ("I", ITALIC_FONT)):
            document.add_font(family, style, str(path))

    # Both reports rehearse the same cells (grid.py keeps rehearsed heights per process,
    # and a rehearsal meets the glyphs first: it orders the embedded subset's glyphs).
    grid._HEIGHTS.clear()
    with monkeypatch.context() as patch:
        patch.setattr(report_pdf, "_new_document", fixed_time)
        if shipped_files:
            patch.setattr(report_pdf, "add_report_fonts", shipped)
        return commune_report_pdf(
            made_up_figures(20, 14),
            Orientation.SERVICES_AS_ROWS,
            printed_on=PRINTED_ON,
            prepared_by="Nguyễn Thị Hệ",
            signer_name="Phạm Đăng Xuyết",
        )


def test_the_shared_fonts_embed_what_the_shipped_files_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # fonts.py hands fontTools the files less the tables no subset keeps: the PDF must
    # not change by one byte.
    shared = _report_bytes(monkeypatch, shipped_files=False)
    assert _report_bytes(monkeypatch, shipped_files=True) == shared
    assert b"/FontFile2" in shared


def test_a_report_leaves_no_font_object_for_the_garbage_collector() -> None:
    """A fontTools font is a web of reference cycles: a report's fonts are emptied once
    it is written, not left for a full collection to find (fonts.py)."""
    # Twelve villages: a report tried in several layouts, each with a rehearsed tail.
    figures = made_up_figures(12, 6)
    commune_report_pdf(figures, Orientation.VILLAGES_AS_ROWS, printed_on=PRINTED_ON)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection would free, kept to look at
    try:
        pdf = commune_report_pdf(figures, Orientation.VILLAGES_AS_ROWS, printed_on=PRINTED_ON)
        gc.collect()
        left = [type(found) for found in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert "Thôn Đông 011" in _text(pdf)  # the whole report, read back
    # Before: some 3,800 objects a report, most of them glyphs and tables of fontTools.
    assert [kind for kind in left if kind.__module__.startswith("fontTools.ttLib.tables")] == []
