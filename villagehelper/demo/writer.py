"""Bulk writes that leave the store exactly as the core operations would.

:func:`villagehelper.store.changelog.record_insert` does one ORM add per row; at district
scale (hundreds of thousands of rows) that takes minutes.  This writer buffers rows and
writes them with ``executemany`` instead, filling what ``record_insert`` fills: the sync
metadata (dirty, no server version, not deleted, ``updated_at``), one outbox entry per
row whose payload is the same JSON as ``row_payload`` of that row, and the household
search index rows.  Values are given in their stored form (instants as fixed-width UTC
text, dates ISO), which is also their wire form, so one dict serves row and payload.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection

from villagehelper.demo.ids import IdMaker, Instant
from villagehelper.store import search_index
from villagehelper.store.changelog import ENTITY_OF, Op, primary_key_name, synced_fields
from villagehelper.store.kinds import SyncState
from villagehelper.store.models import (
    Base,
    HelpSession,
    Household,
    Member,
    OutboxEntry,
    SessionVoid,
    TeamMember,
    Village,
)

# Parents before children, so that foreign keys hold within one flush.
_TABLE_ORDER: tuple[type[Base], ...] = (
    Village,
    TeamMember,
    Household,
    Member,
    HelpSession,
    SessionVoid,
)
_SYNC_DEFAULTS = {
    "server_version": None,
    "base_version": None,
    "sync_state": SyncState.DIRTY.value,
    "deleted": False,
}
FLUSH_EVERY = 20_000


def _insert_sql(table_name: str, columns: list[str]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({marks})"


@dataclass(frozen=True)
class _TableSpec:
    entity: str
    key: str
    columns: frozenset[str]
    sql: str
    row_of: itemgetter[Any]  # dict → tuple in column order
    payload_fields: tuple[str, ...]

    @classmethod
    def of(cls, model: type[Base]) -> _TableSpec:
        columns = [column.name for column in model.__table__.columns]
        return cls(
            entity=ENTITY_OF[model],
            key=primary_key_name(model),
            columns=frozenset(columns),
            sql=_insert_sql(model.__tablename__, columns),
            row_of=itemgetter(*columns),
            payload_fields=tuple(synced_fields(model)),
        )


_SPECS = {model: _TableSpec.of(model) for model in _TABLE_ORDER}
# The order of the tuples queued in BulkWriter.insert; ``seq`` is left to SQLite.
_OUTBOX_COLUMNS = ["change_id", "entity", "row_id", "op", "base_version", "payload", "created_at"]
if {c.name for c in OutboxEntry.__table__.columns} != {"seq", *_OUTBOX_COLUMNS}:
    raise RuntimeError("the outbox table changed: update villagehelper.demo.writer")
_OUTBOX_SQL = _insert_sql(OutboxEntry.__tablename__, _OUTBOX_COLUMNS)


class BulkWriter:
    """Buffers inserted rows of one transaction (the caller's ``connection``)."""

    def __init__(self, connection: Connection, ids: IdMaker) -> None:
        self._connection = connection
        self._ids = ids
        self._rows: dict[type[Base], list[tuple[Any, ...]]] = {m: [] for m in _TABLE_ORDER}
        self._outbox: list[tuple[Any, ...]] = []
        self._search: list[tuple[str, str]] = []

    def insert(self, model: type[Base], values: dict[str, Any], at: Instant) -> None:
        """Queue a new row as changed at ``at``; ``values`` gains the sync metadata."""
        spec = _SPECS[model]
        values.update(_SYNC_DEFAULTS)
        values["updated_at"] = at.text
        if values.keys() != spec.columns:
            # A schema change the demo does not know about yet: fail loudly, never
            # write rows the core would not write.
            raise ValueError(
                f"{spec.entity}: columns differ from the model: "
                f"{sorted(values.keys() ^ spec.columns)}"
            )
        self._rows[model].append(spec.row_of(values))
        payload = {name: values[name] for name in spec.payload_fields}
        self._outbox.append(
            (
                self._ids.make(at.unix_ms),
                spec.entity,
                values[spec.key],
                Op.INSERT,
                None,
                # The same arguments as changelog._write_outbox, so the text is equal.
                json.dumps(payload, ensure_ascii=False, sort_keys=True),
                at.text,
            )
        )
        if len(self._outbox) >= FLUSH_EVERY:
            self.flush()

    def index_household(self, household_id: str, search_text: str) -> None:
        self._search.append((household_id, search_text))

    def flush(self) -> None:
        for model in _TABLE_ORDER:
            rows = self._rows[model]
            if rows:
                self._connection.exec_driver_sql(_SPECS[model].sql, rows)
                rows.clear()
        if self._search:
            search_index.write_documents(self._connection, self._search, fresh=True)
            self._search.clear()
        if self._outbox:
            self._connection.exec_driver_sql(_OUTBOX_SQL, self._outbox)
            self._outbox.clear()
