"""A campaign's progress equals a recount in plain SQL over the stored help sessions,
for many generated histories: sessions of the campaign's services and of others, before
the campaign, inside its window and after its deadline (on both sides of Vietnam's
midnight), voids, household merges, a follow-up then done, two people of one household
on the list, and rows with nobody linked.

The recount reads the database file with sqlite3 and knows the rule only as the docs
state it: a session counts if it is for the linked person, of a campaign service, has
no void row, and falls from the creation day to the deadline in Vietnam (UTC+7).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.campaign_support import (
    counted,
    linked,
    new_campaign,
    person_of,
    recount,
    store_list,
    target_row,
    unmatched,
)
from tests.conftest import FakeClock, make_village_team
from villagehelper.campaigns.progress import campaign_progress, who_is_left
from villagehelper.ops import households, sessions
from villagehelper.ops.duplicates import merge_households
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import HelpSession, Member

CREATED = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 14:00 in Vietnam, 23/11
DEADLINE = date(2026, 11, 30)
# The window as the docs state it, written out by hand: 23/11 00:00 to 01/12 00:00 UTC+7.
WINDOW = ("2026-11-22T17:00:00.000000Z", "2026-11-30T17:00:00.000000Z")
CAMPAIGN_SERVICES = ("CASHLESS_WELFARE", "BANK_ACCOUNT")
SERVICES = (*CAMPAIGN_SERVICES, "VNEID_L1")
PEOPLE = 6  # three households of two


@dataclass(frozen=True)
class Visit:
    person: int
    service: int
    outcome: str
    hours: int  # after 20/11 00:00 UTC: from before the campaign to after its deadline


@dataclass(frozen=True)
class Void:
    visit: int  # which earlier session (modulo how many there are)


@dataclass(frozen=True)
class Merge:
    loser: int
    survivor: int


Event = Visit | Void | Merge

visits = st.builds(
    Visit,
    st.integers(0, PEOPLE - 1),
    st.integers(0, len(SERVICES) - 1),
    st.sampled_from(("done", "follow_up", "failed")),
    # Anywhere from three days before the campaign to after its deadline, and often
    # within hours of either end of its window (hour 65: 23/11 00:00 in Vietnam; hour
    # 257: 01/12 00:00 in Vietnam), where a day counted in UTC would be wrong.
    st.one_of(st.integers(0, 24 * 15), st.integers(57, 73), st.integers(249, 265)),
)
events = st.lists(
    st.one_of(
        visits,
        visits,
        visits,
        st.builds(Void, st.integers(0, 50)),
        st.builds(Merge, st.integers(0, 2), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=25,
)
# Most people on the list (a row for nobody known is added to every list).
on_list = st.lists(st.booleans(), min_size=PEOPLE, max_size=PEOPLE).map(
    lambda picked: [wanted or number % 2 == 0 for number, wanted in enumerate(picked)]
)


def _seed(store: Store) -> tuple[list[str], str, str, str]:
    team = make_village_team(store)
    people: list[str] = []
    for number, village in enumerate((team.village_id, team.other_village_id, team.village_id)):
        saved = households.create_household(
            store,
            HouseholdInput(village, f"Nguyễn Văn Hộ{'ABC'[number]}"),
            [MemberInput(f"Nguyễn Văn Hộ{'ABC'[number]}", 1950), MemberInput("Lê Thị Hoà", 1955)],
        )
        with store.reading() as session:
            people.extend(
                session.scalars(
                    select(Member.id).where(Member.household_id == saved.id).order_by(Member.id)
                )
            )
    return people, team.leader_id, team.member_id, team.village_id


def _household_now(store: Store, member_id: str) -> str:
    with store.reading() as session:
        household_id = session.scalar(select(Member.household_id).where(Member.id == member_id))
        assert household_id is not None
        return household_id


def _play(
    store: Store, clock: FakeClock, people: list[str], volunteer: str, history: list[Event]
) -> None:
    clock.now = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # after every generated time
    logged: list[str] = []
    for event in history:
        if isinstance(event, Visit):
            member_id = people[event.person]
            outcome = ServiceOutcome(
                SERVICES[event.service],
                event.outcome,
                date(2026, 12, 20) if event.outcome == "follow_up" else None,
                "Chưa mang thẻ" if event.outcome == "failed" else "",
            )
            at = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(hours=event.hours)
            visit = VisitInput(
                _household_now(store, member_id), volunteer, [outcome], member_id, occurred_at=at
            )
            logged.extend(sessions.log_visit(store, visit).session_ids)
        elif isinstance(event, Void) and logged:
            session_id = logged[event.visit % len(logged)]
            with store.reading() as session:
                row = session.get(HelpSession, session_id)
                assert row is not None
                already = row.voided
            if not already:
                sessions.void_session(store, session_id, volunteer, "Ghi nhầm")
        elif isinstance(event, Merge):
            loser = _household_now(store, people[2 * event.loser])
            survivor = _household_now(store, people[2 * event.survivor])
            if loser != survivor:
                merge_households(store, survivor, loser, volunteer)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=events, chosen=on_list)
def test_progress_equals_a_recount_over_the_sessions(
    tmp_path_factory: object, history: list[Event], chosen: list[bool]
) -> None:
    folder = tmp_path_factory.mktemp("campaign")  # type: ignore[attr-defined]
    clock = FakeClock(CREATED - timedelta(hours=1))
    store = open_store(folder, clock=clock)
    try:
        people, leader, volunteer, village = _seed(store)
        campaign_id = new_campaign(store, leader, CAMPAIGN_SERVICES, DEADLINE)
        matches = [
            linked(target_row(n + 2, "x", None, ""), person_of(store, member_id))
            for n, (member_id, wanted) in enumerate(zip(people, chosen, strict=True))
            if wanted
        ]
        matches.append(unmatched(target_row(99, "Lò Văn Pấng", None, "Thôn Khay")))
        store_list(store, campaign_id, matches)
        _play(store, clock, people, volunteer, history)

        with store.reading() as session:
            progress = campaign_progress(session, campaign_id)
            left_here = who_is_left(session, campaign_id, village)
        expected = recount(store.path, campaign_id, CAMPAIGN_SERVICES, WINDOW)

        assert counted(progress) == expected
        for row in (*progress.by_village, progress.total):
            assert row.reached == row.done + row.follow_up + row.failed
            assert row.total == row.reached + row.not_yet
        assert progress.total.total == sum(chosen) + 1
        here = expected.get(village, Counter())
        assert len(left_here) == here.total() - here["done"]
    finally:
        store.close()
