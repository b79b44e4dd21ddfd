"""Token buckets every server process shares, kept in PostgreSQL; and the choice between
them and one process's buckets in memory (:func:`buckets_for`).

Several server processes on one PostgreSQL database (``serve --workers``) each with their
own buckets in memory would let a device, or a guesser, go N times as fast.  So on
PostgreSQL each bucket is a row of ``rate_buckets``, and each check is ONE statement
(an ``INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING``): PostgreSQL locks the row,
so two processes checking the same key at once are served one after the other, each
seeing what the other spent — never read, then decide, then write.

A bucket is kept as the moment it is full again (the "theoretical arrival time" of the
generic cell rate algorithm): with ``T = 1 / rate``, its level at ``now`` is
``burst - max(0, full_at - now) / T``, which is exactly the token bucket of
:class:`limits.RateLimiter` — a token spent moves ``full_at`` on by ``T`` from
``max(full_at, now)``, a call is let in while ``full_at - now <= (burst - 1) * T``.
One number, no separate "last refill": a refused call writes nothing, and a row whose
``full_at`` has passed is a full bucket, the same as no row, so forgetting old keys is
one ``DELETE … WHERE full_at <= now`` now and then (:meth:`SharedRateLimiter.forget_full`),
not a delete per call.

The clock is the database's (``statement_timestamp()``, fixed for the statement): the one
clock every process agrees on, on one machine or several.  Should it step forward, buckets
fill (never past full: ``max``); back, they look emptier for as long as the step.  Tests
pass their own clock.

On SQLite the server is one process (the database is a file on its PC): its buckets stay
in memory, which is faster and holds the same limits.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import cast

from sqlalchemy import Double, Table, bindparam, delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from villagehelper.server.database import ServerDB
from villagehelper.server.limits import LimiterFactory, RateLimiter
from villagehelper.server.tables import RateBucket

KEY_LENGTH = 64  # rate_buckets.key: an IPv6 address is at most 45 characters, an id 36
# How often one process deletes the buckets that are full again: a minute keeps the
# table to the keys seen in the last minute plus those still refilling.
FORGET_EVERY_SECONDS = 60.0

BUCKETS = cast(Table, RateBucket.__table__)
# Seconds since 1970 by the database's clock, the same all through one statement.
DATABASE_NOW: ColumnElement[float] = literal_column(
    "CAST(EXTRACT(EPOCH FROM statement_timestamp()) AS DOUBLE PRECISION)"
)


class BlockingCallOnEventLoopError(RuntimeError):
    """A database check was made on the event loop: every request would wait for it."""


class SharedRateLimiter:
    """The token buckets of one throttle (``kind``), in the database's ``rate_buckets``."""

    def __init__(
        self,
        engine: Engine,
        kind: str,
        rate_per_second: float,
        burst: int,
        *,
        clock: Callable[[], float] | None = None,
        forget_every: float = FORGET_EVERY_SECONDS,
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError(f"a bucket needs a positive rate and burst, not {rate_per_second}")
        self.engine = engine
        self.clock = clock
        interval = 1.0 / rate_per_second  # seconds one token takes to come back
        tolerance = (burst - 1) * interval  # how far ahead of now full_at may run
        self._statements = _Statements(kind, interval, tolerance, clock is not None)
        self._forget_every = forget_every
        self._next_forget = time.monotonic() + forget_every
        self._forgetting = threading.Lock()

    def allow(self, key: str) -> bool:
        _not_on_the_event_loop()
        with self.engine.begin() as connection:
            found = connection.execute(self._statements.spend, self._params(key)).first()
        self._forget_now_and_then()
        return found is not None

    def exhausted(self, key: str) -> bool:
        _not_on_the_event_loop()
        with self.engine.connect() as connection:
            empty = connection.execute(self._statements.empty, self._params(key)).scalar()
        return bool(empty)

    def forget_full(self) -> int:
        """Delete this throttle's buckets that are full again; how many went."""
        with self.engine.begin() as connection:
            return connection.execute(self._statements.forget, self._params()).rowcount

    def _params(self, key: str | None = None) -> dict[str, str | float]:
        """The statement's parameters: the key, and the moment when not the database's."""
        given: dict[str, str | float] = {} if self.clock is None else {"now": self.clock()}
        if key is not None:
            given["bucket_key"] = key[:KEY_LENGTH]
        return given

    def _forget_now_and_then(self) -> None:
        # At most once a minute per process, by whichever call finds it due (the others
        # do not wait for it): bounded growth without a delete on every call.
        if time.monotonic() < self._next_forget or not self._forgetting.acquire(blocking=False):
            return
        try:
            self._next_forget = time.monotonic() + self._forget_every
            self.forget_full()
        finally:
            self._forgetting.release()


class _Statements:
    """One throttle's three statements, built once (building one per call cost more
    than running it): the key, and the moment if not the database's, are parameters."""

    def __init__(self, kind: str, interval: float, tolerance: float, given_clock: bool) -> None:
        table = BUCKETS
        now = bindparam("now", type_=Double()) if given_clock else DATABASE_NOW
        key = bindparam("bucket_key", type_=table.c.key.type)
        new = insert(table).values(kind=kind, key=key, full_at=now + interval)
        # A new key's bucket was full: it is let in.  A known one is let in, and moved
        # on by one token, only while it has one; refused, the row is left as it was
        # and nothing comes back.
        self.spend = new.on_conflict_do_update(
            index_elements=[table.c.kind, table.c.key],
            set_={"full_at": func.greatest(table.c.full_at, now) + interval},
            where=table.c.full_at - now <= tolerance,
        ).returning(table.c.full_at)
        self.empty = select(table.c.full_at - now > tolerance).where(
            table.c.kind == kind, table.c.key == key
        )
        self.forget = delete(table).where(table.c.kind == kind, table.c.full_at <= now)


def _not_on_the_event_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # a worker thread, as FastAPI runs the sync endpoints and dependencies
    raise BlockingCallOnEventLoopError(
        "a throttle's database check must run in a worker thread, not on the event loop"
    )


def buckets_for(db: ServerDB) -> LimiterFactory:
    """How the throttles keep their buckets: shared in the database on PostgreSQL
    (several processes may serve it), in this process's memory on SQLite (one does)."""
    if db.is_sqlite:
        return lambda _kind, rate, burst: RateLimiter(rate, burst)
    return lambda kind, rate, burst: SharedRateLimiter(db.engine, kind, rate, burst)
