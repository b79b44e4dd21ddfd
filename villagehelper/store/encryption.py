"""Turning a laptop's plain database, and the plain backups beside it, into encrypted ones.

Every laptop in the field holds a plain file when the app is first given a key.  The
file is encrypted into a new file next to it, which is made durable and checked (it
opens with the key, passes ``integrity_check`` and holds as many rows in every table)
before it takes the old one's name in one atomic rename.  A crash at any moment leaves
either the whole plain file or the whole encrypted one; a half-written new file is
removed at the next attempt.  The plain file's WAL is folded into it first, so no plain
``-wal`` is left beside the encrypted file.

Plain backups are encrypted the same way: a plain copy beside an encrypted database
would give away all it protects.  A plain backup too damaged to be read is deleted (it
could not be restored anyway, and it holds residents' data in clear).

The disk blocks of the old plain file are released, not overwritten: what an
undelete tool could find there is the operating system's business (see
docs/data-at-rest.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from villagehelper.store.connect import (
    DATABASE_ERRORS,
    check_key,
    connect,
    is_plain_file,
    sqlcipher,
)
from villagehelper.store.migrate import BACKUP_DIR_NAME, is_damage
from villagehelper.whole_files import flush_folder

TEMPORARY_SUFFIX = ".encrypting"
_TARGET = "encrypted"  # the schema name the new file is attached under
JOURNAL_SUFFIXES = ("-journal", "-wal", "-shm")

Step = Callable[[str], None]


def _no_step(_name: str) -> None:
    pass


def encrypt_data_dir(database: Path, key: bytes, *, step: Step = _no_step) -> None:
    """Encrypt ``database`` if it is plain, then every plain backup in its backups folder.

    ``step`` is told each step of the live file's conversion as it completes (tests stop
    the process there)."""
    check_key(key)
    if is_plain_file(database):
        encrypt_file(database, key, step=step)
    for backup in sorted((database.parent / BACKUP_DIR_NAME).glob(f"*{database.suffix}")):
        if is_plain_file(backup):
            _encrypt_backup(backup, key)


def encrypt_file(plain: Path, key: bytes, *, step: Step = _no_step) -> None:
    """Replace the plain database ``plain`` by an encrypted copy of it, crash-safely."""
    temporary = plain.with_name(plain.name + TEMPORARY_SUFFIX)
    remove_with_journals(temporary)
    _fold_journal(plain)
    step("journal folded")
    counts = _export(plain, temporary, key)
    step("exported")
    _fsync(temporary)
    step("synced")
    _verify(temporary, key, counts)
    step("verified")
    os.replace(temporary, plain)
    step("replaced")
    flush_folder(plain.parent)


def _encrypt_backup(backup: Path, key: bytes) -> None:
    try:
        encrypt_file(backup, key)
    except DATABASE_ERRORS as exc:
        if not is_damage(exc):
            raise
        remove_with_journals(backup)


def remove_with_journals(path: Path) -> None:
    for suffix in ("", *JOURNAL_SUFFIXES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fold_journal(plain: Path) -> None:
    """Copy the WAL into the file and leave WAL mode (which deletes -wal and -shm), so
    that the file alone holds everything; a hot rollback journal is rolled back by the
    opening itself."""
    with closing(connect(plain, None)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")


def _export(plain: Path, target: Path, key: bytes) -> dict[str, int]:
    """Write an encrypted copy of ``plain`` to ``target``; the rows of every table."""
    # Only SQLCipher can write the copy: the plain file is opened through it, keyless.
    connection: Any = sqlcipher().connect(str(plain))
    with closing(connection):
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(
            f"ATTACH DATABASE ? AS {_TARGET} KEY ?", (str(target), f"x'{key.hex()}'")
        )
        connection.execute(f"SELECT sqlcipher_export('{_TARGET}')")
        # Alembic keeps its revision in a table; user_version is copied all the same.
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        connection.execute(f"PRAGMA {_TARGET}.user_version = {version}")
        connection.execute(f"DETACH DATABASE {_TARGET}")
        return row_counts(connection)


def _verify(encrypted: Path, key: bytes, expected: dict[str, int]) -> None:
    with closing(connect(encrypted, key, read_only=True)) as connection:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        counts = row_counts(connection)
    if check != "ok" or counts != expected:
        raise RuntimeError(
            f"the encrypted copy of {encrypted.name} differs ({check}; {counts} != {expected})"
        )


def row_counts(connection: Any) -> dict[str, int]:
    """Rows in every table of the main database (the search index included)."""
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        table: int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        for table in tables
    }


def _fsync(path: Path) -> None:
    with path.open("rb+") as raw:
        os.fsync(raw.fileno())
