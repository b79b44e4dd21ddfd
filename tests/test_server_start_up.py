"""A server process before its first request (``server/start_up.py``): the report
font parsed and the console's templates compiled, and every object made by then out
of the garbage collector's walks (``serve`` and each ``--workers`` process call it)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF
from jinja2 import Environment

from tests.test_commune_report import made_up_figures
from villagehelper.server.app import create_app
from villagehelper.server.commune_report import fonts
from villagehelper.server.commune_report.pdf import commune_report_pdf
from villagehelper.server.commune_report.table import Orientation
from villagehelper.server.console.frame import Console
from villagehelper.server.database import open_server_db
from villagehelper.server.start_up import ready_to_serve


@pytest.fixture
def unfrozen_afterwards() -> Iterator[None]:
    try:
        yield
    finally:
        gc.unfreeze()  # the rest of the test session collected as before


def test_ready_to_serve_makes_what_a_first_request_would_then_freezes_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen_afterwards: None
) -> None:
    monkeypatch.setattr(fonts, "_PARSED", {})  # as a new process: no style parsed yet
    db = open_server_db(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        app = create_app(db)
        made_at_start = [object()]  # a tracked object, as the app's own are
        ready_to_serve(app)
        assert all(found is not made_at_start for found in gc.get_objects())

        parsed_fonts: list[object] = []
        compiled: list[str] = []
        original_add_font, original_parse = FPDF.add_font, Environment._parse

        def add_font(self: FPDF, *args: object, **kwargs: object) -> None:
            parsed_fonts.append(args)
            original_add_font(self, *args, **kwargs)  # type: ignore[arg-type]

        def parse(self: Environment, source: str, name: str | None, filename: str | None) -> object:
            compiled.append(str(name))
            return original_parse(self, source, name, filename)

        monkeypatch.setattr(FPDF, "add_font", add_font)
        monkeypatch.setattr(Environment, "_parse", parse)
        console = app.state.console
        assert isinstance(console, Console)
        for name in console.templates.list_templates():
            console.templates.get_template(name)
        report = commune_report_pdf(
            made_up_figures(3, 4), Orientation.VILLAGES_AS_ROWS, printed_on=date(2026, 12, 7)
        )
        assert report.startswith(b"%PDF")
        assert (parsed_fonts, compiled) == ([], [])
    finally:
        db.close()
