"""The shapes of the commune server's HTTP API: what a laptop sends and gets back, and
the refusals each endpoint may answer with, as the OpenAPI schema documents them
(tests/test_server_schema.py drives every endpoint from it).

(No ``from __future__ import annotations`` here: FastAPI and pydantic read these
annotations at run time.)
"""

from typing import Annotated, Any, Literal

from fastapi import Header
from pydantic import BaseModel, Field, JsonValue

from villagehelper.exchange import wire
from villagehelper.store.changelog import ENTITIES


class EnrolRequest(BaseModel):
    code: str = Field(min_length=4, max_length=40)
    device_name: str = Field(default="", max_length=120)
    attempt: str = Field(default="", max_length=64, description="the laptop's id for this try")
    previous_device: str | None = Field(
        default=None,
        max_length=200,
        description="the device this folder was: its id and the digest of its token",
    )
    device_stamp: str | None = Field(
        default=None,
        max_length=36,
        pattern=r"^[^\x00]*$",
        description="the id the laptop signs its sessions with (push_rules.py)",
    )


class EnrolResponse(BaseModel):
    device_id: str
    token: str
    commune_code: str
    commune_name: str
    role: Literal["volunteer", "leader"]


# Ids are looked up in the database as they are: PostgreSQL cannot even compare a text
# holding NUL (U+0000), so one is malformed here rather than a server error there.
_NO_NUL = r"^[^\x00]*$"
_ENTITY_NAMES: list[JsonValue] = [name for name in sorted(ENTITIES)]


class ChangeIn(BaseModel):
    change_id: str = Field(min_length=1, max_length=36, pattern=_NO_NUL)
    entity: str = Field(
        min_length=1,
        max_length=32,
        pattern=_NO_NUL,
        # Documented only: an unknown entity is refused with the change's index (push.py).
        json_schema_extra={"enum": _ENTITY_NAMES},
    )
    row_id: str = Field(min_length=1, max_length=40, pattern=_NO_NUL)
    op: Literal["insert", "update", "delete", "restate"]
    base_version: int | None = Field(default=None, ge=0, le=2**62)
    fields: dict[str, Any] = Field(default_factory=dict, max_length=40)


class PushRequest(BaseModel):
    changes: list[ChangeIn] = Field(max_length=wire.MAX_PUSH_BATCH)
    team_member_id: str | None = Field(default=None, max_length=36, pattern=_NO_NUL)
    cursor: int | None = Field(
        default=None, ge=0, le=2**62, description="the laptop's download cursor"
    )
    after: str | None = Field(
        default=None,
        max_length=36,
        pattern=_NO_NUL,
        description='the last change of this device the server acknowledged ("" if none)',
    )


class ChangeResult(BaseModel):
    change_id: str
    # "moved": stored, but under the household a merge made survive, not the one sent.
    # "superseded": a household merge another merge made impossible first (push.py); the
    # laptop drops its copy.
    status: Literal["applied", "unchanged", "conflict", "moved", "superseded"]
    version: int
    conflicts: list[str] = Field(default_factory=list)
    # A help session kept but not counted: its time cannot be right (plausibility.py).
    quarantined: Literal["future", "too_early"] | None = None


class PushResponse(BaseModel):
    results: list[ChangeResult]


class FeedChange(BaseModel):
    entity: str
    id: str
    version: int
    fields: dict[str, Any]
    deleted: bool


class PullResponse(BaseModel):
    changes: list[FeedChange]
    cursor: int
    more: bool


class Health(BaseModel):
    """Alive, and which protocol: not the app's version, which would tell a stranger
    which known weaknesses to try."""

    ok: bool
    protocol: int


class ErrorBody(BaseModel):
    """Every refusal: a code, and what to tell the person, word for word."""

    error: str
    message_vi: str
    message_en: str
    index: int | None = Field(default=None, description="the refused change's place in its batch")
    epoch: str | None = Field(default=None, description="epoch_changed: the server's epoch")
    common: int | None = Field(
        default=None, description="epoch_changed: the last version shared with the laptop's epoch"
    )
    update: dict[str, Any] | None = Field(
        default=None,
        description="client_too_old: the newest installer published for the laptop's "
        "platform (as GET /v1/updates/latest gives it), if there is one",
    )


_REFUSALS = {
    400: "refused: malformed change, unknown reference, bad week, corrupt gzip",
    401: "no valid token (or enrolment code)",
    403: "not this device's commune, or a leader's work",
    409: (
        "a change id or row id already used with other content; a cursor past the end of "
        "the feed, or another epoch than the server's (its database restored from a backup)"
    ),
    413: "body too large, also after gzip decoding",
    422: "malformed request",
    426: f"missing or old {wire.PROTOCOL_HEADER}: update VillageHelper",
    429: "too many requests, or too many wrong tokens from this address",
}


def documented_refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entries of refusals an endpoint may answer with (all :class:`ErrorBody`):
    what every /v1 call may get from the request checks, and ``statuses`` of its own."""
    every_call = (400, 413, 422, 426)
    return {
        status: {"model": ErrorBody, "description": _REFUSALS[status]}
        for status in sorted({*every_call, *statuses})
    }


# Documents the protocol header in the schema; RequestLimits enforces it (426) before any
# endpoint runs.
Protocol = Annotated[
    int,
    Header(alias=wire.PROTOCOL_HEADER, description="the laptop's sync protocol version"),
]
