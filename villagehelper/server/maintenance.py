"""Keeping the server's database safe: consistent backups, restores that start a new
epoch (epochs.py), and a clean stop that leaves everything in the database file.

- ``backup FILE``: SQLite's online backup API (a consistent copy while laptops sync),
  written beside FILE and renamed into place, so a failed backup leaves no half file; the
  copy carries a "backup" epoch, so putting it back starts a new epoch whatever else
  happened.  PostgreSQL: ``pg_dump --format=custom``.
- ``restore FILE``: checks FILE, keeps the current database beside it
  (``…before-restore-<time>``), copies FILE in and starts a new epoch.  PostgreSQL:
  ``pg_restore --clean``.
- a stop by SIGTERM (service managers, ``kill``) finishes uvicorn's shutdown and
  checkpoints SQLite's write-ahead log into the main file (``wal_checkpoint(TRUNCATE)``):
  a copy of the database file alone, made while the server is stopped, holds everything.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType

from sqlalchemy import make_url

from villagehelper.errors import UserError
from villagehelper.server import epochs, schema_upgrade
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.store.models import utc_text


def backup(db: ServerDB, target: Path) -> Path:
    """A consistent copy of the server's database at ``target`` (which must not exist)."""
    target = target.expanduser().absolute()
    if target.exists():
        raise UserError(
            f"Tệp {target} đã có: hãy chọn tên khác để không ghi đè bản sao lưu cũ.",
            f"{target} already exists: choose another name (old backups are not overwritten).",
        )
    if not target.parent.is_dir():
        raise UserError(
            f"Không có thư mục {target.parent}: hãy tạo nó hoặc chọn thư mục khác.",
            f"No folder {target.parent}: create it or choose another.",
        )
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if db.is_sqlite:
            _sqlite_backup(db, partial)
        else:
            _pg_dump(db.url, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UserError(
            f"Không ghi được bản sao lưu {target} ({reason}): hãy kiểm tra chỗ trống "
            "và quyền ghi của thư mục.",
            f"Cannot write the backup {target} ({reason}): check free space and rights.",
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def _sqlite_backup(db: ServerDB, partial: Path) -> None:
    raw = db.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            # One self-contained file, and an epoch row that makes it start a new epoch
            # once it is put back (epochs.py).
            copy.execute("PRAGMA journal_mode=DELETE")
            copy.execute(
                "INSERT INTO server_epochs (epoch_id, feed_start, started_at, reason) "
                "VALUES (?, (SELECT coalesce(max(value), 0) FROM feed_communes), ?, ?)",
                (_new_epoch_id(), utc_text(db.clock()), epochs.BACKUP),
            )
            copy.commit()
        with partial.open("rb") as written:
            os.fsync(written.fileno())
    finally:
        raw.close()


def _new_epoch_id() -> str:
    import uuid

    return str(uuid.uuid4())


def restore(url: str, source: Path, now: Callable[[], datetime]) -> tuple[str, Path | None]:
    """Put ``source`` (a backup) in place of the server's database and start a new epoch;
    the server must be stopped.  Returns the new epoch and where the database it
    replaced was kept (None: there was none, or it is PostgreSQL)."""
    source = source.expanduser().absolute()
    if not source.is_file():
        raise UserError(f"Không có tệp sao lưu {source}.", f"No backup file {source}.")
    kept: Path | None = None
    if make_url(url).get_backend_name() == "sqlite":
        kept = _sqlite_restore(url, source, now())
    else:
        _pg_restore(url, source)
    db = open_server_db(url)
    try:
        return epochs.begin_after_restore(db), kept
    finally:
        db.close()


def _sqlite_restore(url: str, source: Path, moment: datetime) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise UserError(
            "Cơ sở dữ liệu trong bộ nhớ không khôi phục được.", "An in-memory database has no file."
        )
    target = Path(database).absolute()
    _check_backup_file(source)
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{moment:%Y%m%dT%H%M%S}")
        with closing(sqlite3.connect(target)) as current, closing(sqlite3.connect(kept)) as copy:
            current.backup(copy)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Page by page through SQLite (not a file copy): the target's own write-ahead log is
    # dealt with, and a reader never sees half of each.
    with closing(_read_only(source)) as backup_file, closing(sqlite3.connect(target)) as live:
        backup_file.backup(live)
    return kept


def _read_only(path: Path) -> sqlite3.Connection:
    # A URI, so a folder name with "#", "?" or "%" is a name and not URI syntax.
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def _check_backup_file(source: Path) -> None:
    refused = UserError(
        f"Tệp {source} không phải bản sao lưu máy chủ VillageHelper dùng được: hãy chọn "
        "đúng tệp (do lệnh villagehelper-server backup tạo ra).",
        f"{source} is not a usable VillageHelper server backup.",
    )
    try:
        with closing(_read_only(source)) as connection:
            (check,) = connection.execute("PRAGMA quick_check").fetchone()
            connection.execute("SELECT count(*) FROM records").fetchone()
            made_by = _made_by(connection)
    except sqlite3.DatabaseError as exc:
        raise refused from exc
    if check != "ok":
        raise refused
    # A newer server's backup is refused before the current database is replaced.
    schema_upgrade.refuse_newer(str(source), *made_by)


def _made_by(connection: sqlite3.Connection) -> tuple[set[str], int | None]:
    """The backup's Alembic stamp and ``schema_info`` version (schema_upgrade.py)."""
    stamped: set[str] = set()
    if connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone():
        stamped = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    info = connection.execute("SELECT version FROM schema_info WHERE id = 1").fetchone()
    return stamped, None if info is None else int(info[0])


@contextmanager
def stop_on_sigterm(stop: Callable[[], None]) -> Iterator[None]:
    """While serving: SIGTERM asks the server to stop (as Ctrl+C does) and returns, so the
    caller closes the database properly.  (uvicorn re-raises the signal once it has shut
    down, with the handler it found: the default one would end the process there, before
    the write-ahead log is checkpointed.)"""

    def asked_to_stop(_signal: int, _frame: FrameType | None) -> None:
        stop()

    previous = signal.signal(signal.SIGTERM, asked_to_stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def checkpoint(db: ServerDB) -> None:
    """At a clean stop: the marker up to date (epochs.py), and everything in the main
    database file, the write-ahead log emptied (SQLite)."""
    db.epochs.flush()
    if not db.is_sqlite:
        return
    db.engine.dispose()  # idle pooled connections would keep the log in use
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump/pg_restore take it, the password in the environment (never on
    a command line other users of the PC can list)."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise UserError(
            f"Không tìm thấy chương trình {name} (của PostgreSQL): hãy cài gói postgresql-client "
            f"cùng phiên bản với máy chủ PostgreSQL, hoặc chạy {name} bằng tay "
            "(xem docs/deployment.md).",
            f"{name} (PostgreSQL client tools) not found: install postgresql-client, or run "
            f"{name} yourself (docs/deployment.md).",
        )
    return found


def _pg_dump(url: str, partial: Path) -> None:
    address, env = _libpq(url)
    command = [_pg_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={address}"]
    _run_pg(command, env, "pg_dump")


def _pg_restore(url: str, source: Path) -> None:
    address, env = _libpq(url)
    tool = _pg_tool("pg_restore")
    _run_pg([tool, "--list", str(source)], env, "pg_restore")
    command = [tool, "--clean", "--if-exists", "--no-owner", f"--dbname={address}", str(source)]
    _run_pg(command, env, "pg_restore")


def _run_pg(command: list[str], env: dict[str, str], name: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise UserError(
            f"{name} không chạy xong: {detail[0]}",
            f"{name} failed: {detail[0]}",
        )
