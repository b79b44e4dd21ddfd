"""What the log-a-visit screen is told of a household: its people on an open campaign's
list not yet done, with the campaign's services; and the campaign commands of the
command line."""

from __future__ import annotations

from datetime import date

import pytest

from tests.campaign_support import (
    household_of,
    linked,
    new_campaign,
    person_of,
    store_list,
    target_row,
)
from tests.conftest import FakeClock, Team
from villagehelper.campaigns import store_ops
from villagehelper.campaigns.progress import TargetStatus
from villagehelper.campaigns.visit_hint import open_campaign_targets
from villagehelper.cli import dispatch
from villagehelper.ops import sessions
from villagehelper.ops.duplicates import merge_households
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.store.engine import Store

HEAD = "Trần Văn Thuận"
SPOUSE = "Vũ Thị Nguyệt"


def _household(team: Team, *names: str) -> tuple[str, dict[str, str]]:
    return household_of(team.store, team.village_id, *names)


def _hint(store: Store, household_id: str) -> list[tuple[str, tuple[str, ...], TargetStatus]]:
    with store.reading() as session:
        return [
            (item.full_name, item.service_codes, item.status)
            for item in open_campaign_targets(session, household_id)
        ]


def _on_list(team: Team, campaign_id: str, *member_ids: str) -> None:
    rows = [
        linked(target_row(line, "x", None, ""), person_of(team.store, member_id))
        for line, member_id in enumerate(member_ids, start=2)
    ]
    store_list(team.store, campaign_id, rows)


def test_the_visit_screen_names_who_is_on_an_open_list_until_they_are_done(
    village_team: Team, clock: FakeClock
) -> None:
    store = village_team.store
    household_id, ids = _household(village_team, HEAD, SPOUSE)
    campaign_id = new_campaign(store, village_team.leader_id, ("CASHLESS_WELFARE", "VSSID"))
    _on_list(village_team, campaign_id, ids[HEAD], ids[SPOUSE])
    services = ("CASHLESS_WELFARE", "VSSID")
    assert _hint(store, household_id) == [
        (HEAD, services, TargetStatus.NOT_YET),
        (SPOUSE, services, TargetStatus.NOT_YET),
    ]

    sessions.log_visit(
        store,
        VisitInput(household_id, village_team.member_id, [ServiceOutcome("VSSID")], ids[HEAD]),
    )
    follow_up = ServiceOutcome("CASHLESS_WELFARE", "follow_up", date(2026, 11, 28))
    sessions.log_visit(
        store, VisitInput(household_id, village_team.member_id, [follow_up], ids[SPOUSE])
    )
    assert _hint(store, household_id) == [(SPOUSE, services, TargetStatus.FOLLOW_UP)]

    clock.advance(days=8)  # 01/12: the deadline (30/11) has passed
    assert _hint(store, household_id) == []


def test_a_closed_campaign_is_not_named_and_a_merge_is_followed(village_team: Team) -> None:
    store = village_team.store
    first, first_ids = _household(village_team, HEAD)
    second, second_ids = _household(village_team, "Trần Văn Thuận", SPOUSE)
    open_one = new_campaign(store, village_team.leader_id, ("BANK_ACCOUNT",), name="Ngân hàng")
    closed_one = new_campaign(store, village_team.leader_id, ("VSSID",), name="VssID")
    _on_list(village_team, open_one, second_ids[SPOUSE])
    _on_list(village_team, closed_one, first_ids[HEAD])
    with store.transaction() as session:
        store_ops.close_campaign(session, closed_one, village_team.leader_id)
    assert _hint(store, first) == []

    merge_households(store, first, second, village_team.member_id)

    # Asked of the survivor, or of the household merged into it.
    expected = [(SPOUSE, ("BANK_ACCOUNT",), TargetStatus.NOT_YET)]
    assert _hint(store, first) == expected
    assert _hint(store, second) == expected


def test_the_command_line_lists_campaigns_and_prints_progress_by_village(
    village_team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    store = village_team.store
    household_id, ids = _household(village_team, HEAD, SPOUSE)
    campaign_id = new_campaign(store, village_team.leader_id)
    _on_list(village_team, campaign_id, ids[HEAD], ids[SPOUSE])
    sessions.log_visit(
        store,
        VisitInput(
            household_id, village_team.member_id, [ServiceOutcome("CASHLESS_WELFARE")], ids[HEAD]
        ),
    )
    data_dir = str(store.path.parent)

    assert dispatch.main(["campaign", "list", "--data-dir", data_dir]) == 0
    listed = capsys.readouterr().out
    assert campaign_id in listed and "Nhận lương hưu không dùng tiền mặt" in listed
    assert "Hạn / Deadline: 30/11/2026" in listed and "Reached: 1/2" in listed

    assert dispatch.main(["campaign", "progress", campaign_id, "--data-dir", data_dir]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("Thôn / Village") and "Đã tiếp cận / Reached" in lines[2]
    khay = next(line for line in lines if line.startswith("Thôn Khay"))
    total = lines[-1]
    # Reached, total, done, follow-up, failed, not yet.
    assert khay.split()[2:] == ["1", "2", "1", "0", "0", "1"]
    assert total.split()[2:] == ["1", "2", "1", "0", "0", "1"]
    assert HEAD not in "\n".join(lines) and SPOUSE not in "\n".join(lines)


def test_the_command_line_says_plainly_when_a_campaign_does_not_exist(
    village_team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = str(village_team.store.path.parent)
    assert dispatch.main(["campaign", "progress", "no-such-id", "--data-dir", data_dir]) == 1
    err = capsys.readouterr().err
    assert "Không tìm thấy chiến dịch" in err and "Campaign not found" in err
