"""What a throttle check costs when its buckets are shared in PostgreSQL (issue 19).

``python -m benchmarks.shared_limits --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres``

On a scratch database made on that server (dropped at the end):

- one check (``allow``) in memory, as a SQLite server makes it;
- one check in the database, one thread, the table UNLOGGED (as revision 0006 makes it)
  and then LOGGED (what UNLOGGED saves: the write-ahead log's flush at each commit);
- checks from 8 threads at once over 200 keys (the server's worker threads);
- a whole authenticated request (a one-row download) through the app, for scale.

Every request of a laptop makes one check (its device's bucket); a wrong token two, a
wrong enrolment code one.  Measured, never asserted.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import text

from benchmarks.measure import Stats
from tests.sync_support import COMMUNE, fresh_postgres_database
from villagehelper.exchange import wire
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.embedded import EmbeddedServer
from villagehelper.server.limits import RateLimiter, Throttles
from villagehelper.server.shared_limits import SharedRateLimiter

CHECKS = 3000
KEYS = 200


def _each(check: Callable[[str], bool], count: int = CHECKS) -> Stats:
    samples = []
    for number in range(count):
        started = time.perf_counter()
        check(f"device-{number % KEYS}")
        samples.append(time.perf_counter() - started)
    return Stats.of(samples)


def _threads(check: Callable[[str], bool], threads: int = 8) -> float:
    """Checks per second with ``threads`` threads calling at once."""
    per_thread = CHECKS // threads
    start = threading.Barrier(threads + 1)

    def run(offset: int) -> None:
        start.wait()
        for number in range(per_thread):
            check(f"device-{(number + offset) % KEYS}")

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(run, offset * 7) for offset in range(threads)]
        start.wait()
        began = time.perf_counter()
        for future in futures:
            future.result()
    return per_thread * threads / (time.perf_counter() - began)


def _request(db: ServerDB) -> Stats:
    server = EmbeddedServer(db, throttles=Throttles(device_rate=1e6, device_burst=10**6))
    try:
        code = accounts.issue_code(db, COMMUNE, "volunteer")
        token = accounts.enrol(db, code, "máy").token
        headers = {wire.PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"}
        samples = []
        with requests.Session() as http:
            for _ in range(500):
                started = time.perf_counter()
                answer = http.get(
                    server.url + "/v1/changes", params={"since": 0, "limit": 1}, headers=headers
                )
                samples.append(time.perf_counter() - started)
                answer.raise_for_status()
        return Stats.of(samples)
    finally:
        server.stop()


def _ms(stats: Stats) -> str:
    return f"p50 {stats.p50 * 1000:.3f} ms, p95 {stats.p95 * 1000:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", required=True, help="a PostgreSQL server (SQLAlchemy URL)")
    args = parser.parse_args()
    memory = RateLimiter(1e6, 10**6)
    print(f"in memory, one thread:             {_ms(_each(memory.allow))}")
    with fresh_postgres_database(args.pg, prefix="vh_bench") as url:
        db = open_server_db(url)
        try:
            accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
            shared = SharedRateLimiter(db.engine, "bench", 1e6, 10**6)
            _each(shared.allow, 300)  # the pool's connections opened, the rows made
            print(f"PostgreSQL UNLOGGED, one thread:   {_ms(_each(shared.allow))}")
            print(f"PostgreSQL UNLOGGED, 8 threads:    {_threads(shared.allow):,.0f} checks/s")
            with db.engine.begin() as connection:
                connection.execute(text("ALTER TABLE rate_buckets SET LOGGED"))
            print(f"PostgreSQL LOGGED, one thread:     {_ms(_each(shared.allow))}")
            print(f"PostgreSQL LOGGED, 8 threads:      {_threads(shared.allow):,.0f} checks/s")
            with db.engine.begin() as connection:
                connection.execute(text("ALTER TABLE rate_buckets SET UNLOGGED"))
            print(f"a one-row download, whole request: {_ms(_request(db))}")
        finally:
            db.close()


if __name__ == "__main__":
    main()
