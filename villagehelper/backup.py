"""Backups and restore of the local database through SQLite's online backup API.

The online API copies a consistent snapshot even while the app has the file open in WAL
mode (a plain file copy could miss pages still in the -wal file).  Every backup is
verified by opening it; a restore first keeps a copy of what it replaces.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.store.engine import DATABASE_FILE
from villagehelper.store.migrate import (
    NewerDatabaseError,
    backup_copy,
    known_revision,
    timestamped_backup_path,
)


@dataclass(frozen=True)
class BackupCheck:
    path: Path
    revision: str | None
    households: int
    sessions: int


def verify_backup(path: Path) -> BackupCheck:
    """Open a backup read-only and check it is a sound VillageHelper database."""
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp sao lưu {path}.", f"Backup file {path} not found.")
    try:
        connection = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()
            if result is None or result[0] != "ok":
                raise UserError(
                    f"Tệp sao lưu {path.name} bị hỏng ({result[0] if result else '?'}). "
                    "Hãy chọn bản sao lưu khác.",
                    f"Backup {path.name} is damaged.",
                )
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not {"alembic_version", "households", "help_sessions"} <= tables:
                raise UserError(
                    f"{path.name} không phải dữ liệu VillageHelper.",
                    f"{path.name} is not VillageHelper data.",
                )
            revision_row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            households = connection.execute("SELECT count(*) FROM households").fetchone()[0]
            sessions = connection.execute("SELECT count(*) FROM help_sessions").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(
            f"{path.name} không phải tệp cơ sở dữ liệu đọc được ({exc}).",
            f"{path.name} is not a readable database ({exc}).",
        ) from exc
    revision = None if revision_row is None else str(revision_row[0])
    return BackupCheck(path, revision, int(households), int(sessions))


def backup_now(data_dir: Path, moment: datetime, out: Path | None = None) -> BackupCheck:
    """Copy the live database to ``out`` (default: backups/…-manual), then verify it."""
    database = data_dir / DATABASE_FILE
    if not database.exists():
        raise UserError(
            f"Chưa có dữ liệu trong {data_dir} để sao lưu.", f"No data in {data_dir} yet."
        )
    target = out or timestamped_backup_path(database, moment, "manual")
    if target.resolve() == database.resolve():
        raise UserError("Không thể sao lưu đè lên chính tệp dữ liệu.")
    backup_copy(database, target)
    return verify_backup(target)


@dataclass(frozen=True)
class Restored:
    restored: BackupCheck
    previous_copy: Path | None  # what was replaced, kept in backups/


def restore_backup(data_dir: Path, source: Path, moment: datetime) -> Restored:
    """Replace the live database with ``source`` after keeping a copy of the current one.

    Refuses a file from a newer VillageHelper; an older one is upgraded at next start.
    The app must not have the database open in another process while this runs.
    """
    check = verify_backup(source)
    if check.revision is not None and not known_revision(check.revision):
        raise NewerDatabaseError(
            f"Bản sao lưu {source.name} được tạo bởi phiên bản VillageHelper mới hơn. "
            "Hãy cập nhật VillageHelper trước khi khôi phục.",
            f"{source.name} comes from a newer VillageHelper.",
        )
    database = data_dir / DATABASE_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    previous = None
    if database.exists():
        previous = backup_copy(
            database, timestamped_backup_path(database, moment, "before-restore")
        )
    # Copy page by page into the live file (handles its WAL) rather than replacing it.
    backup_copy(source, database)
    return Restored(check, previous)
