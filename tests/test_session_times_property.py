"""Session times around the limits the commune server holds them to: one microsecond
either side of "the server's time + one day" and of 1 January 2025 (Vietnam), and
anywhere within years of them.  Whatever the time, the server stores the session; it is
counted (by the server's tally and by a laptop after it syncs) exactly when it is
plausible, and quarantined (kept, listed, not counted) otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sync_support import COMMUNE, LoopbackServer, set_up_commune
from villagehelper.clock import vietnam_today
from villagehelper.ids import new_id
from villagehelper.ops import households, implausible
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.server import tallies
from villagehelper.server.accounts import DeviceRole, DeviceScope
from villagehelper.server.batch import IncomingChange
from villagehelper.server.push import push
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.session_times import (
    EARLIEST_SESSION,
    FUTURE_MARGIN,
    Implausible,
    implausibility,
)
from villagehelper.store import sync_state
from villagehelper.store.models import utc_text
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import Period, week_containing

RECEIVED = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # the server's clock, fixed
_ANCHORS = (EARLIEST_SESSION, RECEIVED + FUTURE_MARGIN, RECEIVED, EARLIEST_SESSION + FUTURE_MARGIN)
_MICROSECONDS_A_YEAR = 366 * 24 * 3600 * 10**6


def _near(anchor: datetime) -> st.SearchStrategy[datetime]:
    offsets = st.one_of(
        st.integers(-2, 2),  # a microsecond either side of the limit
        st.integers(-(10**11), 10**11),  # a day or so
        st.integers(-6 * _MICROSECONDS_A_YEAR, 6 * _MICROSECONDS_A_YEAR),  # years
    )
    return offsets.map(lambda micro: anchor + timedelta(microseconds=micro))


session_times = st.sampled_from(_ANCHORS).flatmap(_near)


@given(occurred_at=session_times, received_at=st.sampled_from((RECEIVED, EARLIEST_SESSION)))
def test_the_rule_at_its_limits(occurred_at: datetime, received_at: datetime) -> None:
    why = implausibility(occurred_at, received_at)
    if occurred_at < EARLIEST_SESSION:
        assert why == Implausible.TOO_EARLY
    elif occurred_at > received_at + FUTURE_MARGIN:
        assert why == Implausible.FUTURE
    else:
        assert why is None


@given(occurred_at=session_times)
def test_a_server_whose_own_clock_is_before_2025_applies_the_floor_only(
    occurred_at: datetime,
) -> None:
    """A server with a dead battery must not quarantine the commune's real work."""
    broken_server_clock = datetime(2019, 1, 1, tzinfo=UTC)
    expected = Implausible.TOO_EARLY if occurred_at < EARLIEST_SESSION else None
    assert implausibility(occurred_at, broken_server_clock) == expected


def test_the_server_and_a_laptop_count_a_session_exactly_when_its_time_is_plausible(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    db = sync_server.db
    db.clock = lambda: RECEIVED
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    home = households.create_household(leader.store, HouseholdInput(commune.village_id, "Lê Tám"))
    leader.sync()
    with leader.store.reading() as session:
        credentials = sync_state.enrolled(session)
    assert credentials is not None
    scope = DeviceScope(credentials.device_id, COMMUNE, DeviceRole.VOLUNTEER)
    replicas = CommuneReplicas(db, tmp_path / "replicas")

    def counts(week: Period) -> tuple[int, int, int, int]:
        """(server's count, server's waiting, laptop's count, laptop's waiting)"""
        on_server = tallies.weekly(replicas, COMMUNE, week.label, vietnam_today(RECEIVED))
        return (
            on_server.tally.totals.sessions,
            on_server.implausible_sessions,
            compute_tally(leader.store, week).totals.sessions,
            implausible.count_implausible(leader.store),
        )

    @settings(max_examples=30, deadline=None)
    @given(occurred_at=session_times)
    def check(occurred_at: datetime) -> None:
        week = week_containing(vietnam_today(occurred_at))
        before = counts(week)
        session_id = new_id()
        fields = {
            "visit_id": new_id(),
            "household_id": home.id,
            "member_id": None,
            "service_code": "OTHER",
            "outcome": "done",
            "follow_up_date": None,
            "failure_reason": "",
            "note": "",
            "volunteer_id": commune.member_id,
            "occurred_at": utc_text(occurred_at),
            "device_id": credentials.device_id,
            "replaces_id": None,
        }
        change = IncomingChange(new_id(), "help_session", session_id, "insert", None, fields)
        [result] = push(db, scope, [change])

        expected = implausibility(occurred_at, RECEIVED)
        assert result["status"] == "applied"  # stored either way: nothing lost
        assert result.get("quarantined") == (expected.value if expected else None)
        leader.sync()
        counted = 0 if expected else 1
        after = counts(week)
        assert [now - then for now, then in zip(after, before, strict=True)] == [
            counted,
            1 - counted,
            counted,
            1 - counted,
        ]
        waiting = {item.session.id: item.why for item in implausible.list_implausible(leader.store)}
        assert waiting.get(session_id) == expected

    try:
        check()
    finally:
        replicas.close()
