"""Restoring a laptop from a backup without losing or doubling anything.

A backup is older than the store it replaces.  What the current store holds that the
backup lacks is of two kinds:

- **unsent changes**: outbox entries the server has not acknowledged.  Only this store
  holds them.  They are *carried* into the restored store (unless the person says not
  to): the entries keep their change ids and the rows they touch are copied as they are
  now (with any row they refer to that the backup lacks), so the server, which
  deduplicates on change ids and row ids, takes each of them once.
- **changes the server already has**: rows written here after the backup and
  acknowledged since.  They are not copied: the restored store keeps the backup's
  download cursor, from before they were sent, so the next sync downloads them back.
  The backup's own outbox may hold changes the server has since acknowledged: sent
  again, the server answers with its original result and stores nothing twice.

The laptop's identity as a device (server, device id, token, the end of its upload
history, the laptop it is bound to: ``sync_state.IDENTITY_KEYS``) is always the
current store's: a backup's older history, continued, would look to the server like a
copied data folder's (``villagehelper.sync.device_history``).

:func:`preview_restore` says all this before anything is replaced; :func:`restore_laptop`
does it and says what it did.  The replaced store stays whole in ``backups/``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DBAPIError

from villagehelper.backups.copies import Restored, restore_backup, verify_backup
from villagehelper.paths import DATABASE_FILE
from villagehelper.store import search_index, sync_state
from villagehelper.store.changelog import ENTITIES, Op, primary_key_name
from villagehelper.store.connect import DATABASE_ERRORS, connect, is_plain_file
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import Base

log = logging.getLogger(__name__)
_TABLE_ENTITY = {str(model.__tablename__): name for name, model in ENTITIES.items()}
_OUTBOX_COLUMNS = ("change_id", "entity", "row_id", "op", "base_version", "payload", "created_at")


@dataclass(frozen=True)
class RestorePreview:
    """What the current store holds that the backup lacks (``readable`` False: the
    current store cannot be read, so nothing can be carried)."""

    readable: bool
    unsent_changes: int = 0  # outbox entries the backup does not hold
    unsent_sessions: int = 0  # help sessions among them
    server_has_sessions: int = 0  # sessions written after the backup, acknowledged since
    server_has_rows: int = 0  # other rows likewise (households, people, …)


@dataclass(frozen=True)
class LaptopRestored:
    restored: Restored
    preview: RestorePreview
    carried_changes: int  # outbox entries put into the restored store
    carried_sessions: int
    carried: bool  # False: the person chose to leave the unsent changes out

    @property
    def left_out(self) -> int:
        """Unsent changes kept only in the copy of the replaced store."""
        return self.preview.unsent_changes - self.carried_changes


def preview_restore(data_dir: Path, source: Path, *, key: bytes | None = None) -> RestorePreview:
    """What restoring ``source`` over the store in ``data_dir`` would leave behind
    (:class:`UserError` if ``source`` is no readable VillageHelper backup)."""
    verify_backup(source, _key_of(source, key))
    current = data_dir / DATABASE_FILE
    if not current.exists():
        return RestorePreview(readable=True)  # nothing here: nothing to leave behind
    try:
        with _read(current, key) as here, _read(source, _key_of(source, key)) as backup:
            return _compare(here, backup)
    except DATABASE_ERRORS:
        return RestorePreview(readable=False)


def restore_laptop(
    data_dir: Path,
    source: Path,
    moment: datetime,
    *,
    key: bytes | None = None,
    carry_unsent: bool = True,
) -> LaptopRestored:
    """Restore ``source`` (:func:`villagehelper.backups.copies.restore_backup`), then carry into
    it the current store's unsent changes (unless ``carry_unsent`` is False) and, always,
    its identity as a device.  The store is opened (an older backup upgraded) here."""
    preview = preview_restore(data_dir, source, key=key)
    restored = restore_backup(data_dir, source, moment, key=key)
    store = open_store(data_dir, key=key)  # upgrades an older backup, with its own backup
    carried = (0, 0)
    try:
        previous = restored.previous_copy
        if preview.readable and previous is not None and previous.exists():
            carried = _carry(store, previous, key, carry_unsent=carry_unsent)
    except (*DATABASE_ERRORS, DBAPIError) as exc:
        # The copy of the replaced data would not read or fit after all (the transaction
        # rolled back): the restore stands, and says nothing could be carried; the copy
        # keeps it all.  The driver's words only: the statement's values are residents'.
        reason = getattr(exc, "orig", None) or exc
        log.warning("unsent changes not carried: %s: %s", type(reason).__name__, reason)
        preview = RestorePreview(readable=False)
    finally:
        store.close()
    return LaptopRestored(restored, preview, carried[0], carried[1], carry_unsent)


def _carry(
    store: Store, previous: Path, key: bytes | None, *, carry_unsent: bool
) -> tuple[int, int]:
    # Opened for writing, though only read: closing it then removes the -wal and -shm
    # files that reading a WAL file leaves, and the copy stays one file.
    with _read(previous, key, writable=True) as before, store.transaction() as session:
        connection = session.connection()
        # Checked at the commit: rows and the rows they refer to come in any order.
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        _carry_identity(before, connection)
        return _carry_unsent(before, connection) if carry_unsent else (0, 0)


# --- reading ------------------------------------------------------------------------


def _key_of(source: Path, key: bytes | None) -> bytes | None:
    # A plain backup from before the store was encrypted is read without the key.
    return None if key is not None and is_plain_file(source) else key


@contextmanager
def _read(path: Path, key: bytes | None, *, writable: bool = False) -> Iterator[sqlite3.Connection]:
    with closing(connect(path, key, read_only=not writable)) as connection:
        yield connection


def _ids(connection: sqlite3.Connection, sql: str, *args: Any) -> set[str]:
    return {str(row[0]) for row in connection.execute(sql, args)}


def _outbox(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = connection.execute(f"SELECT {', '.join(_OUTBOX_COLUMNS)} FROM outbox ORDER BY seq")
    return [dict(zip(_OUTBOX_COLUMNS, row, strict=True)) for row in cursor]


def _compare(here: sqlite3.Connection, backup: sqlite3.Connection) -> RestorePreview:
    in_backup = _ids(backup, "SELECT change_id FROM outbox")
    unsent = [entry for entry in _outbox(here) if entry["change_id"] not in in_backup]
    sessions = _count_sessions(unsent)
    server_sessions = server_rows = 0
    for entity, model in ENTITIES.items():
        table, key = model.__tablename__, primary_key_name(model)
        synced_here = _ids(here, f"SELECT {key} FROM {table} WHERE server_version IS NOT NULL")
        missing = len(synced_here - _ids(backup, f"SELECT {key} FROM {table}"))
        if entity == "help_session":
            server_sessions = missing
        else:
            server_rows += missing
    return RestorePreview(True, len(unsent), sessions, server_sessions, server_rows)


# --- carrying -----------------------------------------------------------------------


def _carry_identity(before: sqlite3.Connection, target: Connection) -> None:
    """The device identity of the replaced store, if it was enrolled; the cursor starts
    again from 0 if the backup followed another server's feed."""
    values = dict(before.execute("SELECT key, value FROM settings").fetchall())
    if sync_state.SERVER_URL not in values:
        return  # never enrolled: the backup's own identity, if any, stands
    restored_url = target.exec_driver_sql(
        "SELECT value FROM settings WHERE key = ?", (sync_state.SERVER_URL,)
    ).scalar()
    if restored_url is not None and restored_url != values[sync_state.SERVER_URL]:
        _put(target, sync_state.CURSOR, "0")
    for name in sync_state.IDENTITY_KEYS:
        if name in values:
            _put(target, name, str(values[name]))
        else:
            target.exec_driver_sql("DELETE FROM settings WHERE key = ?", (name,))


def _put(target: Connection, name: str, value: str) -> None:
    target.exec_driver_sql(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (name, value),
    )


@dataclass
class _RowCopier:
    """Rows copied from the replaced store, as they are there, with the rows they refer
    to that the restored store lacks (so every reference holds)."""

    before: sqlite3.Connection
    target: Connection
    copied: set[tuple[str, str]] = field(default_factory=set)
    households: set[str] = field(default_factory=set)

    def copy(self, entity: str, row_id: str) -> None:
        if (entity, row_id) in self.copied:
            return
        self.copied.add((entity, row_id))
        model = ENTITIES[entity]
        row = self._row(model, row_id)
        if row is None:
            return  # gone there too (a merge's loser removed): nothing to copy
        self._write(model, row_id, row)
        if entity == "household":
            self.households.add(row_id)
        elif row.get("household_id"):
            self.households.add(str(row["household_id"]))
        for column in inspect(model).columns:
            for foreign_key in column.foreign_keys:
                target = _TABLE_ENTITY.get(foreign_key.column.table.name)
                value = row.get(column.key)
                if target is not None and value is not None and not self._held(target, value):
                    self.copy(target, str(value))

    def _row(self, model: type[Base], row_id: str) -> dict[str, Any] | None:
        key = primary_key_name(model)
        cursor = self.before.execute(
            f"SELECT * FROM {model.__tablename__} WHERE {key} = ?", (row_id,)
        )
        found = cursor.fetchone()
        if found is None:
            return None
        return dict(zip((d[0] for d in cursor.description), found, strict=True))

    def _held(self, entity: str, row_id: Any) -> bool:
        model = ENTITIES[entity]
        sql = f"SELECT 1 FROM {model.__tablename__} WHERE {primary_key_name(model)} = ?"
        return self.target.exec_driver_sql(sql, (row_id,)).first() is not None

    def _write(self, model: type[Base], row_id: str, row: dict[str, Any]) -> None:
        table, key = str(model.__tablename__), primary_key_name(model)
        columns = [name for name in row if name in self._columns(table)]
        values = tuple(row[name] for name in columns)
        if self._held(_TABLE_ENTITY[table], row_id):
            assignments = ", ".join(f"{name} = ?" for name in columns if name != key)
            others = tuple(row[name] for name in columns if name != key)
            self.target.exec_driver_sql(
                f"UPDATE {table} SET {assignments} WHERE {key} = ?", (*others, row_id)
            )
        else:
            marks = ", ".join("?" for _ in columns)
            self.target.exec_driver_sql(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
            )

    def _columns(self, table: str) -> set[str]:
        rows = self.target.exec_driver_sql(f"PRAGMA table_info({table})")
        return {str(row[1]) for row in rows}


def _carry_unsent(before: sqlite3.Connection, target: Connection) -> tuple[int, int]:
    """Outbox entries of the replaced store the restored one lacks, appended in their
    order after its own (which are older), and the rows they touch; (entries,
    sessions) carried."""
    held = {str(row[0]) for row in target.exec_driver_sql("SELECT change_id FROM outbox")}
    entries = _outbox(before)
    copier = _RowCopier(before, target)
    for entity, row_id in dict.fromkeys((e["entity"], e["row_id"]) for e in entries):
        if entity in ENTITIES:
            copier.copy(entity, row_id)
    added = [entry for entry in entries if entry["change_id"] not in held]
    marks = ", ".join("?" for _ in _OUTBOX_COLUMNS)
    for entry in added:
        target.exec_driver_sql(
            f"INSERT INTO outbox ({', '.join(_OUTBOX_COLUMNS)}) VALUES ({marks})",
            tuple(entry[name] for name in _OUTBOX_COLUMNS),
        )
    search_index.refresh_households(target, sorted(copier.households))
    sessions = _count_sessions(added)
    return len(added), sessions


def _count_sessions(entries: Iterable[dict[str, Any]]) -> int:
    return sum(1 for e in entries if e["entity"] == "help_session" and e["op"] == Op.INSERT)


# --- what the person reads ------------------------------------------------------------


def describe_preview(preview: RestorePreview) -> tuple[str, str]:
    """Before restoring: what the current store holds that the backup lacks."""
    if not preview.readable:
        return (
            "Không đọc được dữ liệu hiện tại, nên không mang theo được thay đổi nào; "
            "dữ liệu hiện tại vẫn được giữ nguyên trong thư mục backups.",
            "The current data cannot be read, so nothing can be carried over; it is kept "
            "as it is in the backups folder.",
        )
    vi, en = _unsent_said(preview.unsent_changes, preview.unsent_sessions)
    server_vi, server_en = _on_server_said(preview)
    if server_vi:
        vi += f" {server_vi} mới hơn bản sao lưu đã có trên máy chủ xã: lần đồng bộ sau sẽ tải lại."
        en += (
            f" {server_en} newer than the backup are on the commune server: the next sync "
            "downloads them again."
        )
    return vi, en


def _unsent_said(changes: int, sessions: int) -> tuple[str, str]:
    """The unsent work the backup lacks, counted the way a person would say it."""
    if changes == 0:
        return (
            "Máy không có thay đổi nào chưa gửi lên máy chủ.",
            "This laptop holds no change not yet sent to the server.",
        )
    if sessions == changes:
        what_vi, what_en = (
            f"{changes} lượt hỗ trợ chưa gửi",
            f"{changes} help sessions not yet sent",
        )
    else:
        among_vi = f" (trong đó {sessions} lượt hỗ trợ)" if sessions else ""
        among_en = f" ({sessions} help sessions among them)" if sessions else ""
        what_vi = f"{changes} thay đổi chưa gửi lên máy chủ{among_vi}"
        what_en = f"{changes} changes not yet sent to the server{among_en}"
    return (
        f"Máy đang có {what_vi} mà bản sao lưu không có: chúng sẽ được mang sang dữ liệu "
        "khôi phục.",
        f"This laptop holds {what_en} that the backup lacks: they will be carried into the "
        "restored data.",
    )


def _on_server_said(preview: RestorePreview) -> tuple[str, str]:
    """What the server already has and the backup lacks ("" when nothing)."""
    vi: list[str] = []
    en: list[str] = []
    if preview.server_has_sessions:
        vi.append(f"{preview.server_has_sessions} lượt hỗ trợ")
        en.append(f"{preview.server_has_sessions} help sessions")
    if preview.server_has_rows:
        vi.append(f"{preview.server_has_rows} bản ghi khác")
        en.append(f"{preview.server_has_rows} other records")
    return " và ".join(vi), " and ".join(en)


# The choice the app offers before restoring (the command line: --leave-unsent).
CARRY_CHOICE = (
    "Mang các thay đổi chưa gửi sang dữ liệu khôi phục (nên chọn)",
    "Carry the unsent changes into the restored data (recommended)",
)


def describe_outcome(outcome: LaptopRestored) -> tuple[str, str]:
    """After restoring: what was put back, carried and left, in plain words."""
    check = outcome.restored.restored
    carried_vi, carried_en = describe_carry(outcome)
    return (
        f"Đã khôi phục {check.households} hộ, {check.sessions} lượt hỗ trợ từ "
        f"{check.path.name}. {carried_vi}",
        f"Restored {check.households} households, {check.sessions} help sessions. {carried_en}",
    )


def describe_carry(outcome: LaptopRestored) -> tuple[str, str]:
    """What became of the work the backup lacked, and where the replaced data is."""
    vi: list[str] = []
    en: list[str] = []
    if outcome.preview.readable:
        vi.append(
            f"Đã mang sang {outcome.carried_changes} thay đổi chưa gửi "
            f"({outcome.carried_sessions} lượt hỗ trợ); chúng sẽ được gửi ở lần đồng bộ sau."
        )
        en.append(
            f"Carried over {outcome.carried_changes} unsent changes "
            f"({outcome.carried_sessions} help sessions); the next sync sends them."
        )
        if outcome.left_out:
            vi.append(f"{outcome.left_out} thay đổi chưa gửi KHÔNG được mang sang theo yêu cầu.")
            en.append(f"{outcome.left_out} unsent changes were left out, as asked.")
        server_vi, server_en = _on_server_said(outcome.preview)
        if server_vi:
            vi.append(f"{server_vi} đã có trên máy chủ xã sẽ được tải lại ở lần đồng bộ sau.")
            en.append(f"{server_en} the server already has come back with the next sync.")
    else:
        vi.append("Không đọc được dữ liệu cũ nên không mang sang được thay đổi chưa gửi nào.")
        en.append("The replaced data could not be read: no unsent change was carried over.")
    previous = outcome.restored.previous_copy
    if previous is not None:
        vi.append(f"Dữ liệu trước khi khôi phục được giữ tại {previous}.")
        en.append(f"The data as it was before is kept in {previous}.")
    return " ".join(vi), " ".join(en)
