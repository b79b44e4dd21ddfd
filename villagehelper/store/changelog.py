"""The outbox side of sync: every local change writes its outbox entry in the same
transaction, and remote changes are applied without clobbering dirty local rows.

No network code lives here; the sync client (``villagehelper.sync``) uploads the outbox
and feeds downloaded changes to :func:`apply_remote_change`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from villagehelper import entity_rules
from villagehelper.ids import new_id
from villagehelper.store.kinds import SyncState
from villagehelper.store.models import (
    Base,
    Campaign,
    CampaignTarget,
    HelpSession,
    Household,
    HouseholdMerge,
    Member,
    OutboxEntry,
    Service,
    SessionVoid,
    SyncConflict,
    TeamMember,
    UtcDateTime,
    Village,
)

ENTITIES: dict[str, type[Base]] = {
    "village": Village,
    "team_member": TeamMember,
    "service": Service,
    "household": Household,
    "member": Member,
    "help_session": HelpSession,
    "session_void": SessionVoid,
    "household_merge": HouseholdMerge,
    "sync_conflict": SyncConflict,
    "campaign": Campaign,
    "campaign_target": CampaignTarget,
}
ENTITY_OF: dict[type[Base], str] = {model: name for name, model in ENTITIES.items()}

# Events are written once and never edited: offline inserts from many laptops
# cannot conflict with each other.
EVENT_ENTITIES = frozenset({"help_session", "session_void", "household_merge"})

# Columns that describe this laptop's copy, or are derived locally: never uploaded.
LOCAL_COLUMNS = frozenset(
    {
        "server_version",
        "base_version",
        "sync_state",
        "updated_at",
        "head_sort_key",
        "name_sort_key",
        "name_key",
        "voided",
    }
)


class Op:
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


def primary_key_name(model: type[Base]) -> str:
    return str(inspect(model).primary_key[0].name)


def synced_fields(model: type[Base]) -> list[str]:
    """The fields that travel through sync for ``model``, primary key excluded."""
    key = primary_key_name(model)
    return [
        column.key
        for column in inspect(model).columns
        if column.key not in LOCAL_COLUMNS and column.key != key
    ]


def to_wire(value: Any) -> Any:
    """JSON-safe form of a column value (dates ISO, instants fixed-width UTC)."""
    if isinstance(value, datetime):
        return UtcDateTime().process_bind_param(value, None)  # type: ignore[arg-type]
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_wire(model: type[Base], name: str, value: Any) -> Any:
    """Inverse of :func:`to_wire` for column ``name`` of ``model``."""
    if value is None:
        return None
    column_type = inspect(model).columns[name].type
    if isinstance(column_type, UtcDateTime):
        return column_type.process_result_value(value, None)  # type: ignore[arg-type]
    python_type = column_type.python_type
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is bool:
        return bool(value)
    return value


def row_payload(row: Base) -> dict[str, Any]:
    model = type(row)
    return {name: to_wire(getattr(row, name)) for name in synced_fields(model)}


@dataclass
class Changes:
    """What an operation changed, by entity name → ids; views refresh only these."""

    touched: dict[str, set[str]] = field(default_factory=dict)

    def add(self, entity: str, row_id: str) -> None:
        self.touched.setdefault(entity, set()).add(row_id)

    def merge(self, other: Changes) -> None:
        for entity, ids in other.touched.items():
            self.touched.setdefault(entity, set()).update(ids)

    def ids(self, entity: str) -> frozenset[str]:
        return frozenset(self.touched.get(entity, ()))

    def __bool__(self) -> bool:
        return any(self.touched.values())


def _write_outbox(
    session: Session,
    *,
    entity: str,
    row_id: str,
    op: str,
    base: int | None,
    payload: dict[str, Any],
) -> None:
    session.add(
        OutboxEntry(
            change_id=new_id(),
            entity=entity,
            row_id=row_id,
            op=op,
            base_version=base,
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
            created_at=_now(session),
        )
    )


def _now(session: Session) -> datetime:
    clock = session.info.get("clock")
    if clock is None:
        raise RuntimeError("session has no clock: use Store.transaction()")
    moment: datetime = clock()
    return moment


def _mark_dirty(row: Any, session: Session) -> None:
    if row.sync_state == SyncState.SYNCED:
        # The first local edit since the last sync fixes the base the server merges on.
        row.base_version = row.server_version
    row.sync_state = SyncState.DIRTY
    row.updated_at = _now(session)


def _apply_defaults(row: Base) -> None:
    """Fill unset fields with their column defaults now, not at flush: the outbox payload
    is built before the flush and must carry the values the row will have."""
    for column in inspect(type(row)).columns:
        default = column.default
        if isinstance(default, ScalarElementColumnDefault) and getattr(row, column.key) is None:
            setattr(row, column.key, default.arg)


def insert_payload(row: Base) -> dict[str, Any]:
    """The fields an insert of the new ``row`` sends, checked by the server's rules:
    what a laptop's outbox carries, and what the commune's console pushes for a row it
    builds the laptop's way (server/campaign_writes.py)."""
    any_row: Any = row
    any_row.server_version = None
    any_row.base_version = None
    any_row.deleted = False
    _apply_defaults(row)
    payload = row_payload(row)
    entity_rules.refuse_broken(ENTITY_OF[type(row)], True, payload)
    return payload


def record_insert(session: Session, row: Base, changes: Changes) -> None:
    """Add a new row and its outbox entry (one transaction, the caller's)."""
    entity = ENTITY_OF[type(row)]
    payload = insert_payload(row)  # the server's rules, kept here too
    _mark_dirty(row, session)
    session.add(row)
    row_id = str(getattr(row, primary_key_name(type(row))))
    _write_outbox(session, entity=entity, row_id=row_id, op=Op.INSERT, base=None, payload=payload)
    changes.add(entity, row_id)


def record_update(
    session: Session, row: Base, new_values: dict[str, Any], changes: Changes
) -> dict[str, Any]:
    """Set the fields that really change and log them; returns those fields."""
    entity = ENTITY_OF[type(row)]
    allowed = set(synced_fields(type(row)))
    entity_rules.refuse_broken(entity, False, {k: to_wire(v) for k, v in new_values.items()})
    changed: dict[str, Any] = {}
    for name, value in new_values.items():
        if name not in allowed:
            raise ValueError(f"{name} is not an editable field of {entity}")
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed[name] = value
    if not changed:
        return changed
    _mark_dirty(row, session)
    any_row: Any = row
    row_id = str(getattr(row, primary_key_name(type(row))))
    _write_outbox(
        session,
        entity=entity,
        row_id=row_id,
        op=Op.UPDATE,
        base=any_row.base_version,
        payload={name: to_wire(value) for name, value in changed.items()},
    )
    changes.add(entity, row_id)
    return changed


def record_delete(session: Session, row: Base, changes: Changes) -> None:
    """Tombstone a row: it stays, marked deleted, so the delete can travel."""
    entity = ENTITY_OF[type(row)]
    any_row: Any = row
    any_row.deleted = True
    _mark_dirty(row, session)
    row_id = str(getattr(row, primary_key_name(type(row))))
    _write_outbox(
        session, entity=entity, row_id=row_id, op=Op.DELETE, base=any_row.base_version, payload={}
    )
    changes.add(entity, row_id)


def pending_fields(session: Session, entity: str, row_id: str) -> set[str]:
    """Fields of a row that have local changes not yet acknowledged by the server."""
    payloads = session.scalars(
        select(OutboxEntry.payload).where(
            OutboxEntry.entity == entity, OutboxEntry.row_id == row_id
        )
    )
    fields: set[str] = set()
    for payload in payloads:
        fields.update(json.loads(payload))
    return fields


def has_pending_delete(session: Session, entity: str, row_id: str) -> bool:
    return (
        session.scalar(
            select(OutboxEntry.seq).where(
                OutboxEntry.entity == entity,
                OutboxEntry.row_id == row_id,
                OutboxEntry.op == Op.DELETE,
            )
        )
        is not None
    )
