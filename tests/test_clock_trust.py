"""Time you can trust (villagehelper.ops.trusted_time): the laptop learns the server's time
at each sync and judges its own clock by it and by what it has already stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FakeClock, Team
from tests.sync_support import LoopbackServer, enrol_laptop, fast_connection, open_laptop
from villagehelper.clock import utc_now
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.ops.trusted_time import (
    FRESH,
    MARGIN,
    ClockTrust,
    ServerReference,
    judge,
    judge_clock,
    parse_server_time,
)
from villagehelper.store.engine import Store
from villagehelper.sync import client

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
moments = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2998, 1, 1)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
offsets = st.timedeltas(min_value=-timedelta(days=4000), max_value=timedelta(days=4000))


def _synced_laptop(sync_server: LoopbackServer, tmp_path: Path, laptop_clock: datetime) -> Store:
    """A laptop whose clock reads ``laptop_clock`` when it syncs with the (true) server."""
    store = open_laptop(tmp_path, "laptop")
    assert isinstance(store.clock, FakeClock)
    store.clock.now = laptop_clock
    laptop = enrol_laptop(sync_server, store)
    laptop.sync()
    return store


def test_a_laptop_five_years_ahead_learns_it_at_its_first_sync(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    store = _synced_laptop(sync_server, tmp_path, utc_now() + timedelta(days=5 * 365))
    verdict = judge_clock(store)
    assert (verdict.trust, verdict.reason) == (ClockTrust.WRONG, "server_differs")
    assert "nhanh 1825 ngày" in verdict.message_vi
    assert "Windows" in verdict.message_vi and "đồng bộ" in verdict.message_vi
    assert "1825 days ahead of" in verdict.message_en


def test_a_laptop_two_hours_behind_is_told_so(sync_server: LoopbackServer, tmp_path: Path) -> None:
    store = _synced_laptop(sync_server, tmp_path, utc_now() - timedelta(hours=2, minutes=1))
    verdict = judge_clock(store)
    assert verdict.wrong and "chậm 2 giờ" in verdict.message_vi


def test_a_right_clock_is_trusted_after_a_sync_and_its_fix_is_seen_at_the_next(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    store = _synced_laptop(sync_server, tmp_path, utc_now() + timedelta(days=400))
    assert judge_clock(store).wrong
    assert isinstance(store.clock, FakeClock)
    store.clock.now = utc_now()  # the person set the date in Windows, then synced
    client.sync_once(store, connect=fast_connection)
    assert judge_clock(store).trust is ClockTrust.TRUSTED


def test_a_clock_set_back_behind_what_it_stored_is_wrong_without_a_server(
    village_team: Team, clock: FakeClock
) -> None:
    store = village_team.store
    households.create_household(store, HouseholdInput(village_team.village_id, "Lê Thị Quyên"))
    assert judge_clock(store).trust is ClockTrust.UNCONFIRMED  # never synced: nothing to say
    clock.now = datetime(2019, 1, 1, tzinfo=UTC)  # the CMOS battery died
    verdict = judge_clock(store)
    assert (verdict.trust, verdict.reason) == (ClockTrust.WRONG, "behind_stored")
    assert "01/01/2019" in verdict.message_vi


def test_the_servers_own_header_and_http_date_both_read() -> None:
    assert parse_server_time("2026-12-06T08:00:00.250+00:00", None) == NOW + timedelta(
        milliseconds=250
    )
    assert parse_server_time(None, "Sun, 06 Dec 2026 08:00:00 GMT") == NOW
    assert parse_server_time("garbage", "also garbage") is None
    assert parse_server_time(None, None) is None


@given(moments, offsets, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_a_clock_the_server_contradicts_is_never_trusted(
    now: datetime, offset: timedelta, since: timedelta
) -> None:
    verdict = judge(now, ServerReference(offset, now - since), None)
    if abs(offset) > MARGIN:
        assert verdict.wrong
    elif since <= FRESH:
        assert verdict.trusted
    else:
        assert verdict.trust is ClockTrust.UNCONFIRMED


@given(moments, st.timedeltas(min_value=-timedelta(days=4000), max_value=timedelta(days=4000)))
def test_without_a_server_only_what_is_stored_judges(now: datetime, lead: timedelta) -> None:
    verdict = judge(now, None, now + lead)
    assert verdict.wrong == (lead > MARGIN)
    assert not verdict.trusted


def test_a_leaders_confirmation_overrules_stored_times_but_not_the_server(
    village_team: Team, clock: FakeClock
) -> None:
    from villagehelper.ops.trusted_time import confirm_date_by_leader, note_server_time

    store = village_team.store
    clock.advance(days=5 * 365)
    households.create_household(store, HouseholdInput(village_team.village_id, "Lê Thị Quyên"))
    clock.advance(days=-5 * 365)
    assert judge_clock(store).reason == "behind_stored"
    confirm_date_by_leader(store)
    assert judge_clock(store).trust is ClockTrust.UNCONFIRMED
    with store.transaction() as session:  # then a sync finds the clock a day behind
        note_server_time(session, clock.now + timedelta(days=1), clock.now)
    assert judge_clock(store).reason == "server_differs"
