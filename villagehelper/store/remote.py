"""Applying changes that came from the commune server to the local store.

Rules (ARCHITECTURE.md, sync lessons 4–8):
- a row with local changes not yet acknowledged (dirty) is never overwritten: only the
  fields it has no pending change for take the server's value, and its base version
  stays, so the server can still detect a same-field conflict;
- events (sessions, voids, merges) are inserted once; a repeated one changes nothing;
- a merge is replayed the same way on every laptop: sessions and members re-pointed,
  the loser tombstoned with ``merged_into``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from villagehelper import personal_fields
from villagehelper.store import search_index
from villagehelper.store.changelog import (
    ENTITIES,
    EVENT_ENTITIES,
    Changes,
    from_wire,
    pending_fields,
    primary_key_name,
    synced_fields,
)
from villagehelper.store.erasure import settle_erasure
from villagehelper.store.kinds import SyncState
from villagehelper.store.models import HelpSession, Household, HouseholdMerge, Member, SessionVoid


@dataclass(frozen=True)
class RemoteChange:
    """One row as the server holds it at ``version`` (full state, not a diff)."""

    entity: str
    row_id: str
    version: int
    fields: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False


class Applied(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    MERGED_WITH_LOCAL = "merged_with_local"  # dirty row: only untouched fields taken
    STALE = "stale"  # already at this version or newer


def resolve_household(session: Session, household_id: str) -> str:
    """Follow ``merged_into`` pointers to the household that survives today."""
    seen = {household_id}
    current = household_id
    while True:
        merged_into = session.scalar(select(Household.merged_into).where(Household.id == current))
        if merged_into is None or merged_into in seen:
            return current
        seen.add(merged_into)
        current = merged_into


def apply_household_merge(
    session: Session, survivor_id: str, loser_id: str, changes: Changes
) -> None:
    """Re-point the loser's sessions and members to the survivor and tombstone it.

    A consequence of the merge event, replayed by every laptop and the server alike,
    so none of these row updates go to the outbox.
    """
    survivor_id = resolve_household(session, survivor_id)
    moved_sessions = session.scalars(
        select(HelpSession.id).where(HelpSession.household_id == loser_id)
    ).all()
    session.execute(
        update(HelpSession)
        .where(HelpSession.household_id == loser_id)
        .values(household_id=survivor_id)
    )
    moved_members = session.scalars(select(Member.id).where(Member.household_id == loser_id)).all()
    session.execute(
        update(Member).where(Member.household_id == loser_id).values(household_id=survivor_id)
    )
    loser = session.get(Household, loser_id)
    if loser is not None:
        loser.deleted = True
        loser.merged_into = survivor_id
    session.flush()
    connection = session.connection()
    search_index.refresh_household(connection, loser_id)
    search_index.refresh_household(connection, survivor_id)
    for session_id in moved_sessions:
        changes.add("help_session", session_id)
    for member_id in moved_members:
        changes.add("member", member_id)
    changes.add("household", loser_id)
    changes.add("household", survivor_id)


def _decode(model: type[Any], fields: dict[str, Any]) -> dict[str, Any]:
    allowed = set(synced_fields(model))
    return {
        name: from_wire(model, name, value) for name, value in fields.items() if name in allowed
    }


def _after_write(session: Session, row: Any, entity: str, changes: Changes) -> None:
    """Keep derived state (sort keys, search index, void flags, merges) in step."""
    if hasattr(row, "refresh_derived"):
        row.refresh_derived()
    session.flush()
    if entity == "household":
        search_index.refresh_household(session.connection(), row.id)
    elif entity == "member":
        search_index.refresh_household(session.connection(), row.household_id)
        changes.add("household", row.household_id)
    elif entity == "session_void":
        voided = session.get(HelpSession, row.session_id)
        if voided is not None and not voided.voided:
            voided.voided = True
            changes.add("help_session", voided.id)
    elif entity == "household_merge":
        apply_household_merge(session, row.survivor_id, row.loser_id, changes)
    elif entity == "village":
        # A household's document carries its village's name: a renamed village, or one
        # that arrives after its households (edited later, so later in the feed), must
        # reach their documents or they cannot be found by it (or at all).
        households = session.scalars(select(Household.id).where(Household.village_id == row.id))
        search_index.refresh_households(session.connection(), list(households))


def _insert(session: Session, change: RemoteChange, changes: Changes) -> Any:
    model = ENTITIES[change.entity]
    values = _decode(model, change.fields)
    values[primary_key_name(model)] = change.row_id
    if change.entity in ("help_session", "member") and "household_id" in values:
        # Made on a laptop that had not yet seen a merge: follow it to the survivor.
        values["household_id"] = resolve_household(session, values["household_id"])
    row: Any = model(**values)
    row.server_version = change.version
    row.base_version = change.version
    row.sync_state = SyncState.SYNCED
    row.deleted = change.deleted
    row.updated_at = session.info["clock"]()
    if change.entity == "help_session":
        row.voided = (
            session.scalar(select(SessionVoid.id).where(SessionVoid.session_id == change.row_id))
            is not None
        )
    session.add(row)
    return row


def _follow_server_household(
    session: Session, row: HelpSession, household_id: str, changes: Changes
) -> None:
    """Put a session where the server's merges put it.

    Keeping this laptop's own idea instead would be wrong after a merge made here that
    the server did not keep (another laptop merged the household first): the session
    would stay under a household the server never merged it into.  Merges made here and
    not yet uploaded are followed, so they keep their sessions until the server has them.
    """
    target = resolve_household(session, household_id)
    if row.household_id == target:
        return
    changes.add("household", row.household_id)
    changes.add("household", target)
    changes.add("help_session", row.id)
    row.household_id = target


def apply_remote_change(session: Session, change: RemoteChange, changes: Changes) -> Applied:
    """Apply one server change inside the caller's transaction."""
    model = ENTITIES.get(change.entity)
    if model is None:
        raise ValueError(f"unknown entity {change.entity!r}")
    row: Any = session.get(model, change.row_id)
    if row is None:
        row = _insert(session, change, changes)
        _after_write(session, row, change.entity, changes)
        changes.add(change.entity, change.row_id)
        _settle_if_erased(session, change, changes)
        return Applied.INSERTED
    if row.server_version is not None and change.version <= row.server_version:
        return Applied.STALE
    values = _decode(model, change.fields)
    if change.entity in EVENT_ENTITIES:
        # Our own event coming back, or a replay: events never change after creation,
        # except the household a session belongs to, which merges move.
        row.server_version = change.version
        if not pending_fields(session, change.entity, change.row_id):
            row.sync_state = SyncState.SYNCED
            row.base_version = change.version
            if change.entity == "help_session" and "household_id" in values:
                _follow_server_household(session, row, values["household_id"], changes)
        return Applied.UPDATED
    if row.sync_state == SyncState.DIRTY:
        pending = pending_fields(session, change.entity, change.row_id)
        for name, value in values.items():
            if name not in pending:
                setattr(row, name, value)
        # A remote delete of a row we are still editing waits for the server's verdict.
        row.server_version = change.version
        _after_write(session, row, change.entity, changes)
        changes.add(change.entity, change.row_id)
        _settle_if_erased(session, change, changes)
        return Applied.MERGED_WITH_LOCAL
    for name, value in values.items():
        setattr(row, name, value)
    row.deleted = change.deleted
    row.server_version = change.version
    row.base_version = change.version
    row.updated_at = session.info["clock"]()
    _after_write(session, row, change.entity, changes)
    changes.add(change.entity, change.row_id)
    _settle_if_erased(session, change, changes)
    return Applied.UPDATED


def _settle_if_erased(session: Session, change: RemoteChange, changes: Changes) -> None:
    """An erasure from the server wins over this laptop's pending edits of the row."""
    if personal_fields.is_erasure(change.entity, change.fields):
        marks = {name: change.fields.get(name) for name in personal_fields.ERASURE_MARKS}
        settle_erasure(session, change.entity, change.row_id, changes, marks)


def merged_survivor(session: Session, loser_id: str) -> str | None:
    return session.scalar(
        select(HouseholdMerge.survivor_id).where(HouseholdMerge.loser_id == loser_id)
    )
