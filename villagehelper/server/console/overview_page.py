"""The overview of a commune (``/xa/{code}/``): the period's counts village by village
and service by service, the 12-week chart, open follow-ups, the basic-skills indicator
and the villages whose laptops have not synced for more than seven days.

Every figure is :func:`~villagehelper.server.console_figures.overview.commune_overview`'s,
the laptops' own tally engine on the server's replica.  Counts, service labels, village
names and dates only: a viewer, and a province officer, may see all of it.

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from villagehelper.clock import to_vietnam
from villagehelper.errors import UserError
from villagehelper.server.console.chart import chart_svg, week_bars
from villagehelper.server.console.counting import bad_input, replicas_of
from villagehelper.server.console.frame import CommunePage, console_of, language_of, render
from villagehelper.server.console.words import translate
from villagehelper.server.console_figures.overview import CommuneOverview, commune_overview
from villagehelper.server.console_figures.spans import Span, span_at

router = APIRouter(include_in_schema=False)
CommuneCode = Annotated[str, Path(max_length=5)]


def _grid(overview: CommuneOverview) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """The services with a session in the period (catalogue order) and, per village, its
    sessions of each and in all."""
    rows = overview.figures.tally.rows
    used = [row.service_code for row in rows if row.counts.sessions]
    grid = []
    for village, services in zip(
        overview.figures.villages, overview.figures.village_services, strict=True
    ):
        by_code = {row.service_code: row.counts.sessions for row in services}
        grid.append(
            (village.name, [by_code.get(code, 0) for code in used], village.counts.sessions)
        )
    return used, grid


@router.get("/xa/{code}/")
def overview_page(
    request: Request,
    code: CommuneCode,
    officer: CommunePage,
    span: Annotated[str, Query(alias="ky", max_length=20)] = Span.THIS_WEEK.value,
) -> Response:
    console = console_of(request)
    try:
        period = span_at(span, console.db.clock())
        overview = commune_overview(replicas_of(request), console.db, code, period)
    except UserError as refusal:
        return bad_input(request, refusal)
    language = language_of(request)
    used, grid = _grid(overview)
    services = {row.service_code: row for row in overview.figures.tally.rows}
    caption = translate(language, "chart_title")
    bars = week_bars(overview.history)
    stale = [
        (village.name, village.laptops, _when(village.last_sync))
        for village in overview.laptops.stale_villages
    ]
    return render(
        request,
        "overview.html",
        code=code,
        overview=overview,
        figures=overview.figures,
        spans=[item.value for item in Span],
        span=Span(span).value,
        grid_services=[services[used_code] for used_code in used],
        grid=grid,
        chart=chart_svg(bars, "bieu-do-tieu-de", caption),
        bars=bars,
        stale=stale,
        section="overview",
    )


def _when(moment: datetime | None) -> str | None:
    """A last sync in Vietnam time, to the minute."""
    return None if moment is None else f"{to_vietnam(moment):%d/%m/%Y %H:%M}"
