"""A quick look into the database file without loading SQLAlchemy, for start-up.

It answers one question before the window is built: is this laptop set up (which
commune)?  Anything unexpected — no file, an old or damaged one — answers "don't know",
and start-up takes the slow, careful path through ``open_store``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.store.connect import DATABASE_ERRORS, connect
from villagehelper.store.migrate import HEAD_REVISION, current_revision


@dataclass(frozen=True)
class CommuneLabel:
    name: str
    province_name: str

    def __str__(self) -> str:
        return f"{self.name}, {self.province_name}"


def peek_commune(database: Path, key: bytes | None = None) -> CommuneLabel | None:
    """The commune of an up-to-date database, or ``None`` when not plainly known (a key
    that does not fit, or a file not yet encrypted, included)."""
    try:
        if current_revision(database, key) != HEAD_REVISION:
            return None
        connection = connect(database, key, read_only=True)
        try:
            row = connection.execute("SELECT name, province_name FROM communes LIMIT 1").fetchone()
        finally:
            connection.close()
    except (*DATABASE_ERRORS, UserError):
        return None
    return None if row is None else CommuneLabel(str(row[0]), str(row[1]))
