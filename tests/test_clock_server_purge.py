"""A purge under a clock that jumped ahead since the laptop's last sync: the laptop
waits for a sync to vouch for its clock; and the server, the second line, refuses a
retention purge dated years after its own time (as an older laptop, or one that purged
before it was enrolled, would send it), so the rest of the commune keeps the details."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.sync_support import (
    LoopbackServer,
    enrol_laptop,
    fast_connection,
    open_laptop,
    set_up_commune,
)
from villagehelper import personal_fields
from villagehelper.clock import utc_now
from villagehelper.ops import erasure, households, retention
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.ops.trusted_time import ClockTrust, UntrustedClockError
from villagehelper.personal_fields import ERASED_NAME
from villagehelper.store import sync_state
from villagehelper.store.changelog import Op
from villagehelper.store.models import Household, utc_text
from villagehelper.sync.http import ServerRefusedError


def test_a_clock_that_jumped_ahead_since_the_last_sync_purges_nothing_until_synced(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    clock = leader.store.clock
    assert isinstance(clock, FakeClock)
    clock.now = utc_now()  # right when it last synced…
    household_id = households.create_household(
        leader.store, HouseholdInput(commune.village_id, "Lê Thị Quyên")
    ).id
    leader.sync()

    clock.advance(days=5 * 365)  # …then five years ahead, with no sync since
    plan = retention.plan_purge(leader.store, 24)
    assert plan.clock.trust is ClockTrust.UNCONFIRMED  # nothing on the laptop contradicts it
    assert [h.id for h in plan.households] == [household_id]
    refused = plan.refusal()
    assert refused is not None and "Hãy đồng bộ trước" in refused.message_vi
    with pytest.raises(UntrustedClockError):
        retention.carry_out_purge(leader.store, plan)
    assert not households.get_household(leader.store, household_id).erased
    leader.sync()  # the sync tells: the clock is wrong
    assert retention.plan_purge(leader.store, 24).clock.wrong


def test_a_purge_dated_years_ahead_of_the_server_is_refused_and_nothing_spreads(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """As an older laptop, or one that purged before it was enrolled, would send it."""
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    household_id = households.create_household(
        leader.store,
        HouseholdInput(commune.village_id, "Lê Thị Quyên"),
        [MemberInput("Lê Thị Quyên", 1950)],
    ).id
    leader.sync()
    other = enrol_laptop(sync_server, open_laptop(tmp_path, "other"))
    other.sync()
    with leader.store.reading() as session:
        credentials = sync_state.enrolled(session)
        cursor = sync_state.cursor(session)
        version = session.get(Household, household_id).server_version  # type: ignore[union-attr]
    assert credentials is not None
    in_2031 = utc_text(utc_now() + timedelta(days=5 * 365))
    purge = {
        "change_id": str(uuid.uuid4()),
        "entity": "household",
        "row_id": household_id,
        "op": Op.UPDATE,
        "base_version": version,
        "fields": personal_fields.erased_fields("household", in_2031, None),
    }
    connection = fast_connection(sync_server.url, credentials.token)
    try:
        with pytest.raises(ServerRefusedError) as refused:
            connection.post(
                "/v1/push", {"team_member_id": None, "cursor": cursor, "changes": [purge]}
            )
    finally:
        connection.close()
    assert refused.value.status == 409
    assert "từ chối việc xóa thông tin theo thời hạn lưu" in refused.value.message_vi
    assert "Windows" in refused.value.message_vi
    other.sync()
    assert households.get_household(other.store, household_id).head_name == "Lê Thị Quyên"
    # The same purge dated by a clock a few days ahead only (within the week a laptop's
    # clock is vouched for) goes through: the rule is counted in months.
    purge["change_id"] = str(uuid.uuid4())
    purge["fields"] = personal_fields.erased_fields(
        "household", utc_text(utc_now() + timedelta(days=3)), None
    )
    connection = fast_connection(sync_server.url, credentials.token)
    try:
        connection.post("/v1/push", {"team_member_id": None, "cursor": cursor, "changes": [purge]})
    finally:
        connection.close()
    other.sync()
    assert households.get_household(other.store, household_id).head_name == ERASED_NAME


def test_an_erasure_on_request_and_a_purge_in_time_still_go_through(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    clock = leader.store.clock
    assert isinstance(clock, FakeClock)
    clock.now = utc_now() - timedelta(days=800)
    asked, expired = (
        households.create_household(leader.store, HouseholdInput(commune.village_id, name)).id
        for name in ("Đỗ Văn Lâm", "Lê Thị Quyên")
    )
    leader.sync()  # uploaded and read back long ago: its last contact is then
    clock.now = utc_now() + timedelta(days=2)  # a clock a little ahead, erasing on request
    erasure.erase_household(leader.store, asked, commune.leader_id)
    leader.sync()
    clock.now = utc_now()
    leader.sync()
    purged = retention.carry_out_purge(leader.store, retention.plan_purge(leader.store, 24))
    assert purged.households == 1
    leader.sync()
    other = enrol_laptop(sync_server, open_laptop(tmp_path, "other"))
    other.sync()
    for household_id in (asked, expired):
        assert households.get_household(other.store, household_id).head_name == ERASED_NAME
