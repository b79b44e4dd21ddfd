"""What the console's count pages share (overview, reports, province): the server's
replicas of the communes, a refusal of bad input in both languages, a downloaded
file's name, and the periods a report may be asked for.

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from datetime import date, timedelta
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from villagehelper.errors import UserError
from villagehelper.server.console.frame import language_of, render
from villagehelper.server.console.words import ENGLISH
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.tally.periods import Period, month, quarter, week_containing

# How far back the report page's lists reach; any other period may still be typed in
# the address (?ky=2025-W03), parse_period checks it.
WEEKS_OFFERED = 16
MONTHS_OFFERED = 12
QUARTERS_OFFERED = 6


def replicas_of(request: Request) -> CommuneReplicas:
    """The replicas the laptops' tally endpoint keeps too (``app.state.replicas``)."""
    found = request.app.state.replicas
    assert isinstance(found, CommuneReplicas)
    return found


def bad_input(request: Request, refusal: UserError) -> HTMLResponse:
    """A 400 page with the refusal's message, Vietnamese first (English when chosen)."""
    english = language_of(request) == ENGLISH
    first, second = (
        (refusal.message_en, refusal.message_vi)
        if english
        else (refusal.message_vi, refusal.message_en)
    )
    return render(request, "bad_input.html", status=400, first=first, second=second)


def _ascii_name(text: str) -> str:
    """Letters, digits, dot and dash only: what every browser and e-mail client keeps."""
    kept = [c if c.isascii() and (c.isalnum() or c in ".-") else "-" for c in text]
    return "-".join(part for part in "".join(kept).split("-") if part)


def download(content: bytes, media_type: str, ascii_name: str, name: str) -> Response:
    """An attachment named twice (RFC 6266): ``filename`` in ASCII for old clients,
    ``filename*`` in UTF-8 (RFC 5987) with the Vietnamese name."""
    disposition = (
        f'attachment; filename="{_ascii_name(ascii_name)}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


def offered_periods(today: date) -> dict[str, list[Period]]:
    """The weeks, months and quarters the report page lists, newest first."""
    weeks = [week_containing(today - timedelta(days=7 * back)) for back in range(WEEKS_OFFERED)]
    months = []
    year, number = today.year, today.month
    for _ in range(MONTHS_OFFERED):
        months.append(month(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    quarters = []
    year, number = today.year, (today.month - 1) // 3 + 1
    for _ in range(QUARTERS_OFFERED):
        quarters.append(quarter(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    return {"week": weeks, "month": months, "quarter": quarters}
