"""Issue 14, Deliver 7: what a sessions import remembers across the whole file is kept
small — the rows already seen as 8-byte digests in flat arrays, each visit's id derived
instead of remembered, and of the sessions it wrote only what a view reads — and it still
finds every repeated row and keeps one visit one visit.

The memory of a 200,000-row import is measured by ``benchmarks/import_memory.py``; here
the last test pins that the import's memory stops growing with its rows.
"""

from __future__ import annotations

import gc
import tracemalloc
import uuid
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.test_transfer_batches import (
    SESSION_HEADER,
    _session,
    _write,
    six_households,  # noqa: F401 (a fixture)
)
from villagehelper.ids import is_valid_id, new_id
from villagehelper.store.engine import Store
from villagehelper.store.models import Household
from villagehelper.transfer.seen_rows import SeenLines, VisitIds
from villagehelper.transfer.sessions import import_sessions

_parts = st.tuples(st.text(max_size=6), st.text(max_size=6))


@given(st.lists(st.tuples(_parts, st.integers(1, 2**31 - 1)), max_size=300))
def test_rows_seen_are_found_with_the_line_they_were_first_seen_on(
    entries: list[tuple[tuple[str, str], int]],
) -> None:
    """Any text (lone surrogates, bidi characters, empty cells), keys that differ only in
    where one part ends, and enough keys for the table to grow several times."""
    seen = SeenLines()
    expected: dict[tuple[str, str], int] = {}
    for parts, line in entries:
        seen.add(parts, line)
        expected.setdefault(parts, line)

    assert len(seen) == len(expected)
    for parts, line in expected.items():
        assert seen.get(parts) == line
    assert seen.get(("never", "added")) is None or ("never", "added") in expected


def test_every_one_of_many_rows_is_found_after_the_table_grew() -> None:
    seen = SeenLines()
    for line in range(2, 20_002):
        seen.add((f"hộ {line}", "ab" if line % 2 else "a"), line)

    assert len(seen) == 20_000
    assert all(
        seen.get((f"hộ {line}", "ab" if line % 2 else "a")) == line for line in range(2, 20_002)
    )
    assert seen.get(("hộ 2", "ab")) is None  # its parts split differently: another key


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), min_size=1, max_size=50))
def test_one_visit_one_id_and_another_visit_or_another_import_another_id(
    keys: list[tuple[str, str]],
) -> None:
    visits, another_import = VisitIds(), VisitIds()
    ids = {key: visits.visit_id_of(key[0], key[1], "tình nguyện viên") for key in keys}

    for key, visit_id in ids.items():
        assert visits.visit_id_of(key[0], key[1], "tình nguyện viên") == visit_id
        assert is_valid_id(visit_id) and uuid.UUID(visit_id).version == 7
        assert another_import.visit_id_of(key[0], key[1], "tình nguyện viên") != visit_id
    assert len(set(ids.values())) == len(ids)


def test_the_report_names_every_household_changed_and_that_sessions_changed(
    six_households: Store,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    """What the views read of an import's changes: a household's page refreshes when its
    household got a session, the sessions list and tally when any session came in."""
    rows = [_session(n) for n in range(1, 7)]
    path = _write(tmp_path / "luot.csv", SESSION_HEADER, rows)

    report = import_sessions(six_households, path)

    with six_households.reading() as session:
        households = set(session.scalars(select(Household.id)))
    assert report.imported == 6
    assert report.changes.ids("household") == households
    assert report.changes.ids("help_session")


def _traced_now() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_what_the_import_remembers_grows_far_less_than_its_rows(
    six_households: Store,  # noqa: F811 (the fixture)
    tmp_path: Path,
) -> None:
    """3,000 sessions with their ids (as exported), each its own visit: between the
    first written batch and the last, the import's memory grows by less than 150 bytes a row
    (~60 here).  Kept as Python objects — dicts of digests to lines, one of visits,
    every new session's id for the report — it grew by ~500."""
    rows = []
    for n in range(3000):
        day, minute = divmod(n, 600)
        when = f"{10 + day:02d}/11/2026 {7 + minute // 60:02d}:{minute % 60:02d}"
        rows.append([new_id(), *_session(1 + n % 6, when=when)])
    path = _write(tmp_path / "luot.csv", ["Mã lượt", *SESSION_HEADER], rows)
    traced: list[tuple[int, int]] = []

    def note(done: int, total: int) -> None:
        traced.append((done, _traced_now()))

    tracemalloc.start()
    try:
        report = import_sessions(six_households, path, progress=note)
    finally:
        tracemalloc.stop()

    assert report.imported == 3000
    # Progress counts each row twice (planned, then written); a batch of 1,000 rows is
    # written whole at 2,000, 4,000 and 6,000: the import is then at the same step.
    at_batch_end = [(done, memory) for done, memory in traced if done % 2000 == 0]
    (first_done, first), (last_done, last) = at_batch_end[0], at_batch_end[-2]
    rows_between = (last_done - first_done) / 2
    assert rows_between == 2000
    assert (last - first) / rows_between < 150
