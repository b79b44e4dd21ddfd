"""``villagehelper-server backup --into FOLDER --keep N``: the scheduled backup.

A systemd timer (resources/deploy/villagehelper-server-backup.timer) runs it every
night: each run writes a new file named by its time in UTC
(``villagehelper-server-20261207T023000Z.backup``, so names sort as times do), through
the same ``backup`` as by hand (maintenance.py: SQLite's online backup, or ``pg_dump
--format=custom`` for PostgreSQL), then removes the oldest of *those* files beyond the
newest N.  Nothing else in the folder is touched; a failed backup removes nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.server.database import ServerDB
from villagehelper.server.maintenance import backup

PREFIX = "villagehelper-server-"
SUFFIX = ".backup"
# Only what this command wrote: a file an administrator put there by hand stays.
SCHEDULED_NAME = re.compile(rf"{re.escape(PREFIX)}\d{{8}}T\d{{6}}Z{re.escape(SUFFIX)}")


def scheduled_backup(
    db: ServerDB, folder: Path, keep: int, now: datetime
) -> tuple[Path, list[Path]]:
    """A new backup in ``folder`` and the scheduled backups removed (the oldest beyond
    the newest ``keep``, the new one among them)."""
    if keep < 1:
        raise UserError(
            "--keep phải từ 1 trở lên: luôn giữ ít nhất bản vừa sao lưu.",
            "--keep must be 1 or more: the backup just made is always kept.",
        )
    folder = folder.expanduser().absolute()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = backup(db, folder / f"{PREFIX}{now.astimezone(UTC):%Y%m%dT%H%M%SZ}{SUFFIX}")
    made = sorted(path for path in folder.iterdir() if SCHEDULED_NAME.fullmatch(path.name))
    removed = made[:-keep]
    for old in removed:
        old.unlink()
    return written, removed
