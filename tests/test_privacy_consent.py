"""Consent per person: recorded with the day and who recorded it, withdrawable, synced,
and carried by the households file (older files without the columns still import)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import FakeClock, Team
from tests.sync_support import LoopbackServer, enrol_laptop, open_laptop, set_up_commune
from villagehelper.errors import UserError, ValidationError
from villagehelper.ops import consent, erasure, households
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store.engine import Store
from villagehelper.store.models import Member
from villagehelper.transfer.households import export_households, import_households

TODAY = date(2026, 11, 23)  # the FakeClock's day in Vietnam


def _person(store: Store, village_id: str, name: str = "Đỗ Thị Lan") -> tuple[str, str]:
    saved = households.create_household(
        store, HouseholdInput(village_id, name), [MemberInput(name, 1962)]
    )
    return saved.id, households.get_household(store, saved.id).members[0].id


def _state(store: Store, member_id: str) -> consent.ConsentState:
    with store.reading() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return consent.consent_state(session, member)


def test_consent_is_recorded_with_day_and_who_then_withdrawn(
    village_team: Team, clock: FakeClock
) -> None:
    store = village_team.store
    _, member_id = _person(store, village_team.village_id)
    consent.record_consent(store, member_id, village_team.member_id)
    assert _state(store, member_id) == consent.ConsentState(
        True, TODAY, "Nguyễn Thị Hệ", None, None
    )
    clock.advance(days=3)
    consent.withdraw_consent(store, member_id, village_team.leader_id)
    # The earlier consent stays on record beside its withdrawal.
    assert _state(store, member_id) == consent.ConsentState(
        False, TODAY, "Nguyễn Thị Hệ", date(2026, 11, 26), "Phạm Đăng Xuyết"
    )
    with pytest.raises(UserError, match="chưa đồng ý"):
        consent.withdraw_consent(store, member_id, village_team.leader_id)


def test_consent_needs_a_team_member_a_real_day_and_a_person_not_erased(
    village_team: Team,
) -> None:
    store = village_team.store
    _, member_id = _person(store, village_team.village_id)
    with pytest.raises(ValidationError, match="thành viên tổ"):
        consent.record_consent(store, member_id, "no-such-member")
    with pytest.raises(ValidationError, match="tương lai"):
        consent.record_consent(store, member_id, village_team.member_id, date(2026, 12, 1))
    assert _state(store, member_id).consent is False
    erasure.erase_member(store, member_id, village_team.leader_id)
    with pytest.raises(UserError, match="đã bị xóa"):
        consent.record_consent(store, member_id, village_team.member_id)


def test_consent_and_its_withdrawal_travel_to_other_laptops(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    other = enrol_laptop(sync_server, open_laptop(tmp_path, "other"))
    _, member_id = _person(commune.leader.store, commune.village_id)
    consent.record_consent(commune.leader.store, member_id, commune.member_id)
    commune.leader.sync()
    other.sync()
    assert _state(other.store, member_id).recorded_by == "Nguyễn Thị Hệ"
    consent.withdraw_consent(other.store, member_id, commune.member_id)
    other.sync()
    commune.leader.sync()
    assert _state(commune.leader.store, member_id) == consent.ConsentState(
        False, TODAY, "Nguyễn Thị Hệ", TODAY, "Nguyễn Thị Hệ"
    )


def test_the_households_file_carries_consent_history(
    village_team: Team, tmp_path: Path, clock: FakeClock
) -> None:
    store = village_team.store
    _, member_id = _person(store, village_team.village_id)
    consent.record_consent(store, member_id, village_team.member_id)
    consent.withdraw_consent(store, member_id, village_team.leader_id)
    path = tmp_path / "households.csv"
    export_households(store, path)
    with path.open(encoding="utf-8-sig") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["Người ghi nhận đồng ý"] == "Nguyễn Thị Hệ"
    assert row["Ngày rút lại đồng ý"] == "23/11/2026"
    assert row["Người ghi nhận rút lại"] == "Phạm Đăng Xuyết"

    # Into a laptop of the same team (the team arrived with sync or an import).
    other = _team_laptop(tmp_path, clock)
    import_households(other, path)
    assert _state(other, member_id) == consent.ConsentState(
        False, TODAY, "Nguyễn Thị Hệ", TODAY, "Phạm Đăng Xuyết"
    )


def _team_laptop(tmp_path: Path, clock: FakeClock) -> Store:
    from villagehelper.ops import team
    from villagehelper.store.engine import open_store

    other = open_store(tmp_path / "other", clock=clock)
    team.set_commune(other, "10999")
    team.add_team_member(other, "Nguyễn Thị Hệ", "member", None)
    team.add_team_member(other, "Phạm Đăng Xuyết", "leader", None)
    return other


def test_an_old_households_file_without_the_columns_still_imports(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Thôn", "Chủ hộ", "Họ tên", "Năm sinh", "Đồng ý", "Ngày đồng ý"])
        writer.writerow(["Thôn Khay", "Đỗ Văn Hùng", "Đỗ Văn Hùng", "1960", "có", "20/11/2026"])
    report = import_households(village_team.store, path)
    assert (report.imported, report.members_imported) == (1, 1)
    found = households.find_households(village_team.store, "Đỗ Văn Hùng").hits
    [member] = households.get_household(village_team.store, found[0].id).members
    assert (member.consent, member.consent_date) == (True, date(2026, 11, 20))
    assert _state(village_team.store, member.id).recorded_by is None


def test_consent_given_at_a_visit_names_the_volunteer_logging_it(village_team: Team) -> None:
    from villagehelper.ops import sessions
    from villagehelper.ops.inputs import ServiceOutcome, VisitInput

    store = village_team.store
    household_id, member_id = _person(store, village_team.village_id)
    sessions.log_visit(
        store,
        VisitInput(
            household_id,
            village_team.member_id,
            [ServiceOutcome("VNEID_L1")],
            member_id=member_id,
            consent=True,
        ),
    )
    assert _state(store, member_id) == consent.ConsentState(
        True, TODAY, "Nguyễn Thị Hệ", None, None
    )
