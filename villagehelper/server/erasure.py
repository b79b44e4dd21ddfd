"""The commune server's side of erasing a resident: permission, and erasure that sticks.

An erasure is an ordinary update of a household or a person that sets the erased values
(``villagehelper.personal_fields``).  Only a leader's laptop may send one.  Once a row is
erased it stays erased here, whatever arrives later from a laptop that had not yet heard
of it: personal fields of a late edit are dropped (its other fields still apply), people
and sessions added to an erased household or for an erased person arrive erased, and the
conflicts over the erased fields hold the erased value.  The server keeps nothing else
personal about a change: the dedup store holds a digest and the reply (status, version,
field names), the audit log holds ids, and the feed is the rows' latest state.  (A
laptop sends its pending changes of an erased resident again under new ids once it has
replaced their personal values; ``push`` recognises an insert it already holds.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from villagehelper import personal_fields
from villagehelper.exchange import wire
from villagehelper.server import waiting_upkeep
from villagehelper.server.database import overwrite_what_is_freed
from villagehelper.server.tables import Record

if TYPE_CHECKING:
    from villagehelper.server.batch import AnyRecord, Batch, IncomingChange, Peek

Write = Callable[..., None]  # push._write: fields of a record, a new version


def is_erased(record: AnyRecord | Peek | None) -> bool:
    return record is not None and wire.stored_field(record.fields, "erased_at") is not None


def refused_erasure(batch: Batch, change: IncomingChange) -> bool:
    """Whether this device asks for an erasure it may not make (volunteers may not)."""
    return personal_fields.is_erasure(change.entity, change.fields) and not batch.scope.is_leader


def late_edit_fields(batch: Batch, change: IncomingChange, record: AnyRecord) -> dict[str, Any]:
    """The fields of an update that may still apply to ``record``."""
    if change.entity == "sync_conflict":
        return _conflict_fields(batch, record, change.fields)
    if is_erased(record) and not personal_fields.is_erasure(change.entity, change.fields):
        return personal_fields.without_personal(change.entity, change.fields)
    return dict(change.fields)


def _conflict_fields(batch: Batch, record: AnyRecord, fields: dict[str, Any]) -> dict[str, Any]:
    """A verdict on a conflict over an erased field can only be the erased value."""
    conflict = json.loads(record.fields)
    target = batch.peek(conflict.get("entity", ""), conflict.get("row_id", ""))
    erased_field = conflict.get("field") in personal_fields.ERASED_VALUES.get(
        conflict.get("entity", ""), {}
    )
    if not (erased_field and is_erased(target)):
        return dict(fields)
    erased = personal_fields.scrubbed_conflict_value()
    return {
        name: erased if name in _CONFLICT_VALUES and value is not None else value
        for name, value in fields.items()
    }


_CONFLICT_VALUES = ("server_value", "device_value", "resolution")


def inserted_fields(batch: Batch, change: IncomingChange, fields: dict[str, Any]) -> dict[str, Any]:
    """A person, a session or a campaign's target row arriving for an erased household
    or person arrives erased."""
    if change.entity == "campaign_target":
        return _inserted_target(batch, fields)
    household_id = fields.get("household_id")
    household = batch.peek("household", household_id) if household_id else None
    if change.entity == "member" and household is not None and is_erased(household):
        marks = json.loads(household.fields)
        return {
            **personal_fields.neutralised("member", fields),
            "erased_at": marks["erased_at"],
            "erased_by": marks.get("erased_by"),
        }
    if change.entity == "help_session":
        member_id = fields.get("member_id")
        person = batch.peek("member", member_id) if member_id else None
        if is_erased(household) or is_erased(person):
            return personal_fields.scrubbed_session(fields)
    return fields


def _inserted_target(batch: Batch, fields: dict[str, Any]) -> dict[str, Any]:
    # A leader's laptop that had not heard of the person's erasure links a list row to
    # them: the row arrives erased too (its link and match state stay, so it counts).
    member_id = fields.get("member_id")
    person = batch.peek("member", member_id) if member_id else None
    if person is None or not is_erased(person):
        return fields
    marks = json.loads(person.fields)
    return {
        **personal_fields.neutralised("campaign_target", fields),
        "erased_at": marks["erased_at"],
        "erased_by": marks.get("erased_by"),
    }


def settle_erasure(batch: Batch, change: IncomingChange, write: Write) -> None:
    """After an erasure is stored: the household's people, the sessions and the
    conflicts hold nothing personal of the erased resident any more."""
    if not personal_fields.is_erasure(change.entity, change.fields):
        return
    batch.store_new_records(still_changing=True)  # the queries below must see them
    overwrite_what_is_freed(batch.session)
    record = batch.record(change.entity, change.row_id)
    assert record is not None
    if change.entity not in ("household", "member"):
        _settle_conflicts(batch, change, write)  # a target row: no people or sessions
        return
    household_id = change.row_id if change.entity == "household" else record.household_id
    related = batch.session.scalars(
        select(Record).where(
            Record.household_id == household_id,
            Record.entity.in_(("member", "help_session")),
        )
    ).all()
    marks = {name: change.fields.get(name) for name in personal_fields.ERASURE_MARKS}
    for other in related:
        fields = json.loads(other.fields)
        if other.entity == "member":
            if change.entity != "household" or is_erased(other):
                continue
            wanted = {**personal_fields.ERASED_VALUES["member"], **marks}
        elif change.entity == "household" or fields.get("member_id") == change.row_id:
            wanted = personal_fields.scrubbed_session(fields)
        else:
            continue
        changed = {name: value for name, value in wanted.items() if fields.get(name) != value}
        if changed:
            write(batch, other, changed)
    _settle_conflicts(batch, change, write)
    waiting_upkeep.settle_erased(batch, change)  # nothing erased stays in what waits


def _settle_conflicts(batch: Batch, change: IncomingChange, write: Write) -> None:
    erased = personal_fields.scrubbed_conflict_value()
    pattern = f'"row_id":{wire.canonical_json(change.row_id)}'
    conflicts = batch.session.scalars(
        select(Record).where(
            Record.entity == "sync_conflict",
            Record.commune_code == batch.scope.commune_code,
            Record.fields.contains(pattern, autoescape=True),
        )
    ).all()
    for conflict in conflicts:
        fields = json.loads(conflict.fields)
        if fields.get("entity") != change.entity or fields.get("row_id") != change.row_id:
            continue
        if fields.get("field") not in personal_fields.ERASED_VALUES[change.entity]:
            continue
        wanted = {"server_value": erased, "device_value": erased, "resolved": True}
        wanted["resolution"] = erased
        changed = {name: value for name, value in wanted.items() if fields.get(name) != value}
        if changed:
            write(batch, conflict, changed)
