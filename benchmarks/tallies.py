"""Counting sessions over a period at a million sessions (tallies are built on this).

Measured: ``count_sessions`` with a period filter (the query behind the session list's
counter, joining households, villages, services and volunteers).  Baseline: ``COUNT(*)``
over the same period on ``help_sessions`` alone in raw sqlite3.
"""

from __future__ import annotations

import sqlite3
import statistics
from datetime import date, timedelta
from functools import partial

from benchmarks.measure import Row, timed
from villagehelper.clock import vietnam_day_bounds
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import count_sessions
from villagehelper.store.engine import Store
from villagehelper.store.models import utc_text

REPEAT = 5
_RAW_COUNT = (
    "SELECT count(*) FROM help_sessions WHERE occurred_at >= ? AND occurred_at < ? AND voided = 0"
)


def _raw_count(raw: sqlite3.Connection, first: date, last: date) -> int:
    start, end = vietnam_day_bounds(first)[0], vietnam_day_bounds(last)[1]
    return int(raw.execute(_RAW_COUNT, (utc_text(start), utc_text(end))).fetchone()[0])


def run(store: Store, last_day: date, sessions: int) -> list[Row]:
    raw = sqlite3.connect(store.path)
    rows = []
    try:
        for label, days in (("a week", 7), ("a year", 365)):
            first = last_day - timedelta(days=days - 1)
            flt = SessionFilter(start=first, end=last_day)
            count_sessions(store, flt)  # warm-up
            ours = statistics.median(
                timed(partial(count_sessions, store, flt)) for _ in range(REPEAT)
            )
            _raw_count(raw, first, last_day)
            base = statistics.median(
                timed(partial(_raw_count, raw, first, last_day)) for _ in range(REPEAT)
            )
            rows.append(
                Row(
                    f"count sessions in {label}, {sessions:,} sessions",
                    ours,
                    base,
                    "ms",
                    "raw sqlite3: COUNT(*) on help_sessions, same period",
                )
            )
    finally:
        raw.close()
    return rows
