"""The console's stale laptops and province view, on a real server on loopback (SQLite
and PostgreSQL) that real laptops synced with: a village appears 8 days after its last
sync by the server's clock and not after 6, and a province's totals are its communes'."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import FakeClock
from tests.console_figures_support import SERVER_START, WEEK, counts_tuple, recount
from tests.console_figures_support import replicas as replicas  # the fixture
from tests.sync_support import (
    COMMUNE,
    OTHER_COMMUNE,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    open_laptop,
    set_up_commune,
)
from villagehelper.errors import UserError
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.console_figures.overview import commune_overview
from villagehelper.server.console_figures.province import province_figures
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.server.tables import Device
from villagehelper.store import sync_state

HAI_PHONG = "31"
HA_NOI_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội


def _last_seen(server: LoopbackServer, laptop: Laptop) -> datetime:
    with laptop.store.reading() as session:
        credentials = sync_state.enrolled(session)
    assert isinstance(credentials, sync_state.Enrolled)
    with server.db.engine.connect() as connection:
        seen = connection.execute(
            text("SELECT last_seen_at FROM devices WHERE id = :id"), {"id": credentials.device_id}
        ).scalar_one()
    with server.db.reading() as session:  # the same value, as the table's type reads it
        device = session.get(Device, credentials.device_id)
        assert device is not None and device.last_seen_at is not None
        assert seen is not None
        return device.last_seen_at


def _log(laptop: Laptop, household_id: str, volunteer_id: str, service: str = "VNEID_L1") -> None:
    visit = VisitInput(household_id, volunteer_id, [ServiceOutcome(service)])
    sessions.log_visit(laptop.store, visit)
    laptop.sync()


def test_a_village_is_stale_after_eight_days_without_a_sync_not_after_six(
    sync_server: LoopbackServer, replicas: CommuneReplicas, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    huu = team.add_village(leader.store, "Thôn Hữu Chung")  # no laptop works for it yet
    home = households.create_household(leader.store, HouseholdInput(commune.village_id, "Lò A"))
    _log(leader, home.id, commune.leader_id)
    enrol_laptop(sync_server, open_laptop(tmp_path, "unused"))  # enrolled, never synced
    synced = _last_seen(sync_server, leader)
    db = sync_server.db

    def villages_at(now: datetime) -> dict[str, tuple[int, datetime | None, bool]]:
        laptops = commune_overview(replicas, db, COMMUNE, WEEK, now).laptops
        assert laptops.unplaced_laptops == 1 and laptops.unplaced_stale == 1
        return {v.name: (v.laptops, v.last_sync, v.stale) for v in laptops.villages}

    assert villages_at(synced + timedelta(days=6)) == {
        "Thôn Khay": (1, synced, False),
        "Thôn Hữu Chung": (0, None, True),
    }
    assert villages_at(synced + timedelta(days=7))["Thôn Khay"][2] is False
    assert villages_at(synced + timedelta(days=8))["Thôn Khay"] == (1, synced, True)
    stale = commune_overview(replicas, db, COMMUNE, WEEK, synced + timedelta(days=8)).laptops
    assert [village.name for village in stale.stale_villages] == ["Thôn Hữu Chung", "Thôn Khay"]

    # The laptop syncs its work on day 8: fresh again by the server's clock.
    db.clock = FakeClock(synced + timedelta(days=8))
    leader.store.clock = FakeClock(synced + timedelta(days=8))
    _log(leader, home.id, commune.leader_id, "VSSID")
    resynced = _last_seen(sync_server, leader)
    assert resynced > synced + timedelta(days=8)
    assert villages_at(resynced + timedelta(hours=1))["Thôn Khay"] == (1, resynced, False)
    # Its first work for the other village, after the villages were read once already.
    far = households.create_household(leader.store, HouseholdInput(huu.id, "Lò B"))
    _log(leader, far.id, commune.leader_id)
    last = _last_seen(sync_server, leader)
    assert villages_at(last + timedelta(hours=1)) == {
        "Thôn Khay": (1, last, False),
        "Thôn Hữu Chung": (1, last, False),
    }

    # A revoked laptop will never sync again: its village has no laptop left.
    with leader.store.reading() as session:
        credentials = sync_state.enrolled(session)
    assert isinstance(credentials, sync_state.Enrolled)
    accounts.revoke(db, credentials.device_id)
    assert villages_at(last + timedelta(hours=1))["Thôn Khay"] == (0, None, True)


def test_province_totals_are_the_sum_of_its_communes(
    sync_server: LoopbackServer, replicas: CommuneReplicas, tmp_path: Path
) -> None:
    db = sync_server.db
    accounts.add_commune(db, HA_NOI_COMMUNE, "Phường Ba Đình")  # another province
    commune = set_up_commune(sync_server, tmp_path)
    home = households.create_household(
        commune.leader.store, HouseholdInput(commune.village_id, "Lò A")
    )
    _log(commune.leader, home.id, commune.leader_id)
    _log(commune.leader, home.id, commune.member_id, "VSSID")

    other = open_laptop(tmp_path, "other-leader")
    team.set_commune(other, OTHER_COMMUNE)
    village = team.add_village(other, "Tổ dân phố 1")
    chief = team.add_team_member(other, "Trần Văn Ba", "leader", village.id)
    other_laptop = enrol_laptop(sync_server, other, "leader", OTHER_COMMUNE)
    other_home = households.create_household(other, HouseholdInput(village.id, "Mai C"))
    _log(other_laptop, other_home.id, chief.id, "DVC_ACCOUNT")

    now = SERVER_START + timedelta(days=1)
    province = province_figures(replicas, db, HAI_PHONG, WEEK, now)

    assert province.province_name == "Thành phố Hải Phòng"
    assert [line.code for line in province.communes] == [COMMUNE, OTHER_COMMUNE]
    for line in province.communes:
        own = commune_overview(replicas, db, line.code, WEEK, now)
        assert line.totals == own.figures.totals
        assert counts_tuple(line.totals) == recount(db, line.code, WEEK).total.as_tuple()
        assert line.stale_villages == len(own.laptops.stale_villages)
    # Two sessions for household Lò A (one unnamed person), one for Mai C: counted by hand.
    assert counts_tuple(province.totals) == (3, 2, 2, 3, 0, 0)
    recounts = [recount(db, code, WEEK).total.as_tuple() for code in (COMMUNE, OTHER_COMMUNE)]
    assert counts_tuple(province.totals) == tuple(map(sum, zip(*recounts, strict=True)))
    assert province.stale_communes == ()
    later = province_figures(replicas, db, HAI_PHONG, WEEK, now + timedelta(days=8))
    assert [line.code for line in later.stale_communes] == [COMMUNE, OTHER_COMMUNE]

    with pytest.raises(UserError) as refused:
        province_figures(replicas, db, "99", WEEK, now)
    assert "Không có tỉnh mã '99'" in refused.value.message_vi
