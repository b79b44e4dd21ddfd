"""The throttles' token buckets kept in PostgreSQL (server/shared_limits.py): the same
decisions as one process's buckets in memory (limits.RateLimiter), refilled over time,
exact under many threads at once, forgotten once full again; and the choice of kind
from the database.  A real PostgreSQL database each test (``VILLAGEHELPER_TEST_PG_URL``).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.sync_support import fresh_postgres_database, postgres_admin_url
from villagehelper.errors import UserError
from villagehelper.server.cli.serve import READY_LINE
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.limits import THROTTLES_ENV, RateLimiter, Throttles
from villagehelper.server.shared_limits import (
    BUCKETS,
    BlockingCallOnEventLoopError,
    SharedRateLimiter,
    buckets_for,
)


class Seconds:
    """A clock the test moves: seconds, as both kinds of bucket read them."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pg_db() -> Iterator[ServerDB]:
    with fresh_postgres_database(postgres_admin_url()) as url:
        db = open_server_db(url)
        yield db
        db.close()


def _rows(db: ServerDB, kind: str) -> int:
    with db.engine.connect() as connection:
        found = connection.execute(
            select(func.count()).select_from(BUCKETS).where(BUCKETS.c.kind == kind)
        )
        return int(found.scalar_one())


def test_a_bucket_in_the_database_decides_as_one_in_memory(pg_db: ServerDB) -> None:
    """Random calls, waits and keys: every answer of the database's buckets equals the
    in-memory bucket's (the one a single process uses) on the same calls.  Rates and
    waits are powers of two, so both count exactly and no rounding can differ."""
    for seed, (rate, burst) in enumerate([(0.5, 3), (0.25, 10), (4.0, 1), (2.0, 5)]):
        rng = random.Random(seed)
        clock = Seconds()
        shared = SharedRateLimiter(pg_db.engine, f"check-{seed}", rate, burst, clock=clock)
        memory = RateLimiter(rate, burst, clock=clock)
        answers: list[bool] = []
        for step in range(150):
            clock.now += rng.choice([0.0, 0.0, 0.125, 0.5, 1.0, 2.0, 8.0])
            key = rng.choice(["a", "b", "c"])
            if rng.random() < 0.25:
                pair = (shared.exhausted(key), memory.exhausted(key))
            else:
                pair = (shared.allow(key), memory.allow(key))
            assert pair[0] == pair[1], f"seed {seed}, step {step}, key {key}: {pair}"
            answers.append(pair[1])
        # Both answers occur: the sequence did reach empty buckets and refills.
        assert len(set(answers)) == 2


def test_a_bucket_refills_at_its_rate_and_never_past_its_burst(pg_db: ServerDB) -> None:
    clock = Seconds()
    bucket = SharedRateLimiter(pg_db.engine, "refill", 0.5, 3, clock=clock)  # one per 2 s
    assert [bucket.allow("laptop") for _ in range(4)] == [True, True, True, False]
    assert bucket.exhausted("laptop")
    clock.now += 1.9
    assert not bucket.allow("laptop")  # refused calls spend nothing and move nothing
    clock.now += 0.1
    assert not bucket.exhausted("laptop")
    assert [bucket.allow("laptop") for _ in range(2)] == [True, False]
    clock.now += 3600  # an hour idle: full again, three and no more
    assert [bucket.allow("laptop") for _ in range(4)] == [True, True, True, False]
    assert bucket.allow("another laptop")  # each key its own bucket


def _at_once(bucket: SharedRateLimiter, key: str, threads: int = 16, calls: int = 6) -> int:
    """``threads`` threads released together, each calling ``calls`` times: how many
    calls were let in."""
    start = threading.Barrier(threads)
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer() -> None:
        start.wait()
        mine = [bucket.allow(key) for _ in range(calls)]
        with lock:
            allowed.extend(mine)

    running = [threading.Thread(target=hammer) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert len(allowed) == threads * calls
    return allowed.count(True)


def test_many_threads_at_one_key_get_exactly_the_burst(pg_db: ServerDB) -> None:
    """96 calls at once on a key no row holds yet (any of them may be the one to insert
    it): exactly the burst is let in; ten seconds later, exactly the ten tokens that
    came back; and nothing more while the clock stands still."""
    clock = Seconds()
    bucket = SharedRateLimiter(pg_db.engine, "crowd", 1.0, 40, clock=clock)
    assert _at_once(bucket, "fresh") == 40
    clock.now += 10
    assert _at_once(bucket, "fresh") == 10
    assert _at_once(bucket, "fresh") == 0


def test_full_buckets_are_forgotten_now_and_then_not_on_every_call(pg_db: ServerDB) -> None:
    clock = Seconds()
    lazy = SharedRateLimiter(pg_db.engine, "old", 1.0, 2, clock=clock, forget_every=3600)
    for number in range(30):
        assert lazy.allow(f"address-{number}")
    assert lazy.allow("busy") and lazy.allow("busy")
    clock.now += 1.5  # the thirty are full again (one token each, back in 1 s); busy is not
    for number in range(20):
        assert lazy.allow(f"address-{number}")
    assert _rows(pg_db, "old") == 31  # no delete on these calls: not due for an hour
    assert lazy.forget_full() == 10
    assert _rows(pg_db, "old") == 21
    # Forgotten is the same as full; kept, a bucket refilling goes on refilling.
    assert [lazy.allow("address-29") for _ in range(3)] == [True, True, False]
    assert [lazy.allow("busy") for _ in range(2)] == [True, False]  # 1.5 tokens back
    eager = SharedRateLimiter(pg_db.engine, "old", 1.0, 2, clock=clock, forget_every=0)
    clock.now += 10
    assert eager.allow("address-0")  # due at once: after this call, the full ones go
    assert _rows(pg_db, "old") == 1


def test_the_database_clock_is_used_unless_one_is_given(pg_db: ServerDB) -> None:
    bucket = SharedRateLimiter(pg_db.engine, "real-time", 1e-3, 2)
    assert [bucket.allow("laptop") for _ in range(3)] == [True, True, False]
    with pg_db.engine.connect() as connection:
        now = connection.execute(text("SELECT EXTRACT(EPOCH FROM now())")).scalar_one()
        full_at = connection.execute(
            select(BUCKETS.c.full_at).where(BUCKETS.c.kind == "real-time")
        ).scalar_one()
    # Two tokens of 1000 s each spent a moment ago, by the database's clock.
    assert 1990 < full_at - float(now) <= 2000


def test_a_check_on_the_event_loop_is_refused(pg_db: ServerDB) -> None:
    """Every request would wait for a database call made on the event loop: the checks
    run in the worker threads the sync endpoints and dependencies run in."""
    bucket = SharedRateLimiter(pg_db.engine, "loop", 1.0, 2)

    async def in_the_loop() -> bool:
        return bucket.allow("laptop")

    with pytest.raises(BlockingCallOnEventLoopError):
        asyncio.run(in_the_loop())
    assert _rows(pg_db, "loop") == 0


def test_the_buckets_table_writes_no_write_ahead_log(pg_db: ServerDB) -> None:
    """Written on every call: UNLOGGED, so a call waits for no log flush (a crash
    empties it, and the limits start full, as a restarted process's do)."""
    with pg_db.engine.connect() as connection:
        persistence = connection.execute(
            text("SELECT relpersistence FROM pg_class WHERE relname = 'rate_buckets'")
        ).scalar_one()
    assert persistence == "u"


def test_postgres_shares_its_buckets_and_sqlite_keeps_them_in_memory(
    pg_db: ServerDB, tmp_path: Path
) -> None:
    assert isinstance(buckets_for(pg_db)("device", 20.0, 120), SharedRateLimiter)
    lite = open_server_db(f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}")
    try:
        assert isinstance(buckets_for(lite)("device", 20.0, 120), RateLimiter)
    finally:
        lite.close()


def test_throttles_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THROTTLES_ENV, "device_rate=0.5, device_burst=7,enrol_burst=2")
    assert Throttles.from_environment() == Throttles(device_rate=0.5, device_burst=7, enrol_burst=2)
    monkeypatch.delenv(THROTTLES_ENV)
    assert Throttles.from_environment() == Throttles()
    for wrong in ("device_burst=1.5", "device_rate=0", "speed=3", "device_rate=nan", "x"):
        with pytest.raises(UserError) as refused:
            Throttles.parse(wrong)
        assert refused.value.message_vi.startswith(THROTTLES_ENV + " có mục không hiểu được")
        assert "device_rate" in refused.value.message_en


def test_the_server_will_not_run_with_throttles_it_cannot_read(tmp_path: Path) -> None:
    db = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "villagehelper.server.cli", "--db", db, "serve", "--port", "0"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        env={**os.environ, THROTTLES_ENV: "device_rate=20,device_burst=lots"},
    )
    assert done.returncode == 1, (done.stdout, done.stderr)
    vietnamese, english = done.stderr.splitlines()[:2]
    assert "có mục không hiểu được: 'device_burst=lots'" in vietnamese
    assert "has an item it cannot read: 'device_burst=lots'" in english
    assert "Traceback" not in done.stderr
    assert READY_LINE not in done.stdout  # refused before it said it was serving
