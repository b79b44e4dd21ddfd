"""Schema upgrades through Alembic only, with a backup first and no downgrades.

The app runs :func:`upgrade` at start-up.  A database from an older VillageHelper is
copied to ``backups/`` (SQLite online backup API) before any migration touches it; a
database stamped with a revision this version does not know came from a newer
VillageHelper and is refused, because writing to it could corrupt the newer schema.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from villagehelper.clock import Clock, to_vietnam
from villagehelper.errors import UserError
from villagehelper.shipped import shipped_folder
from villagehelper.store.connect import DATABASE_ERRORS, WrongKeyError, connect, looks_encrypted
from villagehelper.store.locations import config_value, sqlite_url
from villagehelper.whole_files import write_whole_file

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = shipped_folder("villagehelper", "migrations")
BACKUP_DIR_NAME = "backups"
# The newest revision, known without loading Alembic: an up-to-date database (every
# start but the first after an update) then opens without importing it, which keeps
# start-up fast.  A test checks this equals Alembic's own head.
HEAD_REVISION = "0009"


class NewerDatabaseError(UserError):
    """The database was written by a newer VillageHelper."""


class DamagedDatabaseError(UserError):
    """The database file cannot be read: it is damaged (or not a database at all)."""

    def __init__(self, database: Path) -> None:
        super().__init__(
            f"Tệp dữ liệu {database} bị hỏng, không đọc được. Có thể khôi phục từ bản sao "
            "lưu tốt mới nhất trong thư mục backups (villagehelper restore TỆP).",
            f"The data file {database} is damaged and cannot be read. Restore the newest "
            "good backup from the backups folder (villagehelper restore FILE).",
        )
        self.database = database


def is_damage(error: BaseException) -> bool:
    """Whether a SQLite error says the file itself is bad (not locked, not busy)."""
    text = str(error).lower()
    return isinstance(error, DATABASE_ERRORS) and (
        "malformed" in text or "not a database" in text or "disk image" in text
    )


def damage_or_missing_key(database: Path, key: bytes | None) -> UserError:
    """The error for a file that would not open: damaged, or encrypted and opened without
    a key (a key that does not fit is caught where the file is opened)."""
    if key is None and looks_encrypted(database):
        return WrongKeyError(database)
    return DamagedDatabaseError(database)


def alembic_config(database: Path, key: bytes | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    # Escaped: Alembic reads options through configparser, which takes ``%`` for an
    # interpolation (in the data folder's name or the install folder's).
    config.set_main_option("script_location", config_value(MIGRATIONS_DIR))
    url = sqlite_url(database).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", config_value(url))
    # Read by migrations/env.py: the key is never put in the URL, which Alembic may log.
    config.attributes["database"] = database
    config.attributes["database_key"] = key
    return config


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(Path("unused")))


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether this VillageHelper knows ``revision`` (a newer app's revision it does not)."""
    if revision == HEAD_REVISION:
        return True
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        return False


def current_revision(database: Path, key: bytes | None = None) -> str | None:
    """The revision stamped in the file, or ``None`` for a new or empty file."""
    if not database.exists():
        return None
    connection = connect(database, key)
    try:
        has_table = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if has_table is None:
            return None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
    finally:
        connection.close()


def backup_copy(database: Path, destination: Path, key: bytes | None = None) -> Path:
    """A consistent copy of a live database through SQLite's online backup API; with a
    key, SQLCipher's pages are encrypted again with the same key on the way.

    A new file appears whole or not at all (:mod:`villagehelper.whole_files`): a full
    disk must not leave an empty backup behind.  An
    existing ``destination`` (the live file, when restoring) is written page by page."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if not destination.exists():
        write_whole_file(destination, lambda partial: _copy(database, partial, key))
        return destination
    _copy(database, destination, key)
    return destination


def _copy(database: Path, destination: Path, key: bytes | None) -> None:
    source = connect(database, key)
    try:
        target = connect(destination, key)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def timestamped_backup_path(database: Path, moment: datetime, reason: str) -> Path:
    stamp = to_vietnam(moment).strftime("%Y%m%d-%H%M%S")
    folder = database.parent / BACKUP_DIR_NAME
    candidate = folder / f"{database.stem}-{stamp}-{reason}{database.suffix}"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / f"{database.stem}-{stamp}-{reason}-{counter}{database.suffix}"
    return candidate


def upgrade(
    database: Path, *, clock: Clock, target: str = "head", key: bytes | None = None
) -> Path | None:
    """Bring ``database`` to ``target``; returns the backup made first, if any."""
    current = current_revision(database, key)
    if current == HEAD_REVISION and target == "head":
        return None
    from alembic import command

    config = alembic_config(database, key)
    scripts = _scripts()
    if current is not None and not known_revision(current):
        raise NewerDatabaseError(
            f"Dữ liệu trong {database} được tạo bởi phiên bản VillageHelper mới hơn "
            f"(lược đồ {current}). Hãy cập nhật VillageHelper lên phiên bản mới nhất; "
            "dữ liệu không bị thay đổi.",
            f"The data in {database} was written by a newer VillageHelper (schema "
            f"{current}). Update VillageHelper; the data was not touched.",
        )
    wanted = scripts.get_current_head() if target == "head" else target
    if current == wanted:
        return None
    backup = None
    if current is not None:
        backup = backup_copy(
            database,
            timestamped_backup_path(database, clock(), f"before-upgrade-{current}"),
            key,
        )
    command.upgrade(config, target)
    return backup
