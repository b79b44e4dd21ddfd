"""What a server process does once its app is made, before its first request.

A full garbage collection walks every object the collector tracks.  A server process
holds some 360,000 of them once its modules are imported and its first pages made
(SQLAlchemy, FastAPI, Jinja2, fpdf2 and fontTools, the app itself), and on a 2-core PC
one walk takes 190 ms — added to whichever request happens to set it off: the console's
report PDF missed its p95 target of 300 ms by those walks alone (benchmarks/README.md).
Nearly all of those objects live as long as the process.  So the process first makes
what a first request would make (the report font parsed, the console's templates
compiled), then hands everything to ``gc.freeze``: later collections walk only what the
requests since have made, 5–20 ms measured.  A frozen object is still freed when
nothing refers to it any more; only a reference cycle among them is never collected.
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

from villagehelper.server.commune_report.fonts import parse_report_fonts
from villagehelper.server.commune_report.page_fit import FAMILY
from villagehelper.server.console.frame import Console


def ready_to_serve(app: FastAPI) -> None:
    """Make now what the first requests would, then freeze every object made so far."""
    parse_report_fonts(FAMILY)
    console = getattr(app.state, "console", None)
    if isinstance(console, Console):
        for name in console.templates.list_templates():
            console.templates.get_template(name)  # compiled once, kept by Jinja2
    gc.collect()  # what start-up threw away is not frozen with the rest
    gc.freeze()
