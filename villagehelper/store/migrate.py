"""Schema upgrades through Alembic only, with a backup first and no downgrades.

The app runs :func:`upgrade` at start-up.  A database from an older VillageHelper is
copied to ``backups/`` (SQLite online backup API) before any migration touches it; a
database stamped with a revision this version does not know came from a newer
VillageHelper and is refused, because writing to it could corrupt the newer schema.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from villagehelper.clock import Clock, to_vietnam
from villagehelper.errors import UserError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
BACKUP_DIR_NAME = "backups"


class NewerDatabaseError(UserError):
    """The database was written by a newer VillageHelper."""


def alembic_config(database: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", f"sqlite+pysqlite:///{database}")
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config(Path("unused"))).get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether this VillageHelper knows ``revision`` (a newer app's revision it does not)."""
    scripts = ScriptDirectory.from_config(alembic_config(Path("unused")))
    try:
        return scripts.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        return False


def current_revision(database: Path) -> str | None:
    """The revision stamped in the file, or ``None`` for a new or empty file."""
    if not database.exists():
        return None
    engine = create_engine(f"sqlite+pysqlite:///{database}")
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            return None if row is None else str(row[0])
    finally:
        engine.dispose()


def backup_copy(database: Path, destination: Path) -> Path:
    """A consistent copy of a live database through SQLite's online backup API."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(database)
    try:
        target = sqlite3.connect(destination)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    return destination


def timestamped_backup_path(database: Path, moment: datetime, reason: str) -> Path:
    stamp = to_vietnam(moment).strftime("%Y%m%d-%H%M%S")
    folder = database.parent / BACKUP_DIR_NAME
    candidate = folder / f"{database.stem}-{stamp}-{reason}{database.suffix}"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / f"{database.stem}-{stamp}-{reason}-{counter}{database.suffix}"
    return candidate


def upgrade(database: Path, *, clock: Clock, target: str = "head") -> Path | None:
    """Bring ``database`` to ``target``; returns the backup made first, if any."""
    config = alembic_config(database)
    scripts = ScriptDirectory.from_config(config)
    current = current_revision(database)
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
            database, timestamped_backup_path(database, clock(), f"before-upgrade-{current}")
        )
    command.upgrade(config, target)
    return backup
