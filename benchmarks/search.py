"""Household search as a volunteer types it, one keystroke at a time.

Queries are real names and phone numbers from the dataset, typed without diacritics
(as most volunteers do): the head's full name, a member's given name, "family given",
or the first digits of a phone number.  Every prefix is one call of
``find_households``, the function the search box calls on each keystroke.

Baselines, per keystroke:
- the FTS5 statement that ``find_households`` itself sent, replayed through a raw
  ``sqlite3`` connection (captured, not rewritten, so it is exactly the same SQL): the
  gap is what the ORM, the hits query and the ranking cost;
- an unindexed ``LIKE '%token%'`` scan of the same search texts copied into a plain
  table: what the search would cost without the trigram index.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from benchmarks.measure import Row, Stats, time_each
from villagehelper.ops.households import find_households
from villagehelper.store.connect import connect
from villagehelper.store.engine import Store
from villagehelper.store.search_index import query_tokens
from villagehelper.text import search_key

MAX_KEYSTROKES = 18  # nobody types a whole long name before picking from the list
_PLAIN_TABLE = "bench_plain_search"


@dataclass(frozen=True)
class SearchFigures:
    ours: Stats
    same_sql: Stats
    unindexed: Stats
    keystrokes: int


def typed_queries(store: Store, count: int, seed: int) -> list[str]:
    """``count`` whole queries, each to be typed keystroke by keystroke."""
    rng = random.Random(seed)
    with store.engine.connect() as connection:
        heads = (
            connection.exec_driver_sql("SELECT head_name FROM households ORDER BY id")
            .scalars()
            .all()
        )
        members = connection.exec_driver_sql(
            "SELECT full_name, phone FROM members ORDER BY id"
        ).all()
    phones = [str(phone) for _, phone in members if phone]
    queries = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.4:
            query = search_key(rng.choice(heads))
        elif roll < 0.65:
            query = search_key(str(rng.choice(members)[0]).split()[-1])
        elif roll < 0.8:
            words = search_key(str(rng.choice(members)[0])).split()
            query = f"{words[0]} {words[-1]}"
        else:
            query = rng.choice(phones)[: rng.randint(6, 10)]
        queries.append(query)
    return queries


def keystrokes(queries: list[str]) -> list[str]:
    return [
        query[:length]
        for query in queries
        for length in range(1, min(len(query), MAX_KEYSTROKES) + 1)
    ]


class _StatementRecorder:
    """Remembers the last household_search statement the engine sent to SQLite."""

    def __init__(self) -> None:
        self.statement = ""
        self.parameters: Any = ()

    def __call__(
        self,
        _conn: Any,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if "household_search" in statement:
            self.statement, self.parameters = statement, parameters


def _like_scan_sql(tokens: list[str]) -> tuple[str, list[str]]:
    conditions = " AND ".join("search_text LIKE ?" for _ in tokens) or "1"
    return (
        f"SELECT household_id FROM {_PLAIN_TABLE} WHERE {conditions} LIMIT 31",
        [f"%{token}%" for token in tokens],
    )


def run(store: Store, queries: list[str]) -> SearchFigures:
    strokes = keystrokes(queries)
    raw = connect(store.path, store.key)  # encrypted alike when the store is
    try:
        raw.execute(
            f"CREATE TABLE IF NOT EXISTS {_PLAIN_TABLE} AS "
            "SELECT m.household_id, s.search_text FROM household_search s "
            "JOIN household_search_ids m ON m.rowid = s.rowid"
        )
        raw.commit()
        recorder = _StatementRecorder()
        event.listen(store.engine, "before_cursor_execute", recorder)
        captured: list[tuple[str, Any]] = []
        try:
            for stroke in strokes:  # warm-up pass; also captures each keystroke's SQL
                recorder.statement = ""
                find_households(store, stroke)
                captured.append((recorder.statement, recorder.parameters))
        finally:
            event.remove(store.engine, "before_cursor_execute", recorder)
        ours = time_each(strokes, lambda stroke: find_households(store, stroke))
        same_sql = time_each(
            [(sql, params) for sql, params in captured if sql],
            lambda query: raw.execute(*query).fetchall(),
        )
        unindexed = time_each(
            [_like_scan_sql(query_tokens(stroke)) for stroke in strokes],
            lambda query: raw.execute(*query).fetchall(),
        )
    finally:
        raw.close()
    return SearchFigures(Stats.of(ours), Stats.of(same_sql), Stats.of(unindexed), len(strokes))


def rows(figures: SearchFigures, households: int, target: float) -> list[Row]:
    scale = f"{households // 1000}k households" if households >= 1000 else f"{households} hh"
    same = f"raw sqlite3: the same FTS5 SQL ({figures.keystrokes} keystrokes)"
    scan = "raw sqlite3: LIKE '%token%' scan, no index"
    return [
        Row(f"search p50 / keystroke, {scale}", figures.ours.p50, figures.same_sql.p50, "ms", same),
        Row(
            f"search p95 / keystroke, {scale}",
            figures.ours.p95,
            figures.same_sql.p95,
            "ms",
            same,
            target=target,
        ),
        Row(f"search max / keystroke, {scale}", figures.ours.max, figures.same_sql.max, "ms", same),
        Row(
            f"search p95 vs. unindexed, {scale}",
            figures.ours.p95,
            figures.unindexed.p95,
            "ms",
            scan,
        ),
    ]
