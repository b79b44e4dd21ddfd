"""Opening the local SQLite store: pragmas, migrations with backup, the Store object."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from villagehelper.clock import Clock, utc_now
from villagehelper.errors import UserError
from villagehelper.ids import new_id
from villagehelper.paths import DATABASE_FILE as DATABASE_FILE
from villagehelper.store import folder_lock, migrate
from villagehelper.store.connect import DATABASE_ERRORS, attach_plain_sql, connect, driver
from villagehelper.store.locations import check_path_length, sqlite_url
from villagehelper.store.models import Commune, Setting
from villagehelper.store.thread_guard import ThreadGuard

BUSY_TIMEOUT_MS = 5000
FEED_CHECKPOINT_PAGES = 16_384  # 64 MB of 4 KB pages (see Store.feed_transaction)


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # WAL lets readers run while a writer commits; FULL makes each commit durable on
    # power loss (a person typed it, we keep it); foreign keys catch dangling ids.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(database: Path, key: bytes | None = None) -> Engine:
    engine = create_engine(
        sqlite_url(database),
        # Parameters hold residents' names: never in an error's text, hence never logged.
        hide_parameters=True,
        **driver_options(database, key, BUSY_TIMEOUT_MS / 1000),
    )
    configure_sqlite(engine)
    return engine


def driver_options(database: Path, key: bytes | None, timeout: float) -> dict[str, Any]:
    """``create_engine`` arguments that open ``database`` through :func:`connect` (the
    migrations' engine too): SQLAlchemy must know the driver to recognise its errors."""
    return {
        "creator": partial(connect, database, key, timeout=timeout, check_same_thread=False),
        "module": driver(key),
    }


def configure_sqlite(engine: Engine) -> None:
    """Pragmas and explicit transactions for a SQLite engine (laptop and server alike)."""
    event.listen(engine, "connect", _sqlite_pragmas)

    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take control
    # so that every transaction starts with an explicit BEGIN (IMMEDIATE for writers).
    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _explicit_begin(connection: Any) -> None:
        # Writers take the write lock up front: a deferred BEGIN that later upgrades to
        # a write can fail with "database is locked" despite the busy timeout.
        immediate = connection.get_execution_options().get("begin_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Store:
    """The open local database of one laptop: hand it to every core operation."""

    path: Path
    engine: Engine
    device_id: str
    clock: Clock = field(default=utc_now)
    # The database key (None: a plain file), for the backups of this store.
    key: bytes | None = field(default=None, repr=False)
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    _readers: sessionmaker[Session] = field(init=False, repr=False)
    # The thread the store refuses (the desktop app's GUI thread; see thread_guard).
    guard: ThreadGuard = field(default_factory=ThreadGuard, init=False, repr=False)

    def __post_init__(self) -> None:
        # Every way in ends in a connection: code that takes ``store.engine`` itself
        # is refused on the forbidden thread as the entry points below are.
        event.listen(self.engine, "engine_connect", lambda _connection: self.guard.check())
        # Operations read the clock from session.info so tests can pin time.
        self._sessions = sessionmaker(
            self.engine.execution_options(begin_immediate=True),
            expire_on_commit=False,
            info={"clock": self.clock},
        )
        self._readers = sessionmaker(
            self.engine, expire_on_commit=False, info={"clock": self.clock}
        )

    @property
    def data_dir(self) -> Path:
        return self.path.parent

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One atomic unit of work: committed on success, rolled back on any error."""
        self.guard.check()
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def feed_transaction(self, attach: tuple[Path, str] | None = None) -> Iterator[Session]:
        """A write transaction with foreign keys unchecked, for pages of the server's feed.

        The feed comes in version order, in which a person or a session can arrive before
        the household it belongs to (the household was edited later, so its version is
        higher).  The feed as a whole is consistent; a page on its own may not be.

        Commits are not forced to disk (``synchronous=NORMAL``): nothing here was typed by a
        person, and the page and the cursor after it are one transaction, so a page lost
        to a power cut is simply downloaded again.  WAL keeps the file consistent either
        way, and the next durable commit makes the pages before it durable too.  For the
        same reason the log is copied into the database file every 64 MB rather than every
        4 MB: a first download writes the whole commune, and every copy waits for the disk.

        ``attach`` (file, schema name) attaches another, plain database file for the
        transaction (SQLite attaches only outside one), as a commune snapshot is.
        """
        self.guard.check()
        with self.engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            # Outside any transaction: SQLite ignores this pragma inside one.
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute("PRAGMA synchronous=NORMAL")
            checkpoint = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            raw.execute(f"PRAGMA wal_autocheckpoint={FEED_CHECKPOINT_PAGES}")
            if attach is not None:
                raw.execute(attach_plain_sql(attach[1], self.key), (str(attach[0]),))
            try:
                with (
                    Session(
                        connection.execution_options(begin_immediate=True),
                        expire_on_commit=False,
                        info={"clock": self.clock},
                    ) as session,
                    session.begin(),
                ):
                    yield session
            finally:
                if attach is not None:
                    raw.execute(f"DETACH DATABASE {attach[1]}")
                raw.execute("PRAGMA foreign_keys=ON")
                raw.execute("PRAGMA synchronous=FULL")
                raw.execute(f"PRAGMA wal_autocheckpoint={int(checkpoint)}")

    @contextmanager
    def reading(self) -> Iterator[Session]:
        self.guard.check()
        with self._readers() as session:
            yield session

    def now(self) -> datetime:
        return self.clock()

    def commune(self) -> Commune | None:
        with self.reading() as session:
            return session.scalars(select(Commune)).first()

    def close(self) -> None:
        self.engine.dispose()


def open_store(
    data_dir: Path,
    *,
    key: bytes | None = None,
    clock: Clock = utc_now,
    on_backup: Callable[[Path], None] | None = None,
    on_wait: folder_lock.Waiting | None = None,
) -> Store:
    """Open (creating or upgrading) the store in ``data_dir``.

    An older database is copied to a timestamped backup before it is upgraded; a
    database written by a newer VillageHelper is refused with :class:`UserError`.
    With ``key`` the database is encrypted: a plain one (and its plain backups) is
    converted first (:mod:`villagehelper.store.encryption`); a key that does not fit
    raises :class:`~villagehelper.store.connect.WrongKeyError`, never damage.
    ``on_wait`` is told when another process is converting or upgrading it first.
    """
    check_path_length(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"Không tạo được thư mục dữ liệu {data_dir}: {exc.strerror}. "
            "Hãy chọn thư mục khác bằng --data-dir.",
            f"Cannot create the data folder {data_dir}: {exc.strerror}.",
        ) from exc
    database = data_dir / DATABASE_FILE
    try:
        # One opener at a time converts and upgrades the file (two copies of the app
        # started together crashed doing it at once); the next finds it done.
        with folder_lock.opening(data_dir, on_wait):
            if key is not None:
                # Only a laptop holds a key: the server's replicas never load SQLCipher.
                from villagehelper.store.encryption import encrypt_data_dir

                encrypt_data_dir(database, key)
            backup = migrate.upgrade(database, clock=clock, key=key)
        if backup is not None and on_backup is not None:
            on_backup(backup)
        engine = make_engine(database, key)
        store = Store(database, engine, device_id="", clock=clock, key=key)
        store.device_id = _ensure_device_id(store)
    except (*DATABASE_ERRORS, DBAPIError) as exc:
        if migrate.is_damage(getattr(exc, "orig", exc)):
            raise migrate.damage_or_missing_key(database, key) from exc
        raise
    return store


def _ensure_device_id(store: Store) -> str:
    with store.transaction() as session:
        setting = session.get(Setting, "device_id")
        if setting is None:
            setting = Setting(key="device_id", value=new_id())
            session.add(setting)
        return setting.value
