"""The tally summaries: kept exact by triggers whatever path a write takes, filled by
migration 0003, and giving the tallies the definitions give.

Two independent checks are used throughout:
* what the triggers kept, against a refill of a copy of the database from scratch
  (set-based SQL in villagehelper.tally.summaries, written apart from the triggers);
* the summary-backed tally, against the tally counted over the sessions themselves
  (``from_sessions``) and, in the property test, against the plain-Python recount of
  tests/test_tally_engine.py.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, select, text, update

from tests.conftest import FakeClock, Team
from tests.test_tally_engine import (
    ANCHORS,
    PERIODS,
    Spec,
    World,
    build_world,
    insert_sessions,
    reference,
    session_specs,
    vn,
)
from villagehelper.demo.generate import generate_demo
from villagehelper.exchange.apply import apply_page
from villagehelper.ids import new_id
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops import team
from villagehelper.ops.duplicates import merge_households
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.paths import DATABASE_FILE
from villagehelper.store import migrate
from villagehelper.store.changelog import Changes, to_wire
from villagehelper.store.connect import DEFAULT_TIMEOUT_S
from villagehelper.store.engine import Store, driver_options, make_engine, open_store
from villagehelper.store.migrate import backup_copy
from villagehelper.store.models import HelpSession, Member, Service
from villagehelper.store.remote import RemoteChange, apply_household_merge, apply_remote_change
from villagehelper.tally.engine import compute_tallies, compute_tally
from villagehelper.tally.from_summaries import distinct_from_summaries, summaries_apply
from villagehelper.tally.periods import Period, custom, iso_week, month
from villagehelper.tally.results import Counts
from villagehelper.tally.summaries import (
    SUMMARY_TABLES,
    refill,
    resume,
    split_by_month,
    suspend,
    tally_triggers,
)
from villagehelper.transfer.households import export_households, import_households
from villagehelper.transfer.sessions import export_sessions, import_sessions

Rows = dict[str, list[tuple[Any, ...]]]

# Periods that reach past the last session of the worlds below, so that the distinct
# counts come from the summaries; PERIODS (the engine test's) mostly do not.
REACHING = (
    month(2027, 1),
    iso_week(2027, 3),
    custom(date(2026, 12, 1), date(2027, 1, 31)),
    custom(date(2027, 1, 1), date(2027, 1, 31)),
)


# --- helpers -----------------------------------------------------------------------------


def summary_rows(connection: Connection) -> Rows:
    rows = {}
    for table in SUMMARY_TABLES:
        result = connection.execute(text(f"SELECT * FROM {table}"))
        rows[table] = sorted(tuple(row) for row in result)
    return rows


def kept(store: Store) -> Rows:
    with store.engine.connect() as connection:
        return summary_rows(connection)


def recomputed(store: Store) -> Rows:
    """The summaries of a copy of ``store`` refilled from its rows, triggers dropped."""
    with tempfile.TemporaryDirectory() as folder:
        copy_path = Path(folder) / "copy.sqlite3"
        backup_copy(store.path, copy_path, store.key)  # encrypted alike, if it is
        engine = create_engine(
            f"sqlite:///{copy_path}", **driver_options(copy_path, store.key, DEFAULT_TIMEOUT_S)
        )
        try:
            with engine.begin() as connection:
                for name in tally_triggers(connection):
                    connection.execute(text(f"DROP TRIGGER {name}"))
                refill(connection)
                return summary_rows(connection)
        finally:
            engine.dispose()


def assert_exact(store: Store) -> None:
    assert kept(store) == recomputed(store)


def assert_tallies_match_the_sessions(
    store: Store,
    periods: tuple[Period, ...],
    villages: tuple[str | None, ...] = (None,),
    volunteers: tuple[str | None, ...] = (None,),
) -> None:
    for period in periods:
        for village_id in villages:
            for volunteer_id in volunteers:
                summary = compute_tally(
                    store, period, village_id=village_id, volunteer_id=volunteer_id
                )
                counted = compute_tally(
                    store,
                    period,
                    village_id=village_id,
                    volunteer_id=volunteer_id,
                    from_sessions=True,
                )
                assert summary == counted, (period, village_id, volunteer_id)
        for volunteer_id in volunteers:
            assert_counted_together_as_alone(store, period, villages, volunteer_id)


def assert_counted_together_as_alone(
    store: Store, period: Period, villages: tuple[str | None, ...], volunteer_id: str | None
) -> None:
    """The commune's and its villages' tallies counted together (as a commune report
    counts them, each summary read once by village) are those counted one by one."""
    named = [village for village in villages if village is not None]
    for from_sessions in (False, True):
        alone = (
            compute_tally(store, period, volunteer_id=volunteer_id, from_sessions=from_sessions),
            {
                village: compute_tally(
                    store,
                    period,
                    village_id=village,
                    volunteer_id=volunteer_id,
                    from_sessions=from_sessions,
                )
                for village in named
            },
        )
        together = compute_tallies(
            store, period, named, volunteer_id=volunteer_id, from_sessions=from_sessions
        )
        assert together == alone, (period, volunteer_id, from_sessions)


def raw_update(store: Store, sql: str, **params: object) -> None:
    with store.transaction() as session:
        session.execute(text(sql), params)


def summary_sizes(store: Store) -> dict[str, int]:
    return {table: len(rows) for table, rows in kept(store).items()}


# --- every write path --------------------------------------------------------------------


@dataclass
class Homes:
    """Three households with two members each: two in the team's village, one in the
    other village."""

    team: Team
    households: list[str]
    members: dict[str, list[str]]


@pytest.fixture
def homes(village_team: Team) -> Homes:
    store = village_team.store
    households, members = [], {}
    for index, village_id in enumerate(
        (village_team.village_id, village_team.village_id, village_team.other_village_id)
    ):
        people = [MemberInput(f"Người {index} {n}", 1950 + n) for n in range(2)]
        saved = hh.create_household(store, HouseholdInput(village_id, f"Hộ {index}"), people)
        households.append(saved.id)
        members[saved.id] = [m.id for m in hh.get_household(store, saved.id).members]
    return Homes(village_team, households, members)


def _log(
    homes: Homes,
    household: int,
    member: int | None,
    *outcomes: ServiceOutcome,
    days_ago: int = 0,
) -> ss.VisitLogged:
    store = homes.team.store
    household_id = homes.households[household]
    return ss.log_visit(
        store,
        VisitInput(
            household_id,
            homes.team.member_id,
            outcomes,
            member_id=None if member is None else homes.members[household_id][member],
            occurred_at=store.now() - timedelta(days=days_ago),
        ),
    )


THIS_WEEK = iso_week(2026, 48)  # the fixtures' clock is Monday 23 November 2026
SOME_PERIODS = (
    THIS_WEEK,
    iso_week(2026, 47),
    month(2026, 11),
    month(2026, 10),
    custom(date(2026, 1, 1), date(2026, 11, 29)),
)


def test_logging_voiding_correcting_and_merging_keep_the_summaries_exact(
    homes: Homes, clock: FakeClock
) -> None:
    store, team_ = homes.team.store, homes.team
    follow = ServiceOutcome("VNEID_L2", "follow_up", date(2026, 12, 1))
    failed = ServiceOutcome("EHEALTH", "failed", failure_reason="mất mạng")
    basic = [
        ServiceOutcome(code)
        for code in ("VNEID_L1", "DVC_ACCOUNT", "BANK_ACCOUNT", "ECOMMERCE_OCOP", "ONLINE_SAFETY")
    ]
    _log(homes, 0, 0, follow, failed, days_ago=20)
    _log(homes, 0, 0, *basic, days_ago=12)
    _log(homes, 1, None, follow, days_ago=8)
    wrong = _log(homes, 2, 1, ServiceOutcome("VNEID_L2"), basic[0])
    assert_exact(store)
    with store.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM tally_basic_people")) == 1

    # A void takes the session out, everywhere it counted.
    ss.void_session(store, wrong.session_ids[0], team_.leader_id, "nhầm")
    assert_exact(store)
    # A correction voids one session and logs its replacement at the same time.
    ss.correct_session(
        store,
        wrong.session_ids[1],
        team_.leader_id,
        ServiceOutcome(basic[0].service_code, "failed", failure_reason="quên mật khẩu"),
        "sửa",
    )
    assert_exact(store)
    # The follow-up of household 1 is closed by a later session of the same service.
    clock.advance(hours=1)
    _log(homes, 1, 0, ServiceOutcome("VNEID_L2"))
    assert_exact(store)
    assert_tallies_match_the_sessions(
        store, SOME_PERIODS, (None, team_.village_id, team_.other_village_id)
    )

    # A merge re-points sessions (and moves them to the survivor's village).
    merge_households(store, homes.households[2], homes.households[0], team_.leader_id)
    assert_exact(store)
    # A household moved to the other village takes its counts along.
    hh.update_household(store, homes.households[1], HouseholdInput(team_.other_village_id, "Hộ 1"))
    assert_exact(store)
    assert_tallies_match_the_sessions(
        store,
        SOME_PERIODS,
        (None, team_.village_id, team_.other_village_id),
        (None, team_.member_id),
    )
    # Nothing is left in the team's village: household 0 merged into the other
    # village's household, household 1 moved there.
    tally = compute_tally(store, THIS_WEEK, village_id=team_.village_id)
    assert tally.totals == Counts()


def test_sync_replay_direct_updates_and_deletes_keep_the_summaries_exact(
    homes: Homes,
) -> None:
    store, team_ = homes.team.store, homes.team
    first = _log(homes, 0, 0, ServiceOutcome("VNEID_L2", "follow_up", date(2026, 12, 1)))
    _log(homes, 1, 1, ServiceOutcome("VNEID_L1"), ServiceOutcome("ONLINE_SAFETY"))
    _log(homes, 1, None, ServiceOutcome("VNEID_L2"), days_ago=3)
    assert_exact(store)

    # Sync's merge replay: a bulk UPDATE of household_id, then the loser tombstoned.
    with store.transaction() as session:
        apply_household_merge(session, homes.households[0], homes.households[1], Changes())
    assert_exact(store)
    # The same kind of UPDATE written directly, back to an emptied household.
    raw_update(
        store,
        "UPDATE help_sessions SET household_id = :target WHERE household_id = :source",
        target=homes.households[2],
        source=homes.households[0],
    )
    assert_exact(store)

    # A session from another laptop, applied as the server sends it.
    remote_id = new_id()
    with store.transaction() as session:
        apply_remote_change(
            session,
            RemoteChange(
                "help_session",
                remote_id,
                7,
                {
                    "visit_id": new_id(),
                    "household_id": homes.households[2],
                    "member_id": None,
                    "service_code": "VNEID_L2",
                    "outcome": "done",
                    "follow_up_date": None,
                    "failure_reason": "",
                    "note": "",
                    "volunteer_id": team_.leader_id,
                    "occurred_at": "2026-11-23T06:00:00.000000Z",
                    "device_id": "other-laptop",
                    "replaces_id": None,
                },
            ),
            Changes(),
        )
    assert_exact(store)

    # Columns of an event changed in place (never by the app, but a trigger must not
    # care how): the outcome, the time, un-voiding, then deleting rows outright.
    raw_update(
        store,
        "UPDATE help_sessions SET outcome = 'done', follow_up_date = NULL WHERE id = :id",
        id=first.session_ids[0],
    )
    assert_exact(store)
    raw_update(
        store,
        "UPDATE help_sessions SET occurred_at = '2026-10-01T01:00:00.000000Z' WHERE id = :id",
        id=remote_id,
    )
    assert_exact(store)
    raw_update(store, "UPDATE help_sessions SET voided = 1 WHERE id = :id", id=remote_id)
    assert_exact(store)
    raw_update(store, "UPDATE help_sessions SET voided = 0 WHERE id = :id", id=remote_id)
    assert_exact(store)
    raw_update(store, "DELETE FROM help_sessions WHERE id = :id", id=remote_id)
    raw_update(store, "DELETE FROM session_voids")
    raw_update(store, "DELETE FROM help_sessions WHERE voided = 1")
    assert_exact(store)
    assert_tallies_match_the_sessions(
        store, SOME_PERIODS, (None, team_.village_id, team_.other_village_id)
    )
    raw_update(store, "DELETE FROM help_sessions")
    assert_exact(store)
    assert all(size == 0 for size in summary_sizes(store).values())


# --- the feed brings a household after its sessions -----------------------------------------


def _feed_household(
    household_id: str, village_id: str, version: int, head_name: str = "Đỗ Văn Sáu"
) -> dict[str, Any]:
    fields = {
        "village_id": village_id,
        "head_name": head_name,
        "address_detail": "",
        "phone": None,
        "notes": "",
        "merged_into": None,
    }
    return {
        "entity": "household",
        "id": household_id,
        "version": version,
        "fields": fields,
        "deleted": False,
    }


def _feed_member(member_id: str, household_id: str, version: int) -> dict[str, Any]:
    fields = {
        "household_id": household_id,
        "full_name": "Đỗ Thị Bảy",
        "birth_year": 1990,
        "phone": None,
        "consent": False,
        "consent_date": None,
    }
    return {
        "entity": "member",
        "id": member_id,
        "version": version,
        "fields": fields,
        "deleted": False,
    }


def _feed_session(
    household_id: str,
    volunteer_id: str,
    version: int,
    service_code: str,
    occurred_at: str,
    *,
    member_id: str | None = None,
    follow_up_on: str | None = None,
) -> dict[str, Any]:
    fields = {
        "visit_id": new_id(),
        "household_id": household_id,
        "member_id": member_id,
        "service_code": service_code,
        "outcome": "done" if follow_up_on is None else "follow_up",
        "follow_up_date": follow_up_on,
        "failure_reason": "",
        "note": "",
        "volunteer_id": volunteer_id,
        "occurred_at": occurred_at,
        "device_id": "other-laptop",
        "replaces_id": None,
    }
    return {
        "entity": "help_session",
        "id": new_id(),
        "version": version,
        "fields": fields,
        "deleted": False,
    }


def _apply_pages(store: Store, pages: list[list[dict[str, Any]]]) -> None:
    for page in pages:
        with store.feed_transaction() as session:
            apply_page(session, page, Changes())
        assert_exact(store)


def test_sessions_that_arrive_before_their_household_count_in_its_village(
    homes: Homes,
) -> None:
    """The feed is in version order, and a household edited after visits were logged
    to it comes after them (the summary triggers once counted those under no village)."""
    store, team_ = homes.team.store, homes.team
    _log(homes, 0, 0, ServiceOutcome("VNEID_L1"))
    now = str(to_wire(store.now()))
    late, later, person = new_id(), new_id(), new_id()
    _apply_pages(
        store,
        [
            # The household on the next page (a person of it, and a session, first) ...
            [
                _feed_member(person, late, 10),
                _feed_session(late, team_.member_id, 11, "VNEID_L2", now, member_id=person),
                _feed_session(late, team_.leader_id, 12, "EHEALTH", now),
            ],
            [_feed_household(late, team_.other_village_id, 13)],
            # ... or later on the same page, behind a row this laptop holds (applied on
            # its own, between two runs of new rows).
            [
                _feed_session(later, team_.member_id, 14, "EHEALTH", now),
                _feed_household(homes.households[2], team_.other_village_id, 15, "Hộ 2"),
                _feed_household(later, team_.village_id, 16),
            ],
        ],
    )
    with store.reading() as session:
        nowhere = session.scalar(text("SELECT count(*) FROM tally_days WHERE village_id = ''"))
    assert nowhere == 0
    assert_tallies_match_the_sessions(
        store, SOME_PERIODS, (None, team_.village_id, team_.other_village_id)
    )
    other = compute_tally(store, THIS_WEEK, village_id=team_.other_village_id).totals
    assert (other.sessions, other.households) == (2, 1)


def test_sessions_of_a_household_not_yet_arrived_count_for_the_commune_only(
    homes: Homes,
) -> None:
    """Until its household arrives, a session counts in no village's row but in the
    commune's total, counted alone or with every village at once (a commune report)."""
    store, team_ = homes.team.store, homes.team
    _log(homes, 0, 0, ServiceOutcome("VNEID_L1"))
    now = str(to_wire(store.now()))
    waiting = new_id()
    _apply_pages(
        store,
        [
            [
                _feed_session(
                    waiting, team_.member_id, 10, "EHEALTH", now, follow_up_on="2026-12-01"
                ),
                _feed_session(waiting, team_.leader_id, 11, "VNEID_L2", now),
            ]
        ],
    )
    villages = (team_.village_id, team_.other_village_id)
    assert_tallies_match_the_sessions(store, SOME_PERIODS, (None, *villages))
    whole, by_village = compute_tallies(store, THIS_WEEK, villages)
    assert (whole.totals.sessions, whole.totals.households, whole.totals.open_follow_ups) == (
        3,
        2,
        1,
    )
    assert sum(tally.totals.sessions for tally in by_village.values()) == 1
    assert sum(tally.totals.open_follow_ups for tally in by_village.values()) == 0


def test_voiding_what_closed_a_follow_up_reopens_it(homes: Homes, clock: FakeClock) -> None:
    store, team_ = homes.team.store, homes.team
    follow = ServiceOutcome("VNEID_L2", "follow_up", date(2026, 12, 1))
    _log(homes, 0, 0, follow, days_ago=9)
    closer = _log(homes, 0, 1, ServiceOutcome("VNEID_L2"), days_ago=8)  # anyone closes it
    later = _log(homes, 0, None, ServiceOutcome("VNEID_L2", "failed", failure_reason="x"))

    def open_at(period: Period) -> int:
        tally = compute_tally(store, period)
        assert tally == compute_tally(store, period, from_sessions=True)
        return tally.totals.open_follow_ups

    assert (open_at(iso_week(2026, 47)), open_at(THIS_WEEK)) == (0, 0)
    ss.void_session(store, closer.session_ids[0], team_.leader_id)
    assert_exact(store)
    # Open again until the next session of the same service, this week.
    assert (open_at(iso_week(2026, 46)), open_at(iso_week(2026, 47))) == (1, 1)
    assert open_at(THIS_WEEK) == 0
    ss.void_session(store, later.session_ids[0], team_.leader_id)
    assert_exact(store)
    assert open_at(THIS_WEEK) == 1
    raw_update(
        store, "UPDATE help_sessions SET voided = 0 WHERE id = :id", id=closer.session_ids[0]
    )
    assert_exact(store)
    assert (open_at(iso_week(2026, 47)), open_at(THIS_WEEK)) == (0, 0)


def test_a_follow_up_closed_at_monday_midnight_is_open_for_the_week_before(
    homes: Homes,
) -> None:
    store = homes.team.store
    household = homes.households[0]
    sunday = vn(2026, 11, 15, hour=20)
    for outcome, moment in (("follow_up", sunday), ("done", vn(2026, 11, 16))):
        ss.log_visit(
            store,
            VisitInput(
                household,
                homes.team.member_id,
                [ServiceOutcome("VNEID_L2", outcome, date(2026, 12, 1))],
                occurred_at=moment,
            ),
        )
    week46, week47 = (
        compute_tally(store, iso_week(2026, 46)),
        compute_tally(store, iso_week(2026, 47)),
    )
    assert (week46.totals.open_follow_ups, week47.totals.open_follow_ups) == (1, 0)
    assert week46 == compute_tally(store, iso_week(2026, 46), from_sessions=True)


def test_voiding_a_first_success_moves_it_to_the_next_one(homes: Homes) -> None:
    store, team_ = homes.team.store, homes.team
    codes = ("VNEID_L1", "DVC_ACCOUNT", "BANK_ACCOUNT", "ECOMMERCE_OCOP", "ONLINE_SAFETY")
    first = _log(homes, 0, 0, ServiceOutcome(codes[0]), days_ago=30)
    _log(homes, 0, 0, *(ServiceOutcome(code) for code in codes), days_ago=20)
    _log(homes, 0, 0, ServiceOutcome(codes[0]), days_ago=2)
    household = homes.households[0]

    def first_done() -> str:
        with store.reading() as session:
            return str(
                session.scalar(
                    text(
                        "SELECT first_at FROM tally_first_done WHERE household_id = :h "
                        "AND service_code = :code"
                    ),
                    {"h": household, "code": codes[0]},
                )
            )

    ss.void_session(store, first.session_ids[0], team_.leader_id)
    assert_exact(store)
    # The earliest success that remains: 20 days ago, not 2.
    assert first_done() < (store.now() - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S")
    # So the household had every basic skill before this week, counted once.
    assert compute_tally(store, iso_week(2026, 46)).basic_skills.households_covered == 1


def test_catalog_changes_redo_the_basic_skills_indicator(homes: Homes) -> None:
    store = homes.team.store
    codes = ("VNEID_L1", "DVC_ACCOUNT", "BANK_ACCOUNT", "ECOMMERCE_OCOP", "ONLINE_SAFETY")
    _log(homes, 0, 0, *(ServiceOutcome(code) for code in codes), days_ago=2)
    _log(homes, 1, None, *(ServiceOutcome(code) for code in codes[:4]), days_ago=1)

    def covered() -> int:
        tally = compute_tally(store, THIS_WEEK)
        assert tally == compute_tally(store, THIS_WEEK, from_sessions=True)
        return tally.basic_skills.households_covered

    assert covered() == 1
    # Online safety retired: household 1 now has every (remaining) basic skill.
    raw_update(store, "UPDATE services SET active = 0 WHERE code = 'ONLINE_SAFETY'")
    assert_exact(store)
    assert covered() == 2
    # A new basic skill through sync: nobody has it yet.
    with store.transaction() as session:
        apply_remote_change(
            session,
            RemoteChange(
                "service",
                "VSSID",
                3,
                {
                    "label_vi": "VssID",
                    "label_en": "VssID",
                    "active": True,
                    "sort_order": 70,
                    "basic_skill": True,
                },
            ),
            Changes(),
        )
    assert_exact(store)
    assert covered() == 0
    raw_update(store, "UPDATE services SET basic_skill = 0 WHERE code = 'VSSID'")
    assert covered() == 2
    # No basic skill at all: no household qualifies (not all of them).
    raw_update(store, "UPDATE services SET basic_skill = 0")
    assert_exact(store)
    assert covered() == 0
    raw_update(
        store,
        "INSERT INTO services (code, label_vi, label_en, active, sort_order, basic_skill, "
        "sync_state, deleted, updated_at) VALUES ('NEW_BASIC', 'x', 'x', 1, 1, 1, 'dirty', 0, "
        "'2026-11-23T00:00:00.000000Z')",
    )
    assert_exact(store)
    raw_update(store, "DELETE FROM services WHERE code = 'NEW_BASIC'")
    assert_exact(store)


def test_a_member_helped_in_two_households_is_one_person(homes: Homes) -> None:
    store, team_ = homes.team.store, homes.team
    member_of_0 = homes.members[homes.households[0]][0]
    _log(homes, 0, 0, ServiceOutcome("VNEID_L1"))
    # Sessions that name a member of another household (the server moved the member,
    # say): the report still counts the member once.
    raw_update(
        store,
        "UPDATE help_sessions SET household_id = :household WHERE member_id = :member",
        household=homes.households[2],
        member=member_of_0,
    )
    _log(homes, 0, 0, ServiceOutcome("VNEID_L1"))
    assert_exact(store)
    with store.reading() as session:
        assert session.scalar(text("SELECT member_id FROM tally_split_members")) == member_of_0
        assert not distinct_from_summaries(session.connection(), THIS_WEEK, None)
    tally = compute_tally(store, THIS_WEEK)
    assert (tally.totals.people, tally.totals.households) == (1, 2)
    assert_tallies_match_the_sessions(
        store, SOME_PERIODS, (None, team_.village_id, team_.other_village_id)
    )
    # Once both sessions are in one household again, the reach is trusted again.
    merge_households(store, homes.households[0], homes.households[2], team_.leader_id)
    assert_exact(store)
    with store.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM tally_split_members")) == 0
        assert distinct_from_summaries(session.connection(), THIS_WEEK, None)
    assert compute_tally(store, THIS_WEEK).totals.people == 1


def test_the_demo_bulk_writer_keeps_the_summaries_exact(tmp_path: Path) -> None:
    store = open_store(tmp_path / "demo", clock=FakeClock())
    try:
        generate_demo(store, households=150, sessions=900, seed=11)
        assert_exact(store)
        sizes = summary_sizes(store)
        assert sizes["tally_days"] > 0 and sizes["tally_follow_ups"] > 0
        assert_tallies_match_the_sessions(store, SOME_PERIODS)
        # Periods up to the present starting on days that have sessions (someone's
        # last day can be the first day), early and late in the year: the reach is
        # read from either side of the first day.
        with store.reading() as session:
            days = session.scalars(text("SELECT DISTINCT day FROM tally_days ORDER BY day")).all()
        starts = [date.fromisoformat(day) for day in days[:: max(1, len(days) // 12)]]
        assert_tallies_match_the_sessions(
            store, tuple(custom(start, date(2026, 11, 29)) for start in starts)
        )
    finally:
        store.close()


def test_imports_keep_the_summaries_exact(tmp_path: Path) -> None:
    source = open_store(tmp_path / "source", clock=FakeClock())
    target = open_store(tmp_path / "target", clock=FakeClock())
    try:
        generate_demo(source, households=60, sessions=300, seed=5)
        export_households(source, tmp_path / "households.csv")
        export_sessions(source, tmp_path / "sessions.csv")
        import_households(target, tmp_path / "households.csv")
        report = import_sessions(target, tmp_path / "sessions.csv")
        assert report.imported > 0
        assert_exact(target)
        assert_tallies_match_the_sessions(target, SOME_PERIODS)
        for period in SOME_PERIODS:
            assert compute_tally(target, period).totals == compute_tally(source, period).totals
    finally:
        source.close()
        target.close()


# --- migration 0003 -----------------------------------------------------------------------


def _add_later_columns(database: Path) -> None:
    """Today's operations write every column of today's models: an older database
    gets the plain columns added since (their migrations leave present ones alone)."""
    from sqlalchemy import inspect

    from villagehelper.store.models import Base

    engine = make_engine(database)
    with engine.begin() as connection:
        present = inspect(connection)
        for table in Base.metadata.sorted_tables:
            if not present.has_table(table.name):
                continue
            have = {column["name"] for column in present.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    kind = column.type.compile(dialect=connection.dialect)
                    connection.exec_driver_sql(
                        f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"
                    )
    engine.dispose()


def test_migration_fills_the_summaries_of_an_existing_database(
    tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    database = data_dir / DATABASE_FILE
    migrate.upgrade(database, clock=clock, target="0002")
    _add_later_columns(database)
    # Data written by the operations of a VillageHelper whose schema stops at 0002.
    old = Store(database, make_engine(database), device_id="old-laptop", clock=clock)
    team.set_commune(old, "10999")
    villages = (team.add_village(old, "Thôn Khay").id, team.add_village(old, "Thôn Hữu").id)
    volunteer = team.add_team_member(old, "Phạm Đăng Xuyết", "leader", villages[0]).id
    households = [
        hh.create_household(
            old, HouseholdInput(villages[i % 2], f"Hộ {i}"), [MemberInput(f"N {i}")]
        ).id
        for i in range(3)
    ]
    outcomes = (
        ServiceOutcome("VNEID_L2", "follow_up", date(2026, 12, 1)),
        ServiceOutcome("EHEALTH", "failed", failure_reason="mất mạng"),
        *(ServiceOutcome(c) for c in ("VNEID_L1", "DVC_ACCOUNT", "BANK_ACCOUNT")),
        *(ServiceOutcome(c) for c in ("ECOMMERCE_OCOP", "ONLINE_SAFETY")),
    )
    for index, household_id in enumerate(households):
        visit = ss.log_visit(
            old,
            VisitInput(
                household_id,
                volunteer,
                outcomes[: 3 + 2 * index],
                occurred_at=clock.now - timedelta(days=10 * index),
            ),
        )
    ss.void_session(old, visit.session_ids[0], volunteer)
    old.close()
    assert migrate.current_revision(database) == "0002"

    store = open_store(data_dir, clock=clock)
    try:
        assert migrate.current_revision(database) == migrate.HEAD_REVISION
        sizes = summary_sizes(store)
        assert all(sizes[table] > 0 for table in SUMMARY_TABLES if table != "tally_split_members")
        assert_tallies_match_the_sessions(store, SOME_PERIODS, (None, *villages))
        tally = compute_tally(store, THIS_WEEK)
        # This week: household 0's visit; open: the follow-ups of households 0 and 1
        # (household 2's was voided); household 2's unnamed person has every basic skill.
        assert (tally.totals.sessions, tally.totals.open_follow_ups) == (3, 2)
        assert tally.basic_skills.households_covered == 1
        # The triggers are live from the first write after the upgrade.
        ss.log_visit(store, VisitInput(households[0], volunteer, outcomes[:1]))
        assert_exact(store)
        after = compute_tally(store, THIS_WEEK).totals
        assert (after.sessions, after.open_follow_ups) == (4, 2)  # the new one closed one
    finally:
        store.close()


def test_migration_0007_recounts_sessions_left_under_no_village(
    tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    database = data_dir / DATABASE_FILE
    migrate.upgrade(database, clock=clock, target="0006")
    _add_later_columns(database)
    old = Store(database, make_engine(database), device_id="old-laptop", clock=clock)
    team.set_commune(old, "10999")
    village = team.add_village(old, "Thôn Khay").id
    volunteer = team.add_team_member(old, "Phạm Đăng Xuyết", "leader", village).id
    household, now = new_id(), str(to_wire(clock.now))
    # What a VillageHelper of schema 0006 did with a household after its session.
    for page in (
        [_feed_session(household, volunteer, 1, "VNEID_L1", now)],
        [_feed_household(household, village, 2)],
    ):
        with old.feed_transaction() as session:
            apply_page(session, page, Changes())
    with old.reading() as session:
        assert session.scalar(text("SELECT village_id FROM tally_days")) == ""
    old.close()

    store = open_store(data_dir, clock=clock)
    try:
        assert migrate.current_revision(database) == migrate.HEAD_REVISION
        assert_exact(store)
        assert_tallies_match_the_sessions(store, SOME_PERIODS, (None, village))
        assert compute_tally(store, THIS_WEEK, village_id=village).totals.sessions == 1
    finally:
        store.close()


def test_migration_0007_waits_with_the_triggers_of_a_download_cut_short(
    tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    database = data_dir / DATABASE_FILE
    migrate.upgrade(database, clock=clock, target="0006")
    engine = make_engine(database)
    with engine.begin() as connection:
        suspend(connection)
    engine.dispose()

    store = open_store(data_dir, clock=clock)
    try:
        with store.engine.begin() as connection:
            assert tally_triggers(connection) == []
            resume(connection)  # the download reaches the end
            assert "tally_household_arrived" in tally_triggers(connection)
    finally:
        store.close()


def test_refill_refuses_to_count_twice_with_the_triggers_in_place(store: Store) -> None:
    with store.engine.begin() as connection:
        assert len(tally_triggers(connection)) > 0
        with pytest.raises(RuntimeError):
            refill(connection)


# --- pieces ---------------------------------------------------------------------------------


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 800))
def test_split_by_month_covers_every_day_once(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    runs, months = split_by_month(first, last)
    days = [a + timedelta(days=n) for a, b in runs for n in range((b - a).days + 1)]
    for start in months:
        following = (start + timedelta(days=32)).replace(day=1)
        days += [start + timedelta(days=n) for n in range((following - start).days)]
    assert sorted(days) == [first + timedelta(days=n) for n in range(length + 1)]
    assert len(runs) <= 2
    assert all(a.replace(day=1) == b.replace(day=1) for a, b in runs)  # within a month
    assert months == sorted(months) and all(m.day == 1 for m in months)


def test_summaries_are_read_only_where_vietnam_is_utc_plus_7() -> None:
    assert summaries_apply(iso_week(2026, 48))
    assert summaries_apply(custom(date(1976, 3, 1), date(1976, 3, 31)))
    # Saigon kept UTC+8 until June 1975: those days' bounds are not UTC+7 midnights.
    assert not summaries_apply(custom(date(1975, 3, 1), date(1975, 3, 31)))


# --- property: random histories against the plain recount -------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("void"), st.integers(0, 10_000)),
        st.tuples(st.just("unvoid"), st.integers(0, 10_000)),
        st.tuples(st.just("outcome"), st.integers(0, 10_000), st.sampled_from(["done", "failed"])),
        st.tuples(st.just("delete"), st.integers(0, 10_000)),
        st.tuples(st.just("move"), st.integers(0, 3), st.integers(0, 1)),
        st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3)),
        st.tuples(st.just("stray"), st.integers(0, 3), st.integers(0, 3)),
        st.tuples(st.just("catalog"), st.integers(0, 7), st.booleans()),
        st.tuples(st.just("insert"), session_specs),
    ),
    max_size=8,
)


def _nth_session(world: World, index: int) -> str | None:
    with world.store.reading() as session:
        ids = session.scalars(select(HelpSession.id).order_by(HelpSession.id)).all()
    return ids[index % len(ids)] if ids else None


def _apply(world: World, operation: tuple[Any, ...]) -> None:
    store = world.store
    kind = operation[0]
    services = (*world.basic, *world.others)
    if kind in ("void", "unvoid", "outcome", "delete"):
        session_id = _nth_session(world, operation[1])
        if session_id is None:
            return
        statement = {
            "void": "UPDATE help_sessions SET voided = 1 WHERE id = :id",
            "unvoid": "UPDATE help_sessions SET voided = 0 WHERE id = :id",
            "outcome": "UPDATE help_sessions SET outcome = :outcome, follow_up_date = NULL, "
            "failure_reason = 'x' WHERE id = :id",
            "delete": "DELETE FROM help_sessions WHERE id = :id",
        }[kind]
        raw_update(store, statement, id=session_id, outcome=operation[-1])
    elif kind == "move":
        raw_update(
            store,
            "UPDATE households SET village_id = :village WHERE id = :id",
            village=world.villages[operation[2]],
            id=world.households[operation[1]],
        )
    elif kind == "merge":
        survivor, loser = (world.households[i] for i in operation[1:])
        with store.transaction() as session:
            live = session.scalars(
                text("SELECT id FROM households WHERE deleted = 0 AND id IN (:a, :b)"),
                {"a": survivor, "b": loser},
            ).all()
        if survivor != loser and len(live) == 2:
            merge_households(store, survivor, loser, world.volunteers[0])
    elif kind == "stray":
        # A session naming a member of another household: the member is then "split".
        household, owner = (world.households[i] for i in operation[1:])
        with store.reading() as session:
            member = session.scalars(
                select(Member.id).where(Member.household_id == owner).order_by(Member.id)
            ).first()
        if member is not None:
            with store.transaction() as session:
                session.add(
                    HelpSession(
                        id=new_id(),
                        visit_id=new_id(),
                        household_id=household,
                        member_id=member,
                        service_code=world.basic[0],
                        outcome="done",
                        volunteer_id=world.volunteers[1],
                        occurred_at=ANCHORS[1] + timedelta(hours=1),
                        device_id="test-device",
                        voided=False,
                        updated_at=ANCHORS[1],
                    )
                )
    elif kind == "catalog":
        with store.transaction() as session:
            session.execute(
                update(Service)
                .where(Service.code == services[operation[1]])
                .values(basic_skill=operation[2])
            )
    else:
        insert_sessions(world, [operation[1]])


def _check_against_reference(world: World, periods: tuple[Period, ...]) -> None:
    for period in periods:
        for village_id in (None, *world.villages):
            for volunteer_id in (None, world.volunteers[1]):
                tally = compute_tally(
                    world.store, period, village_id=village_id, volunteer_id=volunteer_id
                )
                per_service, totals, (covered, households) = reference(
                    world, period, village_id, volunteer_id
                )
                rows = {row.service_code: row.counts for row in tally.rows}
                for code, expected in per_service.items():
                    assert rows[code] == expected, (period, village_id, volunteer_id, code)
                for code, got in rows.items():
                    if code not in per_service:
                        assert got == Counts(), (period, code)
                assert tally.totals == totals, (period, village_id, volunteer_id)
                assert tally.basic_skills.households_covered == covered, period
                assert tally.basic_skills.households == households, period
        for volunteer_id in (None, world.volunteers[1]):
            assert_counted_together_as_alone(world.store, period, world.villages, volunteer_id)


@settings(max_examples=25, deadline=None)
@given(specs=st.lists(session_specs, max_size=30), history=operations)
def test_summaries_after_any_history_match_a_plain_count(
    specs: list[Spec], history: list[tuple[Any, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = build_world(Path(folder))
        try:
            # Every basic skill for one person, so that the indicator has something to
            # count (and to lose, when the history voids or moves it).
            full = [(0, 0, s, "done", 0, ANCHORS[2], -s, False) for s in range(len(world.basic))]
            insert_sessions(world, [*specs, *full])
            for operation in history:
                _apply(world, operation)
            assert_exact(world.store)
            _check_against_reference(world, (*REACHING, *PERIODS))
            with world.store.reading() as session:
                split = session.scalar(text("SELECT count(*) FROM tally_split_members"))
                latest = session.scalar(
                    select(HelpSession.occurred_at).order_by(HelpSession.occurred_at.desc())
                )
                reaching = distinct_from_summaries(session.connection(), REACHING[0], None)
            # The reaching periods did use the summaries (unless a member is split).
            assert latest is None or latest < REACHING[0].end
            assert reaching == (split == 0)
        finally:
            world.store.close()


def test_sunday_midnight_boundary_in_the_summaries(tmp_path: Path) -> None:
    """The days of the summaries split at Vietnam midnight, as the periods do."""
    world = build_world(tmp_path)
    try:
        sunday_last = vn(2027, 1, 3, hour=23, minute=59, second=59)
        insert_sessions(
            world,
            [
                (0, 0, 0, "done", 0, sunday_last, 0, False),
                (1, 0, 0, "done", 0, sunday_last + timedelta(microseconds=999_999), 0, False),
                (2, 0, 0, "done", 0, sunday_last, 1, False),  # Monday 00:00
            ],
        )
        with world.store.reading() as session:
            days = session.execute(text("SELECT day, sessions FROM tally_days")).all()
        assert sorted(days) == [("2027-01-03", 2), ("2027-01-04", 1)]
        w53, w01 = (
            compute_tally(world.store, iso_week(2026, 53)),
            compute_tally(world.store, iso_week(2027, 1)),
        )
        assert (w53.totals.sessions, w01.totals.sessions) == (2, 1)
        assert (w53.totals.households, w01.totals.households) == (2, 1)
        assert (w01.totals.cumulative, w53.totals.cumulative) == (3, 2)
    finally:
        world.store.close()
