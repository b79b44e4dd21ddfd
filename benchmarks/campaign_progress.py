"""``python -m benchmarks.campaign_progress``: a campaign's progress at district scale.

The district dataset (30,000 households, 100,000 sessions: ``benchmarks/datasets.py``)
gets a campaign of the year's most frequent services with a list of 10,000 of its
people (``--targets``).  Measured: :func:`campaign_progress` (counts by village),
:func:`who_is_left` for the largest village, and :func:`open_campaign_targets` for 200
households (what the log-a-visit screen asks when a household is opened).  Baseline, in
the same run: the one raw sqlite3 select every progress must make (the window's
sessions of the campaign's services for the list's people, fetched), and for the screen
a raw lookup of the household's people on the list.  Speed is measured, never
asserted: the command exits 0.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from benchmarks.datasets import DATA_DIR, DatasetSpec, ensure, working_copy
from benchmarks.measure import Row, table, time_each, timed
from villagehelper.campaigns.progress import campaign_progress, who_is_left
from villagehelper.campaigns.visit_hint import open_campaign_targets
from villagehelper.ids import new_id
from villagehelper.store.engine import Store, open_store
from villagehelper.store.kinds import SyncState, TargetState
from villagehelper.store.models import Campaign, CampaignTarget, Commune, Household, Member

REPEAT = 5
HOUSEHOLDS_ASKED = 200
PROGRESS_TARGET = 1.0  # a screen or a command may take a second for the whole table
CREATED = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
_RAW_PROGRESS = (
    "SELECT member_id, outcome, occurred_at FROM help_sessions "
    "WHERE service_code IN ({marks}) AND voided = 0 AND occurred_at >= ? AND occurred_at < ? "
    "AND member_id IN (SELECT member_id FROM campaign_targets WHERE campaign_id = ?)"
)
_RAW_HINT = (
    "SELECT t.id FROM campaign_targets t JOIN members m ON m.id = t.member_id "
    "WHERE m.household_id = ? AND t.deleted = 0"
)


def _add_campaign(store: Store, targets: int, seed: int) -> tuple[str, tuple[str, ...]]:
    """A campaign written straight into the copy (no outbox: nothing will be synced)."""
    with store.transaction() as session:
        raw = session.connection().exec_driver_sql(
            "SELECT service_code FROM help_sessions GROUP BY service_code "
            "ORDER BY count(*) DESC LIMIT 2"
        )
        codes = tuple(code for (code,) in raw)
        commune = session.scalars(select(Commune.code)).one()
        people = session.execute(
            select(Member.id, Member.household_id, Household.village_id).join(
                Household, Household.id == Member.household_id
            )
        ).all()
        chosen = random.Random(seed).sample(people, min(targets, len(people)))
        campaign = Campaign(
            id=new_id(),
            commune_code=commune,
            name="Chiến dịch đo tốc độ",
            service_codes=",".join(codes),
            deadline=date(2026, 12, 31),
            created_by="console",
            created_at=CREATED,
            closed=False,
            sync_state=SyncState.SYNCED,
            updated_at=CREATED,
        )
        session.add(campaign)
        session.add_all(
            CampaignTarget(
                id=new_id(),
                campaign_id=campaign.id,
                village_id=village_id,
                full_name="Người trong danh sách",
                member_id=member_id,
                household_id=household_id,
                match_state=TargetState.LINKED,
                sync_state=SyncState.SYNCED,
                updated_at=CREATED,
            )
            for member_id, household_id, village_id in chosen
        )
        return campaign.id, codes


def _median(action: Callable[[], object]) -> float:
    action()  # warm-up: page cache and statement cache
    return statistics.median(timed(action) for _ in range(REPEAT))


def run(targets: int, seed: int, work: Path) -> list[Row]:
    dataset = ensure(DatasetSpec(30_000, 100_000, 2025))
    store = open_store(working_copy(dataset, work / "campaign"))
    raw = sqlite3.connect(store.path)
    try:
        campaign_id, codes = _add_campaign(store, targets, seed)
        window = ("2025-12-31T17:00:00.000000Z", "2026-12-31T17:00:00.000000Z")
        sql = _RAW_PROGRESS.format(marks=", ".join("?" for _ in codes))

        def progress() -> object:
            with store.reading() as session:
                return campaign_progress(session, campaign_id)

        with store.reading() as session:
            largest = max(campaign_progress(session, campaign_id).by_village, key=lambda v: v.total)

        def left() -> object:
            with store.reading() as session:
                return who_is_left(session, campaign_id, largest.village_id)

        def baseline() -> object:
            return raw.execute(sql, (*codes, *window, campaign_id)).fetchall()

        base = _median(baseline)
        households = [
            row[0]
            for row in raw.execute(
                "SELECT id FROM households WHERE deleted = 0 ORDER BY random() LIMIT ?",
                (HOUSEHOLDS_ASKED,),
            )
        ]

        def hint(household_id: str) -> object:
            with store.reading() as session:
                return open_campaign_targets(session, household_id)

        ours_hint = time_each(households, hint)
        base_hint = time_each(households, lambda h: raw.execute(_RAW_HINT, (h,)).fetchall())
        label = f"{targets:,} targets, {dataset.spec.label}"
        return [
            Row(
                f"campaign progress by village ({label})",
                _median(progress),
                base,
                "ms",
                "raw select of the window's sessions of the list's people",
                PROGRESS_TARGET,
            ),
            Row(
                f"who is left, largest village ({largest.total:,} targets)",
                _median(left),
                base,
                "ms",
                "the same raw select (whole campaign)",
            ),
            Row(
                f"visit screen: a household's open campaigns, median of {len(households)}",
                statistics.median(ours_hint),
                statistics.median(base_hint),
                "ms",
                "raw lookup of the household's people on the list",
            ),
        ]
    finally:
        raw.close()
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.campaign_progress")
    parser.add_argument("--targets", type=int, default=10_000, help="people on the list")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vh-campaign-") as work:
        print(table(run(args.targets, args.seed, Path(work))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
