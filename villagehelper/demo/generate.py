"""``villagehelper demo``: fill an empty data dir with a year of realistic demo data.

Reproducible: the same seed, sizes and clock give the same rows and ids (ids are UUIDv7
drawn from the seed and the event time).  Only the device id differs between data dirs,
because demo sessions are logged by this laptop like any other.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from villagehelper.clock import vietnam_day_bounds
from villagehelper.demo.ids import IdMaker
from villagehelper.demo.population import PopulationBuilder
from villagehelper.demo.schedule import YearCalendar
from villagehelper.demo.visits import SessionSimulator
from villagehelper.demo.writer import BulkWriter
from villagehelper.errors import UserError
from villagehelper.ops.team import set_commune
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Household, Setting, TeamMember, Village

DEMO_COMMUNE_CODE = "10999"  # Xã Gia Lộc, Thành phố Hải Phòng
DEMO_SETTING = "demo_data"  # the sync layer refuses to upload a store flagged with it
# Bounded transactions keep the WAL file small at a million sessions; a few are enough.
EVENTS_PER_TRANSACTION = 100_000
_PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class DemoSummary:
    commune_name: str
    villages: int
    team_members: int
    households: int
    members: int
    sessions: int
    voided: int


def generate_demo(
    store: Store,
    *,
    households: int = 300,
    sessions: int = 1200,
    seed: int = 2025,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Bind ``store`` to Xã Gia Lộc and fill it; refuse if it already holds real data.

    ``progress(done, total)`` counts households and sessions written.
    """
    if households < 1 or sessions < 0:
        raise ValueError("the demo needs at least one household and no negative sessions")
    report = progress or _no_progress
    with store.reading() as session:
        _refuse_existing_data(session)
    commune = set_commune(store, DEMO_COMMUNE_CODE)
    total = households + sessions
    report(0, total)

    rng = random.Random(f"villagehelper-demo/{seed}")
    ids = IdMaker(f"villagehelper-demo-ids/{seed}")
    calendar = YearCalendar(rng, store.now())
    year_start = vietnam_day_bounds(calendar.days[0])[0]
    with store.transaction() as session:
        _refuse_existing_data(session)  # again, under the write lock
        session.merge(Setting(key=DEMO_SETTING, value="1"))
        session.flush()
        writer = BulkWriter(session.connection(), ids)
        population = PopulationBuilder(
            rng,
            ids,
            writer,
            commune.code,
            entered_from=year_start - timedelta(days=10) + timedelta(hours=8),
            entered_until=year_start - timedelta(hours=1),
        ).build(households, lambda done: report(done, total))
        writer.flush()

    simulator = SessionSimulator(rng, ids, calendar, population.villages, store.device_id)
    events = simulator.events(sessions)
    written = 0
    while chunk := list(islice(events, EVENTS_PER_TRANSACTION)):
        with store.transaction() as session:
            writer = BulkWriter(session.connection(), ids)
            for event in chunk:
                writer.insert(*event)
                if event.model is HelpSession:
                    written += 1
                    if written % _PROGRESS_EVERY == 0:
                        report(households + written, total)
            writer.flush()
    report(total, total)
    return DemoSummary(
        commune_name=commune.name,
        villages=len(population.villages),
        team_members=population.team_members,
        households=population.households,
        members=population.members,
        sessions=written,
        voided=simulator.voided,
    )


def _no_progress(done: int, total: int) -> None:
    return None


def _refuse_existing_data(session: Session) -> None:
    for model in (Household, Village, TeamMember):
        if session.scalar(select(exists().select_from(model))):
            raise UserError(
                "Thư mục dữ liệu này đã có dữ liệu (hộ, thôn hoặc thành viên tổ). Dữ liệu "
                "mẫu chỉ tạo trong thư mục trống để không lẫn với dữ liệu thật: hãy dùng "
                "--data-dir với một thư mục mới.",
                "This data folder already holds data; demo data only goes into an empty "
                "one (use --data-dir with a new folder).",
            )
