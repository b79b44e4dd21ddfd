"""The villages and team page (``/xa/<code>/thon/``): villages added and renamed, team
members added, deactivated (or back), made leader or member.

Each action is a leader's write made through the laptops' own path
(``server/leader_writes.py``: ``push`` with its rules, into the feed), so the laptops
take it at their next sync.  An administrator acts, a viewer may look; a province
officer sees counts only, so not this page.  Each action is in the console's audit log
with the row's id.

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from villagehelper.errors import UserError
from villagehelper.server import leader_writes
from villagehelper.server.console.admin_action import admin_action, commune_form_page
from villagehelper.server.console.frame import CheckedForm, CommunePage, console_of
from villagehelper.server.console.laptops import Code, rows_allowed
from villagehelper.server.console.officers import OfficerScope
from villagehelper.server.database import ServerDB

router = APIRouter(include_in_schema=False)

RowId = Annotated[str, Path(max_length=40)]


def team_path(code: str) -> str:
    return f"/xa/{code}/thon/"


def _page(request: Request, code: str, error: UserError | None = None) -> Response:
    team = leader_writes.commune_team(console_of(request).db, code)
    village_names = {v.village_id: v.name for v in team.villages}
    return commune_form_page(
        request,
        "team.html",
        code,
        error,
        villages=team.villages,
        members=team.members,
        village_names=village_names,
    )


@router.get("/xa/{code}/thon/")
def team_page(request: Request, code: Code, officer: CommunePage) -> Response:
    rows_allowed(officer)
    return _page(request, code)


def _act(
    request: Request,
    officer: OfficerScope,
    code: str,
    action: str,
    write: Callable[[ServerDB], str],
) -> Response:
    """Do ``write`` as an administrator; audited with the row it names, back to the page."""
    db = console_of(request).db
    return admin_action(
        request,
        officer,
        action,
        lambda: write(db),
        back=team_path(code),
        refused=lambda refusal: _page(request, code, refusal),
    )


@router.post("/xa/{code}/thon/them-thon")
def add_village(request: Request, code: Code, officer: CommunePage, form: CheckedForm) -> Response:
    name, kind = form.get("name", ""), form.get("kind", "thon")
    return _act(
        request,
        officer,
        code,
        "village_added",
        lambda db: leader_writes.add_village(db, code, name, kind),
    )


@router.post("/xa/{code}/thon/{village_id}/doi-ten")
def rename_village(
    request: Request, code: Code, village_id: RowId, officer: CommunePage, form: CheckedForm
) -> Response:
    def write(db: ServerDB) -> str:
        leader_writes.rename_village(db, code, village_id, form.get("name", ""))
        return village_id

    return _act(request, officer, code, "village_renamed", write)


@router.post("/xa/{code}/thon/them-thanh-vien")
def add_member(request: Request, code: Code, officer: CommunePage, form: CheckedForm) -> Response:
    village = form.get("village_id") or None
    name, role = form.get("full_name", ""), form.get("role", "member")
    return _act(
        request,
        officer,
        code,
        "member_added",
        lambda db: leader_writes.add_member(db, code, name, role, village),
    )


@router.post("/xa/{code}/thon/thanh-vien/{member_id}/vai-tro")
def change_role(
    request: Request, code: Code, member_id: RowId, officer: CommunePage, form: CheckedForm
) -> Response:
    role = form.get("role", "")

    def write(db: ServerDB) -> str:
        leader_writes.set_member_role(db, code, member_id, role)
        return member_id

    return _act(request, officer, code, f"member_made_{role}"[:40], write)


@router.post("/xa/{code}/thon/thanh-vien/{member_id}/hoat-dong")
def change_active(
    request: Request, code: Code, member_id: RowId, officer: CommunePage, form: CheckedForm
) -> Response:
    active = form.get("active") == "1"

    def write(db: ServerDB) -> str:
        leader_writes.set_member_active(db, code, member_id, active)
        return member_id

    action = "member_reactivated" if active else "member_deactivated"
    return _act(request, officer, code, action, write)
