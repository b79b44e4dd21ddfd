"""The audit log page (``/xa/<code>/nhat-ky/``): the commune's lines of the console's
audit log, newest first, fifty a page, in Vietnam time, each action in words.

For the commune's administrators only: a viewer gets 403 (the log says who signed in
from where, which is the administrators' to watch), another commune's officer 403, and
a province officer 403 as on the laptops page: a province sees counts, not a commune's
lists, and the commune's own administrators are the ones who act on what the log shows.

The target of a line is what the audit wrote (a row's id, a commune's code); a laptop's,
a village's or a team member's id is shown with its name as the pages show it.  The
audit holds no resident's name, and nothing here adds one: team members are the team's
volunteers, named on the villages and team page already.

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRouter

from villagehelper.clock import to_vietnam
from villagehelper.errors import UserError
from villagehelper.server import leader_writes
from villagehelper.server.console import audit
from villagehelper.server.console.counting import bad_input
from villagehelper.server.console.frame import (
    CommunePage,
    console_of,
    language_of,
    render,
    require_admin,
)
from villagehelper.server.console.laptops import (
    Code,
    commune_laptops,
    commune_place,
    rows_allowed,
)
from villagehelper.server.console.words import WORDS, translate
from villagehelper.server.database import ServerDB

router = APIRouter(include_in_schema=False)

LINES_PER_PAGE = 50
TIME_SHAPE = "%d/%m/%Y %H:%M:%S"
PageText = Annotated[str, Query(alias="trang", max_length=6)]


@dataclass(frozen=True)
class ShownLine:
    at: str  # Vietnam time
    officer_name: str
    action: str  # in words, or the code when it has none
    target: str
    address: str


def audit_path(code: str) -> str:
    return f"/xa/{code}/nhat-ky/"


def page_number(text: str) -> int:
    """``?trang=`` as a page number from 1; anything else a :class:`UserError`."""
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise UserError(*WORDS["audit_bad_page"])
    return int(text)


def target_names(db: ServerDB, code: str) -> dict[str, str]:
    """The commune's laptops, villages and team members by id: what a target names."""
    team = leader_writes.commune_team(db, code)
    names = {laptop.device_id: laptop.name for laptop in commune_laptops(db, code)}
    names.update({village.village_id: village.name for village in team.villages})
    names.update({member.member_id: member.full_name for member in team.members})
    return names


def shown_lines(db: ServerDB, code: str, language: str, number: int) -> list[ShownLine]:
    """Page ``number`` of the commune's lines, one more than a page if there is another."""
    lines = audit.commune_lines(db, code, (number - 1) * LINES_PER_PAGE, LINES_PER_PAGE + 1)
    names = target_names(db, code) if lines else {}
    shown = []
    for line in lines:
        key = f"action_{line.action}"
        action = translate(language, key) if key in WORDS else line.action
        named = names.get(line.target)
        target = f"{named} ({line.target})" if named else line.target
        address = line.address
        if address == audit.COMMAND_LINE:
            address = translate(language, "audit_command_line")
        at = to_vietnam(line.at).strftime(TIME_SHAPE)
        shown.append(ShownLine(at, line.officer_name, action, target, address))
    return shown


@router.get("/xa/{code}/nhat-ky/")
def audit_log_page(
    request: Request, code: Code, officer: CommunePage, page: PageText = "1"
) -> Response:
    rows_allowed(officer)
    require_admin(request, officer)
    try:
        number = page_number(page)
    except UserError as refusal:
        return bad_input(request, refusal)
    db = console_of(request).db
    lines = shown_lines(db, code, language_of(request), number)
    return render(
        request,
        "audit_log.html",
        code=code,
        place=commune_place(code),
        lines=lines[:LINES_PER_PAGE],
        number=number,
        newer=number - 1 if number > 1 else None,
        older=number + 1 if len(lines) > LINES_PER_PAGE else None,
        section="audit",
    )
