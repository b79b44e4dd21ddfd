"""How a server process uses its PostgreSQL connections under a province's load: the
statements psycopg prepared on a connection outlive the reads made on it, and the
connections a busy moment opened stay open for the next one (benchmarks/README.md,
"A province": PostgreSQL's CPU per request halved with both)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.sync_support import communes_database, server_database
from villagehelper.server.accounts import add_commune
from villagehelper.server.database import CONNECTIONS_PER_PROCESS, ServerDB
from villagehelper.server.tables import Device, ServerCommune


@pytest.fixture
def postgres_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerDB]:
    with server_database("postgresql", tmp_path, monkeypatch) as url, communes_database(url) as db:
        yield db


def _prepared_here(db: ServerDB) -> int:
    with db.reading() as session:
        held = session.execute(text("SELECT count(*) FROM pg_prepared_statements"))
        return int(held.scalar_one())


def test_a_statement_read_again_and_again_is_prepared_once_and_stays_prepared(
    postgres_db: ServerDB,
) -> None:
    # One thread: the pool hands out its one connection each time.  psycopg prepares a
    # statement at its fifth run; ending each read with a ROLLBACK made it forget them all.
    for _ in range(8):
        with postgres_db.reading() as session:
            session.execute(select(Device).where(Device.id == "no such device")).first()
    assert _prepared_here(postgres_db) >= 1


def test_a_read_that_changed_something_saves_nothing(postgres_db: ServerDB) -> None:
    with postgres_db.reading() as session:
        session.add(ServerCommune(code="99999", name="Xã chỉ đọc", created_at=postgres_db.clock()))
        session.flush()  # sent to the database, in the reader's transaction
    with postgres_db.reading() as session:
        held = session.scalar(select(func.count()).where(ServerCommune.code == "99999"))
    assert held == 0
    add_commune(postgres_db, "99999", "Xã ghi thật")  # the ordinary write still works
    with postgres_db.reading() as session:
        assert session.get(ServerCommune, "99999") is not None


def test_connections_opened_at_a_busy_moment_stay_open_for_the_next(
    postgres_db: ServerDB,
) -> None:
    busy = 30  # more than the 20 kept before; fewer than the most a process may hold
    assert busy < CONNECTIONS_PER_PROCESS
    everyone_in = threading.Barrier(busy)

    def read_together() -> None:
        with postgres_db.reading() as session:
            session.execute(select(func.count()).select_from(Device)).scalar_one()
            everyone_in.wait(timeout=30)  # all connections checked out at once

    threads = [threading.Thread(target=read_together) for _ in range(busy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    pool = postgres_db.engine.pool
    assert pool.checkedin() == busy  # type: ignore[attr-defined]
    with postgres_db.reading() as session:
        backends = session.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        ).scalar_one()
    assert backends >= busy
