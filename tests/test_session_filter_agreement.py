"""One session filter, four readers: the sessions list, its count, the tally and the chart
agree with a plain Python recount over the raw rows, for many random filters.

The store is real (SQLite, migrations, the summary triggers) and seeded with what makes
the rule hard: several villages, voided sessions, sessions the commune server
quarantined for an impossible time (voided in its name), a household merged into one of
another village (its sessions then count under the survivor's village), people named and
unnamed, times on both sides of Vietnam midnight.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import FakeClock
from villagehelper.clock import VIETNAM, to_vietnam
from villagehelper.ids import new_id
from villagehelper.ops import team
from villagehelper.ops.duplicates import merge_households
from villagehelper.ops.households import create_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.ops.lists.sessions import (
    SessionListRequest,
    count_session_rows,
    list_session_rows,
)
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import count_sessions
from villagehelper.session_times import QUARANTINE_DEVICE
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import HelpSession, Household, Member, Service, SessionVoid
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.history import weekly_history
from villagehelper.tally.periods import custom, week_containing
from villagehelper.tally.results import Counts, Tally

NOW = datetime(2027, 3, 1, tzinfo=UTC)
FIRST_DAY = date(2026, 11, 20)
LAST_DAY = date(2027, 2, 10)
OUTCOMES = ("done", "follow_up", "failed")


@dataclass(frozen=True, repr=False)  # no repr: hypothesis prints the arguments
class Seeded:
    store: Store
    villages: tuple[str, ...]
    volunteers: tuple[str, ...]
    households: tuple[str, ...]
    services: tuple[str, ...]


@dataclass(frozen=True)
class Raw:
    """A help_sessions row as stored, with the village of its household now."""

    id: str
    household_id: str
    village_id: str
    service_code: str
    volunteer_id: str
    outcome: str
    day: date  # the Vietnam calendar day of occurred_at
    voided: bool


def _seed(store: Store) -> Seeded:
    team.set_commune(store, "10999")
    villages = tuple(team.add_village(store, name).id for name in ("Thôn A", "Thôn B", "Thôn C"))
    volunteers = (
        team.add_team_member(store, "Phạm Đăng Xuyết", "leader", villages[0]).id,
        team.add_team_member(store, "Nguyễn Thị Hệ", "member", villages[1]).id,
    )
    households = []
    for index in range(7):
        village = villages[index % 3]
        people = [MemberInput(f"Người {index} {n}", 1960 + n) for n in range(2)]
        households.append(
            create_household(store, HouseholdInput(village, f"Chủ hộ {index}"), people).id
        )
    with store.reading() as session:
        members: dict[str, list[str]] = {}
        for member in session.scalars(select(Member).order_by(Member.id)):
            members.setdefault(member.household_id, []).append(member.id)
        services = tuple(
            session.scalars(select(Service.code).order_by(Service.sort_order)).all()[:4]
        )
    pick = random.Random(16)
    span = (LAST_DAY - FIRST_DAY).days
    with store.transaction() as session:
        for _ in range(400):
            household = pick.choice(households)
            day = FIRST_DAY + timedelta(days=pick.randrange(span + 1))
            # Around midnight often: 23:59:59 and 00:00:00 Vietnam time fall on two days.
            seconds = pick.choice([0, 1, 86_399, 7 * 3600, pick.randrange(86_400)])
            local = datetime(day.year, day.month, day.day, tzinfo=VIETNAM)
            outcome = pick.choice(OUTCOMES)
            session.add(
                HelpSession(
                    id=new_id(),
                    visit_id=new_id(),
                    household_id=household,
                    member_id=pick.choice([None, *members[household]]),
                    service_code=pick.choice(services),
                    outcome=outcome,
                    follow_up_date=date(2027, 3, 10) if outcome == "follow_up" else None,
                    failure_reason="mất mạng" if outcome == "failed" else "",
                    volunteer_id=pick.choice(volunteers),
                    occurred_at=(local + timedelta(seconds=seconds)).astimezone(UTC),
                    device_id="seed-device",
                    voided=pick.random() < 0.15,
                    updated_at=NOW,
                )
            )
        # Quarantined by the server for an impossible time: void, in its name.
        for offset in (400, -2000):
            quarantined = HelpSession(
                id=new_id(),
                visit_id=new_id(),
                household_id=households[0],
                member_id=None,
                service_code=services[0],
                outcome="done",
                follow_up_date=None,
                failure_reason="",
                volunteer_id=volunteers[0],
                occurred_at=NOW + timedelta(days=offset),
                device_id="seed-device",
                voided=True,
                updated_at=NOW,
            )
            session.add(quarantined)
            session.flush()
            session.add(
                SessionVoid(
                    id=new_id(),
                    session_id=quarantined.id,
                    reason="implausible",
                    volunteer_id=volunteers[0],
                    voided_at=NOW,
                    device_id=QUARANTINE_DEVICE,
                    updated_at=NOW,
                )
            )
    # Household 4 (village B) merged into household 0 (village A): its sessions move.
    merge_households(store, households[0], households[4], volunteers[0])
    return Seeded(store, villages, volunteers, tuple(households), services)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    store = open_store(tmp_path_factory.mktemp("filter-agreement"), clock=FakeClock(NOW))
    try:
        yield _seed(store)
    finally:
        store.close()


class RawRows(list[Raw]):
    def __repr__(self) -> str:
        return f"<{len(self)} stored sessions>"


@pytest.fixture(scope="module")
def raw(seeded: Seeded) -> RawRows:
    """Every stored session, read without any of the code under test."""
    with seeded.store.reading() as session:
        villages = dict(session.execute(select(Household.id, Household.village_id)).all())
        return RawRows(
            Raw(
                s.id,
                s.household_id,
                villages[s.household_id],
                s.service_code,
                s.volunteer_id,
                s.outcome,
                to_vietnam(s.occurred_at).date(),
                s.voided,
            )
            for s in session.scalars(select(HelpSession))
        )


def recount(rows: list[Raw], flt: SessionFilter) -> list[str]:
    """The ids a filter selects, one row at a time."""
    return sorted(
        row.id
        for row in rows
        if (flt.start is None or row.day >= flt.start)
        and (flt.end is None or row.day <= flt.end)
        and flt.village_id in (None, row.village_id)
        and flt.service_code in (None, row.service_code)
        and flt.volunteer_id in (None, row.volunteer_id)
        and flt.outcome in (None, row.outcome)
        and flt.household_id in (None, row.household_id)
        and (flt.include_voided or not row.voided)
    )


def test_the_seed_holds_what_makes_the_rule_hard(seeded: Seeded, raw: list[Raw]) -> None:
    assert any(row.voided for row in raw) and not all(row.voided for row in raw)
    moved = [row for row in raw if row.household_id == seeded.households[0]]
    assert {row.village_id for row in moved} == {seeded.villages[0]}
    assert len(moved) > len(raw) // 7  # its own sessions and those of the merged one
    assert {row.village_id for row in raw} == set(seeded.villages)
    assert any(row.day > LAST_DAY for row in raw)  # the quarantined ones, voided


def _maybe(values: tuple[str, ...]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(values))


@st.composite
def filters(draw: st.DrawFn, seeded: Seeded) -> SessionFilter:
    days = st.dates(FIRST_DAY - timedelta(days=10), LAST_DAY + timedelta(days=10))
    start = draw(st.one_of(st.none(), days))
    end = draw(st.one_of(st.none(), days))
    if start is not None and end is not None and end < start:
        start, end = end, start
    return SessionFilter(
        start=start,
        end=end,
        village_id=draw(_maybe(seeded.villages)),
        service_code=draw(_maybe(seeded.services)),
        volunteer_id=draw(_maybe(seeded.volunteers)),
        outcome=draw(_maybe(OUTCOMES)),
        household_id=draw(st.one_of(st.none(), st.sampled_from(seeded.households))),
        include_voided=draw(st.booleans()),
    )


def _tally_counts(tally: Tally, flt: SessionFilter) -> Counts:
    """The tally's line for the filter's service, or its totals."""
    if flt.service_code is None:
        return tally.totals
    rows = [row.counts for row in tally.rows if row.service_code == flt.service_code]
    return rows[0] if rows else Counts()


def _tally_sessions(tally: Tally, flt: SessionFilter) -> int:
    """What the tally shows for the filter's service (or all) and outcome (or all)."""
    counts = _tally_counts(tally, flt)
    if flt.outcome is None:
        return counts.sessions
    return int(getattr(counts, flt.outcome))


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_list_tally_and_chart_agree_with_a_recount(
    seeded: Seeded, raw: list[Raw], data: st.DataObject
) -> None:
    flt = data.draw(filters(seeded))
    store = seeded.store
    expected = recount(raw, flt)

    # The sessions list: its count, its rows, and the household history's reader.
    request = SessionListRequest(flt)
    assert count_session_rows(store, request) == len(expected)
    assert sorted(row.id for row in list_session_rows(store, request)) == expected
    assert count_sessions(store, flt) == len(expected)

    # The tally counts what is not voided, in a period, by village and volunteer; the
    # service and outcome are its rows and columns.
    if flt.household_id is None and not flt.include_voided:
        # Open ends reach beyond every stored day the filters draw.
        start = flt.start or FIRST_DAY - timedelta(days=20)
        end = flt.end or LAST_DAY + timedelta(days=20)
        counted = recount(raw, replace(flt, start=start, end=end))
        for from_sessions in (False, True):
            tally = compute_tally(
                store,
                custom(start, end),
                village_id=flt.village_id,
                volunteer_id=flt.volunteer_id,
                from_sessions=from_sessions,
            )
            assert _tally_sessions(tally, flt) == len(counted), from_sessions
            # Its look-backs, every outcome: the period before, and lũy kế from 1 January.
            every_outcome = replace(flt, start=start, end=end, outcome=None)
            before = replace(every_outcome, start=tally.previous.first, end=tally.previous.last)
            year = replace(every_outcome, start=date(end.year, 1, 1))
            counts = _tally_counts(tally, flt)
            assert counts.previous_sessions == len(recount(raw, before)), from_sessions
            assert counts.cumulative == len(recount(raw, year)), from_sessions

        # The chart: whole ISO weeks, so the same filter over the weeks it covers.
        first, last = week_containing(start), week_containing(end)
        weeks = (last.first - first.first).days // 7 + 1
        if flt.outcome is None:
            history = weekly_history(
                store,
                end,
                weeks=weeks,
                village_id=flt.village_id,
                volunteer_id=flt.volunteer_id,
            )
            charted = (
                sum(history.totals())
                if flt.service_code is None
                else sum(history.sessions_of(flt.service_code))
            )
            whole_weeks = replace(flt, start=first.first, end=last.last)
            assert charted == len(recount(raw, whole_weeks))
