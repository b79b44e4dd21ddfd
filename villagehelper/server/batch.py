"""What one push batch knows while it is checked and applied: the server's rows it
writes or refers to and the change ids already received, loaded in a few queries up
front, and the rows, receipts and audit entries it adds, written with one statement
each at the end (:mod:`villagehelper.server.push` decides what they are).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, make_transient_to_detached

from villagehelper.exchange import wire
from villagehelper.server.accounts import DeviceScope
from villagehelper.server.bulk import insert_rows
from villagehelper.server.feed_clock import VersionClock
from villagehelper.server.tables import AuditEntry, ReceivedChange, Record, ServerBase
from villagehelper.store.changelog import ENTITIES
from villagehelper.store.models import utc_text


@dataclass(frozen=True)
class IncomingChange:
    change_id: str
    entity: str
    row_id: str
    op: str
    base_version: int | None
    fields: dict[str, Any] = field(default_factory=dict)

    def digest(self) -> str:
        content = [self.entity, self.row_id, self.op, self.base_version, self.fields]
        return hashlib.sha256(wire.canonical_json(content).encode()).hexdigest()


@dataclass(frozen=True)
class Seen:
    """A change id already accepted: its content digest, device and reply."""

    digest: str
    device_id: str
    result: str


@dataclass
class NewRecord:
    """A row this batch adds, held as plain values until it is inserted with the rest
    (an ORM object costs more to make than the whole check of its change)."""

    entity: str
    row_id: str
    commune_code: str
    version: int = 0
    fields: str = "{}"
    field_versions: str = "{}"
    deleted: bool = False
    household_id: str | None = None


AnyRecord = Record | NewRecord


@dataclass(frozen=True)
class Peek:
    """What a change's checks read of a stored row it only refers to (its commune, and
    a household's merge): loaded as plain values, an ORM object each costing more."""

    commune_code: str
    fields: str


@dataclass
class Batch:
    session: Session
    versions: VersionClock
    scope: DeviceScope
    team_member_id: str | None
    now: datetime
    # What this batch knows of the server's rows and change ids, loaded in a few queries
    # up front: a change then costs no database round trip of its own.
    records: dict[tuple[str, str], AnyRecord | Peek | None] = field(default_factory=dict)
    received: dict[str, Seen] = field(default_factory=dict)
    # Written with one INSERT each at the end of the batch (rows no change reads back).
    new_received: list[dict[str, Any]] = field(default_factory=list)
    new_audit: list[dict[str, Any]] = field(default_factory=list)
    # Rows this batch adds, not yet in the session: one INSERT for all of them costs a
    # fraction of the ORM's unit of work (see :meth:`store_new_records`).
    fresh: list[NewRecord] = field(default_factory=list)

    @property
    def now_text(self) -> str:
        return utc_text(self.now)

    def peek(self, entity: str, row_id: str) -> AnyRecord | Peek | None:
        """The row as this batch knows it, to read."""
        key = (entity, row_id)
        if key not in self.records:
            self.records[key] = self.session.get(Record, key)
        return self.records[key]

    def record(self, entity: str, row_id: str) -> AnyRecord | None:
        """The row as this batch knows it, to change."""
        found = self.peek(entity, row_id)
        if isinstance(found, Peek):
            found = self.records[(entity, row_id)] = self.session.get(Record, (entity, row_id))
        return found

    def new_record(self, entity: str, row_id: str) -> NewRecord:
        """An empty row of this device's commune; ``push._write`` fills and versions it."""
        record = NewRecord(entity, row_id, self.scope.commune_code)
        self.fresh.append(record)
        self.records[(entity, row_id)] = record
        return record

    def store_new_records(self, *, still_changing: bool) -> None:
        """INSERT the rows this batch added so far, in one statement.

        Before a query over the records (a merge looks for the people and sessions of a
        household), and at the end of the batch.  ``still_changing``: the batch goes on
        and may change them again, so from here on they are ORM objects the session
        tracks (callers look rows up again through :meth:`record` after this).
        """
        if not self.fresh:
            return
        insert_rows(self.session.connection(), _RECORDS, [vars(record) for record in self.fresh])
        if still_changing:
            for new in self.fresh:
                tracked = Record(**vars(new))
                make_transient_to_detached(tracked)
                self.session.add(tracked)
                self.records[(new.entity, new.row_id)] = tracked
        self.fresh = []

    def prefetch(self, changes: list[IncomingChange], also_read: RowKey | None = None) -> None:
        """The rows the changes write (to change), those they refer to and ``also_read``
        (to read)."""
        own: dict[str, set[str]] = {}
        referred: dict[str, set[str]] = {}
        if also_read is not None and not has_nul(also_read[1]):
            referred[also_read[0]] = {also_read[1]}
        for change in changes:
            own.setdefault(change.entity, set()).add(change.row_id)
            if change.entity not in ENTITIES:
                continue
            for reference in wire.references(change.entity):
                value = change.fields.get(reference.field)
                # A NUL cannot be looked up in PostgreSQL: push._check refuses such a change.
                if isinstance(value, str) and not has_nul(value):
                    referred.setdefault(reference.entity, set()).add(value)
        # One query for the rows to change and one for the rows to read, whatever their
        # entities: every statement inside the batch's transaction is a round trip made
        # while the commune's feed is locked, so while its other pushes wait.
        for group in _grouped(own):
            found = self.session.scalars(select(Record).where(_any_of(group)))
            known: dict[RowKey, AnyRecord | Peek] = {
                (record.entity, record.row_id): record for record in found
            }
            for key in _keys(group):
                self.records[key] = known.get(key)
        only_read = {entity: ids - own.get(entity, set()) for entity, ids in referred.items()}
        for group in _grouped(only_read):
            peeked = self.session.execute(
                select(Record.entity, Record.row_id, Record.commune_code, Record.fields).where(
                    _any_of(group)
                )
            )
            known = {
                (entity, row_id): Peek(commune, text) for entity, row_id, commune, text in peeked
            }
            for key in _keys(group):
                self.records[key] = known.get(key)
        change_ids = sorted({change.change_id for change in changes})
        for chunk in _chunks(change_ids):
            for seen in self.session.scalars(
                select(ReceivedChange).where(ReceivedChange.change_id.in_(chunk))
            ):
                self.received[seen.change_id] = Seen(seen.digest, seen.device_id, seen.result)

    def write_log(self) -> None:
        insert_rows(self.session.connection(), _RECEIVED, self.new_received)
        insert_rows(self.session.connection(), _AUDIT, self.new_audit)


_RECORDS, _RECEIVED, _AUDIT = (
    ServerBase.metadata.tables[mapped.__tablename__]
    for mapped in (Record, ReceivedChange, AuditEntry)
)
_CHUNK = 500  # ids in one statement: under every database's limit on bound parameters
RowKey = tuple[str, str]  # (entity, row id)


def _chunks(values: list[str], size: int = _CHUNK) -> list[list[str]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def _grouped(wanted: dict[str, set[str]]) -> list[dict[str, list[str]]]:
    """Entity → ids, cut into groups of at most :data:`_CHUNK` ids in all."""
    keys = [(entity, row_id) for entity in sorted(wanted) for row_id in sorted(wanted[entity])]
    groups: list[dict[str, list[str]]] = []
    for start in range(0, len(keys), _CHUNK):
        group: dict[str, list[str]] = {}
        for entity, row_id in keys[start : start + _CHUNK]:
            group.setdefault(entity, []).append(row_id)
        groups.append(group)
    return groups


def _any_of(group: dict[str, list[str]]) -> ColumnElement[bool]:
    return or_(
        *(and_(Record.entity == entity, Record.row_id.in_(ids)) for entity, ids in group.items())
    )


def _keys(group: dict[str, list[str]]) -> list[RowKey]:
    return [(entity, row_id) for entity, ids in group.items() for row_id in ids]


def has_nul(text: str) -> bool:
    # PostgreSQL text cannot hold U+0000: a field naming a row is looked up as it is,
    # and no field a person typed has one (the laptop drops control characters).
    return "\x00" in text
