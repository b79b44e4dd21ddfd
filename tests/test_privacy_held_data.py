"""“What we hold about this person”: a readable file of everything the laptop holds
about one resident or household, recorded as an export of personal data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Team
from villagehelper.errors import ValidationError
from villagehelper.ops import consent, held_data, households, privacy, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput


def _family(team: Team) -> tuple[str, str, str]:
    store = team.store
    saved = households.create_household(
        store,
        HouseholdInput(
            team.village_id, "Trần Văn Thuận", "Xóm Đông, số 12", "0912345678", "Tai kém"
        ),
        [MemberInput("Trần Văn Thuận", 1950), MemberInput("Vũ Thị Nguyệt", 1955, "0987654321")],
    )
    members = {m.full_name: m.id for m in households.get_household(store, saved.id).members}
    consent.record_consent(store, members["Vũ Thị Nguyệt"], team.member_id)
    sessions.log_visit(
        store,
        VisitInput(
            saved.id,
            team.member_id,
            [
                ServiceOutcome("VNEID_L1"),
                ServiceOutcome("VNEID_L2", "failed", failure_reason="Chưa có căn cước gắn chip"),
            ],
            member_id=members["Vũ Thị Nguyệt"],
            note="Bà hay quên mật khẩu",
        ),
    )
    sessions.log_visit(
        store,
        VisitInput(
            saved.id, team.member_id, [ServiceOutcome("VSSID")], member_id=members["Trần Văn Thuận"]
        ),
    )
    return saved.id, members["Vũ Thị Nguyệt"], members["Trần Văn Thuận"]


def test_a_persons_file_holds_their_details_consent_and_sessions_only(
    village_team: Team, tmp_path: Path
) -> None:
    _, spouse, _ = _family(village_team)
    path = tmp_path / "nguyet.txt"
    held_data.export_held_data(
        village_team.store, path, member_id=spouse, by=village_team.leader_id
    )
    text = path.read_text(encoding="utf-8-sig")
    for expected in (
        "VŨ THỊ NGUYỆT",
        "Vũ Thị Nguyệt, năm sinh 1955",
        "Đồng ý cho lưu thông tin: ngày 23/11/2026, ghi nhận bởi Nguyễn Thị Hệ",
        "Chưa thành công — lý do: Chưa có căn cước gắn chip",
        "ghi chú: Bà hay quên mật khẩu",
        "người hỗ trợ: Nguyễn Thị Hệ",
        "người xuất: Phạm Đăng Xuyết",
        "3. CÁC LƯỢT HỖ TRỢ (2)",
        "Xóm Đông, số 12",
    ):
        assert expected in text
    assert "năm sinh 1950" not in text  # the other person of the household is not theirs
    [record] = privacy.list_exports(village_team.store)
    assert (record.what, record.file_name, record.team_member_id) == (
        "person",
        "nguyet.txt",
        village_team.leader_id,
    )


def test_a_households_file_holds_everyone_and_every_session(
    village_team: Team, tmp_path: Path
) -> None:
    household_id, _, _ = _family(village_team)
    path = tmp_path / "ho.txt"
    held = held_data.export_held_data(village_team.store, path, household_id=household_id)
    text = path.read_text(encoding="utf-8-sig")
    assert len(held.people) == 2 and len(held.sessions) == 3
    assert "năm sinh 1950" in text and "năm sinh 1955" in text
    assert "Tai kém" in text and "Chưa ghi nhận đồng ý" in text


def test_a_wrong_file_name_is_refused_and_nothing_is_recorded(
    village_team: Team, tmp_path: Path
) -> None:
    household_id, _, _ = _family(village_team)
    with pytest.raises(ValidationError, match=r"\.txt"):
        held_data.export_held_data(
            village_team.store, tmp_path / "ho.xlsx", household_id=household_id
        )
    assert privacy.list_exports(village_team.store) == []
    assert list(tmp_path.glob("ho*")) == []
