"""Log-a-visit commit time: what a volunteer waits for after pressing "Lưu".

Measured: ``log_visit`` of a two-service visit (validation, two sessions, two outbox
entries, one durable commit).  Baseline: the two bare session rows inserted and
committed through a raw ``sqlite3`` connection with the store's pragmas (WAL,
synchronous=FULL, foreign keys), on the same database file.  Both run alternately so
that disk noise hits both alike.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from benchmarks.measure import Row, Stats, timed
from villagehelper.clock import vietnam_today
from villagehelper.ids import new_id
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.ops.sessions import log_visit
from villagehelper.store.connect import connect
from villagehelper.store.engine import BUSY_TIMEOUT_MS, Store
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import HelpSession, utc_text

WARM_UP = 5
_SESSION_COLUMNS = [column.name for column in HelpSession.__table__.columns]
_RAW_INSERT = (
    f"INSERT INTO help_sessions ({', '.join(_SESSION_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _SESSION_COLUMNS)})"
)


@dataclass(frozen=True)
class CommitFigures:
    ours: Stats
    baseline: Stats


def random_visits(store: Store, count: int, seed: int) -> list[VisitInput]:
    """Visits to random households by a volunteer of their own village."""
    rng = random.Random(seed)
    with store.engine.connect() as connection:
        team: dict[str, list[str]] = {}
        for volunteer_id, village_id in connection.exec_driver_sql(
            "SELECT id, village_id FROM team_members ORDER BY id"
        ):
            team.setdefault(village_id, []).append(volunteer_id)
        households = connection.exec_driver_sql(
            "SELECT h.id, h.village_id, min(m.id) FROM households h "
            "JOIN members m ON m.household_id = h.id GROUP BY h.id ORDER BY h.id"
        ).all()
    follow_up = vietnam_today(store.now()) + timedelta(days=7)
    services = [
        ServiceOutcome("VNEID_L2", Outcome.FOLLOW_UP, follow_up_date=follow_up),
        ServiceOutcome("EHEALTH"),
    ]
    picked = [rng.choice(households) for _ in range(count)]
    return [
        VisitInput(household_id, rng.choice(team[village_id]), services, member_id=member_id)
        for household_id, village_id, member_id in picked
    ]


def _raw_connection(store: Store) -> sqlite3.Connection:
    raw = connect(store.path, store.key)  # encrypted alike when the store is
    raw.isolation_level = None
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
    ):
        raw.execute(f"PRAGMA {pragma}")
    return raw


def _raw_visit(raw: sqlite3.Connection, store: Store, visit: VisitInput) -> None:
    now = utc_text(store.now())
    visit_id = new_id()
    raw.execute("BEGIN IMMEDIATE")
    for service in visit.services:
        values: dict[str, Any] = {
            "id": new_id(),
            "visit_id": visit_id,
            "household_id": visit.household_id,
            "member_id": visit.member_id,
            "service_code": service.service_code,
            "outcome": service.outcome,
            "follow_up_date": (
                service.follow_up_date.isoformat() if service.follow_up_date else None
            ),
            "failure_reason": service.failure_reason,
            "note": visit.note,
            "volunteer_id": visit.volunteer_id,
            "occurred_at": now,
            "device_id": store.device_id,
            "replaces_id": None,
            "voided": False,
            "server_version": None,
            "base_version": None,
            "sync_state": "dirty",
            "deleted": False,
            "updated_at": now,
        }
        raw.execute(_RAW_INSERT, [values[name] for name in _SESSION_COLUMNS])
    raw.execute("COMMIT")


def run(store: Store, count: int, seed: int) -> CommitFigures:
    visits = random_visits(store, count + WARM_UP, seed)
    raw = _raw_connection(store)
    ours: list[float] = []
    baseline: list[float] = []
    try:
        for index, visit in enumerate(visits):
            ours_time = timed(partial(log_visit, store, visit))
            base_time = timed(partial(_raw_visit, raw, store, visit))
            if index >= WARM_UP:
                ours.append(ours_time)
                baseline.append(base_time)
    finally:
        raw.close()
    return CommitFigures(Stats.of(ours), Stats.of(baseline))


def rows(figures: CommitFigures, target: float) -> list[Row]:
    base = "raw sqlite3: 2 INSERT + COMMIT, WAL, synchronous=FULL"
    return [
        Row(
            "log-a-visit commit p50 (2 services)",
            figures.ours.p50,
            figures.baseline.p50,
            "ms",
            base,
        ),
        Row(
            "log-a-visit commit p95 (2 services)",
            figures.ours.p95,
            figures.baseline.p95,
            "ms",
            base,
            target=target,
        ),
    ]
