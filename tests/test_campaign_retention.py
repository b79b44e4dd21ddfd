"""The retention rule reaches the rows of a campaign's list linked to nobody: once their
campaign ended (its deadline day, in Vietnam) longer ago than the retention period, and
nobody changed the row since, what the commune's list said of the person goes; the
campaign's counts stay, and the rows linked to a person stay with that person."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.campaign_support import (
    doubtful,
    linked,
    new_campaign,
    person_of,
    store_list,
    target_row,
    unmatched,
)
from tests.conftest import FakeClock, Team
from tests.sync_support import (
    LoopbackServer,
    enrol_laptop,
    on_the_leaders_time,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.campaigns.progress import CampaignProgress, campaign_progress
from villagehelper.campaigns.store_ops import leave_unmatched
from villagehelper.campaigns.target_rows import TargetRow
from villagehelper.ops import households, retention, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.trusted_time import UntrustedClockError, note_server_time
from villagehelper.personal_fields import ERASED_NAME
from villagehelper.store.engine import Store
from villagehelper.store.models import CampaignTarget

MONTHS = 24
DEADLINE = date(2026, 11, 30)  # the campaign's last day; the clock starts on 23/11/2026
# The deadline day ends at 00:00 on 1/12/2026 in Vietnam (17:00 UTC the day before):
# 24 months later, to the minute, the period has run.
PERIOD_RUN = datetime(2028, 11, 30, 17, 0, tzinfo=UTC)

PERSON = "Trần Văn Thuận"
DOUBTFUL = target_row(
    3, "Vu Thi Nguyet", 1954, "Thôn Khay", phone="0987654321", id_last_digits="4321"
)
UNMATCHED = target_row(
    4, "Đỗ Thị Hoa", 1948, "Thôn Khay", phone="0912000111", id_last_digits="8765"
)
REVIEWED = target_row(5, "Lò Văn Sính", 1951, "Thôn Khay", phone="0903222333")
LATER = target_row(2, "Hà Thị Lan", 1960, "Thôn Khay", phone="0977444555")
OPEN = target_row(2, "Mai Văn Tư", 1962, "Thôn Khay", phone="0966777888")


@dataclass(frozen=True)
class Listed:
    campaign_id: str
    household_id: str
    linked_id: str
    doubtful_id: str
    unmatched_id: str


def _listed_campaign(store: Store, village_id: str, leader_id: str, *rows: TargetRow) -> Listed:
    """A campaign ending on DEADLINE: a row linked to a person of the logbook, a doubtful
    one and an unmatched one (both linked to nobody), then ``rows`` doubtful."""
    household_id = households.create_household(
        store, HouseholdInput(village_id, PERSON), [MemberInput(PERSON, 1950)]
    ).id
    [member] = households.get_household(store, household_id).members
    campaign_id = new_campaign(store, leader_id, deadline=DEADLINE)
    matches = [
        linked(
            target_row(2, PERSON, 1950, "Thôn Khay", phone="0988111222"),
            person_of(store, member.id),
        ),
        doubtful(DOUBTFUL),
        unmatched(UNMATCHED),
        *(doubtful(row) for row in rows),
    ]
    ids = store_list(store, campaign_id, matches).target_ids
    return Listed(campaign_id, household_id, ids[0], ids[1], ids[2])


def _other_campaign(store: Store, leader_id: str, deadline: date, row: TargetRow) -> str:
    campaign_id = new_campaign(store, leader_id, deadline=deadline, name=f"Hạn {deadline}")
    [target_id] = store_list(store, campaign_id, [unmatched(row)]).target_ids
    return target_id


def _target(store: Store, target_id: str) -> CampaignTarget:
    with store.reading() as session:
        target = session.get(CampaignTarget, target_id)
        assert target is not None
        session.expunge(target)
        return target


def _personal(store: Store, target_id: str) -> tuple[object, ...]:
    target = _target(store, target_id)
    return (target.full_name, target.birth_year, target.phone, target.id_last_digits)


def _as_listed(row: TargetRow) -> tuple[object, ...]:
    return (row.full_name, row.birth_year, row.phone, row.id_last_digits)


ERASED = (ERASED_NAME, None, None, None)


def _progress(store: Store, campaign_id: str) -> CampaignProgress:
    with store.reading() as session:
        return campaign_progress(session, campaign_id)


def test_rows_linked_to_nobody_go_once_their_campaign_is_over_for_the_period(
    village_team: Team, clock: FakeClock
) -> None:
    store = village_team.store
    listed = _listed_campaign(store, village_team.village_id, village_team.leader_id, REVIEWED)
    reviewed_id = store_list_ids(store, listed.campaign_id)[REVIEWED.full_name]
    ended_later = _other_campaign(store, village_team.leader_id, date(2027, 6, 30), LATER)
    still_open = _other_campaign(store, village_team.leader_id, date(2029, 6, 30), OPEN)
    [member] = households.get_household(store, listed.household_id).members
    # The linked person was reached during the campaign (done), and helped again long
    # after: their household is not past the period, so their row stays with them.
    sessions.log_visit(
        store,
        VisitInput(
            listed.household_id,
            village_team.member_id,
            [ServiceOutcome("CASHLESS_WELFARE")],
            member.id,
        ),
    )
    clock.now = datetime(2027, 5, 4, 2, 0, tzinfo=UTC)
    with store.transaction() as session:  # a person reviewed this row in May 2027
        leave_unmatched(session, reviewed_id)
    assert _target(store, reviewed_id).match_state == "unmatched"
    clock.now = datetime(2028, 6, 1, 2, 0, tzinfo=UTC)
    sessions.log_visit(
        store,
        VisitInput(listed.household_id, village_team.member_id, [ServiceOutcome("VNEID_L1")]),
    )
    before = _progress(store, listed.campaign_id)
    assert (before.total.total, before.total.done, before.total.not_yet) == (4, 1, 3)

    early = retention.plan_purge(store, MONTHS, PERIOD_RUN - timedelta(minutes=1))
    assert early.list_rows == () and not early.due
    plan = retention.plan_purge(store, MONTHS, PERIOD_RUN)
    assert plan.households == () and plan.due
    assert {row.id for row in plan.list_rows} == {listed.doubtful_id, listed.unmatched_id}
    assert plan.list_rows_by_campaign() == [("Nhận lương hưu không dùng tiền mặt", DEADLINE, 2)]

    purged = retention.carry_out_purge(store, plan)

    assert (purged.households, purged.people, purged.list_rows) == (0, 0, 2)
    for target_id in (listed.doubtful_id, listed.unmatched_id):
        target = _target(store, target_id)
        assert _personal(store, target_id) == ERASED
        assert target.erased_at is not None and target.erased_by is None
    assert _target(store, listed.doubtful_id).match_state == "doubtful"
    assert _target(store, listed.unmatched_id).match_state == "unmatched"
    assert _personal(store, listed.linked_id)[0] == PERSON
    assert _personal(store, reviewed_id) == _as_listed(REVIEWED)
    assert _personal(store, ended_later) == _as_listed(LATER)
    assert _personal(store, still_open) == _as_listed(OPEN)
    assert _progress(store, listed.campaign_id) == before
    for file in store.path.parent.glob(store.path.name + "*"):
        data = file.read_bytes()
        for row in (DOUBTFUL, UNMATCHED):
            for text in (row.full_name, row.phone):
                assert str(text).encode() not in data, (file.name, text)
    # Erased once: the next day's plan has nothing more.
    assert not retention.plan_purge(store, MONTHS, PERIOD_RUN + timedelta(days=1)).due


def store_list_ids(store: Store, campaign_id: str) -> dict[str, str]:
    """The campaign's rows, id by the name the list gave."""
    with store.reading() as session:
        rows = session.query(CampaignTarget).filter_by(campaign_id=campaign_id)
        return {row.full_name: row.id for row in rows}


def test_a_row_changed_after_the_plan_was_made_stays(village_team: Team, clock: FakeClock) -> None:
    store = village_team.store
    listed = _listed_campaign(store, village_team.village_id, village_team.leader_id)
    clock.now = PERIOD_RUN
    plan = retention.plan_purge(store, MONTHS, PERIOD_RUN)
    assert len(plan.list_rows) == 2
    with store.transaction() as session:  # reviewed while the leader read the list
        leave_unmatched(session, listed.doubtful_id)

    purged = retention.carry_out_purge(store, plan)

    assert purged.list_rows == 1
    assert _personal(store, listed.doubtful_id) == _as_listed(DOUBTFUL)
    assert _personal(store, listed.unmatched_id) == ERASED


def test_a_wrong_clock_purges_no_list_row(village_team: Team, clock: FakeClock) -> None:
    store = village_team.store
    listed = _listed_campaign(store, village_team.village_id, village_team.leader_id)
    in_2031 = datetime(2031, 3, 1, tzinfo=UTC)
    clock.now = in_2031
    with store.transaction() as session:  # the server said it was still 2026
        note_server_time(session, datetime(2026, 12, 1, tzinfo=UTC), in_2031)
    plan = retention.plan_purge(store, MONTHS, in_2031)
    assert plan.clock.wrong and len(plan.list_rows) == 2

    with pytest.raises(UntrustedClockError):
        retention.carry_out_purge(store, plan)

    assert _personal(store, listed.doubtful_id) == _as_listed(DOUBTFUL)
    assert _personal(store, listed.unmatched_id) == _as_listed(UNMATCHED)


def test_the_rows_purge_syncs_and_a_volunteers_laptop_leaves_it_to_the_leader(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader_clock = on_the_leaders_time(sync_server, commune)
    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    leader = commune.leader.store
    campaign_id = new_campaign(leader, commune.leader_id, deadline=DEADLINE)
    [doubtful_id, unmatched_id] = store_list(
        leader, campaign_id, [doubtful(DOUBTFUL), unmatched(UNMATCHED)]
    ).target_ids
    commune.leader.sync()
    volunteer.sync()
    assert _personal(volunteer.store, unmatched_id) == _as_listed(UNMATCHED)
    far_future = datetime(2030, 1, 1, tzinfo=UTC)
    leader_clock.now = far_future
    commune.leader.sync()  # the server vouches for the leader's clock

    skipped = retention.plan_purge(volunteer.store, MONTHS, far_future)
    assert skipped.skipped_not_leader and skipped.list_rows == ()
    assert retention.carry_out_purge(volunteer.store, skipped).list_rows == 0
    assert _personal(volunteer.store, unmatched_id) == _as_listed(UNMATCHED)
    assert retention.carry_out_purge(leader, retention.plan_purge(leader, MONTHS)).list_rows == 2
    commune.leader.sync()
    volunteer.sync()

    on_server = server_snapshot(sync_server.db)
    for target_id in (doubtful_id, unmatched_id):
        stored = on_server[("campaign_target", target_id)]
        assert (stored["full_name"], stored["phone"], stored["id_last_digits"]) == (
            ERASED_NAME,
            None,
            None,
        )
        assert stored["erased_at"] is not None and stored["erased_by"] is None
        assert _personal(volunteer.store, target_id) == ERASED
    assert on_server[("campaign_target", doubtful_id)]["match_state"] == "doubtful"
    for row in (DOUBTFUL, UNMATCHED):
        assert row.full_name not in repr(on_server)
    with volunteer.store.reading() as session:
        assert campaign_progress(session, campaign_id).total.total == 2


def test_the_command_line_lists_the_rows_by_campaign_and_purges_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Made 31 months ago by the true clock, a campaign that ended a week later."""
    from villagehelper.cli import dispatch
    from villagehelper.clock import format_vn_date, to_vietnam, utc_now
    from villagehelper.ops import team
    from villagehelper.store.engine import open_store

    data_dir = tmp_path / "leader"
    clock = FakeClock(utc_now() - timedelta(days=31 * 30))
    deadline = to_vietnam(clock.now).date() + timedelta(days=7)
    store = open_store(data_dir, clock=clock)
    try:
        team.set_commune(store, "10999")
        village = team.add_village(store, "Thôn Khay")
        leader = team.add_team_member(store, "Phạm Đăng Xuyết", "leader", village.id)
        campaign_id = new_campaign(store, leader.id, deadline=deadline)
        target_ids = store_list(
            store, campaign_id, [doubtful(DOUBTFUL), unmatched(UNMATCHED)]
        ).target_ids
    finally:
        store.close()

    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))  # a wrong count is a no
    assert dispatch.main(["purge", "--months", "24", "--data-dir", str(data_dir)]) == 0
    declined = capsys.readouterr().out
    listed = f"  Nhận lương hưu không dùng tiền mặt (hạn {format_vn_date(deadline)}): 2 dòng"
    assert listed in declined.splitlines()
    assert "hãy gõ 2 (số dòng danh sách)" in declined
    assert "Không xóa gì" in declined
    monkeypatch.setattr("sys.stdin", io.StringIO("2\n"))
    assert dispatch.main(["purge", "--months", "24", "--data-dir", str(data_dir)]) == 0
    assert "Đã xóa 2 dòng danh sách chiến dịch không gắn với ai" in capsys.readouterr().out

    store = open_store(data_dir)
    try:
        assert {_personal(store, target_id) for target_id in target_ids} == {ERASED}
    finally:
        store.close()
