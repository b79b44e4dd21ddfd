"""``python -m benchmarks.console_laptops``: what the laptops page and its changes-waiting
count cost.

1. The villages each laptop worked for (``console_figures.laptops.device_village_names``)
   on the demo commune (a copy of the cached dataset, 100,000 sessions by default) as its
   replica, with a server database on SQLite naming the commune's device stamps: the first
   call scans every session; the next ones (every later page view) only what was added.
2. The count a laptop sends on every sync call (``sync.client.changes_waiting``) on a
   store whose outbox holds 1,000, 10,000 and 100,000 changes (inserted in plain SQL).

Baseline, measured in the same run: a plain ``COUNT(*)`` of the commune's sessions.
Speed is measured, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import text

from benchmarks.datasets import DatasetSpec, ensure
from benchmarks.measure import Stats, time_each, timed
from villagehelper.paths import DATABASE_FILE
from villagehelper.server import accounts
from villagehelper.server.console_figures.laptops import device_village_names
from villagehelper.server.database import open_server_db
from villagehelper.server.tables import Device, DeviceStamp
from villagehelper.store.engine import Store, open_store
from villagehelper.sync.client import changes_waiting

REPEAT = 50
OUTBOX_SIZES = (1_000, 10_000, 100_000)
_OUTBOX_ROW = text(
    "INSERT INTO outbox (change_id, entity, row_id, op, base_version, payload, created_at)"
    " VALUES (:change, 'household', :row, 'insert', NULL, '{\"head_name\": \"Lò Văn A\"}',"
    " '2026-12-07T00:00:00.000000Z')"
)


def _ms(stats: Stats) -> str:
    return f"p50 {stats.p50 * 1000:.2f} ms, p95 {stats.p95 * 1000:.2f} ms (n={stats.count})"


def village_names_times(store: Store, folder: Path) -> None:
    with store.engine.connect() as connection:
        code = connection.execute(text("SELECT code FROM communes")).scalar_one()
        stamps = connection.execute(text("SELECT DISTINCT device_id FROM help_sessions")).all()
    db = open_server_db(f"sqlite:///{folder / 'server.sqlite3'}")
    try:
        accounts.add_commune(db, code, "Xã")
        with db.transaction() as session:
            for number, (stamp,) in enumerate(stamps):
                device = f"may-{number}"
                session.add(
                    Device(
                        id=device,
                        commune_code=code,
                        role="volunteer",
                        name=device,
                        token_hash="-",
                        created_at=db.clock(),
                    )
                )
                session.flush()
                session.add(DeviceStamp(stamp=stamp, device_id=device))
        count = "SELECT count(*) FROM help_sessions"
        with store.engine.connect() as connection:
            baseline = Stats.of(
                time_each(range(REPEAT), lambda _: connection.execute(text(count)).scalar())
            )
        cold = timed(lambda: device_village_names(db, store, code))
        warm = Stats.of(time_each(range(REPEAT), lambda _: device_village_names(db, store, code)))
        print(f"baseline COUNT(*) of the sessions: {_ms(baseline)}")
        print(f"villages of {len(stamps)} laptop(s), first call (full scan): {cold * 1000:.0f} ms")
        print(f"villages of the laptops, later calls: {_ms(warm)}")
    finally:
        db.close()


def _fill_outbox(store: Store, size: int) -> None:
    rows = [{"change": str(uuid.uuid4()), "row": str(uuid.uuid4())} for _ in range(size)]
    with store.engine.begin() as connection:
        connection.execute(_OUTBOX_ROW, rows)
    if changes_waiting(store) != size:
        raise RuntimeError("the outbox was not filled")


def _count_times(store: Store) -> Stats:
    return Stats.of(time_each(range(REPEAT * 4), lambda _: changes_waiting(store)))


def waiting_times(folder: Path) -> None:
    for size in OUTBOX_SIZES:
        store = open_store(folder / f"outbox-{size}")
        try:
            _fill_outbox(store, size)
            print(f"changes waiting with {size:,} in the outbox: {_ms(_count_times(store))}")
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.console_laptops")
    parser.add_argument("--households", type=int, default=30_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    dataset = ensure(DatasetSpec(args.households, args.sessions, args.seed))
    print(f"dataset: {dataset.spec.label}")
    with tempfile.TemporaryDirectory(prefix="vh-bench-laptops-") as work:
        folder = Path(work)
        (folder / "commune").mkdir()
        shutil.copyfile(dataset.database, folder / "commune" / DATABASE_FILE)
        store = open_store(folder / "commune")
        try:
            village_names_times(store, folder)
        finally:
            store.close()
        waiting_times(folder)


if __name__ == "__main__":
    main()
