"""The tally screen's core calls, without Qt: twelve weeks per service (against the engine
week by week), the overview with its villages and signatures, and saving files so that a
failure leaves nothing half-written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import FakeClock, Team
from villagehelper.errors import UserError
from villagehelper.ops import sessions as ss
from villagehelper.ops import team
from villagehelper.ops.households import create_household
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.ops.report_names import report_names
from villagehelper.reports.saving import save_tally_xlsx, write_atomically
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.history import history_weeks, weekly_history
from villagehelper.tally.overview import tally_overview
from villagehelper.tally.periods import iso_week, week_containing

CODES = ("VNEID_L1", "VNEID_L2", "EHEALTH", "VSSID")


def _fill(village_team: Team, clock: FakeClock) -> None:
    """Sessions every few days from October 2026 to mid-January 2027 (over ISO week
    2026-W53), in both villages, by both volunteers, one of them voided."""
    store = village_team.store
    clock.advance(days=60)  # now: late January 2027, so every session is in the past
    homes = [
        create_household(store, HouseholdInput(village, f"Hộ {index}")).id
        for index, village in enumerate(
            (village_team.village_id, village_team.other_village_id) * 2
        )
    ]
    volunteers = (village_team.member_id, village_team.leader_id)
    moment = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
    step = 0
    while moment < datetime(2027, 1, 15, tzinfo=UTC):
        codes = [CODES[step % len(CODES)]]
        if step % 3 == 0:
            codes.append(CODES[(step + 1) % len(CODES)])
        logged = ss.log_visit(
            store,
            VisitInput(
                homes[step % len(homes)],
                volunteers[(step // 2) % 2],  # every volunteer in every village
                [ServiceOutcome(code) for code in codes],
                occurred_at=moment,
            ),
        )
        if step == 7:
            ss.void_session(store, logged.session_ids[0], village_team.leader_id, "ghi nhầm")
        moment += timedelta(days=2, hours=5)
        step += 1


def test_history_weeks_are_twelve_contiguous_iso_weeks() -> None:
    weeks = history_weeks(date(2027, 1, 6))
    assert len(weeks) == 12
    assert weeks[-1] == iso_week(2027, 1)
    assert weeks[-2] == iso_week(2026, 53)
    assert all(a.last + timedelta(days=1) == b.first for a, b in pairwise(weeks))
    with pytest.raises(ValueError):
        history_weeks(date(2027, 1, 6), 0)


@pytest.mark.parametrize("village", [None, "village", "other"])
@pytest.mark.parametrize("volunteer", [None, "member"])
def test_history_counts_each_week_as_the_engine_does(
    village_team: Team, clock: FakeClock, village: str | None, volunteer: str | None
) -> None:
    _fill(village_team, clock)
    store = village_team.store
    village_id = {
        None: None,
        "village": village_team.village_id,
        "other": village_team.other_village_id,
    }[village]
    volunteer_id = village_team.member_id if volunteer else None
    history = weekly_history(
        store, date(2027, 1, 9), village_id=village_id, volunteer_id=volunteer_id
    )
    assert [week.label for week in history.weeks][-3:] == ["2026-W52", "2026-W53", "2027-W01"]
    seen = 0
    for index, week in enumerate(history.weeks):
        tally = compute_tally(store, week, village_id=village_id, volunteer_id=volunteer_id)
        for row in tally.rows:
            assert history.sessions_of(row.service_code)[index] == row.counts.sessions
        assert history.totals()[index] == tally.totals.sessions
        seen += tally.totals.sessions
    assert seen > 0
    # Only services with sessions have a series, in catalogue order.
    assert {s.service_code for s in history.series} <= set(CODES)
    assert all(series.total for series in history.series)


def test_overview_breaks_the_commune_down_by_village(village_team: Team, clock: FakeClock) -> None:
    _fill(village_team, clock)
    store = village_team.store
    week = iso_week(2026, 50)
    overview = tally_overview(store, week, prepared_by_id=village_team.member_id)
    assert overview.tally == compute_tally(store, week)
    assert [v.name for v in overview.villages] == ["Thôn Hữu Chung", "Thôn Khay"]
    for line in overview.villages:
        alone = compute_tally(store, week, village_id=line.village_id)
        assert line.counts == alone.totals
        assert line.basic_skills == alone.basic_skills
    assert sum(v.counts.sessions for v in overview.villages) == overview.tally.totals.sessions
    assert overview.history.weeks[-1] == week
    assert overview.today == date(2027, 1, 22)

    one = tally_overview(store, week, village_id=village_team.village_id)
    assert one.villages == ()
    assert one.names.village_name == "Thôn Khay"


def test_report_names_who_prepares_and_who_signs(village_team: Team) -> None:
    store = village_team.store
    names = report_names(store, prepared_by_id=village_team.member_id)
    assert names.commune_name == "Xã Gia Lộc"
    assert (names.prepared_by, names.leader_name) == ("Nguyễn Thị Hệ", "Phạm Đăng Xuyết")
    assert names.village_name is None
    # The leader of the report's village signs it rather than another village's.
    hai = team.add_team_member(store, "Bùi Văn Hai", "leader", village_team.other_village_id)
    other = report_names(store, village_id=village_team.other_village_id, volunteer_id=hai.id)
    assert other.leader_name == "Bùi Văn Hai"
    assert other.volunteer_name == "Bùi Văn Hai"
    assert other.prepared_by == "Bùi Văn Hai"  # nobody logging: the member it is about
    assert report_names(store).prepared_by == ""  # left blank, to be written by hand


def test_saving_is_complete_or_leaves_the_old_file(village_team: Team, tmp_path: Path) -> None:
    store = village_team.store
    tally = compute_tally(store, week_containing(date(2026, 11, 20)))
    names = report_names(store)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "bao-cao.xlsx"
    save_tally_xlsx(store, tally, target, names)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Báo cáo", "Theo thôn, thành viên"]

    target.write_bytes(b"the previous report")

    def broken(partial: Path) -> None:
        partial.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(UserError) as raised:
        write_atomically(target, broken)
    # A full disk is said in Vietnamese, with the folder and what to do.
    assert "đã đầy" in raised.value.message_vi and str(out) in raised.value.message_vi
    assert target.read_bytes() == b"the previous report"
    assert sorted(p.name for p in out.iterdir()) == ["bao-cao.xlsx"]

    not_a_folder = target / "x.xlsx"
    with pytest.raises(UserError) as raised:
        save_tally_xlsx(store, tally, not_a_folder, names)
    assert str(not_a_folder) in raised.value.message_vi
