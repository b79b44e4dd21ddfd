"""A commune at a point of its feed, as one SQLite file: a new laptop's first download.

Following the feed from its start writes a commune row by row: at district scale some
220,000 rows decoded, checked and inserted in Python.  The server already keeps, per
commune, a replica in the laptop's own schema that follows the feed exactly as a laptop
does (``server/tallies.py``); a snapshot is that replica's tables copied into a
plain file (no index, no trigger), with the feed cursor it stands at.  An empty laptop
copies the tables in with one ``INSERT … SELECT`` each and then follows the feed from
that cursor, so it ends up holding what the feed would have given it, row for row.

A snapshot is used only by a laptop of the same schema revision and app version as the
server (derived columns such as Vietnamese sort keys are made by the code), and only
when the laptop holds nothing of its own yet; otherwise the laptop follows the feed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from villagehelper import __version__
from villagehelper.errors import UserError
from villagehelper.store import quarantine_rows, sync_state
from villagehelper.store.changelog import ENTITIES, Changes, primary_key_name
from villagehelper.store.connect import DATABASE_ERRORS, connect
from villagehelper.store.engine import Store
from villagehelper.store.migrate import HEAD_REVISION
from villagehelper.store.models import OutboxEntry
from villagehelper.tally import summaries

FORMAT = "1"
SCHEMA = "snapshot"  # the name the file is attached under
_META = "snapshot_meta"
_SEARCH_DOCUMENTS = "snapshot_search_documents"
_SEARCH_IDS = "household_search_ids"
# Synced rows and the tally summaries (exact on the replica, so not refilled here).
_ENTITY_TABLES = tuple(str(model.__tablename__) for model in ENTITIES.values())
TABLES = (*_ENTITY_TABLES, *summaries.SUMMARY_TABLES, _SEARCH_IDS)


class SnapshotUnusableError(UserError):
    """The file is not a snapshot this laptop can take: it follows the feed instead."""


@dataclass(frozen=True)
class Meta:
    format: str
    schema: str
    app_version: str
    commune_code: str
    cursor: int

    @staticmethod
    def current(commune_code: str, cursor: int) -> Meta:
        return Meta(FORMAT, HEAD_REVISION, __version__, commune_code, cursor)


# --- on the server ------------------------------------------------------------------------


def build(store: Store, target: Path, commune_code: str) -> Meta:
    """Copy ``store``'s tables (a replica, caught up and not being written) into a new
    file ``target``, with the cursor the replica stands at."""
    target.unlink(missing_ok=True)
    with store.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(target),))
        try:
            # A file being built is thrown away if anything fails: no journal needed.
            raw.execute(f"PRAGMA {SCHEMA}.journal_mode=OFF")
            raw.execute(f"PRAGMA {SCHEMA}.synchronous=OFF")
            raw.execute("BEGIN")
            cursor = int(raw.execute(_CURSOR_SQL, (sync_state.CURSOR,)).fetchone()[0])
            if raw.execute("SELECT EXISTS (SELECT 1 FROM tally_suspended_triggers)").fetchone()[0]:
                raise RuntimeError("the replica's summaries are suspended: catch it up first")
            for table in TABLES:
                raw.execute(f"CREATE TABLE {SCHEMA}.{table} AS SELECT * FROM main.{table}")
            raw.execute(
                f"CREATE TABLE {SCHEMA}.{_SEARCH_DOCUMENTS} AS "
                "SELECT rowid AS document, search_text FROM main.household_search"
            )
            meta = Meta.current(commune_code, cursor)
            raw.execute(f"CREATE TABLE {SCHEMA}.{_META} (key TEXT PRIMARY KEY, value TEXT)")
            raw.executemany(
                f"INSERT INTO {SCHEMA}.{_META} VALUES (?, ?)",
                [(key, str(value)) for key, value in vars(meta).items()],
            )
            # The rows the replica set aside: a new laptop lists them as its own.
            set_aside = raw.execute(_SETTING_SQL, (quarantine_rows.KEY,)).fetchone()
            if set_aside is not None:
                raw.execute(
                    f"INSERT INTO {SCHEMA}.{_META} VALUES (?, ?)", (_QUARANTINED, set_aside[0])
                )
            raw.execute("COMMIT")
        except BaseException:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raise
        finally:
            raw.execute(f"DETACH DATABASE {SCHEMA}")
    return meta


_CURSOR_SQL = "SELECT coalesce((SELECT value FROM settings WHERE key = ?), '0')"
_SETTING_SQL = "SELECT value FROM settings WHERE key = ?"
_QUARANTINED = "quarantined"  # meta key: the replica's rows set aside (quarantine.py)


# --- on the laptop ------------------------------------------------------------------------


def holds_nothing(session: Session) -> bool:
    """Whether this laptop has nothing a snapshot could clash with: no synced row but
    the catalog every store starts with, no change waiting, cursor at the start."""
    if sync_state.cursor(session) != 0 or session.scalar(
        select(func.count()).select_from(OutboxEntry)
    ):
        return False
    return not any(
        session.scalar(select(select(model).exists()))
        for entity, model in ENTITIES.items()
        if entity != "service"
    )


def read_meta(path: Path) -> Meta:
    """Check the file is a whole, readable snapshot for this version; its meta."""
    try:
        # A snapshot is a plain file, whether or not the laptop's store is encrypted.
        with closing(connect(path, None, read_only=True)) as db:
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise ValueError("quick_check failed")
            values = dict(db.execute(f"SELECT key, value FROM {_META}").fetchall())
            meta = Meta(
                values["format"],
                values["schema"],
                values["app_version"],
                values["commune_code"],
                int(values["cursor"]),
            )
            present = {
                name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
    except (*DATABASE_ERRORS, KeyError, ValueError) as exc:
        raise _unusable(f"unreadable ({exc})") from exc
    if (meta.format, meta.schema, meta.app_version) != (FORMAT, HEAD_REVISION, __version__):
        raise _unusable(f"made for schema {meta.schema}, app {meta.app_version}")
    missing = set(TABLES) - present
    if missing:
        raise _unusable(f"tables missing: {sorted(missing)}")
    return meta


@dataclass(frozen=True)
class Adopted:
    rows: int
    cursor: int
    changes: Changes


def adopt(store: Store, path: Path) -> Adopted | None:
    """Copy a snapshot into this empty laptop in one transaction, the cursor with it.

    The snapshot is a plain file; an encrypted store attaches it without a key and
    writes its rows encrypted.

    None if the laptop is no longer empty (something was logged meanwhile): the caller
    then follows the feed.  Raises :class:`SnapshotUnusableError` for a file that is
    not a snapshot this laptop can take, or one of another commune.
    """
    meta = read_meta(path)
    local = store.commune()
    if local is None or local.code != meta.commune_code:
        raise _unusable(f"of commune {meta.commune_code}")
    with store.feed_transaction(attach=(path, SCHEMA)) as session:
        if not holds_nothing(session):
            return None
        connection = session.connection()
        summaries.suspend(connection)
        for table in TABLES:
            _copy_table(connection, table)
        connection.exec_driver_sql(
            "INSERT INTO main.household_search (rowid, search_text) "
            f"SELECT document, search_text FROM {SCHEMA}.{_SEARCH_DOCUMENTS}"
        )
        # The summaries came exact from the replica, with the rows they count.
        summaries.resume(connection, refill_summaries=False)
        sync_state.put(session, sync_state.CURSOR, str(meta.cursor))
        set_aside = connection.exec_driver_sql(
            f"SELECT value FROM {SCHEMA}.{_META} WHERE key = ?", (_QUARANTINED,)
        ).fetchone()
        quarantine_rows.adopt_text(session, set_aside[0] if set_aside else None)
        changes, rows = _everything(connection)
    return Adopted(rows, meta.cursor, changes)


def _copy_table(connection: Connection, table: str) -> None:
    """Replace the rows of ``table`` with the snapshot's (by column name: the two files
    share a schema revision, not necessarily a column order)."""
    columns = [row[1] for row in connection.exec_driver_sql(f"PRAGMA main.table_info({table})")]
    names = ", ".join(f'"{column}"' for column in columns)
    connection.exec_driver_sql(f"DELETE FROM main.{table}")
    connection.exec_driver_sql(
        f"INSERT INTO main.{table} ({names}) SELECT {names} FROM {SCHEMA}.{table}"
    )


def _everything(connection: Connection) -> tuple[Changes, int]:
    """Every synced row now held, as what changed (the views refresh them all)."""
    changes = Changes()
    rows = 0
    for entity, model in ENTITIES.items():
        key = primary_key_name(model)
        ids = {
            str(row_id)
            for (row_id,) in connection.exec_driver_sql(
                f"SELECT {key} FROM main.{model.__tablename__}"
            )
        }
        rows += len(ids)
        if ids:
            changes.touched[entity] = ids
    return changes, rows


def _unusable(why: str) -> SnapshotUnusableError:
    return SnapshotUnusableError(
        "Bản sao dữ liệu của xã không dùng được cho máy này; máy sẽ tải dữ liệu từng phần.",
        f"The commune snapshot cannot be used here ({why}); downloading change by change.",
    )


@contextmanager
def scratch(folder: Path, name: str) -> Iterator[Path]:
    """A file name in ``folder`` that is removed when the block ends."""
    path = folder / name
    try:
        yield path
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
