"""The list queries, checked against answers computed independently in Python."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FakeClock, Team
from villagehelper.clock import to_vietnam
from villagehelper.demo.generate import generate_demo
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops.duplicates import merge_households
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.ops.lists.date_presets import DateRangePreset, preset_days
from villagehelper.ops.lists.follow_ups import FollowUpCursor, FollowUpListRequest
from villagehelper.ops.lists.households import (
    HouseholdCursor,
    HouseholdListRequest,
    HouseholdListRow,
    HouseholdSort,
    count_households,
    list_households,
)
from villagehelper.ops.lists.sessions import (
    SessionCursor,
    SessionListRequest,
    SessionSort,
    count_session_rows,
    list_session_rows,
    sessions_by_ids,
)
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import count_sessions, list_sessions
from villagehelper.ops.team import list_services, list_team_members, list_villages
from villagehelper.store.engine import Store, open_store
from villagehelper.store.kinds import Outcome
from villagehelper.store.search_index import household_search_text
from villagehelper.text import collation_key, name_sort_key, search_key

TODAY = date(2026, 11, 23)  # the demo's "now" (conftest START) is this Monday


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """300 households, 1,200 sessions; read-only for the tests that use it."""
    store = open_store(tmp_path_factory.mktemp("lists-demo"), clock=FakeClock())
    generate_demo(store, households=300, sessions=1200)
    yield store
    store.close()


@dataclass(frozen=True)
class Stored:
    """A help session as stored, with the names a list shows, read with plain SQL."""

    id: str
    occurred_at: datetime
    household_id: str
    head_name: str
    village_id: str
    village_name: str
    service_code: str
    volunteer_id: str
    volunteer_name: str
    outcome: str
    follow_up_date: date | None
    voided: bool

    @property
    def day(self) -> date:
        return to_vietnam(self.occurred_at).date()


_STORED = """
    SELECT s.id, s.occurred_at, s.household_id, h.head_name, v.id, v.name, s.service_code,
        s.volunteer_id, t.full_name, s.outcome, s.follow_up_date, s.voided
    FROM help_sessions s JOIN households h ON h.id = s.household_id
    JOIN villages v ON v.id = h.village_id JOIN team_members t ON t.id = s.volunteer_id
"""


def _stored(store: Store) -> list[Stored]:
    """Every session, newest first (ties by id), without the code under test."""
    with store.engine.connect() as connection:
        records = connection.exec_driver_sql(_STORED).all()
    rows = [
        Stored(
            id=session_id,
            occurred_at=datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
            household_id=household_id,
            head_name=head_name,
            village_id=village_id,
            village_name=village_name,
            service_code=service_code,
            volunteer_id=volunteer_id,
            volunteer_name=volunteer_name,
            outcome=outcome,
            follow_up_date=date.fromisoformat(follow_up) if follow_up else None,
            voided=bool(voided),
        )
        for (
            session_id,
            at,
            household_id,
            head_name,
            village_id,
            village_name,
            service_code,
            volunteer_id,
            volunteer_name,
            outcome,
            follow_up,
            voided,
        ) in records
    ]
    rows.sort(key=lambda r: r.id)
    rows.sort(key=lambda r: r.occurred_at, reverse=True)
    return rows


@pytest.fixture(scope="module")
def all_rows(demo: Store) -> list[Stored]:
    return _stored(demo)


def _live(rows: list[Stored]) -> list[Stored]:
    return [row for row in rows if not row.voided]


# --- periods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "preset", "expected"),
    [
        (TODAY, DateRangePreset.TODAY, (TODAY, TODAY)),
        (TODAY, DateRangePreset.THIS_WEEK, (date(2026, 11, 23), date(2026, 11, 29))),
        (date(2026, 11, 29), DateRangePreset.THIS_WEEK, (date(2026, 11, 23), date(2026, 11, 29))),
        (TODAY, DateRangePreset.LAST_WEEK, (date(2026, 11, 16), date(2026, 11, 22))),
        (TODAY, DateRangePreset.THIS_MONTH, (date(2026, 11, 1), date(2026, 11, 30))),
        # ISO weeks cross the new year: Friday 1 January 2027 is in the week of 28/12.
        (date(2027, 1, 1), DateRangePreset.THIS_WEEK, (date(2026, 12, 28), date(2027, 1, 3))),
        (date(2027, 1, 1), DateRangePreset.LAST_WEEK, (date(2026, 12, 21), date(2026, 12, 27))),
        (date(2028, 2, 10), DateRangePreset.THIS_MONTH, (date(2028, 2, 1), date(2028, 2, 29))),
        (TODAY, DateRangePreset.ALL, None),
    ],
)
def test_date_range_presets(
    today: date, preset: DateRangePreset, expected: tuple[date, date] | None
) -> None:
    assert preset_days(preset, today) == expected


def test_custom_period_has_no_preset_days() -> None:
    with pytest.raises(ValueError, match="custom"):
        preset_days(DateRangePreset.CUSTOM, TODAY)


# --- sessions ------------------------------------------------------------------------


def _filters(demo: Store) -> list[SessionFilter]:
    village = list_villages(demo)[1].id
    volunteer = list_team_members(demo)[2].id
    return [
        SessionFilter(),
        SessionFilter(include_voided=True),
        SessionFilter(village_id=village),
        SessionFilter(service_code="VNEID_L2"),
        SessionFilter(volunteer_id=volunteer),
        SessionFilter(outcome=Outcome.FOLLOW_UP),
        SessionFilter(start=date(2026, 11, 16), end=date(2026, 11, 22)),
        SessionFilter(start=date(2026, 6, 1), village_id=village, outcome=Outcome.DONE),
    ]


def _selected(rows: list[Stored], flt: SessionFilter) -> list[Stored]:
    """The rows a filter keeps, one at a time (days are Vietnam days, ends included)."""
    return [
        r
        for r in rows
        if (flt.start is None or r.day >= flt.start)
        and (flt.end is None or r.day <= flt.end)
        and flt.village_id in (None, r.village_id)
        and flt.service_code in (None, r.service_code)
        and flt.volunteer_id in (None, r.volunteer_id)
        and flt.outcome in (None, r.outcome)
        and flt.household_id in (None, r.household_id)
        and (flt.include_voided or not r.voided)
    ]


def test_counts_and_rows_equal_a_recount_for_every_filter(
    demo: Store, all_rows: list[Stored]
) -> None:
    for flt in _filters(demo):
        request = SessionListRequest(flt)
        expected = [r.id for r in _selected(all_rows, flt)]
        assert expected or flt.outcome, flt  # the demo has sessions for each filter
        assert count_session_rows(demo, request) == count_sessions(demo, flt) == len(expected)
        assert [r.id for r in list_session_rows(demo, request)] == expected
        assert [r.id for r in list_sessions(demo, flt)] == expected
    assert count_session_rows(demo, SessionListRequest()) > 0


def _expected_order(
    rows: list[Stored], sort: SessionSort, catalog: list[str], *, descending: bool = False
) -> list[str]:
    """The list order computed in Python: the key, then newest first, then id."""
    keys: dict[SessionSort, Callable[[Stored], Any]] = {
        SessionSort.HOUSEHOLD: lambda r: name_sort_key(r.head_name),
        SessionSort.VILLAGE: lambda r: collation_key(r.village_name),
        SessionSort.SERVICE: lambda r: catalog.index(r.service_code),
        SessionSort.VOLUNTEER: lambda r: name_sort_key(r.volunteer_name),
        SessionSort.OUTCOME: lambda r: ["done", "follow_up", "failed"].index(r.outcome),
    }
    ordered = sorted(rows, key=lambda r: r.id)
    ordered.sort(key=lambda r: r.occurred_at, reverse=True)
    # Stable (also with reverse=True): equal keys stay newest first, then by id.
    ordered.sort(key=keys[sort], reverse=descending)
    return [r.id for r in ordered]


@pytest.mark.parametrize("sort", [s for s in SessionSort if s != SessionSort.TIME])
def test_each_sort_orders_like_python_and_pages_join_up(
    demo: Store, all_rows: list[Stored], sort: SessionSort
) -> None:
    catalog = [service.code for service in list_services(demo, include_inactive=True)]
    live = _live(all_rows)
    for descending in (False, True):
        cursor = SessionCursor(demo, SessionListRequest(sort=sort, descending=descending))
        page = cursor.first_page(100)
        got = [r.id for r in page.rows]
        for offset in range(100, page.total, 100):
            got += [r.id for r in cursor.rows(offset, 100)]
        assert page.total == len(live)
        assert got == _expected_order(live, sort, catalog, descending=descending)


def test_time_sort_pages_equal_the_newest_first_list(demo: Store, all_rows: list[Stored]) -> None:
    cursor = SessionCursor(demo, SessionListRequest())
    page = cursor.first_page(200)
    expected = [r.id for r in _live(all_rows)]
    assert [r.id for r in page.rows] == expected[:200]
    assert [r.id for r in cursor.rows(600, 200)] == expected[600:800]
    oldest_first = list_session_rows(demo, SessionListRequest(descending=False), limit=5)
    assert [r.id for r in oldest_first] == list(reversed(expected))[:5]


@pytest.mark.parametrize("typed", ["nguyen thi", "Nguyễn Thị", "NGUYEN  THI", "le", "van an"])
def test_head_name_search_ignores_diacritics(
    demo: Store, all_rows: list[Stored], typed: str
) -> None:
    tokens = search_key(typed).split()

    def matches(head: str) -> bool:
        key = search_key(head)
        words = key.split()
        return all(
            (t in key) if len(t) >= 3 else any(w.startswith(t) for w in words) for t in tokens
        )

    expected = [r.id for r in _live(all_rows) if matches(r.head_name)]
    got = list_session_rows(demo, SessionListRequest(search=typed))
    assert expected, "the demo data should have such heads"
    assert [r.id for r in got] == expected
    assert count_session_rows(demo, SessionListRequest(search=typed)) == len(expected)


def test_head_search_does_not_match_other_members(demo: Store) -> None:
    # Households where a member's name has "thi" ("Thị", "Thịnh") but the head's not.
    candidates = [r for r in list_households(demo, "thi") if "thi" not in search_key(r.head_name)]
    assert candidates, "the demo data should have such households"
    visited = {r.household_id for r in list_session_rows(demo, SessionListRequest())} & {
        r.id for r in candidates
    }
    assert visited
    found = {r.household_id for r in list_session_rows(demo, SessionListRequest(search="thi"))}
    assert not found & visited
    assert found


def test_blank_search_is_no_filter(demo: Store) -> None:
    assert count_session_rows(demo, SessionListRequest(search="  ")) == count_session_rows(
        demo, SessionListRequest()
    )


def test_sessions_by_ids_keeps_the_order_given(demo: Store) -> None:
    rows = list_session_rows(demo, SessionListRequest(), limit=5)
    wanted = [rows[3].id, "no-such-id", rows[0].id, rows[4].id]
    assert [r.id for r in sessions_by_ids(demo, wanted)] == [rows[3].id, rows[0].id, rows[4].id]
    assert sessions_by_ids(demo, []) == []


# --- households ----------------------------------------------------------------------


def _independent_households(store: Store, rows: list[Stored]) -> list[HouseholdListRow]:
    live = _live(rows)
    last: dict[str, datetime] = {}
    done: dict[str, set[str]] = {}
    for row in live:
        if row.household_id not in last or row.occurred_at > last[row.household_id]:
            last[row.household_id] = row.occurred_at
        if row.outcome == Outcome.DONE:
            done.setdefault(row.household_id, set()).add(row.service_code)
    catalog = [service.code for service in list_services(store, include_inactive=True)]
    result = []
    for household_id in _all_household_ids(store):
        detail = hh.get_household(store, household_id)
        visit = last.get(detail.id)
        result.append(
            HouseholdListRow(
                id=detail.id,
                head_name=detail.head_name,
                village_id=detail.village_id,
                village_name=detail.village_name,
                phone=detail.phone,
                member_count=len(detail.members),
                last_visit=to_vietnam(visit).date() if visit else None,
                services_done=tuple(sorted(done.get(detail.id, ()), key=catalog.index)),
            )
        )
    result.sort(key=lambda r: r.id)
    result.sort(key=lambda r: name_sort_key(r.head_name))
    return result


def _all_household_ids(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        ids = connection.exec_driver_sql("SELECT id FROM households WHERE deleted = 0").scalars()
        return [str(i) for i in ids]


def test_list_households_equals_an_independent_computation(
    demo: Store, all_rows: list[Stored]
) -> None:
    expected = _independent_households(demo, all_rows)
    assert list_households(demo) == expected
    assert count_households(demo) == len(expected) == 300
    assert any(r.last_visit is None for r in expected)
    assert any(len(r.services_done) > 1 for r in expected)


def test_household_pages_join_up_for_every_sort(demo: Store) -> None:
    for sort in HouseholdSort:
        for descending in (False, True):
            query = HouseholdListRequest(sort=sort, descending=descending)
            cursor = HouseholdCursor(demo, query)
            page = cursor.first_page(70)
            got = list(page.rows)
            for offset in range(70, page.total, 70):
                got += cursor.rows(offset, 70)
            whole = list_households(demo, sort=sort, descending=descending)
            assert got == whole
            assert len({r.id for r in whole}) == page.total == 300


def test_household_sorts_follow_their_keys(demo: Store) -> None:
    by_visit = list_households(demo, sort=HouseholdSort.LAST_VISIT, descending=True)
    visited = [r.last_visit for r in by_visit if r.last_visit is not None]
    assert visited == sorted(visited, reverse=True)
    assert all(r.last_visit is None for r in by_visit[len(visited) :])  # never visited last
    by_members = list_households(demo, sort=HouseholdSort.MEMBERS, descending=True)
    counts = [r.member_count for r in by_members]
    assert counts == sorted(counts, reverse=True)
    by_village = list_households(demo, sort=HouseholdSort.VILLAGE)
    keys = [collation_key(r.village_name) for r in by_village]
    assert keys == sorted(keys)
    names_desc = [name_sort_key(r.head_name) for r in list_households(demo, descending=True)]
    assert names_desc == sorted(names_desc, reverse=True)


@pytest.mark.parametrize("typed", ["nguyen", "Hữu Chung", "thi ha", "09", "an"])
def test_household_search_matches_like_the_search_box(demo: Store, typed: str) -> None:
    tokens = search_key(typed).split()

    def document(household_id: str) -> str:
        detail = hh.get_household(demo, household_id)
        members = [(m.full_name, m.phone) for m in detail.members]
        return household_search_text(
            detail.head_name, detail.address_detail, detail.phone, detail.village_name, members
        )

    def matches(doc: str) -> bool:
        return all((t in doc) if len(t) >= 3 else (" " + t) in (" " + doc) for t in tokens)

    expected = sorted(
        (r for r in list_households(demo) if matches(document(r.id))),
        key=lambda r: (name_sort_key(r.head_name), r.id),
    )
    got = list_households(demo, typed)
    assert got == expected
    assert count_households(demo, typed) == len(expected) > 0


def test_village_filter_and_search_combine(demo: Store) -> None:
    village = list_villages(demo)[0]
    in_village = list_households(demo, village_id=village.id)
    assert in_village and all(r.village_id == village.id for r in in_village)
    assert count_households(demo, village_id=village.id) == len(in_village)
    both = list_households(demo, "nguyen", village.id)
    assert {r.id for r in both} == {r.id for r in list_households(demo, "nguyen")} & {
        r.id for r in in_village
    }


def test_voids_and_merges_change_last_visit_and_services_done(
    village_team: Team, clock: FakeClock
) -> None:
    store = village_team.store
    first = hh.create_household(store, HouseholdInput(village_team.village_id, "Lê Thị Gấm"))
    other = hh.create_household(store, HouseholdInput(village_team.village_id, "Lê Thị Gâm"))
    volunteer = village_team.member_id

    def visit(household: str, code: str, outcome: str = Outcome.DONE) -> str:
        follow = TODAY + timedelta(days=3) if outcome == Outcome.FOLLOW_UP else None
        logged = ss.log_visit(
            store,
            VisitInput(household, volunteer, [ServiceOutcome(code, outcome, follow)]),
        )
        return logged.session_ids[0]

    visit(first.id, "VNEID_L1")
    clock.advance(days=2)
    visit(first.id, "EHEALTH", Outcome.FOLLOW_UP)
    clock.advance(days=1, hours=12)  # 02:00 on 27/11 in Vietnam, still 26/11 in UTC
    late = visit(first.id, "VSSID")
    assert clock.now.date() == date(2026, 11, 26)
    rows = {r.id: r for r in list_households(store)}
    assert rows[first.id].last_visit == date(2026, 11, 27)
    assert rows[first.id].services_done == ("VNEID_L1", "VSSID")
    assert rows[other.id].last_visit is None and rows[other.id].services_done == ()

    ss.void_session(store, late, volunteer)
    row = {r.id: r for r in list_households(store)}[first.id]
    assert row.services_done == ("VNEID_L1",)
    assert row.last_visit == date(2026, 11, 25)

    merge_households(store, first.id, other.id, volunteer)
    assert [r.id for r in list_households(store)] == [first.id]
    assert count_households(store) == 1


# --- follow-ups ----------------------------------------------------------------------


def _open_follow_ups(rows: list[Stored], until: date, village_id: str | None) -> list[Stored]:
    """Follow-ups due by ``until`` that no later session (not voided) of the same
    household and service closed, oldest due date first, then oldest session."""
    live = [r for r in rows if not r.voided]
    found = [
        r
        for r in live
        if r.outcome == Outcome.FOLLOW_UP
        and r.follow_up_date is not None
        and r.follow_up_date <= until
        and village_id in (None, r.village_id)
        and not any(
            o.household_id == r.household_id
            and o.service_code == r.service_code
            and o.occurred_at > r.occurred_at
            for o in live
        )
    ]
    return sorted(found, key=lambda r: (r.follow_up_date, r.occurred_at))


def test_follow_up_cursor_filters_by_village_and_days_ahead(
    demo: Store, all_rows: list[Stored]
) -> None:
    due = _open_follow_ups(all_rows, TODAY, None)
    ahead = _open_follow_ups(all_rows, TODAY + timedelta(days=7), None)
    assert len(ahead) > len(due) > 0
    village = due[0].village_id
    cursor = FollowUpCursor(demo, FollowUpListRequest(TODAY, village))
    page = cursor.first_page(5)
    expected = [r.id for r in _open_follow_ups(all_rows, TODAY, village)]
    assert page.total == len(expected)
    assert [f.session.id for f in [*page.rows, *cursor.rows(5, 1000)]] == expected
    week = FollowUpCursor(demo, FollowUpListRequest(TODAY, None, 7)).first_page(10_000)
    assert [f.session.id for f in week.rows] == [r.id for r in ahead]
    assert [f.status for f in week.rows] == [
        "overdue"
        if r.follow_up_date < TODAY
        else "due"
        if r.follow_up_date == TODAY
        else "upcoming"
        for r in ahead
        if r.follow_up_date is not None
    ]


def test_an_empty_store_lists_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path, clock=FakeClock())
    try:
        assert count_households(store) == 0
        assert count_session_rows(store, SessionListRequest(search="ai")) == 0
        assert list_households(store, "x") == []
    finally:
        store.close()
