"""The tally engine against a plain-Python count of the same rows, and ISO week periods."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from villagehelper.clock import VIETNAM
from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import team
from villagehelper.ops.duplicates import merge_households
from villagehelper.ops.households import create_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import HelpSession, Household, Member, Service
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import Period, PeriodKind, custom, iso_week, month, parse_week
from villagehelper.tally.results import Counts

FIXED_NOW = datetime(2027, 6, 1, tzinfo=UTC)
# household, member index (-1: none named), service index, outcome, volunteer, anchor,
# offset in seconds from the anchor, voided
Spec = tuple[int, int, int, str, int, datetime, int, bool]


def vn(
    year: int, month: int, day: int, *, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A Vietnam wall-clock time as the UTC instant the store keeps."""
    return datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM).astimezone(UTC)


# --- periods -------------------------------------------------------------------------


def test_iso_week_53_and_the_first_week_of_2027() -> None:
    w53 = parse_week("2026-W53", date(2026, 1, 1))
    assert (w53.first, w53.last) == (date(2026, 12, 28), date(2027, 1, 3))
    assert w53.start == datetime(2026, 12, 27, 17, 0, tzinfo=UTC)
    assert w53.end == datetime(2027, 1, 3, 17, 0, tzinfo=UTC)
    w01 = parse_week("2027-W01", date(2026, 1, 1))
    assert w01.first == date(2027, 1, 4)
    assert w01.previous() == w53
    assert iso_week(2026, 1).first == date(2025, 12, 29)
    assert w53.label == "2026-W53"
    assert w53.iso_week == (2026, 53)


def test_weeks_that_do_not_exist_or_do_not_parse_are_refused() -> None:
    for text in ("2025-W53", "2026-W00", "2026-W54", "2026-49", "next", ""):
        with pytest.raises(ValidationError):
            parse_week(text, date(2026, 12, 1))


def test_weeks_and_months_at_the_ends_of_the_calendar_are_refused_in_words() -> None:
    """9999-W52 ends in the year 10000 and 0001-W01 has no week before it to compare
    with: both were an OverflowError ("unexpected error") from ``villagehelper tally``."""
    for text in ("0001-W01", "9999-W52", "1999-W52"):
        with pytest.raises(ValidationError, match="2000–2999"):
            parse_week(text, date(2026, 12, 1))
    with pytest.raises(ValidationError, match="2000–2999"):
        month(9999, 12)
    earliest = parse_week("2000-W01", date(2026, 12, 1))
    assert earliest.previous().last == date(2000, 1, 2)  # the week before still compares
    assert parse_week("2999-W52", date(2026, 12, 1)).last == date.fromisocalendar(2999, 52, 7)


def test_this_and_last_week_follow_the_vietnam_date() -> None:
    sunday = date(2026, 12, 6)
    assert parse_week("this", sunday) == iso_week(2026, 49)
    assert parse_week(" LAST ", sunday) == iso_week(2026, 48)
    assert parse_week("this", date(2026, 12, 7)) == iso_week(2026, 50)
    assert parse_week("2026w49", sunday) == iso_week(2026, 49)


def test_months_custom_ranges_and_their_previous_periods() -> None:
    december = month(2026, 12)
    assert (december.first, december.last, december.kind) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
        PeriodKind.MONTH,
    )
    assert month(2027, 1).previous() == december
    assert month(2026, 3).previous() == month(2026, 2)
    assert month(2026, 2).days == 28
    span = custom(date(2026, 12, 10), date(2026, 12, 19))
    assert span.previous() == custom(date(2026, 11, 30), date(2026, 12, 9))
    with pytest.raises(ValidationError):
        custom(date(2026, 12, 2), date(2026, 12, 1))
    with pytest.raises(ValidationError):
        month(2026, 13)


def test_cumulative_starts_on_1_january_of_the_end_year() -> None:
    assert iso_week(2026, 53).year_start == vn(2027, 1, 1)
    assert iso_week(2026, 52).year_start == vn(2026, 1, 1)
    assert iso_week(2026, 1).year_start == vn(2026, 1, 1)  # ends Sunday 4 Jan 2026


# --- the engine against a reference ------------------------------------------------------


@dataclass(frozen=True)
class World:
    store: Store
    villages: tuple[str, str]
    volunteers: tuple[str, str]
    households: tuple[str, ...]
    members: dict[str, tuple[str, ...]]
    basic: tuple[str, ...]
    others: tuple[str, ...]


def build_world(folder: Path) -> World:
    store = open_store(folder, clock=lambda: FIXED_NOW)
    team.set_commune(store, "10999")
    villages = (team.add_village(store, "Thôn Khay").id, team.add_village(store, "Thôn Hữu").id)
    volunteers = (
        team.add_team_member(store, "Phạm Đăng Xuyết", "leader", villages[0]).id,
        team.add_team_member(store, "Nguyễn Thị Hệ", "member", villages[1]).id,
    )
    households = []
    for index, village in enumerate((villages[0], villages[0], villages[0], villages[1])):
        people = [MemberInput(f"Người {index} {n}", 1960 + n) for n in range(2)]
        households.append(
            create_household(store, HouseholdInput(village, f"Chủ hộ {index}"), people).id
        )
    with store.reading() as session:
        members: dict[str, list[str]] = defaultdict(list)
        for member in session.scalars(select(Member)):
            members[member.household_id].append(member.id)
        services = session.scalars(select(Service).order_by(Service.sort_order)).all()
        basic = tuple(s.code for s in services if s.basic_skill)
        others = tuple(s.code for s in services if not s.basic_skill)[:3]
    return World(
        store,
        villages,
        volunteers,
        tuple(households),
        {key: tuple(value) for key, value in members.items()},
        basic,
        others,
    )


# Monday 00:00 Vietnam time around the year end: weeks 52, 53 of 2026 and 1 of 2027, and
# 1 January itself (where the cumulative count restarts).
ANCHORS = (vn(2026, 12, 21), vn(2026, 12, 28), vn(2027, 1, 4), vn(2027, 1, 1), vn(2027, 1, 11))
PERIODS = (
    iso_week(2026, 52),
    iso_week(2026, 53),
    iso_week(2027, 1),
    iso_week(2027, 2),
    month(2026, 12),
    month(2027, 1),
    custom(date(2026, 12, 30), date(2027, 1, 5)),
)

offsets = st.one_of(
    st.sampled_from([-1, 0, 1, -86_400, 86_400]),  # Sunday 23:59:59 / Monday 00:00 / 00:00:01
    st.integers(-9 * 86_400, 9 * 86_400),
)
session_specs = st.tuples(
    st.integers(0, 3),  # household
    st.integers(-1, 1),  # member index; -1: no member named
    st.integers(0, 7),  # service: 0-4 basic, 5-7 others
    st.sampled_from(["done", "done", "follow_up", "failed"]),
    st.integers(0, 1),  # volunteer
    st.sampled_from(ANCHORS),
    offsets,
    st.booleans(),  # voided
)


def insert_sessions(world: World, specs: list[Spec]) -> None:
    services = (*world.basic, *world.others)
    with world.store.transaction() as session:
        for household, member, service, outcome, volunteer, anchor, offset, voided in specs:
            household_id = world.households[household]
            session.add(
                HelpSession(
                    id=new_id(),
                    visit_id=new_id(),
                    household_id=household_id,
                    member_id=None if member < 0 else world.members[household_id][member],
                    service_code=services[service],
                    outcome=outcome,
                    follow_up_date=date(2027, 2, 1) if outcome == "follow_up" else None,
                    failure_reason="mất mạng" if outcome == "failed" else "",
                    volunteer_id=world.volunteers[volunteer],
                    occurred_at=anchor + timedelta(seconds=offset),
                    device_id="test-device",
                    voided=voided,
                    updated_at=FIXED_NOW,
                )
            )


@dataclass(frozen=True)
class Stored:
    household_id: str
    member_id: str | None
    service_code: str
    outcome: str
    volunteer_id: str
    occurred_at: datetime
    voided: bool


def reference(
    world: World, period: Period, village_id: str | None, volunteer_id: str | None
) -> tuple[dict[str, Counts], Counts, tuple[int, int]]:
    """The definitions of villagehelper.tally.engine, counted one row at a time."""
    with world.store.reading() as session:
        rows = [
            Stored(
                s.household_id,
                s.member_id,
                s.service_code,
                s.outcome,
                s.volunteer_id,
                s.occurred_at,
                s.voided,
            )
            for s in session.scalars(select(HelpSession))
        ]
        households = {h.id: h for h in session.scalars(select(Household))}
        basic = {s.code for s in session.scalars(select(Service)) if s.basic_skill and s.active}
    previous = period.previous()
    year_start = datetime(period.last.year, 1, 1, tzinfo=VIETNAM)

    def kept(row: Stored) -> bool:
        return (
            not row.voided
            and (volunteer_id is None or row.volunteer_id == volunteer_id)
            and (village_id is None or households[row.household_id].village_id == village_id)
        )

    def person(row: Stored) -> str:
        return row.member_id or f"unnamed person of {row.household_id}"

    def counts(chosen: list[Stored]) -> Counts:
        return Counts(
            sessions=len(chosen),
            people=len({person(r) for r in chosen}),
            households=len({r.household_id for r in chosen}),
            done=sum(r.outcome == "done" for r in chosen),
            follow_up=sum(r.outcome == "follow_up" for r in chosen),
            failed=sum(r.outcome == "failed" for r in chosen),
        )

    def within(row: Stored, start: datetime, end: datetime) -> bool:
        return start <= row.occurred_at < end

    live = [r for r in rows if kept(r)]
    in_period = [r for r in live if within(r, period.start, period.end)]
    before = [r for r in live if within(r, previous.start, previous.end)]
    cumulative = [r for r in live if within(r, year_start, period.end)]
    unvoided = [r for r in rows if not r.voided]
    open_ups = [
        r
        for r in live
        if r.outcome == "follow_up"
        and r.occurred_at < period.end
        and not any(
            o.household_id == r.household_id
            and o.service_code == r.service_code
            and r.occurred_at < o.occurred_at < period.end
            for o in unvoided
        )
    ]

    def extras(base: Counts, code: str | None) -> Counts:
        def mine(r: Stored) -> bool:
            return code is None or r.service_code == code

        return Counts(
            base.sessions,
            base.people,
            base.households,
            base.done,
            base.follow_up,
            base.failed,
            cumulative=sum(map(mine, cumulative)),
            previous_sessions=sum(map(mine, before)),
            open_follow_ups=sum(map(mine, open_ups)),
        )

    codes = {r.service_code for r in [*in_period, *before, *cumulative, *open_ups]}
    per_service = {
        code: extras(counts([r for r in in_period if r.service_code == code]), code)
        for code in codes
    }
    totals = extras(counts(in_period), None)

    skills: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in unvoided:
        if r.outcome == "done" and r.service_code in basic and r.occurred_at < period.end:
            skills[r.household_id, person(r)].add(r.service_code)
    alive = {
        h.id
        for h in households.values()
        if not h.deleted and h.merged_into is None and village_id in (None, h.village_id)
    }
    covered = {h for (h, _), done in skills.items() if basic and done == basic and h in alive}
    return per_service, totals, (len(covered), len(alive))


@settings(max_examples=30, deadline=None)
@given(
    specs=st.lists(session_specs, min_size=0, max_size=40),
    all_basic_for=st.one_of(st.none(), st.integers(-1, 1)),
    merge=st.booleans(),
)
def test_engine_matches_a_plain_count(
    specs: list[Spec],
    all_basic_for: int | None,
    merge: bool,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = build_world(Path(folder))
        try:
            if all_basic_for is not None:
                # One person (or the unnamed one) helped with every basic skill, so the
                # indicator is met by some examples, around the 2027-W01 boundary.
                specs = [
                    *specs,
                    *(
                        (0, all_basic_for, s, "done", 0, ANCHORS[2], -s, False)
                        for s in range(len(world.basic))
                    ),
                ]
            insert_sessions(world, specs)
            if merge:
                # Household 1 (village A) merged into household 3 (village B): its
                # sessions move, so they then count under village B, once.
                merge_households(
                    world.store, world.households[3], world.households[1], world.volunteers[0]
                )
            for period in PERIODS:
                for village_id in (None, world.villages[0], world.villages[1]):
                    for volunteer_id in (None, world.volunteers[1]):
                        tally = compute_tally(
                            world.store, period, village_id=village_id, volunteer_id=volunteer_id
                        )
                        per_service, totals, (covered, households) = reference(
                            world, period, village_id, volunteer_id
                        )
                        engine_rows = {row.service_code: row.counts for row in tally.rows}
                        for code, expected in per_service.items():
                            assert engine_rows[code] == expected, (period, code)
                        for code, got in engine_rows.items():
                            if code not in per_service:
                                assert got == Counts(), (period, code)
                        assert tally.totals == totals, period
                        assert tally.basic_skills.households_covered == covered, period
                        assert tally.basic_skills.households == households
                        assert tally.previous == period.previous()
        finally:
            world.store.close()


def test_sunday_2359_and_monday_0000_fall_in_different_weeks(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    try:
        sunday_last_second = vn(2027, 1, 3, hour=23, minute=59, second=59)
        assert sunday_last_second == datetime(2027, 1, 3, 16, 59, 59, tzinfo=UTC)
        insert_sessions(
            world,
            [
                (0, 0, 0, "done", 0, sunday_last_second, 0, False),
                (0, 0, 0, "done", 0, sunday_last_second, 1, False),  # Monday 00:00
                (0, 0, 0, "done", 0, sunday_last_second, 1, True),  # voided: never counts
            ],
        )
        w53 = compute_tally(world.store, iso_week(2026, 53))
        w01 = compute_tally(world.store, iso_week(2027, 1))
        assert (w53.totals.sessions, w01.totals.sessions) == (1, 1)
        assert (w53.totals.cumulative, w01.totals.cumulative) == (1, 2)
        assert w01.totals.change == 0
        assert all(row.counts == Counts() or row.service_code == world.basic[0] for row in w01.rows)
    finally:
        world.store.close()
