"""The weekly report's tally engine: one ISO week and year-to-date (the targets), and,
without a target, a past month and one village's year to date.

Measured: :func:`villagehelper.tally.compute_tally` (period counts, previous period,
lũy kế, open follow-ups, the basic-skills indicator).  Baseline, in the same run: one
raw sqlite3 ``GROUP BY service_code`` with ``COUNT(DISTINCT …)`` over the same range on
``help_sessions`` alone, i.e. the least any per-service tally has to do without the
summary tables.  A period that ends before the last session (the past month) counts its
distinct people over its own sessions, so that row shows the slower path.
"""

from __future__ import annotations

import sqlite3
import statistics
from datetime import UTC, date, datetime, timedelta
from functools import partial

from benchmarks.measure import Row, timed
from villagehelper.clock import to_vietnam
from villagehelper.store.engine import Store
from villagehelper.store.models import utc_text
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import Period, custom, month, week_containing

REPEAT = 5
WEEK_TARGET = 0.100
YEAR_TARGET = 0.300
_RAW_GROUP_BY = (
    "SELECT service_code, count(*), count(DISTINCT member_id), count(DISTINCT household_id)"
    " FROM help_sessions WHERE occurred_at >= ? AND occurred_at < ? AND voided = 0"
    " {village} GROUP BY service_code"
)
_IN_VILLAGE = "AND household_id IN (SELECT id FROM households WHERE village_id = ?)"


def _raw_tally(raw: sqlite3.Connection, period: Period, village_id: str | None) -> int:
    bounds: tuple[str, ...] = (utc_text(period.start), utc_text(period.end))
    sql = _RAW_GROUP_BY.format(village=_IN_VILLAGE if village_id else "")
    rows = raw.execute(sql, (*bounds, village_id) if village_id else bounds).fetchall()
    return len(rows)


def _last_day(raw: sqlite3.Connection) -> date:
    # The data's own last day, so that "this week" is a full week of the demo.
    latest = raw.execute("SELECT max(occurred_at) FROM help_sessions").fetchone()[0]
    if latest is None:
        raise ValueError("the store has no sessions to tally")
    moment = datetime.strptime(latest, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return to_vietnam(moment).date()


def tally_rows(store: Store) -> list[Row]:
    raw = sqlite3.connect(store.path)
    rows = []
    try:
        sessions = int(raw.execute("SELECT count(*) FROM help_sessions").fetchone()[0])
        last_day = _last_day(raw)
        village_id = raw.execute("SELECT min(id) FROM villages").fetchone()[0]
        before = last_day.replace(day=1) - timedelta(days=1)
        year = custom(date(last_day.year, 1, 1), last_day)
        cases = (
            ("one week", week_containing(last_day), None, WEEK_TARGET),
            ("year to date", year, None, YEAR_TARGET),
            ("a past month", month(before.year, before.month), None, None),
            ("year to date, one village", year, village_id, None),
        )
        for label, period, village, target in cases:
            tally = partial(compute_tally, store, period, village_id=village)
            tally()  # warm-up: page cache and statement cache
            ours = statistics.median(timed(tally) for _ in range(REPEAT))
            baseline = partial(_raw_tally, raw, period, village)
            baseline()
            base = statistics.median(timed(baseline) for _ in range(REPEAT))
            rows.append(
                Row(
                    f"tally {label} ({period.label}), {sessions:,} sessions",
                    ours,
                    base,
                    "ms",
                    "raw sqlite3: GROUP BY service with COUNT(DISTINCT), same range"
                    + (", same village" if village else ""),
                    target=target,
                )
            )
    finally:
        raw.close()
    return rows
