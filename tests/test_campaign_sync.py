"""A campaign through a real commune server on loopback: one leader's laptop makes it
and its list, two laptops log visits, both sync, and both compute the same progress,
equal to a recount over their own sessions; a volunteer's laptop can make no campaign,
neither through the app's operation nor by sending one to the server."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

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
from tests.sync_support import (
    Commune,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.campaigns.progress import CampaignProgress, campaign_progress
from villagehelper.errors import UserError
from villagehelper.ids import new_id
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.store.changelog import Changes, record_insert
from villagehelper.store.models import Campaign
from villagehelper.sync import set_aside

SERVICES = ("CASHLESS_WELFARE",)
WINDOW = ("2026-11-22T17:00:00.000000Z", "2026-11-30T17:00:00.000000Z")


@pytest.fixture
def commune(sync_server: LoopbackServer, tmp_path: Path) -> Commune:
    return set_up_commune(sync_server, tmp_path)


def _visit(laptop: Laptop, household: str, member: str, volunteer: str, outcome: str) -> None:
    item = ServiceOutcome(
        SERVICES[0], outcome, date(2026, 12, 3) if outcome == "follow_up" else None
    )
    sessions.log_visit(laptop.store, VisitInput(household, volunteer, [item], member))


def _progress(laptop: Laptop, campaign_id: str) -> CampaignProgress:
    with laptop.store.reading() as session:
        return campaign_progress(session, campaign_id)


def test_two_laptops_and_the_server_agree_on_a_campaigns_progress(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    leader = commune.leader
    second = enrol_laptop(sync_server, open_laptop(tmp_path, "second"))
    saved = households.create_household(
        leader.store,
        HouseholdInput(commune.village_id, "Trần Văn Thuận"),
        [MemberInput("Trần Văn Thuận", 1950), MemberInput("Vũ Thị Nguyệt", 1954)],
    )
    ids = {m.full_name: m.id for m in households.get_household(leader.store, saved.id).members}
    thuan, nguyet = ids["Trần Văn Thuận"], ids["Vũ Thị Nguyệt"]
    campaign_id = new_campaign(leader.store, commune.leader_id, SERVICES)
    store_list(
        leader.store,
        campaign_id,
        [
            linked(
                target_row(2, "Tran Van Thuan", 1950, "Thôn Khay"), person_of(leader.store, thuan)
            ),
            linked(
                target_row(3, "Vu Thi Nguyet", 1954, "Thôn Khay"), person_of(leader.store, nguyet)
            ),
            unmatched(target_row(4, "Lò Văn Pấng", 1948, "Thôn Khay")),
        ],
    )
    leader.sync()
    second.sync()

    # Both laptops log: one person done here, the other a follow-up there then done
    # here for another service (which does not count).
    _visit(leader, saved.id, thuan, commune.member_id, "done")
    _visit(second, saved.id, nguyet, commune.member_id, "follow_up")
    sessions.log_visit(
        leader.store,
        VisitInput(saved.id, commune.member_id, [ServiceOutcome("VNEID_L1")], nguyet),
    )
    for laptop in (leader, second, leader):
        laptop.sync()

    mine, theirs = _progress(leader, campaign_id), _progress(second, campaign_id)
    assert mine == theirs
    assert (mine.total.total, mine.total.done, mine.total.follow_up, mine.total.not_yet) == (
        3,
        1,
        1,
        1,
    )
    for laptop in (leader, second):
        assert counted(_progress(laptop, campaign_id)) == recount(
            laptop.store.path, campaign_id, SERVICES, WINDOW
        )
    on_server = server_snapshot(sync_server.db)
    assert on_server[("campaign", campaign_id)]["service_codes"] == "CASHLESS_WELFARE"
    assert sum(1 for entity, _ in on_server if entity == "campaign_target") == 3


def test_a_volunteers_laptop_can_make_no_campaign(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    volunteer.sync()
    with pytest.raises(UserError, match="máy của tổ trưởng"):
        new_campaign(volunteer.store, commune.leader_id)

    # Written past the operation, the server refuses it when it is sent.
    campaign_id = new_id()
    with volunteer.store.transaction() as session:
        made = Campaign(
            id=campaign_id,
            commune_code="10999",
            name="Chiến dịch tự đặt",
            service_codes="VSSID",
            deadline=date(2026, 12, 31),
            created_by=commune.member_id,
            created_at=datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
            closed=False,
        )
        record_insert(session, made, Changes())
    volunteer.sync()

    assert ("campaign", campaign_id) not in server_snapshot(sync_server.db)
    with volunteer.store.reading() as session:
        [refused] = set_aside.listed(session)
    assert (refused.entity, refused.row_id) == ("campaign", campaign_id)
    assert "Chỉ tổ trưởng được tạo và sửa chiến dịch" in refused.reason_vi
