"""Helpers for the console figures' tests: replicas on a server whose clock the test
moves, and a recount of a commune's sessions in plain SQL and Python over the server's
own rows (the feed's JSON documents), independent of the tally engine and the replicas."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import FakeClock
from tests.sync_support import LoopbackServer
from villagehelper.server.database import ServerDB
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.tally.periods import Period, iso_week

WEEK = iso_week(2026, 48)  # the test clock's week: Monday 23 November 2026
SERVER_START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest.fixture
def replicas(sync_server: LoopbackServer, tmp_path: Path) -> Iterator[CommuneReplicas]:
    """The console's replicas of the communes of ``sync_server``, whose clock starts at
    ``SERVER_START`` and moves only when the test moves it."""
    sync_server.db.clock = FakeClock(SERVER_START)
    made = CommuneReplicas(sync_server.db, tmp_path / "console-replicas")
    yield made
    made.close()


@dataclass
class Recount:
    sessions: int = 0
    done: int = 0
    follow_up: int = 0
    failed: int = 0
    households: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        return (
            self.sessions,
            len(self.people),
            len(self.households),
            self.done,
            self.follow_up,
            self.failed,
        )


@dataclass
class CommuneRecount:
    total: Recount = field(default_factory=Recount)
    by_village: dict[str, Recount] = field(default_factory=lambda: defaultdict(Recount))
    by_service: dict[str, Recount] = field(default_factory=lambda: defaultdict(Recount))


def recount(db: ServerDB, commune_code: str, period: Period) -> CommuneRecount:
    """Sessions of the commune not voided whose instant lies in the period's UTC bounds,
    by village name (of the household) and by service."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT entity, row_id, fields, deleted FROM records WHERE commune_code = :c"),
            {"c": commune_code},
        ).all()
    documents: dict[str, dict[str, dict[str, object]]] = defaultdict(dict)
    for entity, row_id, fields, deleted in rows:
        if not deleted:
            documents[entity][row_id] = json.loads(fields)
    voided = {str(void["session_id"]) for void in documents["session_void"].values()}
    villages = {key: str(row["name"]) for key, row in documents["village"].items()}
    households = documents["household"]
    result = CommuneRecount()
    for session_id, session in documents["help_session"].items():
        if session_id in voided or session.get("voided"):
            continue
        at = datetime.fromisoformat(str(session["occurred_at"]).replace("Z", "+00:00"))
        if not period.start <= at < period.end:
            continue
        household = str(session["household_id"])
        village = villages[str(households[household]["village_id"])]
        person = str(session.get("member_id") or f"household:{household}")
        for bucket in (
            result.total,
            result.by_village[village],
            result.by_service[str(session["service_code"])],
        ):
            bucket.sessions += 1
            outcome = str(session["outcome"])
            bucket.done += outcome == "done"
            bucket.follow_up += outcome == "follow_up"
            bucket.failed += outcome == "failed"
            bucket.households.add(household)
            bucket.people.add(person)
    return result


def counts_tuple(counts: object) -> tuple[int, ...]:
    names = ("sessions", "people", "households", "done", "follow_up", "failed")
    return tuple(int(getattr(counts, name)) for name in names)
