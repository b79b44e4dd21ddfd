"""The laptops page (``/xa/<code>/may-tinh/``): the commune's enrolled laptops, an
enrolment code issued for a role, a laptop revoked after a confirmation.

Each laptop is listed with the villages it logged sessions for (read from the commune's
replica by ``console_figures.laptops``, which scans only the sessions added since its
last look) and the changes it said it still held unsent at its last noted sync
(``laptop_calls.py``): a count as of that moment, not known for an app too old to say.

An administrator acts, a viewer may look; a province officer sees counts only, so not
this list.  Codes are issued and laptops revoked by the very functions the server's
command line calls (``accounts.issue_code``, ``accounts.revoke``): a code from the page
is a code like any other, and a revoked laptop's next call is refused because
``accounts.authenticate`` reads the device's row on every call.  Every action goes to
the console's audit log with the laptop's id, never a resident's name.

(No ``from __future__ import annotations``: FastAPI reads the endpoints' annotations.)
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from villagehelper.clock import to_vietnam
from villagehelper.errors import UserError
from villagehelper.geography import commune_by_code
from villagehelper.server import accounts
from villagehelper.server.console import audit
from villagehelper.server.console.counting import bad_input, replicas_of
from villagehelper.server.console.frame import (
    CheckedForm,
    CommunePage,
    ConsoleRefusalError,
    console_of,
    render,
    require_admin,
)
from villagehelper.server.console.officers import OfficerScope
from villagehelper.server.console_figures.laptops import device_village_names
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Device

router = APIRouter(include_in_schema=False)

Code = Annotated[str, Path(max_length=5)]
DeviceId = Annotated[str, Path(max_length=36)]
TIME_SHAPE = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class LaptopRow:
    device_id: str
    name: str
    role: str
    app_version: str | None
    platform: str | None
    enrolled: str
    last_sync: str | None  # None: enrolled, never synced
    revoked: str | None  # when, Vietnam time; None: still enrolled
    waiting: int | None  # changes unsent as of last_sync; None: the laptop did not say
    villages: tuple[str, ...] = ()  # names of the villages it logged sessions for


def laptops_path(code: str) -> str:
    return f"/xa/{code}/may-tinh/"


def vietnam_text(moment: datetime | None) -> str | None:
    return to_vietnam(moment).strftime(TIME_SHAPE) if moment is not None else None


def commune_laptops(
    db: ServerDB, code: str, villages: Mapping[str, tuple[str, ...]] | None = None
) -> list[LaptopRow]:
    """The commune's laptops, still enrolled first, each group newest sync first, each
    with its ``villages`` (by device id) when given."""
    villages = villages or {}
    with db.reading() as session:
        devices = session.scalars(select(Device).where(Device.commune_code == code)).all()
    ordered = sorted(
        devices,
        key=lambda d: (d.revoked_at is not None, -(d.last_seen_at or d.created_at).timestamp()),
    )
    return [
        LaptopRow(
            d.id,
            d.name,
            d.role,
            d.app_version,
            d.platform,
            vietnam_text(d.created_at) or "",
            vietnam_text(d.last_seen_at),
            vietnam_text(d.revoked_at),
            d.waiting_changes,
            villages.get(d.id, ()),
        )
        for d in ordered
    ]


def rows_allowed(officer: OfficerScope) -> None:
    """A province officer sees counts, never a commune's list of laptops."""
    if officer.counts_only:
        raise ConsoleRefusalError(403, "forbidden_title", "forbidden_counts_only")


def commune_place(code: str) -> str:
    official = commune_by_code(code) if code.isdigit() else None
    return official.name if official else code


def _page(request: Request, code: str, status: int = 200, **shown: object) -> Response:
    values: dict[str, object] = {"issued": None, "issued_role": None, "expires": None}
    values.update(shown)
    db = console_of(request).db
    try:
        replica = replicas_of(request).caught_up(code)
    except UserError as refusal:  # a commune this server does not hold
        return bad_input(request, refusal)
    return render(
        request,
        "laptops.html",
        status=status,
        code=code,
        place=commune_place(code),
        laptops=commune_laptops(db, code, device_village_names(db, replica, code)),
        error=values.pop("error", None),
        **values,
    )


@router.get("/xa/{code}/may-tinh/")
def laptops_page(request: Request, code: Code, officer: CommunePage) -> Response:
    rows_allowed(officer)
    return _page(request, code)


@router.post("/xa/{code}/may-tinh/ma-dang-ky")
def issue_enrolment_code(
    request: Request, code: Code, officer: CommunePage, form: CheckedForm
) -> Response:
    rows_allowed(officer)
    require_admin(request, officer)
    console = console_of(request)
    role = form.get("role", "")
    try:
        issued = accounts.issued_code(console.db, code, role)
    except UserError as refusal:
        return _page(request, code, status=400, error=refusal)
    audit.record(
        console.db, officer.name, "enrolment_code_issued", f"{code} {role}", _address(request)
    )
    return _page(
        request,
        code,
        issued=issued.code,
        issued_role=role,
        expires=vietnam_text(issued.expires_at),
    )


def _laptop_of(request: Request, code: str, device_id: str) -> LaptopRow:
    laptops = commune_laptops(console_of(request).db, code)
    found = next((row for row in laptops if row.device_id == device_id), None)
    if found is None:  # another commune's laptop answers as one that does not exist
        raise ConsoleRefusalError(404, "laptop_missing_title", "laptop_missing")
    return found


@router.get("/xa/{code}/may-tinh/{device_id}/thu-hoi")
def revoke_page(
    request: Request, code: Code, device_id: DeviceId, officer: CommunePage
) -> Response:
    rows_allowed(officer)
    require_admin(request, officer)
    laptop = _laptop_of(request, code, device_id)
    return render(
        request, "laptop_revoke.html", code=code, place=commune_place(code), laptop=laptop
    )


@router.post("/xa/{code}/may-tinh/{device_id}/thu-hoi")
def revoke_laptop(
    request: Request, code: Code, device_id: DeviceId, officer: CommunePage, form: CheckedForm
) -> Response:
    rows_allowed(officer)
    require_admin(request, officer)
    laptop = _laptop_of(request, code, device_id)
    console = console_of(request)
    if laptop.revoked is None:
        accounts.revoke(console.db, device_id)
        audit.record(console.db, officer.name, "laptop_revoked", device_id, _address(request))
    return RedirectResponse(laptops_path(code), status_code=303)


def _address(request: Request) -> str:
    return console_of(request).address_of(request)
