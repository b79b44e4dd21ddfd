"""A province's communes (``/tinh/{code}/``), for a province officer of that province
only: each commune on this server with its totals for the period, the communes with
stale laptops, and the same as XLSX.  Counts only
(:func:`~villagehelper.server.console_figures.province.province_figures`).  From here a
province officer opens a commune's overview and report (``frame.require_commune``
lets them, for the communes of their own province).

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from villagehelper.errors import UserError
from villagehelper.server.console import audit
from villagehelper.server.console.counting import bad_input, download, replicas_of
from villagehelper.server.console.frame import (
    ConsoleRefusalError,
    SignedIn,
    console_of,
    render,
)
from villagehelper.server.console.officers import OfficerScope
from villagehelper.server.console.province_xlsx import province_xlsx
from villagehelper.server.console_figures.province import ProvinceFigures, province_figures
from villagehelper.server.console_figures.spans import Span, span_at

router = APIRouter(include_in_schema=False)
ProvinceCode = Annotated[str, Path(max_length=2)]
SpanText = Annotated[str, Query(alias="ky", max_length=20)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_province(request: Request, officer: OfficerScope, code: str) -> None:
    """403 (and an audit line) unless the officer is one of this province's."""
    if officer.province_code == code:
        return
    console = console_of(request)
    audit.record(console.db, officer.name, "refused_province", code, console.address_of(request))
    raise ConsoleRefusalError(403, "forbidden_title", "forbidden_province")


def _answered(
    request: Request,
    officer: OfficerScope,
    code: str,
    span: str,
    answer: Callable[[ProvinceFigures], Response],
) -> Response:
    """``answer`` given the province's figures for ``span``, after the officer's scope
    is checked (403); bad input the page that says what to fix (400)."""
    _require_province(request, officer, code)
    console = console_of(request)
    try:
        period = span_at(span, console.db.clock())
        figures = province_figures(replicas_of(request), console.db, code, period)
    except UserError as refusal:
        return bad_input(request, refusal)
    return answer(figures)


@router.get("/tinh/{code}/")
def province_page(
    request: Request,
    code: ProvinceCode,
    officer: SignedIn,
    span: SpanText = Span.THIS_WEEK.value,
) -> Response:

    def page(figures: ProvinceFigures) -> Response:
        return render(
            request,
            "province.html",
            code=code,
            figures=figures,
            spans=[item.value for item in Span],
            span=Span(span).value,
            covered=sum(line.basic_skills.households_covered for line in figures.communes),
            households=sum(line.basic_skills.households for line in figures.communes),
            stale_villages=sum(line.stale_villages for line in figures.communes),
        )

    return _answered(request, officer, code, span, page)


@router.get("/tinh/{code}/cac-xa.xlsx")
def province_export(
    request: Request,
    code: ProvinceCode,
    officer: SignedIn,
    span: SpanText = Span.THIS_WEEK.value,
) -> Response:

    def workbook(figures: ProvinceFigures) -> Response:
        label = figures.period.label
        return download(
            province_xlsx(figures),
            XLSX,
            f"cac-xa-tinh-{code}-{label}.xlsx",
            f"Các xã {figures.province_name} {label}.xlsx",
        )

    return _answered(request, officer, code, span, workbook)
