"""The campaigns page (``/xa/<code>/chien-dich/``): each campaign of the commune with
its services, deadline and progress by village; an administrator creates one or closes
one.

The figures are :func:`~villagehelper.server.console_figures.campaigns.commune_campaigns`
(the laptops' own progress on the server's replica); the writes are
``server/campaign_writes.py`` (a leader's writes through the laptops' path, so every
laptop takes them at its next sync), each in the console's audit log with the
campaign's id.  Counts only, never a name: a viewer and a province officer may look
(as at the overview); only a commune's administrator writes.  The list of people is
imported on a leader's laptop, and the page says so.

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from villagehelper.errors import UserError
from villagehelper.server import campaign_writes
from villagehelper.server.console.admin_action import admin_action, commune_form_page
from villagehelper.server.console.counting import bad_input, replicas_of
from villagehelper.server.console.frame import CheckedForm, CommunePage, console_of
from villagehelper.server.console.laptops import Code
from villagehelper.server.console_figures.campaigns import commune_campaigns

router = APIRouter(include_in_schema=False)

CampaignId = Annotated[str, Path(max_length=40)]
SERVICE_FIELD = "service_"  # one checkbox per service: service_<CODE>=1


def campaigns_path(code: str) -> str:
    return f"/xa/{code}/chien-dich/"


def _page(
    request: Request, code: str, error: UserError | None = None, typed: dict[str, str] | None = None
) -> Response:
    console = console_of(request)
    try:
        found = commune_campaigns(replicas_of(request), console.db, code)
    except UserError as refusal:  # a commune this server does not serve
        return bad_input(request, refusal)
    return commune_form_page(
        request,
        "campaigns.html",
        code,
        error,
        campaigns=found.campaigns,
        services=found.services,
        today=found.today,
        typed=typed or {},
        section="campaigns",
    )


@router.get("/xa/{code}/chien-dich/")
def campaigns_page(request: Request, code: Code, officer: CommunePage) -> Response:
    return _page(request, code)


@router.post("/xa/{code}/chien-dich/tao")
def create_campaign(
    request: Request, code: Code, officer: CommunePage, form: CheckedForm
) -> Response:
    chosen = [key.removeprefix(SERVICE_FIELD) for key in form if key.startswith(SERVICE_FIELD)]

    def write() -> str:
        return campaign_writes.create_campaign(
            console_of(request).db,
            replicas_of(request),
            code,
            name=form.get("name", ""),
            service_codes=chosen,
            deadline=form.get("deadline", ""),
        )

    def refused(refusal: UserError) -> Response:  # what was typed stays in the form
        return _page(request, code, refusal, form)

    back = campaigns_path(code)
    return admin_action(request, officer, "campaign_created", write, back=back, refused=refused)


@router.post("/xa/{code}/chien-dich/{campaign_id}/dong")
def close_campaign(
    request: Request, code: Code, campaign_id: CampaignId, officer: CommunePage, form: CheckedForm
) -> Response:
    def write() -> str:
        campaign_writes.close_campaign(console_of(request).db, code, campaign_id)
        return campaign_id

    def refused(refusal: UserError) -> Response:
        return _page(request, code, refusal)

    back = campaigns_path(code)
    return admin_action(request, officer, "campaign_closed", write, back=back, refused=refused)
