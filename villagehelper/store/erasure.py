"""What an erasure does to this laptop's copy beyond the erased row's own fields.

Run in the same transaction as the erasure, whether it was made here (a leader's
request, the retention rule) or arrived from the server's feed:

- the row's personal fields hold the erased values, whatever local edits were pending
  (a laptop that had not yet heard of the erasure must not send the data back);
- outbox entries not yet uploaded that carry the erased data are neutralised: their
  personal values are replaced (under a new change id), their other fields still travel
  (the server keeps an erasure sticky too, see ``villagehelper.server.erasure``);
- the notes and failure reasons of the resident's help sessions go (sessions stay and
  count); sessions are events, so each laptop and the server scrub them the same way
  rather than sending them again;
- conflicts over the erased fields are settled with the erased value;
- the household's search document is rebuilt, so the old name no longer finds it;
- SQLite overwrites what it frees from then on (``secure_delete``), so the old values
  do not stay readable in the file's free space (:func:`flush_erased` then empties the
  write-ahead log, which holds the pages as they were).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from villagehelper import personal_fields
from villagehelper.ids import new_id
from villagehelper.store import search_index
from villagehelper.store.changelog import Changes, from_wire
from villagehelper.store.models import (
    CampaignTarget,
    HelpSession,
    Household,
    Member,
    OutboxEntry,
    SyncConflict,
)

_MODELS: dict[str, type[Household] | type[Member] | type[CampaignTarget]] = {
    "household": Household,
    "member": Member,
    "campaign_target": CampaignTarget,
}


def settle_erasure(
    session: Session,
    entity: str,
    row_id: str,
    changes: Changes,
    marks: Mapping[str, Any] | None = None,
) -> None:
    """Make this laptop's copy hold nothing personal of an erased household, person or
    campaign target row.

    ``marks``: the erasure's ``erased_at`` / ``erased_by`` as they came from the server,
    set even where a pending local edit of the row (an insert) names them too."""
    model = _MODELS[entity]
    row: Any = session.get(model, row_id)
    if row is None:
        return
    session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
    for name, value in personal_fields.ERASED_VALUES[entity].items():
        setattr(row, name, from_wire(model, name, value))
    for name, value in (marks or {}).items():
        setattr(row, name, from_wire(model, name, value))
    _neutralise_outbox(session, entity, [row_id])
    if isinstance(row, CampaignTarget):
        # A row of a campaign's list: no sessions, notes or search document of its own.
        _settle_conflicts(session, entity, row_id)
        session.flush()
        changes.add(entity, row_id)
        return
    row.refresh_derived()
    household_id = row_id if entity == "household" else row.household_id
    condition = (
        HelpSession.household_id == row_id
        if entity == "household"
        else HelpSession.member_id == row_id
    )
    session_ids = list(session.scalars(select(HelpSession.id).where(condition)))
    _scrub_sessions(session, session_ids)
    _neutralise_outbox(session, "help_session", session_ids)
    _settle_conflicts(session, entity, row_id)
    session.flush()
    search_index.refresh_household(session.connection(), household_id)
    changes.add(entity, row_id)
    changes.add("household", household_id)
    for session_id in session_ids:
        changes.add("help_session", session_id)


def _scrub_sessions(session: Session, session_ids: list[str]) -> None:
    session.flush()
    for start in range(0, len(session_ids), 500):
        chunk = session_ids[start : start + 500]
        session.execute(update(HelpSession).where(HelpSession.id.in_(chunk)).values(note=""))
        session.execute(
            update(HelpSession)
            .where(HelpSession.id.in_(chunk), HelpSession.failure_reason != "")
            .values(failure_reason=personal_fields.ERASED_NAME)
        )
    session.expire_all()  # rows loaded before must not keep the old notes


def _neutralise_outbox(session: Session, entity: str, row_ids: list[str]) -> None:
    for start in range(0, len(row_ids), 500):
        entries = session.scalars(
            select(OutboxEntry).where(
                OutboxEntry.entity == entity, OutboxEntry.row_id.in_(row_ids[start : start + 500])
            )
        )
        for entry in entries:
            payload = json.loads(entry.payload)
            cleaned = personal_fields.neutralised(entity, payload)
            if cleaned != payload:
                entry.payload = json.dumps(cleaned, ensure_ascii=False, sort_keys=True)
                # Other content, so another id: the server may hold the first one already
                # (its reply lost), and refuses an id it knows with other content.  An
                # insert sent again is recognised there as the row it already has.
                entry.change_id = new_id()


def _settle_conflicts(session: Session, entity: str, row_id: str) -> None:
    erased = personal_fields.scrubbed_conflict_value()
    conflicts = session.scalars(
        select(SyncConflict).where(
            SyncConflict.entity == entity,
            SyncConflict.row_id == row_id,
            SyncConflict.field.in_(list(personal_fields.ERASED_VALUES[entity])),
            or_(SyncConflict.server_value != erased, SyncConflict.device_value != erased),
        )
    )
    for conflict in conflicts:
        conflict.server_value = conflict.device_value = erased
        conflict.resolved = True
        conflict.resolution = erased


def flush_erased(engine: Engine) -> None:
    """After an erasure is committed: write the log into the file and empty it, so the
    pages as they were before are gone.  Best effort: with another reader busy the log
    is emptied at a later checkpoint instead."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
