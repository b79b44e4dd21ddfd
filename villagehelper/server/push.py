"""Accepting a laptop's uploaded changes: deduplicated, scoped, merged field by field.

A batch is one transaction: if any change in it is refused (another commune's row, a
volunteer writing a leader's record, a malformed field, a change id reused with other
content) nothing of the batch is stored and the laptop is told which change and why.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from villagehelper import personal_fields
from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.server import (
    device_history,
    erasure,
    feed,
    not_yours,
    plausibility,
    push_rules,
    restate,
    waiting,
)
from villagehelper.server.accounts import DeviceScope
from villagehelper.server.batch import (
    AnyRecord,
    Batch,
    IncomingChange,
    Seen,
    has_nul,
)
from villagehelper.server.database import ServerDB
from villagehelper.server.erasure_time import purge_from_the_future
from villagehelper.server.feed_clock import VersionClock
from villagehelper.server.tables import Device, Record
from villagehelper.store.changelog import EVENT_ENTITIES, Op

# Conflict ids are derived from the change that raised them: a replayed batch can never
# record the same conflict twice.
_CONFLICT_NAMESPACE = uuid.UUID("5a0f3c1e-7d0b-4f57-9a51-3c2a1f8e6b10")


class PushRefusedError(UserError):
    """The batch is refused as a whole; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, index: int, message_vi: str, message_en: str) -> None:
        super().__init__(message_vi, message_en)
        self.status = status
        self.index = index


def push(
    db: ServerDB,
    scope: DeviceScope,
    changes: list[IncomingChange],
    team_member_id: str | None = None,
    cursor: int | None = None,
    *,
    after: str | None = None,
) -> list[dict[str, Any]]:
    """Apply ``changes`` in order; one result per change (the original one if repeated).

    ``cursor``: the laptop's download cursor, if it says; past the feed's end, the batch
    is refused (:class:`feed.FeedBehindError`).  ``after``: the device's last change
    acknowledged, if it says; another copy's history is refused (device_history.py).
    """
    # Worked out before the transaction, so before the commune's feed is locked: they
    # read nothing stored (feed_clock.py: what the lock is for).
    checked = [_Checked(change.digest(), _malformed(change)) for change in changes]
    with db.transaction() as session:
        now = db.clock()
        # In the same commit: one durable write per batch, not two; and before the
        # commune's feed is locked, as the statement only waits for this device's other
        # pushes.
        session.execute(update(Device).where(Device.id == scope.device_id).values(last_seen_at=now))
        # Before the feed is locked too (this device's pushes wait for each other
        # already); loads the device's history row, which the checks below then reuse.
        # Changes a copy of this device's folder holds too may come from either.
        line = device_history.lineage(session, scope.device_id)
        # From here to the commit, this commune's other pushes wait: what follows reads
        # the commune's rows to change them, and must read them as the last push left
        # them (other communes' pushes lock other rows and go on).
        versions = VersionClock(session, scope.commune_code, expected=len(changes))
        batch = Batch(session, versions, scope, None, now)
        if cursor is not None and cursor > versions.current:
            raise feed.FeedBehindError()  # the feed's end was read with its lock: no query
        claimed = ("team_member", team_member_id) if team_member_id is not None else None
        batch.prefetch(changes, also_read=claimed)
        already = frozenset(batch.received)
        device = scope.device_id
        device_history.check_continuation(session, device, after, changes, already)
        batch.team_member_id = _claimed_member(batch, team_member_id, changes)
        results = [
            _accept(batch, index, change, line, checked[index])
            for index, change in enumerate(changes)
        ]
        waiting.release(batch)  # restatements that waited for a row this batch brought
        device_history.advance(session, device, after, changes, already)
        batch.store_new_records(still_changing=False)
        batch.write_log()
    db.epochs.note_feed(versions.current)  # a copy older than this is known for one
    return results


@dataclass(frozen=True)
class _Checked:
    """What a change's own content says, worked out before the feed is locked."""

    digest: str
    malformed: str | None  # why it cannot be stored, whatever the server holds


def _malformed(change: IncomingChange) -> str | None:
    problems = wire.change_problems(change.entity, change.op, change.fields)
    problems.extend(
        f"{name[:40]}: contains the NUL character"
        for name, value in change.fields.items()
        if isinstance(value, str) and has_nul(value)
    )
    if problems or len(change.row_id) > 40 or len(change.change_id) > 36:
        return "; ".join(problems[:5]) or "id too long"
    return None


def _claimed_member(
    batch: Batch, team_member_id: str | None, changes: list[IncomingChange]
) -> str | None:
    """The team member the laptop says is logging, if it is one of this commune's
    (or joins it in this very batch); anything else is not written to the audit log."""
    if team_member_id is None or has_nul(team_member_id):
        return None
    if any(c.entity == "team_member" and c.row_id == team_member_id for c in changes):
        return team_member_id
    record = batch.peek("team_member", team_member_id)
    if record is None or record.commune_code != batch.scope.commune_code:
        return None
    return team_member_id


def _accept(
    batch: Batch, index: int, change: IncomingChange, line: frozenset[str], checked: _Checked
) -> dict[str, Any]:
    digest = checked.digest
    seen = batch.received.get(change.change_id)
    if seen is not None:
        if seen.digest == digest and seen.device_id in line:
            original: dict[str, Any] = json.loads(seen.result)
            return original
        raise PushRefusedError(
            409,
            index,
            f"Thay đổi {change.change_id} đã được gửi trước đây với nội dung khác.",
            f"Change {change.change_id} was sent before with different content.",
        )
    try:
        _check(batch, index, change, checked.malformed)
    except waiting.WaitsError as waits:
        result = waiting.hold(batch, change, waits)
    else:
        result = _apply(batch, index, change)
    result["change_id"] = change.change_id
    reply = json.dumps(result)
    batch.received[change.change_id] = Seen(digest, batch.scope.device_id, reply)
    batch.new_received.append(
        {
            "change_id": change.change_id,
            "device_id": batch.scope.device_id,
            "digest": digest,
            "result": reply,
        }
    )
    batch.new_audit.append(
        {
            "at": batch.now,
            "commune_code": batch.scope.commune_code,
            "device_id": batch.scope.device_id,
            "team_member_id": batch.team_member_id,
            "change_id": change.change_id,
            "entity": change.entity,
            "row_id": change.row_id,
            "op": change.op,
            "outcome": result["status"],
        }
    )
    return result


def _forbidden(index: int, what_vi: str, what_en: str) -> PushRefusedError:
    return PushRefusedError(403, index, what_vi, what_en)


def _check(batch: Batch, index: int, change: IncomingChange, malformed: str | None) -> None:
    """Refuse what this device may not write, or what is malformed."""
    if malformed is not None:
        raise PushRefusedError(
            400,
            index,
            f"Dữ liệu gửi lên không hợp lệ ({change.entity}): {malformed}",
            f"Invalid change ({change.entity}): {malformed}",
        )
    push_rules.check(batch, index, change)  # the rules both sides keep, and who may write
    if change.entity in wire.SERVER_ENTITIES:
        raise _forbidden(
            index,
            "Danh mục dịch vụ chỉ được sửa trên máy chủ xã.",
            "The service catalog is edited on the server only.",
        )
    if change.entity in wire.LEADER_ENTITIES and not batch.scope.is_leader:
        raise _forbidden(index, *push_rules.leaders_only(change.entity))
    if erasure.refused_erasure(batch, change):
        raise _forbidden(
            index,
            "Chỉ tổ trưởng được xóa dữ liệu của người dân.",
            "Only a team leader may erase a resident's data.",
        )
    future_purge = purge_from_the_future(change.entity, change.fields, batch.now)
    if future_purge is not None:
        raise PushRefusedError(409, index, *future_purge)
    commune = change.fields.get("commune_code")
    if commune is not None and commune != batch.scope.commune_code:
        raise _forbidden(index, "Dữ liệu thuộc xã khác.", "The record belongs to another commune.")
    existing = batch.peek(change.entity, change.row_id)
    if existing is not None and existing.commune_code != batch.scope.commune_code:
        # Answered as an id this commune does not have (not_yours.py).
        if change.op == Op.INSERT:
            raise PushRefusedError(409, index, *not_yours.taken_id(change.row_id))
        raise PushRefusedError(400, index, *not_yours.missing_row(change.entity, change.row_id))
    _check_references(batch, index, change)


def _check_references(batch: Batch, index: int, change: IncomingChange) -> None:
    for entity, target_id in not_yours.referred_rows(change):
        target = batch.peek(entity, target_id) if not_yours.looked_up(entity, target_id) else None
        if target is None and waiting.may_wait(batch, change, entity, target_id):
            raise waiting.WaitsError(entity, target_id)  # a row a leader's laptop brings back
        if target is None or target.commune_code not in ("", batch.scope.commune_code):
            raise PushRefusedError(400, index, *not_yours.unknown_reference(entity, target_id))


def apply_waiting(batch: Batch, change: IncomingChange) -> None:
    """A restatement that waited for a row, now here (waiting.py): checked and applied
    as it would have been (its other checks passed when it came)."""
    _check_references(batch, -1, change)
    _apply(batch, -1, change)


def _apply(batch: Batch, index: int, change: IncomingChange) -> dict[str, Any]:
    if change.op == wire.RESTATE:
        return restate.restated(batch, index, change)
    record = batch.record(change.entity, change.row_id)
    if change.op == Op.INSERT:
        return _insert(batch, index, change, record)
    if record is None:
        raise PushRefusedError(400, index, *not_yours.missing_row(change.entity, change.row_id))
    if change.op == Op.DELETE:
        _write(batch, record, {}, deleted=True)
        return {"status": "applied", "version": record.version}
    return _update(batch, change, record)


def _insert(
    batch: Batch, index: int, change: IncomingChange, record: AnyRecord | None
) -> dict[str, Any]:
    fields = {name: value for name, value in change.fields.items() if name != "deleted"}
    sent_household = fields.get("household_id")
    if "household_id" in fields and change.entity in ("member", "help_session"):
        # Made on a laptop that had not yet seen a merge: follow it to the survivor.
        fields["household_id"] = _survivor(batch, fields["household_id"])
    if change.entity in ("member", "help_session", "campaign_target"):
        fields = erasure.inserted_fields(batch, change, fields)
    if record is not None:
        stored = json.loads(record.fields)
        if personal_fields.same_when_neutralised(change.entity, stored, fields):
            # Sent again under a new id once its personal values were replaced after an
            # erasure (store/erasure.py): the row is already here.
            return {"status": "unchanged", "version": record.version}
        if change.entity in EVENT_ENTITIES and _same_event(stored, fields):
            moved = stored.get("household_id") != sent_household
            return {"status": "moved" if moved else "unchanged", "version": record.version}
        raise PushRefusedError(409, index, *not_yours.taken_id(change.row_id))
    if change.entity == "household_merge":
        superseded = _superseded_merge(batch, fields["survivor_id"], fields["loser_id"])
        if superseded is not None:
            return superseded
    record = batch.new_record(change.entity, change.row_id)
    _write(batch, record, fields)
    if change.entity == "household_merge":
        _replay_merge(batch, fields["survivor_id"], fields["loser_id"])
    # "moved": stored under another household than the laptop sent, so the laptop must
    # not take its own copy for the server's (it downloads the server's instead).
    moved = fields.get("household_id") != sent_household
    result: dict[str, Any] = {"status": "moved" if moved else "applied", "version": record.version}
    if (held_back := plausibility.hold_back(batch, change, fields, _write)) is not None:
        result["quarantined"] = held_back  # kept, not counted: a time that cannot be right
    return result


def _same_event(stored: dict[str, Any], incoming: dict[str, Any]) -> bool:
    # household_id may differ only because the server followed a merge since.
    ignore = {"household_id"}
    return {k: v for k, v in stored.items() if k not in ignore} == {
        k: v for k, v in incoming.items() if k not in ignore
    }


def _update(batch: Batch, change: IncomingChange, record: AnyRecord) -> dict[str, Any]:
    current = json.loads(record.fields)
    field_versions = json.loads(record.field_versions)
    base = change.base_version or 0
    accepted: dict[str, Any] = {}
    conflicts: list[str] = []
    # An erasure overrides every field it names, changed since or not.
    erasing = personal_fields.is_erasure(change.entity, change.fields)
    for name, value in erasure.late_edit_fields(batch, change, record).items():
        if name == "deleted" or current.get(name) == value:
            continue
        last_version, last_device = field_versions.get(name, [0, ""])
        if not erasing and last_version > base and last_device != batch.scope.device_id:
            # Changed since this laptop's base by another laptop, to another value.
            conflicts.append(name)
            _record_conflict(batch, change, name, current.get(name), value)
        else:
            accepted[name] = value
    deleted = change.fields.get("deleted")
    if accepted or (deleted is not None and deleted != record.deleted):
        _write(batch, record, accepted, deleted=record.deleted if deleted is None else deleted)
    erasure.settle_erasure(batch, change, _write)
    status = "conflict" if conflicts else ("applied" if accepted else "unchanged")
    return {"status": status, "version": record.version, "conflicts": conflicts}


def _record_conflict(
    batch: Batch, change: IncomingChange, name: str, server_value: Any, device_value: Any
) -> None:
    conflict_id = str(uuid.uuid5(_CONFLICT_NAMESPACE, f"{change.change_id}:{name}"))
    record = batch.new_record("sync_conflict", conflict_id)
    _write(
        batch,
        record,
        {
            "entity": change.entity,
            "row_id": change.row_id,
            "field": name,
            "server_value": wire.canonical_json(server_value),
            "device_value": wire.canonical_json(device_value),
            "device_id": batch.scope.device_id,
            "volunteer_id": batch.team_member_id,
            "created_at": batch.now_text,
            "resolved": False,
            "resolution": None,
            "resolved_by": None,
        },
    )


def _write(
    batch: Batch, record: AnyRecord, changed: dict[str, Any], *, deleted: bool | None = None
) -> None:
    """Set fields, give the row a new version and note who changed each field."""
    version = batch.versions.next()
    fields = _decoded(record.fields)
    fields.update(changed)
    field_versions = _decoded(record.field_versions)
    for name in changed:
        field_versions[name] = [version, batch.scope.device_id]
    record.fields = wire.canonical_json(fields)
    record.field_versions = wire.canonical_json(field_versions)
    record.version = version
    record.household_id = fields.get("household_id")
    if deleted is not None:
        record.deleted = deleted


def _decoded(text: str) -> dict[str, Any]:
    # A row this batch adds starts empty: most rows a batch writes are new.
    decoded: dict[str, Any] = {} if text == "{}" else json.loads(text)
    return decoded


def _survivor(batch: Batch, household_id: str) -> str:
    seen = {household_id}
    current = household_id
    while True:
        record = batch.peek("household", current)
        merged_into = wire.stored_field(record.fields, "merged_into") if record else None
        if merged_into is None or merged_into in seen:
            return current
        seen.add(merged_into)
        current = merged_into


def _superseded_merge(batch: Batch, survivor_id: str, loser_id: str) -> dict[str, Any] | None:
    """The reply to a household merge an earlier merge has made impossible (else None).

    Two laptops offline may merge the same household into different ones, or each of two
    households into the other.  The first merge to arrive stands (as the first edit of a
    field does); a later one is not kept, because each laptop holds at most one merge per
    household and, kept, it would tombstone the survivor of the first.  The laptop that
    made it has already applied it to its own copy: the rows it changed there (the
    household it merged away, and the people and sessions it moved) get new versions
    here, so its next download puts them back as the server holds them.
    """
    batch.store_new_records(still_changing=True)  # the query below must see them
    loser_now = _survivor(batch, loser_id)
    if loser_now == loser_id and _survivor(batch, survivor_id) != loser_id:
        return None
    touched: list[AnyRecord] = [
        record
        for household_id in dict.fromkeys((loser_id, loser_now))
        if (record := batch.record("household", household_id)) is not None
    ]
    touched.extend(
        batch.session.scalars(
            select(Record).where(
                Record.household_id == loser_now, Record.entity.in_(("member", "help_session"))
            )
        )
    )
    for record in touched:
        _write(batch, record, {})
    return {"status": "superseded", "version": batch.versions.current}


def _replay_merge(batch: Batch, survivor_id: str, loser_id: str) -> None:
    """What every laptop does with a merge, done to the server's copy as well."""
    batch.store_new_records(still_changing=True)  # the query below must see them
    survivor_id = _survivor(batch, survivor_id)
    loser = batch.record("household", loser_id)
    if loser is not None:
        _write(batch, loser, {"merged_into": survivor_id}, deleted=True)
    moved = batch.session.scalars(
        select(Record).where(
            Record.household_id == loser_id, Record.entity.in_(("member", "help_session"))
        )
    ).all()
    for record in moved:
        _write(batch, record, {"household_id": survivor_id})
