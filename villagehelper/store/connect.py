"""The one place that opens the laptop's database file (and its backups).

With a key the file is opened through SQLCipher (the ``sqlcipher3`` package, SQLite with
every page encrypted); without one through Python's own ``sqlite3``, exactly as before
encryption existed (the commune server, tools and tests that hold no key).

The key is 32 random bytes, held by the key file (:mod:`villagehelper.keys`), and given to
SQLCipher raw (``x'…'``): it is already random, so SQLCipher's slow key derivation, meant for
passwords, would only add a quarter of a second to every connection.

A wrong key and a damaged file look the same to SQLite ("file is not a database"), but
they call for opposite answers: a damaged file is replaced by a backup, a wrong key must
never be.  :func:`connect` tells them apart (see :func:`_refuse_key`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from villagehelper.errors import UserError
from villagehelper.store.locations import read_only_uri


def _load_sqlcipher() -> Any:
    # SQLCipher comes with the laptop's install (the ``app`` extra).  The commune server,
    # which opens its replicas without a key, is installed without it.
    try:
        import sqlcipher3.dbapi2 as sqlcipher
    except ImportError:
        return None
    return sqlcipher


_SQLCIPHER = _load_sqlcipher()

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_TIMEOUT_S = 5.0  # sqlite3's own default
# Errors of either driver: sqlcipher3's classes are its own, not sqlite3's subclasses.
# (Without sqlcipher3 installed, its place repeats sqlite3's.)
_CIPHER_ERROR: type[Exception] = (
    sqlite3.DatabaseError if _SQLCIPHER is None else _SQLCIPHER.DatabaseError
)
DATABASE_ERRORS = (sqlite3.DatabaseError, _CIPHER_ERROR)
# The first page of an encrypted file is random bytes: nearly every byte value appears in
# it.  A plain page (even with its header wiped) is mostly zeros and text.
_ENCRYPTED_MIN_DISTINCT_BYTES = 200


class WrongKeyError(UserError):
    """The file is encrypted with another key than the one given, or no key was given."""

    def __init__(self, database: Path) -> None:
        super().__init__(
            f"Không mở được tệp dữ liệu {database}: tệp đã được mã hóa và khóa mở không đúng "
            "(hoặc máy chưa được mở khóa bằng mã PIN). Tệp không bị hỏng và không bị thay "
            "đổi; hãy mở khóa bằng mã PIN của một thành viên tổ.",
            f"Cannot open the data file {database}: it is encrypted and the key does not fit "
            "(or the app was not unlocked with a PIN). The file is not damaged and was not "
            "changed; unlock with a team member's PIN.",
        )
        self.database = database


class NotEncryptedError(UserError):
    """A key was given for a file that is plain SQLite (not yet converted)."""

    def __init__(self, database: Path) -> None:
        super().__init__(
            f"Tệp {database.name} chưa được mã hóa.",
            f"The file {database.name} is not encrypted.",
        )
        self.database = database


def check_key(key: bytes | None) -> None:
    if key is not None and len(key) != KEY_BYTES:
        raise ValueError(f"a database key is {KEY_BYTES} bytes, not {len(key)}")


def is_plain_file(path: Path) -> bool:
    """Whether ``path`` starts as an unencrypted SQLite database does."""
    try:
        with path.open("rb") as raw:
            return raw.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def looks_encrypted(path: Path) -> bool:
    """Whether ``path`` is a non-empty file whose first page reads as random bytes."""
    try:
        with path.open("rb") as raw:
            head = raw.read(4096)
    except OSError:
        return False
    return not head.startswith(SQLITE_HEADER) and len(set(head)) >= _ENCRYPTED_MIN_DISTINCT_BYTES


def sqlcipher() -> Any:
    """The ``sqlcipher3`` DB-API module, or why there is none (an install without it)."""
    if _SQLCIPHER is None:
        raise UserError(
            "Máy này chưa cài SQLCipher (gói sqlcipher3) nên không mở được tệp dữ liệu đã mã "
            "hóa: hãy cài ứng dụng bằng pip install 'villagehelper[app]'.",
            "SQLCipher (the sqlcipher3 package) is not installed, so an encrypted data file "
            "cannot be opened: install the app with pip install 'villagehelper[app]'.",
        )
    return _SQLCIPHER


def driver(key: bytes | None) -> ModuleType:
    """The DB-API module for a file with or without a key (SQLAlchemy's ``module=``)."""
    return sqlite3 if key is None else cast(ModuleType, sqlcipher())


def connect(
    path: Path,
    key: bytes | None,
    *,
    read_only: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    check_same_thread: bool = True,
) -> sqlite3.Connection:
    """A DB-API connection to ``path``: encrypted with ``key``, plain without.

    With a key the file is read once at once, so that a key that does not fit raises
    :class:`WrongKeyError` (and a plain file :class:`NotEncryptedError`) here rather than
    a "file is not a database" later that would pass for damage.
    """
    check_key(key)
    target = read_only_uri(path) if read_only else str(path)
    if key is None:
        return sqlite3.connect(
            target, uri=read_only, timeout=timeout, check_same_thread=check_same_thread
        )
    cipher = sqlcipher()
    connection: Any = cipher.connect(
        target, uri=read_only, timeout=timeout, check_same_thread=check_same_thread
    )
    try:
        # SQLCipher writes a line to stderr for every page it cannot decrypt; the app
        # says what happened in its own words instead.
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except cipher.DatabaseError as exc:
        refusal = _refuse_key(connection, path)
        connection.close()
        if refusal is not None:
            raise refusal from exc
        raise
    return cast(sqlite3.Connection, connection)


def _refuse_key(connection: Any, path: Path) -> UserError | None:
    """Why a keyed connection that cannot read page 1 should not be called damaged.

    With the right key only damaged pages fail SQLCipher's per-page authentication; with
    a wrong one every page does.  A file that is not random-looking was never encrypted
    (plain SQLite, or garbage: damage).
    """
    if is_plain_file(path):
        return NotEncryptedError(path)
    if not looks_encrypted(path):
        return None
    try:
        failed = len(connection.execute("PRAGMA cipher_integrity_check").fetchall())
        page_size = int(connection.execute("PRAGMA cipher_page_size").fetchone()[0])
    except _SQLCIPHER.DatabaseError:
        return None
    pages = max(path.stat().st_size // page_size, 1)
    return WrongKeyError(path) if failed >= pages else None


def attach_plain_sql(schema: str, key: bytes | None) -> str:
    """``ATTACH`` of a plain file (bound as ``?``) to a connection with or without a key:
    in an encrypted one a file attached without ``KEY ''`` is taken to share its key."""
    return f"ATTACH DATABASE ? AS {schema}" + ("" if key is None else " KEY ''")
