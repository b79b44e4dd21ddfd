"""What client and server agree on: protocol version, headers, limits, entity rules.

The rules are derived from the local store's models (the one definition of every
syncable field), so a field added to a model travels without a second list to update.
No FastAPI and no requests here: both sides import this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, Text, inspect

from villagehelper.store.changelog import ENTITIES, EVENT_ENTITIES, Op, synced_fields
from villagehelper.store.models import UtcDateTime

PROTOCOL_VERSION = 1
# Older clients than this get a clear "please update" message instead of data.
MIN_CLIENT_PROTOCOL = 1

PROTOCOL_HEADER = "X-VillageHelper-Protocol"
APP_VERSION_HEADER = "X-VillageHelper-App"
# On every sync call: how many of its own changes the laptop still holds unsent at that
# moment (its outbox and the changes the server refused, set aside), in decimal digits.
# For the console's laptops page only: a server ignores a value it cannot read.
WAITING_HEADER = "X-VillageHelper-Waiting"
# The server's clock on every answer (ISO 8601, UTC, milliseconds): the laptop judges its
# own clock by it (villagehelper.ops.trusted_time); HTTP Date is the fallback.
SERVER_TIME_HEADER = "X-VillageHelper-Time"

# A push refused because another copy of the device's data folder continued its history.
DEVICE_HISTORY_DIVERGED = "device_history_diverged"
# The server's epoch (server/epochs.py): on every answer, and from a laptop that knows one.
EPOCH_HEADER = "X-VillageHelper-Epoch"
# A row stated again in full after the server was restored from a backup (sync/epoch.py):
# inserted if the server lacks it, merged as an update from the epoch's common point if not.
RESTATE = "restate"

MAX_PUSH_BATCH = 1000
# A first download brings a whole commune (200,000+ rows at district scale): pages of
# 2,000 keep each page's transaction and memory small while the number of requests
# stays well inside the server's per-device rate limit (20 a second, bursts of 120).
DEFAULT_PAGE = 2000
MAX_PAGE = 2000
MAX_BODY_BYTES = 8 * 1024 * 1024  # after gzip decoding, too
# A commune snapshot (exchange/snapshot.py) is some 90 MB at district scale; a laptop stops
# a download past this size, unpacked, rather than fill its disk.
MAX_SNAPSHOT_BYTES = 4 * 1024**3
MAX_TEXT_FIELD = 10_000

# Rows only a team leader may write: the commune's villages and team, the verdict on a
# conflict, and campaigns with their target lists.  The catalog is the server's alone.
LEADER_ENTITIES = frozenset(
    {"village", "team_member", "sync_conflict", "campaign", "campaign_target"}
)
CAMPAIGN_ENTITIES = frozenset({"campaign", "campaign_target"})
SERVER_ENTITIES = frozenset({"service"})
# Entities with no commune of their own: one catalog for every commune on the server.
GLOBAL_ENTITIES = frozenset({"service"})

OPS = frozenset({Op.INSERT, Op.UPDATE, Op.DELETE, RESTATE})


@dataclass(frozen=True)
class Reference:
    """A field naming another synced row (``entity``), checked for scope on the server."""

    field: str
    entity: str


@cache
def _entity_of_table() -> dict[str, str]:
    return {str(model.__tablename__): name for name, model in ENTITIES.items()}


# Fields naming another synced row with no foreign key in the local schema.  A household's
# ``merged_into`` is one: unchecked, a device could point its own household at another
# commune's, and the server's merge-following (new sessions and members go to the
# survivor) would then tie its rows to that commune's households.
_UNDECLARED_REFERENCES: dict[str, tuple[Reference, ...]] = {
    "household": (
        Reference("merged_into", "household"),
        Reference("erased_by", "team_member"),  # the leader who erased it
    ),
    # A correction names the session it replaces: one of the same commune.
    "help_session": (Reference("replaces_id", "help_session"),),
    # Who recorded a resident's consent, and its withdrawal, and who erased the person:
    # team members of the same commune (ops/consent.py, ops/erasure.py).
    "member": (
        Reference("consent_recorded_by", "team_member"),
        Reference("consent_withdrawn_by", "team_member"),
        Reference("erased_by", "team_member"),
    ),
    # The leader who erased a target row.  (A campaign's ``created_by`` is no reference:
    # the commune's console writes "console" there.)
    "campaign_target": (Reference("erased_by", "team_member"),),
}


@cache
def references(entity: str) -> tuple[Reference, ...]:
    """The fields of ``entity`` that point at other synced rows."""
    tables = _entity_of_table()
    found = []
    for column in inspect(ENTITIES[entity]).columns:
        for foreign_key in column.foreign_keys:
            target = tables.get(foreign_key.column.table.name)
            if target is not None:
                found.append(Reference(column.key, target))
    found.extend(_UNDECLARED_REFERENCES.get(entity, ()))
    return tuple(found)


@cache
def required_fields(entity: str) -> frozenset[str]:
    """Fields an insert must carry: not nullable and with no default."""
    model = ENTITIES[entity]
    columns = inspect(model).columns
    return frozenset(
        name
        for name in synced_fields(model)
        if not columns[name].nullable and columns[name].default is None and name != "deleted"
    )


Check = Callable[[Any], str | None]  # a value → why it cannot be stored, or None
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,6}Z")


def _instant_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a UTC time text"
    if _INSTANT.fullmatch(value):
        try:
            datetime.fromisoformat(value[:-1])  # the day and time must exist
            return None
        except ValueError:
            pass
    return "must be YYYY-MM-DDTHH:MM:SS.ffffffZ"


def _flag_problem(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _number_problem(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**31
    return None if ok else "must be a whole number"


def _date_problem(value: Any) -> str | None:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return "must be a date YYYY-MM-DD"
    return None


def _text_check(limit: int) -> Check:
    def problem(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be text"
        return None if len(value) <= limit else f"longer than {limit} characters"

    return problem


def _unsupported(_value: Any) -> str | None:
    return "unsupported field type"


@cache
def _field_checks(entity: str) -> dict[str, tuple[bool, Check]]:
    """Synced field → (nullable, check of a non-null value); made once per entity, as
    this runs for every field of every change pushed."""
    columns = inspect(ENTITIES[entity]).columns
    checks: dict[str, tuple[bool, Check]] = {}
    for name in synced_fields(ENTITIES[entity]):
        column = columns[name]
        kind = column.type
        check: Check
        if isinstance(kind, UtcDateTime):
            check = _instant_problem
        elif isinstance(kind, Boolean):
            check = _flag_problem
        elif isinstance(kind, Integer):
            check = _number_problem
        elif isinstance(kind, Date):
            check = _date_problem
        elif isinstance(kind, String | Text):
            check = _text_check(getattr(kind, "length", None) or MAX_TEXT_FIELD)
        else:
            check = _unsupported
        checks[name] = (bool(column.nullable), check)
    return checks


def _field_problem(entity: str, name: str, value: Any) -> str | None:
    """Why ``value`` cannot be stored in field ``name`` of ``entity`` (None if it can)."""
    found = _field_checks(entity).get(name)
    if found is None:
        return "unknown field"
    nullable, check = found
    if value is None:
        return None if nullable else "must not be empty"
    return check(value)


def change_problems(entity: str, op: str, fields: dict[str, Any]) -> list[str]:
    """Everything wrong with one uploaded change, as short English phrases."""
    if entity not in ENTITIES:
        return [f"unknown entity {entity[:40]!r}"]
    if op not in OPS:
        return [f"unknown op {op[:20]!r}"]
    if entity in EVENT_ENTITIES and op not in (Op.INSERT, RESTATE):
        return [f"{entity} is an event: it can only be inserted"]
    problems = [
        f"{name[:40]}: {problem}"
        for name, value in fields.items()
        if (problem := _field_problem(entity, name, value)) is not None
    ]
    if op in (Op.INSERT, RESTATE):
        missing = sorted(required_fields(entity) - fields.keys())
        problems.extend(f"{name}: missing" for name in missing)
    if op == Op.DELETE and fields:
        problems.append("a delete carries no fields")
    return problems


def canonical_json(value: Any) -> str:
    """One text per value: what the server's duplicate check compares."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def stored_field(fields_json: str, name: str) -> Any:
    """One field of a row's stored fields (JSON text), None if it has none.

    A batch asks this of a household for each session it adds (merged? erased?): most
    rows have neither field, and the text tells so without decoding it, because a key
    is written with its quotes and a quote inside a value is escaped.
    """
    if f'"{name}"' not in fields_json:
        return None
    return json.loads(fields_json).get(name)


def normalise_code(code: str) -> str:
    """An enrolment code as the server keeps it: "abcde-12345 " and "ABCDE12345" are
    the same code."""
    return "".join(ch for ch in code.upper() if ch.isalnum())
