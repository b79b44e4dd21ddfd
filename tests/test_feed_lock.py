"""The feed's lock per commune (server/feed_clock.py), on a real database: a commune's
push never waits for another commune's writer; a commune's own writers still commit in
version order, so a laptop reading "above my cursor" never skips a row committed late;
and a laptop ahead of its commune's feed is still refused, however far other communes'
feeds have gone.

Threads hold a transaction open until an Event releases it; every wait is bounded and a
wait that runs out fails the test (none is a sleep standing in for synchronisation).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.sync_support import (
    COMMUNE,
    OTHER_COMMUNE,
    fresh_postgres_database,
    postgres_admin_url,
)
from villagehelper.server import accounts, feed, push_rules
from villagehelper.server.accounts import DeviceScope
from villagehelper.server.batch import IncomingChange
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.feed_clock import VersionClock, commune_end, database_end
from villagehelper.server.push import push
from villagehelper.server.tables import DeviceStamp, Record

BOUND = 30.0  # seconds any wait may take before the test fails


def _village(commune: str, name: str) -> IncomingChange:
    change_id = f"{commune}-{name}"
    fields = {"commune_code": commune, "name": f"Thôn {name}", "kind": "thon"}
    return IncomingChange(change_id, "village", f"v-{change_id}", "insert", None, fields)


def _leader(db: ServerDB, commune: str) -> DeviceScope:
    enrolled = accounts.enrol(db, accounts.issue_code(db, commune, "leader"), "laptop")
    return accounts.authenticate(db, enrolled.token)


class _Held:
    """A transaction of ``commune`` that took its feed's lock (and one version, whose row
    it writes) and holds it in a thread until :meth:`release`."""

    def __init__(self, db: ServerDB, commune: str, row_id: str) -> None:
        self.locked = threading.Event()
        self._release = threading.Event()
        self.version = 0
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(db, commune, row_id))
        self._thread.start()
        assert self.locked.wait(BOUND), "the writer never took its feed's lock"
        assert self.failure is None, self.failure

    def _run(self, db: ServerDB, commune: str, row_id: str) -> None:
        try:
            with db.transaction() as session:
                self.version = VersionClock(session, commune).next()
                session.add(
                    Record(
                        entity="village",
                        row_id=row_id,
                        commune_code=commune,
                        version=self.version,
                        fields='{"name":"Thôn giữ khóa"}',
                        field_versions="{}",
                        deleted=False,
                    )
                )
                # Nothing flushed yet: only the lock keeps another writer out.
                self.locked.set()
                assert self._release.wait(3 * BOUND), "the test never released the writer"
        except BaseException as exc:  # reported by release()
            self.failure = exc
            self.locked.set()

    def release(self) -> None:
        self._release.set()
        self._thread.join(BOUND)
        assert not self._thread.is_alive(), "the held writer did not finish"
        assert self.failure is None, self.failure


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # looked at by the test
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.fixture
def pg_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerDB]:
    """Two communes on PostgreSQL: where writers of different communes can run at once
    (SQLite lets one transaction write at a time, whatever its commune)."""
    monkeypatch.setenv("VILLAGEHELPER_SERVER_STATE", str(tmp_path / "server-state"))
    with fresh_postgres_database(postgres_admin_url()) as url:
        db = open_server_db(url)
        accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
        accounts.add_commune(db, OTHER_COMMUNE, "Xã Tứ Kỳ")
        try:
            yield db
        finally:
            db.close()


def test_a_commune_pushes_while_another_communes_writer_holds_its_feed(pg_db: ServerDB) -> None:
    other = _leader(pg_db, OTHER_COMMUNE)
    held = _Held(pg_db, COMMUNE, "v-held")
    try:
        thread, outcome = _in_thread(lambda: push(pg_db, other, [_village(OTHER_COMMUNE, "B")]))
        thread.join(BOUND)
        finished_while_held = not thread.is_alive()
    finally:
        held.release()
    thread.join(BOUND)
    assert finished_while_held, "the other commune's push waited for this commune's writer"
    assert "error" not in outcome, outcome.get("error")
    [result] = outcome["result"]
    assert result["status"] == "applied"
    # Both written, versions unique across the communes.
    with pg_db.reading() as session:
        versions = {
            row_id: version
            for row_id, version in session.execute(
                select(Record.row_id, Record.version).where(Record.entity == "village")
            )
        }
    assert versions["v-held"] == held.version
    assert versions[f"v-{OTHER_COMMUNE}-B"] == result["version"] != held.version


def test_a_communes_writers_commit_in_order_and_a_reader_skips_nothing(
    server_db: ServerDB,
) -> None:
    leader = _leader(server_db, COMMUNE)
    reader = DeviceScope("reader", COMMUNE, leader.role)
    push(server_db, leader, [_village(COMMUNE, "0")])  # the commune's feed has begun
    start = commune_end_now(server_db, COMMUNE)
    held = _Held(server_db, COMMUNE, "v-first")
    try:
        # A second push of the same commune while the first writer holds its version.
        second, outcome = _in_thread(lambda: push(server_db, leader, [_village(COMMUNE, "2")]))
        if server_db.is_sqlite:
            # SQLite's one writer: the push waits in SQLite's busy handler, out of sight.
            second.join(2.0)  # if it did not wait for the first, it is done by now
        else:
            _until_a_writer_waits(server_db)  # it came to the commune's lock, and waits
        assert second.is_alive(), "the second push did not wait for the first writer"
        seen_early = feed.page(server_db, reader, start, 100)
    finally:
        held.release()
    second.join(BOUND)
    assert not second.is_alive() and "error" not in outcome, outcome.get("error")
    seen_late = feed.page(server_db, reader, seen_early["cursor"], 100)
    read = [row["id"] for row in seen_early["changes"] + seen_late["changes"]]
    # Everything the commune holds above the start was read, each row once.
    with server_db.reading() as session:
        stored = set(
            session.scalars(
                select(Record.row_id).where(Record.commune_code == COMMUNE, Record.version > start)
            )
        )
    assert sorted(read) == sorted(stored) == sorted(["v-first", f"v-{COMMUNE}-2"])
    [result] = outcome["result"]
    assert held.version < result["version"]  # committed first, numbered first


def commune_end_now(db: ServerDB, commune: str) -> int:
    with db.reading() as session:
        return commune_end(session.connection(), commune)


def test_a_laptop_ahead_of_its_communes_feed_is_refused_whatever_other_communes_wrote(
    server_db: ServerDB,
) -> None:
    leader = _leader(server_db, COMMUNE)
    push(server_db, leader, [_village(COMMUNE, "1")])
    # A laptop that read further than this commune's feed goes (a database put back).
    ahead = commune_end_now(server_db, COMMUNE) + 1
    other = _leader(server_db, OTHER_COMMUNE)
    push(server_db, other, [_village(OTHER_COMMUNE, str(n)) for n in range(5)])
    with server_db.reading() as session:
        assert database_end(session) > ahead  # the other commune's feed went past it
    with pytest.raises(feed.FeedBehindError):
        feed.page(server_db, leader, ahead, 100)
    with pytest.raises(feed.FeedBehindError):
        push(server_db, leader, [_village(COMMUNE, "2")], cursor=ahead)
    # At its commune's end, a laptop is not ahead.
    assert feed.page(server_db, leader, ahead - 1, 100)["changes"] == []
    push(server_db, leader, [_village(COMMUNE, "3")], cursor=ahead - 1)


def test_a_stamp_claimed_at_once_from_two_communes_has_one_owner(pg_db: ServerDB) -> None:
    # Two communes' pushes no longer wait for each other: a laptop's stamp (its folder
    # copied to another commune) may be claimed by both at once. The second claim waits
    # for the first and takes its owner, instead of failing on the stamp's key.
    first, second = _leader(pg_db, COMMUNE), _leader(pg_db, OTHER_COMMUNE)
    claimed = threading.Event()
    release = threading.Event()

    def first_claim() -> str:
        with pg_db.transaction() as session:
            owner = push_rules.claim_stamp(session, first.device_id, "stamp-1")
            claimed.set()
            assert release.wait(3 * BOUND)
            return owner

    def second_claim() -> str:
        with pg_db.transaction() as session:
            return push_rules.claim_stamp(session, second.device_id, "stamp-1")

    one, one_outcome = _in_thread(first_claim)
    assert claimed.wait(BOUND)
    two, two_outcome = _in_thread(second_claim)
    _until_a_writer_waits(pg_db)  # the second claim reached the stamp's key
    release.set()
    for thread in (one, two):
        thread.join(BOUND)
        assert not thread.is_alive()
    assert "error" not in two_outcome, two_outcome.get("error")
    assert one_outcome["result"] == two_outcome["result"] == first.device_id
    with pg_db.reading() as session:
        owners = session.execute(select(DeviceStamp.stamp, DeviceStamp.device_id)).all()
    assert owners == [("stamp-1", first.device_id)]


def _until_a_writer_waits(db: ServerDB) -> None:
    """Return once a session of ``db`` waits for a lock another one holds (PostgreSQL's
    own view of its sessions), failing the test after :data:`BOUND` seconds."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + BOUND
    with db.engine.connect() as connection:
        while True:
            found = connection.execute(waiting).scalar()
            # PostgreSQL keeps one picture of its sessions per transaction: a new
            # transaction for each look, or the first look is all the loop ever sees.
            connection.rollback()
            if found:
                return
            assert time.monotonic() < deadline, "no session came to wait for the lock"
