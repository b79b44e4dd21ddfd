"""``python -m benchmarks.campaign_match``: a 10,000-row target list matched against a
district-size commune (30,000 households, about 100,000 people).

The list is drawn from the demo dataset's members plus 15% people it does not hold,
written with the slips real lists have (tests/campaign_noise.py) and saved as the XLSX a
commune sends.  Three steps, each beside a baseline measured in the same run:

- reading the file (``read_target_list``) against openpyxl reading the same sheet's
  cells in read-only mode;
- loading the commune's people (``known_people``) against the same columns read with
  the raw ``sqlite3`` module;
- matching (``match_targets``; target < 10 s) against one pass of ``search_key`` over
  every name of the list and of the commune: the least any matcher on search keys does.

The match's precision and recall against the list's truth are printed under the table
(the tests assert them on a smaller commune: tests/test_campaign_matching.py).  Speed is
measured, never asserted.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

import openpyxl
from sqlalchemy import select

from benchmarks.datasets import DatasetSpec, ensure, working_copy
from benchmarks.measure import Row, table, timed
from tests.campaign_noise import noisy_list
from villagehelper.campaigns.matching import MatchKind, TargetMatch, match_targets
from villagehelper.campaigns.people import KnownPerson, known_people
from villagehelper.campaigns.target_rows import TargetRow, read_target_list
from villagehelper.demo.generate import DEMO_COMMUNE_CODE
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.engine import open_store
from villagehelper.store.models import Village
from villagehelper.text import search_key

MATCH_TARGET = 10.0  # seconds, issue 20
_RAW_PEOPLE = """
SELECT m.id, m.household_id, h.village_id, m.full_name, m.birth_year,
       COALESCE(m.phone, h.phone)
FROM members m JOIN households h ON h.id = m.household_id
JOIN villages v ON v.id = h.village_id
WHERE v.commune_code = ? AND NOT h.deleted AND h.merged_into IS NULL
  AND h.erased_at IS NULL AND NOT m.deleted AND m.erased_at IS NULL
ORDER BY m.id
"""


def _raw_cells(path: Path) -> int:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.active
        assert sheet is not None
        return sum(len(values) for values in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _raw_people(database: Path) -> int:
    connection = sqlite3.connect(database)
    try:
        return len(connection.execute(_RAW_PEOPLE, (DEMO_COMMUNE_CODE,)).fetchall())
    finally:
        connection.close()


def _keys_once(rows: list[TargetRow], people: list[KnownPerson]) -> int:
    return len({search_key(row.full_name) for row in rows}) + len(
        {search_key(person.full_name) for person in people}
    )


def _quality(matches: list[TargetMatch], truth: dict[int, str | None]) -> str:
    linked = [match for match in matches if match.kind is MatchKind.LINKED]
    right = sum(match.candidates[0].person.member_id == truth[match.row.line] for match in linked)
    members = [match for match in matches if truth[match.row.line] is not None]
    found = sum(
        match.kind is not MatchKind.UNMATCHED
        and any(
            candidate.person.member_id == truth[match.row.line]
            for candidate in (
                match.candidates[:1] if match.kind is MatchKind.LINKED else match.candidates
            )
        )
        for match in members
    )
    strangers = [match for match in matches if truth[match.row.line] is None]
    strangers_linked = sum(match.kind is MatchKind.LINKED for match in strangers)
    kinds = {kind: sum(match.kind is kind for match in matches) for kind in MatchKind}
    return (
        f"linked {kinds[MatchKind.LINKED]:,}, doubtful {kinds[MatchKind.DOUBTFUL]:,}, "
        f"unmatched {kinds[MatchKind.UNMATCHED]:,} of {len(matches):,} rows\n"
        f"precision of the links {right / max(len(linked), 1):.4f} "
        f"({len(linked) - right} wrong, {strangers_linked} of them people not in the data, "
        f"of {len(strangers):,} such rows)\n"
        f"recall with confirmation {found / max(len(members), 1):.4f} "
        f"({found:,} of {len(members):,} listed members linked or shown as a candidate); "
        f"linked automatically {right / max(len(members), 1):.4f}"
    )


def run(households: int, sessions: int, rows: int, seed: int) -> str:
    dataset = ensure(DatasetSpec(households, sessions, seed))
    with tempfile.TemporaryDirectory(dir=dataset.database.parent.parent) as work_dir:
        work = Path(work_dir)
        store = open_store(working_copy(dataset, work / "data"))
        try:
            people: list[KnownPerson] = []

            def load() -> None:
                with store.reading() as session:
                    people.extend(known_people(session, DEMO_COMMUNE_CODE))

            load_seconds = timed(load)
            with store.reading() as session:
                villages = {v.id: v.name for v in session.scalars(select(Village))}
        finally:
            store.close()
        raw_people_seconds = timed(lambda: _raw_people(work / "data" / DATABASE_FILE))
        listed = noisy_list(people, villages, rows=rows, seed=seed)
        path = work / "danh-sach.xlsx"
        listed.write_xlsx(path)
        targets: list[TargetRow] = []
        read_seconds = timed(lambda: targets.extend(read_target_list(path)))
        raw_read_seconds = timed(lambda: _raw_cells(path))
        matches: list[TargetMatch] = []
        match_seconds = timed(lambda: matches.extend(match_targets(targets, people, villages)))
        keys_seconds = timed(lambda: _keys_once(targets, people))
    figures = [
        Row(
            f"read the list ({rows:,} rows, XLSX)",
            read_seconds,
            raw_read_seconds,
            "ms",
            "openpyxl read-only, cells only",
        ),
        Row(
            f"load the commune's people ({len(people):,})",
            load_seconds,
            raw_people_seconds,
            "ms",
            "the same columns with raw sqlite3",
        ),
        Row(
            f"match {rows:,} rows against {len(people):,} people",
            match_seconds,
            keys_seconds,
            "s",
            "search_key once over every name",
            target=MATCH_TARGET,
        ),
    ]
    return table(figures) + "\n\n" + _quality(matches, listed.truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=30_000)
    # The people are the same whatever the sessions (the demo draws them first): none are
    # generated, so a first run takes seconds, not minutes.
    parser.add_argument("--sessions", type=int, default=0, help="sessions of the dataset")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the target list")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    print(f"{args.households:,} households; a list of {args.rows:,} rows", flush=True)
    print(run(args.households, args.sessions, args.rows, args.seed))


if __name__ == "__main__":
    main()
