"""Backups and restore of the local database through SQLite's online backup API.

The online API copies a consistent snapshot even while the app has the file open in WAL
mode (a plain file copy could miss pages still in the -wal file).  Every backup is
verified by opening it; a restore first keeps a copy of what it replaces (a damaged file
is moved aside whole instead, since it cannot be read).

Automatic backups are taken once a Vietnam day (:func:`daily_backup`) and before every
upgrade or restore; each kind keeps its newest few (:func:`rotate_backups`), manual
backups are never deleted.  A daily backup is a page-for-page copy checked with
``integrity_check``, so it is also the daily check of the live file: a damaged copy
means a damaged database, and the person is offered the newest good backup.

With a key (an encrypted store) every copy is encrypted with the same key, and a file
that the key does not fit is refused as such (:class:`WrongKeyError`), never taken for a
damaged one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from villagehelper.backups.rotation import rotation_order
from villagehelper.clock import to_vietnam, utc_now
from villagehelper.disk_errors import folder_problem
from villagehelper.errors import UserError
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.connect import (
    DATABASE_ERRORS,
    NotEncryptedError,
    WrongKeyError,
    connect,
    is_plain_file,
    looks_encrypted,
)
from villagehelper.store.encryption import encrypt_data_dir, encrypt_file, remove_with_journals
from villagehelper.store.migrate import (
    BACKUP_DIR_NAME,
    NewerDatabaseError,
    backup_copy,
    damage_or_missing_key,
    is_damage,
    known_revision,
    timestamped_backup_path,
)

DEFAULT_KEPT = 14  # of each automatic kind: two weeks of daily backups
# villagehelper-20261202-141500-daily.sqlite3, …-before-upgrade-0004-2.sqlite3: a
# second one in the same second is numbered from 2, revisions start with 0.
_NAME = re.compile(
    r"^(?P<stem>.+)-(?P<day>\d{8})-(?P<time>\d{6})-(?P<reason>[a-z0-9-]+?)(?:-[1-9]\d{0,2})?$"
)
_AUTOMATIC = ("daily", "before-upgrade", "before-restore", "damaged")


@dataclass(frozen=True)
class BackupCheck:
    path: Path
    revision: str | None
    households: int
    sessions: int


def verify_backup(path: Path, key: bytes | None = None) -> BackupCheck:
    """Open a backup read-only and check it is a sound VillageHelper database."""
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp sao lưu {path}.", f"Backup file {path} not found.")
    try:
        connection = connect(path, key, read_only=True)
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
    except DATABASE_ERRORS as exc:
        raise UserError(
            f"{path.name} không phải tệp cơ sở dữ liệu đọc được ({exc}).",
            f"{path.name} is not a readable database ({exc}).",
        ) from exc
    revision = None if revision_row is None else str(revision_row[0])
    return BackupCheck(path, revision, int(households), int(sessions))


def backup_now(
    data_dir: Path, moment: datetime, out: Path | None = None, *, key: bytes | None = None
) -> BackupCheck:
    """Copy the live database to ``out`` (default: backups/…-manual), then verify it."""
    database = data_dir / DATABASE_FILE
    if not database.exists():
        raise UserError(
            f"Chưa có dữ liệu trong {data_dir} để sao lưu.", f"No data in {data_dir} yet."
        )
    target = out or timestamped_backup_path(database, moment, "manual")
    if target.resolve() == database.resolve():
        raise UserError("Không thể sao lưu đè lên chính tệp dữ liệu.")
    backup_copy(database, target, key)
    return verify_backup(target, key)


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken: str  # "YYYYMMDD-HHMMSS", Vietnam time: sorts as it was taken
    reason: str  # "daily", "manual", "before-upgrade-0004", …

    @property
    def kind(self) -> str:
        """The rotation family: before-upgrade-0003 and -0004 rotate together."""
        for family in _AUTOMATIC:
            if self.reason.startswith(family):
                return family
        return self.reason


def backup_time(path: Path) -> datetime | None:
    """When a backup in the backups folder was taken (Vietnam time, from its name)."""
    match = _NAME.match(path.stem)
    if match is None:
        return None
    return datetime.strptime(f"{match['day']}{match['time']}", "%Y%m%d%H%M%S")


def list_backups(data_dir: Path) -> list[BackupFile]:
    """The backups in ``data_dir``'s backups folder, newest first."""
    folder = data_dir / BACKUP_DIR_NAME
    found = []
    for path in folder.glob(f"*{Path(DATABASE_FILE).suffix}"):
        match = _NAME.match(path.stem)
        if match is not None:
            taken = f"{match['day']}-{match['time']}"
            found.append(BackupFile(path, taken, match["reason"]))
    return sorted(found, key=lambda backup: (backup.taken, backup.path.name), reverse=True)


def rotate_backups(
    data_dir: Path, keep: int, now: datetime | None = None, *, just_made: Path | None = None
) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups of each kind (never manual
    ones, nor a damaged file moved aside, nor ``just_made``); the paths deleted.

    With ``now`` (the clock that named today's backup), backups named after it were
    made under a clock that was ahead: they count as older than every backup named
    by a sane clock, so that they are rotated out one a day instead of crowding out
    each new backup (:func:`~villagehelper.backups.rotation.rotation_order`)."""
    seen: dict[str, int] = {}
    deleted = []
    for backup in rotation_order(list_backups(data_dir), now):
        if backup.kind in ("manual", "damaged") or backup.kind not in _AUTOMATIC:
            continue
        if just_made is not None and backup.path == just_made:
            seen[backup.kind] = seen.get(backup.kind, 0) + 1
            continue
        seen[backup.kind] = seen.get(backup.kind, 0) + 1
        if seen[backup.kind] > max(keep, 1):
            backup.path.unlink(missing_ok=True)
            deleted.append(backup.path)
    return deleted


def daily_backup(
    data_dir: Path, moment: datetime, keep: int = DEFAULT_KEPT, *, key: bytes | None = None
) -> BackupCheck | None:
    """Today's automatic backup, unless there is one already (Vietnam days); verified,
    then the older ones rotated.  Raises :class:`DamagedDatabaseError` when the copy,
    and so the live file, is damaged (the bad copy is not kept)."""
    database = data_dir / DATABASE_FILE
    today = to_vietnam(moment).strftime("%Y%m%d")
    if not database.exists() or any(
        backup.kind == "daily" and backup.taken.startswith(today)
        for backup in list_backups(data_dir)
    ):
        return None
    target = timestamped_backup_path(database, moment, "daily")
    try:
        backup_copy(database, target, key)
        check = verify_backup(target, key)
    except (WrongKeyError, NotEncryptedError):  # the key, not the file, is wrong
        target.unlink(missing_ok=True)
        raise
    except (UserError, *DATABASE_ERRORS) as exc:
        target.unlink(missing_ok=True)
        full_or_failing = folder_problem(exc, data_dir)  # the disk's fault, not the file's
        if full_or_failing is not None:
            raise full_or_failing from exc
        raise damage_or_missing_key(database, key) from exc
    rotate_backups(data_dir, keep, moment, just_made=target)
    return check


def newest_good_backup(
    data_dir: Path, *, key: bytes | None = None, now: datetime | None = None
) -> BackupCheck | None:
    """The newest backup that opens (with ``key``), passes ``integrity_check`` and this
    version can read; ``None`` if there is none.  Backups named after ``now`` (default:
    the clock now) were named by a clock that was ahead and come last, as in rotation."""
    for backup in rotation_order(list_backups(data_dir), now or utc_now()):
        if backup.kind == "damaged":
            continue
        try:
            check = verify_backup(backup.path, key)
        except UserError:
            continue
        if check.revision is None or known_revision(check.revision):
            return check
    return None


@dataclass(frozen=True)
class Restored:
    restored: BackupCheck
    previous_copy: Path | None  # what was replaced, kept in backups/


def restore_backup(
    data_dir: Path, source: Path, moment: datetime, *, key: bytes | None = None
) -> Restored:
    """Replace the live database with ``source`` after keeping a copy of the current one.

    Refuses a file from a newer VillageHelper; an older one is upgraded at next start.
    The app must not have the database open in another process while this runs.  With
    a key, a plain ``source`` (a copy from before encryption) is restored encrypted.
    """
    if key is not None and is_plain_file(source):
        return _restore_plain(data_dir, source, moment, key)
    check = verify_backup(source, key)
    if check.revision is not None and not known_revision(check.revision):
        raise NewerDatabaseError(
            f"Bản sao lưu {source.name} được tạo bởi phiên bản VillageHelper mới hơn. "
            "Hãy cập nhật VillageHelper trước khi khôi phục.",
            f"{source.name} comes from a newer VillageHelper.",
        )
    database = data_dir / DATABASE_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    if key is not None:
        _encrypt_live_file(database, key)
    elif looks_encrypted(database):
        raise WrongKeyError(database)  # no key given to restore into an encrypted store
    previous = None
    if database.exists():
        try:
            previous = backup_copy(
                database, timestamped_backup_path(database, moment, "before-restore"), key
            )
        except (NotEncryptedError, *DATABASE_ERRORS):
            previous = _move_aside(database, moment)
    # Copy page by page into the live file (handles its WAL) rather than replacing it.
    backup_copy(source, database, key)
    return Restored(check, previous)


def _encrypt_live_file(database: Path, key: bytes) -> None:
    """A live file still plain is encrypted before the copy of it is taken; one too
    damaged for that stays plain and is moved aside whole."""
    try:
        encrypt_data_dir(database, key)
    except DATABASE_ERRORS as exc:
        if not is_damage(exc):
            raise


def _restore_plain(data_dir: Path, source: Path, moment: datetime, key: bytes) -> Restored:
    """A plain file restored into an encrypted store: through an encrypted copy of it,
    removed afterwards (the source itself is left as it is)."""
    verify_backup(source)  # plainly readable before anything is copied
    folder = data_dir / BACKUP_DIR_NAME
    folder.mkdir(parents=True, exist_ok=True)
    encrypted = folder / f"restoring{Path(DATABASE_FILE).suffix}.tmp"
    backup_copy(source, encrypted)
    try:
        encrypt_file(encrypted, key)
        restored = restore_backup(data_dir, encrypted, moment, key=key)
    finally:
        remove_with_journals(encrypted)
    return replace(restored, restored=replace(restored.restored, path=source))


def _move_aside(database: Path, moment: datetime) -> Path:
    """A database too damaged to copy, moved whole (with its -wal) into backups/."""
    target = timestamped_backup_path(database, moment, "damaged")
    target.parent.mkdir(parents=True, exist_ok=True)
    database.replace(target)
    for suffix in ("-wal", "-shm"):
        journal = Path(f"{database}{suffix}")
        if journal.exists():
            journal.replace(Path(f"{target}{suffix}"))
    return target
