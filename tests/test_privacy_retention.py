"""The retention rule: personal details are purged a set number of months after the
household's last contact (help session or edit), the way an erasure does it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FakeClock, Team
from tests.sync_support import (
    LoopbackServer,
    enrol_laptop,
    on_the_leaders_time,
    open_laptop,
    set_up_commune,
)
from villagehelper.ops import households, retention, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.personal_fields import ERASED_NAME
from villagehelper.preferences import LONGEST_RETENTION_MONTHS
from villagehelper.store.engine import Store
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week


def _household(store: Store, village_id: str, name: str) -> str:
    return households.create_household(
        store, HouseholdInput(village_id, name, phone="0912345678"), [MemberInput(name, 1950)]
    ).id


def _purge(store: Store, months: int, now: datetime) -> retention.Purged:
    """The rule applied at ``now`` as a leader who read the list and confirmed it."""
    return retention.carry_out_purge(store, retention.plan_purge(store, months, now))


def _head(store: Store, household_id: str) -> str:
    return households.get_household(store, household_id).head_name


def test_a_household_is_purged_only_once_its_last_contact_is_old_enough(
    village_team: Team, clock: FakeClock
) -> None:
    store = village_team.store
    quiet = _household(store, village_team.village_id, "Lê Thị Quyên")
    helped = _household(store, village_team.village_id, "Hoàng Văn Bảy")
    edited = _household(store, village_team.village_id, "Ngô Thị Tám")
    week = compute_tally(store, iso_week(2026, 48))
    clock.advance(days=400)
    sessions.log_visit(
        store, VisitInput(helped, village_team.member_id, [ServiceOutcome("VNEID_L1")])
    )
    households.update_household(
        store, edited, HouseholdInput(village_team.village_id, "Ngô Thị Tám", "Xóm Bắc")
    )
    # 24 months after the start: the quiet household is two years old to the day.
    at_two_years = datetime(2028, 11, 23, 7, 0, 1, tzinfo=UTC)

    assert _purge(store, 24, at_two_years - timedelta(days=1)).households == 0
    purged = _purge(store, 24, at_two_years)

    assert (purged.households, purged.people) == (1, 1)
    assert _head(store, quiet) == ERASED_NAME
    assert households.get_household(store, quiet).phone is None
    assert _head(store, helped) == "Hoàng Văn Bảy"
    assert _head(store, edited) == "Ngô Thị Tám"
    assert compute_tally(store, iso_week(2026, 48)) == week
    # Purged once: a later run finds nothing more to do.
    assert _purge(store, 24, at_two_years).households == 0


def test_a_shorter_rule_purges_more(village_team: Team, clock: FakeClock) -> None:
    store = village_team.store
    old = _household(store, village_team.village_id, "Lê Thị Quyên")
    clock.advance(days=100)
    recent = _household(store, village_team.village_id, "Hoàng Văn Bảy")
    now = clock.now + timedelta(days=40)
    assert _purge(store, 3, now).households == 1
    assert (_head(store, old), _head(store, recent)) == (ERASED_NAME, "Hoàng Văn Bảy")


@given(
    st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2998, 12, 31)),
    st.integers(min_value=1, max_value=LONGEST_RETENTION_MONTHS),
)
def test_months_before_is_that_many_calendar_months_back(moment: datetime, months: int) -> None:
    moment = moment.replace(tzinfo=UTC)
    earlier = retention.months_before(moment, months)
    assert (moment.year * 12 + moment.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.time() == moment.time()
    assert earlier.day == moment.day or (
        earlier.day < moment.day and (earlier + timedelta(days=1)).day == 1
    )


def test_the_purge_syncs_and_a_volunteers_laptop_leaves_it_to_the_leader(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader_clock = on_the_leaders_time(sync_server, commune)  # three years in seconds
    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    household_id = _household(commune.leader.store, commune.village_id, "Lê Thị Quyên")
    commune.leader.sync()
    volunteer.sync()
    far_future = datetime(2030, 1, 1, tzinfo=UTC)
    leader_clock.now = far_future
    commune.leader.sync()

    skipped = _purge(volunteer.store, 24, far_future)
    assert (skipped.households, skipped.skipped_not_leader) == (0, True)
    assert _purge(commune.leader.store, 24, far_future).households == 1
    commune.leader.sync()
    volunteer.sync()
    assert _head(volunteer.store, household_id) == ERASED_NAME
