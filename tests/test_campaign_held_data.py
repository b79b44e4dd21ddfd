""" "What we hold about this person" names the campaign lists they are on, as the commune's
list wrote them (ops/held_data.py): a list row is personal data like the rest."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.campaign_support import linked, new_campaign, person_of, store_list, target_row
from tests.conftest import Team
from villagehelper.ops import households
from villagehelper.ops.held_data import held_data, render_text
from villagehelper.ops.inputs import HouseholdInput, MemberInput

HEAD, SPOUSE = "Trần Văn Thuận", "Vũ Thị Nguyệt"
EXPORTED = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def test_the_held_data_names_the_lists_a_person_is_on_and_only_theirs(village_team: Team) -> None:
    store = village_team.store
    saved = households.create_household(
        store,
        HouseholdInput(village_team.village_id, HEAD),
        [MemberInput(HEAD, 1950), MemberInput(SPOUSE, 1955)],
    )
    ids = {m.full_name: m.id for m in households.get_household(store, saved.id).members}
    campaign_id = new_campaign(store, village_team.leader_id)
    written = target_row(
        2, "Tran Van Thuan", 1949, "Thôn Khay", phone="0912 345 678", id_last_digits="012345678901"
    )
    store_list(store, campaign_id, [linked(written, person_of(store, ids[HEAD]))])

    head = render_text(held_data(store, member_id=ids[HEAD]), EXPORTED, None)
    spouse = render_text(held_data(store, member_id=ids[SPOUSE]), EXPORTED, None)
    whole = render_text(held_data(store, household_id=saved.id), EXPORTED, None)

    listed = (
        "   - Nhận lương hưu không dùng tiền mặt: danh sách ghi «Tran Van Thuan», năm sinh "
        "1949, số điện thoại 0912 345 678, 4 số cuối căn cước 8901"
    )
    assert "4. CÓ TÊN TRONG DANH SÁCH CHIẾN DỊCH CỦA XÃ (1)" in head and listed in head
    assert listed in whole
    assert "DANH SÁCH CHIẾN DỊCH CỦA XÃ (0)" in spouse and "Tran Van Thuan" not in spouse
    assert "012345678901" not in whole  # never the whole number: the list kept 4 digits
