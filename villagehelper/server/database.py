"""Opening the server's database: SQLite by default, PostgreSQL by URL.

``VILLAGEHELPER_SERVER_DB`` or ``--db`` gives the SQLAlchemy URL; without either the
server keeps a SQLite file in its own user data folder, so a commune can run it on any PC.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import platformdirs
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from villagehelper.catalog import FIRST_CATALOG
from villagehelper.clock import utc_now
from villagehelper.errors import UserError
from villagehelper.exchange.wire import canonical_json
from villagehelper.server.epochs import EpochState, prepare_epochs
from villagehelper.server.feed_clock import CATALOG, VersionClock
from villagehelper.server.schema_upgrade import upgrade
from villagehelper.server.tables import (
    SCHEMA_INFO_VERSION,
    Record,
    SchemaInfo,
)
from villagehelper.store.engine import BUSY_TIMEOUT_MS, configure_sqlite
from villagehelper.store.error_privacy import keep_values_out_of_errors
from villagehelper.store.locations import sqlite_url

SERVER_DB_ENV = "VILLAGEHELPER_SERVER_DB"

# A server process's PostgreSQL connections, all kept open (cli/workers.py compares N
# processes' worth with the server's max_connections at start).
CONNECTIONS_PER_PROCESS = 40


def default_url() -> str:
    folder = Path(platformdirs.user_data_dir("villagehelper-server", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return _url_text(sqlite_url(folder / "server.sqlite3"))


def resolve_url(given: str | None) -> str:
    """The database URL from ``--db``, the environment or the default; a plain file path
    (no ``scheme://``) means a SQLite file there, whatever characters its folders have."""
    chosen = given or os.environ.get(SERVER_DB_ENV) or default_url()
    return chosen if "://" in chosen else _url_text(sqlite_url(Path(chosen).absolute()))


def _url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@dataclass
class ServerDB:
    url: str
    engine: Engine
    clock: Callable[[], datetime] = field(default=utc_now)
    # Which stretch of its history this database serves (epochs.py), set once it is open.
    epochs: EpochState = field(init=False, repr=False)
    _writers: sessionmaker[Session] = field(init=False, repr=False)
    _readers: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._writers = sessionmaker(
            self.engine.execution_options(begin_immediate=True), expire_on_commit=False
        )
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._readers, "after_flush", _note_flush)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._writers.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._readers() as session:
            yield session
            # Ended by COMMIT rather than the ROLLBACK closing would send: psycopg forgets
            # every statement it had prepared at each ROLLBACK (one could have undone what
            # they name), so with reads ending that way PostgreSQL planned nearly every
            # statement of the server again at each execution.  What a reader wrote, by
            # mistake, is still rolled back.
            if session.in_transaction() and not _wrote(session):
                session.commit()

    def close(self) -> None:
        self.engine.dispose()


_WROTE = "villagehelper.wrote"  # set in a reading session's info by its first flush


def _note_flush(session: Session, _context: object) -> None:
    session.info[_WROTE] = True


def _wrote(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


def overwrite_what_is_freed(session: Session) -> None:
    """From here on in this transaction's connection, what SQLite frees is overwritten,
    not left readable in the file: Debian's SQLite does it by default, Python's on
    Windows does not (PostgreSQL's dead rows are VACUUM's business)."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA secure_delete = ON")


def open_server_db(url: str | None = None, *, clock: Callable[[], datetime] = utc_now) -> ServerDB:
    """Open the server database: its schema made or upgraded (schema_upgrade.py), its
    catalog written on first use."""
    resolved = resolve_url(url)
    try:
        if resolved.startswith("sqlite"):
            database = make_url(resolved).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(
                resolved,
                hide_parameters=True,
                connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            )
            configure_sqlite(engine)
        else:
            # As many connections as the threads FastAPI runs endpoints in (anyio's 40):
            # with 30, requests waited for a connection while pushes holding theirs
            # waited for the feed counter, then one lock for every commune (a profile of
            # benchmarks/load.py, 200 laptops).  All of them kept open: a connection
            # opened for a busy moment and closed after it costs PostgreSQL a new backend
            # and loses the statements psycopg prepared on it, so under a province's load
            # PostgreSQL spent about twice the CPU per request with 20 kept and 20 more
            # opened and closed as needed (benchmarks/README.md, "A province").
            engine = create_engine(
                resolved,
                pool_size=CONNECTIONS_PER_PROCESS,
                max_overflow=0,
                pool_pre_ping=True,
                hide_parameters=True,
            )
        keep_values_out_of_errors(engine)
        db = ServerDB(resolved, engine, clock)
        try:
            _prepare(db)
        except BaseException:
            engine.dispose()  # a refused database is let go of at once
            raise
    except OperationalError as exc:
        raise UserError(
            f"Không mở được cơ sở dữ liệu máy chủ ({_safe(resolved)}): {exc.orig}",
            f"Cannot open the server database ({_safe(resolved)}): {exc.orig}",
        ) from exc
    return db


def _safe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    head, sep, tail = url.partition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{tail}"


def _prepare(db: ServerDB) -> None:
    upgrade(db.engine, _safe(db.url))
    with db.transaction() as session:
        info = session.get(SchemaInfo, 1)
        if info is None:
            session.add(SchemaInfo(id=1, version=SCHEMA_INFO_VERSION))
            session.flush()
            _seed_catalog(session)
        elif info.version < SCHEMA_INFO_VERSION:
            info.version = SCHEMA_INFO_VERSION  # adopted: older servers now refuse it
    db.epochs = prepare_epochs(db)


def _seed_catalog(session: Session) -> None:
    versions = VersionClock(session, CATALOG, expected=len(FIRST_CATALOG))
    for index, (code, label_vi, label_en, basic_skill) in enumerate(FIRST_CATALOG):
        fields = {
            "label_vi": label_vi,
            "label_en": label_en,
            "active": True,
            "sort_order": (index + 1) * 10,
            "basic_skill": basic_skill,
        }
        version = versions.next()
        session.add(
            Record(
                entity="service",
                row_id=code,
                commune_code=CATALOG,
                version=version,
                fields=canonical_json(fields),
                field_versions=canonical_json({name: [version, ""] for name in fields}),
                deleted=False,
            )
        )
