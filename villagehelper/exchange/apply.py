"""Applying a page of the server's feed to the local store, in bulk where that is safe.

:func:`villagehelper.store.remote.apply_remote_change` applies one change through the
ORM: a lookup, a flush and a search-index refresh per row.  That is right for the few
rows a laptop already holds (its own rows coming back, edits from other laptops), whose
dirty fields must be protected; but a first download brings a whole commune, hundreds of
thousands of rows this laptop has never seen, at a millisecond each.  :func:`apply_page`
gives those new rows a bulk path with the same outcome:

- one query per entity finds which ids of the page are held here, with their server
  version: an echo of a row already held at that version or later is skipped without
  loading it (the one-row path calls it stale and does nothing either);
- consecutive new rows are written with one ``executemany`` INSERT per table (plain
  INSERT statements: triggers on the tables still run), filled as the one-row path fills
  them (``stored_rows``); people and sessions follow ``merged_into`` as the one-row path
  would at their place in the page; a session is voided if a void for it is stored or
  in the run; a void of a stored session is one UPDATE; the search index is refreshed
  once per run for every household whose document the run changed;
- rows held here, household merges (which re-point rows written before them) and an id
  seen twice in the page go through ``apply_remote_change``, in page order, between runs.

Works on the local store (SQLite): the bulk statements use its parameter style.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from villagehelper.exchange.stored_rows import new_row, table_writer
from villagehelper.store import search_index
from villagehelper.store.changelog import ENTITIES, Changes, primary_key_name
from villagehelper.store.models import UtcDateTime
from villagehelper.store.remote import RemoteChange, apply_remote_change

log = logging.getLogger(__name__)

BATCH = 500  # ids per IN (...) list
_WITH_HOUSEHOLD = frozenset({"member", "help_session"})
_TIME = UtcDateTime()


def apply_page(
    session: Session, changes_json: Sequence[Mapping[str, Any]], changes: Changes
) -> int:
    """Apply one page of the feed (its ``changes`` list) in the caller's transaction.

    The outcome is that of :func:`apply_remote_change` on each change in order.
    Changes of entities this version does not know are skipped with a warning; the
    result is how many changes were applied.
    """
    items = []
    for item in changes_json:
        if item["entity"] in ENTITIES:
            items.append(item)
        else:
            log.warning("skipping unknown entity %s from the server", item["entity"])
    session.flush()  # what the caller added is held too
    held = _held_versions(session.connection(), items)
    seen: set[tuple[str, str]] = set()
    run: list[Mapping[str, Any]] = []
    for item in items:
        key = (item["entity"], item["id"])
        if key in seen:
            one_by_one = True  # its first copy must be in the database first
        elif key in held:
            version = held[key]
            if version is not None and item["version"] <= version:
                seen.add(key)
                continue  # stale
            one_by_one = True
        else:
            one_by_one = item["entity"] == "household_merge"
        seen.add(key)
        if one_by_one:
            _BulkRun(session, run, changes).write()
            run = []
            remote = RemoteChange(
                item["entity"], item["id"], item["version"], item["fields"], item["deleted"]
            )
            apply_remote_change(session, remote, changes)
        else:
            run.append(item)
    _BulkRun(session, run, changes).write()
    return len(items)


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def _select_in(connection: Connection, sql: str, ids: Iterable[Any]) -> Iterator[Any]:
    """Rows of ``sql`` (whose ``{}`` is an IN list) for ``ids``, a chunk at a time.

    Plain driver statements: building a SQLAlchemy expression with hundreds of bound
    values per page cost more than running it."""
    for chunk in _chunks(sorted(set(ids))):
        marks = ", ".join("?" for _ in chunk)
        yield from connection.exec_driver_sql(sql.format(marks), tuple(chunk))


def _held_versions(
    connection: Connection, items: Iterable[Mapping[str, Any]]
) -> dict[tuple[str, str], int | None]:
    """(entity, id) → server version, for the ids of ``items`` this laptop holds."""
    wanted: dict[str, list[str]] = {}
    for item in items:
        wanted.setdefault(item["entity"], []).append(item["id"])
    held: dict[tuple[str, str], int | None] = {}
    for entity, ids in wanted.items():
        model = ENTITIES[entity]
        sql = (
            f"SELECT {primary_key_name(model)}, server_version FROM {model.__tablename__} "
            f"WHERE {primary_key_name(model)} IN ({{}})"
        )
        for row_id, version in _select_in(connection, sql, ids):
            held[(entity, row_id)] = version
    return held


@dataclass
class _BulkRun:
    """Consecutive new rows of a page: no merge among them, no id twice."""

    session: Session
    items: list[Mapping[str, Any]]
    changes: Changes
    # merged_into of the households written so far in this run, and of the stored ones
    # looked up: together, what resolve_household sees at each row of the run.
    _merged_into: dict[str, str | None] = field(default_factory=dict)
    _stored: dict[str, str | None] = field(default_factory=dict)

    def write(self) -> None:
        if not self.items:
            return
        session = self.session
        session.flush()  # the one-row path's pending work came first in the page
        connection = session.connection()
        dialect = connection.dialect
        now = str(_TIME.process_bind_param(session.info["clock"](), dialect))
        self._look_up_households(connection)
        voids = {
            item["fields"].get("session_id")
            for item in self.items
            if item["entity"] == "session_void"
        }
        void_now = voids | self._sessions_with_stored_voids(connection, voids)
        rows: dict[str, list[tuple[Any, ...]]] = {}
        touched: dict[str, set[str]] = {}
        indexed: list[str] = []
        villages: list[str] = []
        for item in self.items:
            entity = item["entity"]
            writer = table_writer(entity, dialect)
            row = new_row(writer, item, now)
            row_id = item["id"]
            if entity in _WITH_HOUSEHOLD and "household_id" in item["fields"]:
                at = writer.position("household_id")
                row[at] = self._survivor(connection, row[at])
            if writer.derived is not None:
                at, source, make = writer.derived
                row[at] = make(row[source])
            if entity == "help_session":
                assert writer.voided_at is not None
                row[writer.voided_at] = 1 if row_id in void_now else 0
            elif entity == "household":
                self._merged_into[row_id] = row[writer.position("merged_into")]
                indexed.append(row_id)
            elif entity == "member":
                household_id = row[writer.position("household_id")]
                indexed.append(household_id)
                touched.setdefault("household", set()).add(household_id)
            elif entity == "village":
                villages.append(row_id)
            rows.setdefault(entity, []).append(tuple(row))
            touched.setdefault(entity, set()).add(row_id)
        # Parents before children, as the feed usually brings them.
        for entity in ENTITIES:
            if entity in rows:
                connection.exec_driver_sql(table_writer(entity, dialect).sql, rows[entity])
        new_sessions = {item["id"] for item in self.items if item["entity"] == "help_session"}
        self._void_stored_sessions(connection, voids - new_sessions - {None}, touched)
        indexed.extend(self._households_of(connection, villages))
        search_index.refresh_households(connection, indexed)
        for entity, ids in touched.items():
            self.changes.touched.setdefault(entity, set()).update(ids)

    def _look_up_households(self, connection: Connection) -> None:
        """``merged_into`` of the stored households the run's people and sessions name,
        and of the households those were merged into, and so on."""
        wanted = {
            item["fields"]["household_id"]
            for item in self.items
            if item["entity"] in _WITH_HOUSEHOLD
            and isinstance(item["fields"].get("household_id"), str)
        }
        while wanted:
            found = self._stored_merged_into(connection, wanted)
            self._stored.update(dict.fromkeys(wanted))  # not merged, or not stored at all
            self._stored.update(found)
            wanted = set(found.values()) - self._stored.keys()

    def _stored_merged_into(self, connection: Connection, ids: Iterable[Any]) -> dict[str, str]:
        """The merged ones among these stored households, and where they went."""
        sql = "SELECT id, merged_into FROM households WHERE merged_into IS NOT NULL AND id IN ({})"
        return {household_id: target for household_id, target in _select_in(connection, sql, ids)}

    def _survivor(self, connection: Connection, household_id: Any) -> Any:
        """``resolve_household`` at this point of the run: the households written
        before this row, then the stored ones."""
        seen = {household_id}
        current = household_id
        while True:
            if current in self._merged_into:
                merged_into = self._merged_into[current]
            else:
                if current not in self._stored:
                    self._stored[current] = None
                    self._stored.update(self._stored_merged_into(connection, [current]))
                merged_into = self._stored[current]
            if merged_into is None or merged_into in seen:
                return current
            seen.add(merged_into)
            current = merged_into

    def _sessions_with_stored_voids(self, connection: Connection, voids: set[Any]) -> set[str]:
        """This run's new sessions that a stored void names."""
        sessions = [
            item["id"]
            for item in self.items
            if item["entity"] == "help_session" and item["id"] not in voids
        ]
        sql = "SELECT session_id FROM session_voids WHERE session_id IN ({})"
        return {session_id for (session_id,) in _select_in(connection, sql, sessions)}

    def _void_stored_sessions(
        self, connection: Connection, session_ids: set[Any], touched: dict[str, set[str]]
    ) -> None:
        """Mark stored sessions voided; those that were not are reported as changed."""
        sql = "SELECT id FROM help_sessions WHERE voided = 0 AND id IN ({})"
        changed = [session_id for (session_id,) in _select_in(connection, sql, session_ids)]
        for chunk in _chunks(changed):
            marks = ", ".join("?" for _ in chunk)
            connection.exec_driver_sql(
                f"UPDATE help_sessions SET voided = 1 WHERE id IN ({marks})", tuple(chunk)
            )
        if changed:
            touched.setdefault("help_session", set()).update(changed)
            # A session the one-row path loaded earlier in this page must not keep a
            # stale ``voided`` in the ORM's identity map.
            self.session.expire_all()

    def _households_of(self, connection: Connection, village_ids: Sequence[str]) -> list[str]:
        """Households whose document carries one of these villages' names."""
        sql = "SELECT id FROM households WHERE village_id IN ({})"
        return [household_id for (household_id,) in _select_in(connection, sql, village_ids)]
