"""The server's second line (villagehelper.sync.server.erasure_time): a retention purge
made under a clock that jumped ahead after the laptop's last sync reaches the server,
which refuses it; the rest of the commune keeps the residents' details."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.sync_support import LoopbackServer, enrol_laptop, open_laptop, set_up_commune
from villagehelper.clock import utc_now
from villagehelper.ops import erasure, households, retention
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.personal_fields import ERASED_NAME
from villagehelper.sync.http import ServerRefusedError
from villagehelper.trusted_time import ClockTrust


def test_a_purge_dated_years_ahead_of_the_server_is_refused_and_nothing_spreads(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    clock = leader.store.clock
    assert isinstance(clock, FakeClock)
    clock.now = utc_now()  # right when it last synced…
    household_id = households.create_household(
        leader.store,
        HouseholdInput(commune.village_id, "Lê Thị Quyên"),
        [MemberInput("Lê Thị Quyên", 1950)],
    ).id
    leader.sync()
    other = enrol_laptop(sync_server, open_laptop(tmp_path, "other"))
    other.sync()

    clock.advance(days=5 * 365)  # …then five years ahead, with no sync since
    plan = retention.plan_purge(leader.store, 24)
    assert plan.clock.trust is ClockTrust.UNCONFIRMED  # nothing on the laptop says so
    assert retention.carry_out_purge(leader.store, plan).households == 1  # a leader said yes

    with pytest.raises(ServerRefusedError) as refused:
        leader.sync()
    assert refused.value.status == 409
    assert "từ chối việc xóa thông tin theo thời hạn lưu" in refused.value.message_vi
    assert "Windows" in refused.value.message_vi
    other.sync()
    assert households.get_household(other.store, household_id).head_name == "Lê Thị Quyên"


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
