"""The commune's report from the console (``/xa/{code}/bao-cao``): a week, month or
quarter and a table layout picked in a plain GET form, then the PDF or XLSX that
``commune_report`` makes from the laptops' own tally of the server's replica — the same
figures as a leader's printout.  Counts only: no names at all, not even the preparer's
and signer's (left blank to be written by hand), so a viewer and a province officer may
download it.

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError
from villagehelper.server.commune_report.figures import figures_on_server
from villagehelper.server.commune_report.kept import kept_report_pdf
from villagehelper.server.commune_report.table import Orientation, parse_orientation
from villagehelper.server.commune_report.xlsx import commune_report_xlsx
from villagehelper.server.console.counting import bad_input, download, offered_periods, replicas_of
from villagehelper.server.console.frame import CommunePage, console_of, render
from villagehelper.tally.periods import parse_period, week_containing

router = APIRouter(include_in_schema=False)
CommuneCode = Annotated[str, Path(max_length=5)]
PeriodText = Annotated[str, Query(alias="ky", max_length=20)]
OrientationText = Annotated[str, Query(alias="xep", max_length=20)]
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/xa/{code}/bao-cao")
def report_page(request: Request, code: CommuneCode, officer: CommunePage) -> Response:
    today = vietnam_today(console_of(request).db.clock())
    return render(
        request,
        "reports.html",
        code=code,
        periods=offered_periods(today),
        chosen=week_containing(today).label,
        orientations=[item.value for item in Orientation],
        section="reports",
    )


@router.get("/xa/{code}/bao-cao.{kind}")
def report_file(
    request: Request,
    code: CommuneCode,
    *,
    kind: Annotated[str, Path(max_length=4)],
    officer: CommunePage,
    period: PeriodText = "",
    orientation: OrientationText = Orientation.VILLAGES_AS_ROWS.value,
) -> Response:
    """The report of ``period`` as PDF or XLSX, named in ASCII and in Vietnamese."""
    if kind not in {"pdf", "xlsx"}:
        return Response(status_code=404)
    try:
        chosen = parse_period(period)
        layout = parse_orientation(orientation)
        figures = figures_on_server(replicas_of(request), code, chosen)
    except UserError as refusal:
        return bad_input(request, refusal)
    if kind == "pdf":
        printed_on = vietnam_today(console_of(request).db.clock())
        content, media_type = kept_report_pdf(figures, layout, printed_on=printed_on), PDF
    else:
        content, media_type = commune_report_xlsx(figures, layout), XLSX
    label = chosen.label
    return download(
        content,
        media_type,
        f"bao-cao-{code}-{label}.{kind}",
        f"Báo cáo {figures.commune_name} {label}.{kind}",
    )
