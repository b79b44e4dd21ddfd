"""Writing campaigns and their lists on a laptop: who may, what is checked (in both
languages, naming the row and column to fix), what is stored for each kind of match,
and that each write travels (its outbox entries in the same transaction)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.campaign_support import (
    linked,
    new_campaign,
    person_of,
    store_list,
    target_row,
    unmatched,
)
from tests.conftest import Team
from villagehelper.campaigns import store_ops
from villagehelper.campaigns.matching import MatchKind, TargetMatch
from villagehelper.campaigns.target_rows import TargetRow
from villagehelper.errors import UserError, ValidationError
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store import sync_state
from villagehelper.store.engine import Store
from villagehelper.store.models import (
    Campaign,
    CampaignTarget,
    Household,
    Member,
    OutboxEntry,
    Service,
)

WHOLE_ID = "001956012345"  # a whole citizen ID number as a list may carry it


def _family(team: Team, head: str, spouse: str) -> tuple[str, str, str]:
    saved = households.create_household(
        team.store,
        HouseholdInput(team.village_id, head),
        [MemberInput(head, 1950), MemberInput(spouse, 1954)],
    )
    detail = households.get_household(team.store, saved.id)
    ids = {m.full_name: m.id for m in detail.members}
    return saved.id, ids[head], ids[spouse]


def _outbox(store: Store, entity: str) -> list[dict[str, object]]:
    with store.reading() as session:
        entries = session.scalars(
            select(OutboxEntry).where(OutboxEntry.entity == entity).order_by(OutboxEntry.seq)
        )
        return [json.loads(entry.payload) for entry in entries]


def test_a_leader_creates_a_campaign_that_travels(village_team: Team) -> None:
    campaign_id = new_campaign(
        village_team.store, village_team.leader_id, ("cashless_welfare", "BANK_ACCOUNT")
    )
    with village_team.store.reading() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        assert (campaign.commune_code, campaign.service_codes) == (
            "10999",
            "CASHLESS_WELFARE,BANK_ACCOUNT",
        )
        assert (campaign.deadline, campaign.closed) == (date(2026, 11, 30), False)
    [sent] = _outbox(village_team.store, "campaign")
    assert sent["name"] == "Nhận lương hưu không dùng tiền mặt"
    assert sent["created_by"] == village_team.leader_id


@pytest.mark.parametrize(
    ("services", "deadline", "name", "field", "words_vi", "words_en"),
    [
        ((), date(2026, 11, 30), "Lương hưu", "service_codes", "Chưa chọn", "no service"),
        (("NO_SUCH",), date(2026, 11, 30), "Lương hưu", "service_codes", "NO_SUCH", "NO_SUCH"),
        (("VSSID",), date(2026, 11, 22), "Lương hưu", "deadline", "đã qua", "past"),
        (("VSSID",), date(2026, 11, 30), "   ", "name", "Chưa nhập", "required"),
    ],
)
def test_a_campaign_with_something_missing_is_refused_in_both_languages(
    village_team: Team,
    *,
    services: tuple[str, ...],
    deadline: date,
    name: str,
    field: str,
    words_vi: str,
    words_en: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        new_campaign(village_team.store, village_team.leader_id, services, deadline, name)
    assert refused.value.field == field
    assert words_vi in refused.value.message_vi and words_en in refused.value.message_en
    with village_team.store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_a_service_the_catalog_no_longer_uses_is_refused(village_team: Team) -> None:
    """The forms offer only services in use; a code typed or sent anyway is refused."""
    with village_team.store.transaction() as session:
        retired = session.get(Service, "VSSID")
        assert retired is not None
        retired.active = False  # as the server's catalog, synced, would say
    with pytest.raises(ValidationError) as refused:
        new_campaign(village_team.store, village_team.leader_id, ("CASHLESS_WELFARE", "vssid"))
    assert refused.value.field == "service_codes"
    assert "đã ngừng dùng" in refused.value.message_vi
    assert "no longer in use" in refused.value.message_en
    with village_team.store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_a_volunteer_cannot_create_a_campaign_nor_can_a_volunteers_laptop(
    village_team: Team,
) -> None:
    store = village_team.store
    with pytest.raises(UserError, match="tổ trưởng"):
        new_campaign(store, village_team.member_id)
    with store.transaction() as session:
        sync_state.put(session, sync_state.ROLE, "volunteer")
    with pytest.raises(UserError, match="máy của tổ trưởng"):
        new_campaign(store, village_team.leader_id)
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0
    assert _outbox(store, "campaign") == []


def test_each_kind_of_match_is_stored_as_the_contract_says(village_team: Team) -> None:
    store = village_team.store
    household_id, head_id, spouse_id = _family(village_team, "Trần Văn Thuận", "Vũ Thị Nguyệt")
    campaign_id = new_campaign(store, village_team.leader_id)
    head = person_of(store, head_id)
    rows = [
        linked(
            target_row(
                2,
                "Tran Van Thuan",
                1950,
                "thon khay",
                phone="0912 345 678",
                id_last_digits=WHOLE_ID,
            ),
            head,
        ),
        TargetMatch(
            target_row(3, "Vũ T. Nguyệt", 1955, "Thôn Khay"),
            MatchKind.DOUBTFUL,
            tuple(linked(target_row(3, "", None, ""), person_of(store, spouse_id)).candidates),
        ),
        unmatched(target_row(4, "Lò Văn Pấng", None, "Thôn Không Có")),
        # The list names the head twice: the second row waits for a person to look.
        linked(target_row(5, "Trần Văn Thuận", 1950, "Thôn Khay"), head),
    ]

    summary = store_list(store, campaign_id, rows)

    assert (summary.linked, summary.doubtful, summary.unmatched) == (1, 2, 1)
    with store.reading() as session:
        stored = {
            t.id: t
            for t in session.scalars(
                select(CampaignTarget).where(CampaignTarget.campaign_id == campaign_id)
            )
        }
    first, second, third, fourth = (stored[target_id] for target_id in summary.target_ids)
    assert (first.match_state, first.member_id, first.household_id) == (
        "linked",
        head_id,
        household_id,
    )
    assert (first.village_id, first.phone, first.id_last_digits) == (
        village_team.village_id,
        "0912345678",
        "2345",
    )
    assert (second.match_state, second.member_id, second.village_id) == (
        "doubtful",
        None,
        village_team.village_id,
    )
    assert (third.match_state, third.member_id, third.village_id) == ("unmatched", None, None)
    assert (fourth.match_state, fourth.member_id) == ("doubtful", None)
    assert len(_outbox(store, "campaign_target")) == 4
    # Never the whole ID number, anywhere in the file or what waits to travel.
    for file in store.path.parent.glob(store.path.name + "*"):
        assert WHOLE_ID.encode() not in file.read_bytes(), file.name


def test_a_row_finds_its_village_however_the_list_writes_it(village_team: Team) -> None:
    """Commune lists write a village as they please: with or without "Thôn", in
    capitals, or as the start of an address (campaigns/village_names.py)."""
    store = village_team.store
    campaign_id = new_campaign(store, village_team.leader_id)
    written = ("Khay", "THÔN KHAY", "thon khay", "Thôn Khay, xã Gia Lộc", "Thôn Không Có")
    rows = [
        unmatched(target_row(line, f"Lò Văn Pấng {line}", None, village))
        for line, village in enumerate(written, start=2)
    ]
    summary = store_list(store, campaign_id, rows)
    with store.reading() as session:
        found = [session.get(CampaignTarget, target_id) for target_id in summary.target_ids]
    village = village_team.village_id
    assert [target.village_id for target in found if target] == [village] * 4 + [None]


@pytest.mark.parametrize(
    ("row", "column_vi", "column_en"),
    [
        (target_row(7, "   ", 1950, "Thôn Khay"), "Họ tên", "name"),
        (target_row(7, "Lê Thị Hoà", 1850, "Thôn Khay"), "Năm sinh", "birth year"),
        (target_row(7, "Lê Thị Hoà", 1950, "Thôn Khay", phone="12345"), "Số điện thoại", "phone"),
    ],
)
def test_a_bad_row_names_its_row_and_column_and_nothing_of_the_list_is_stored(
    village_team: Team, row: TargetRow, column_vi: str, column_en: str
) -> None:
    store = village_team.store
    campaign_id = new_campaign(store, village_team.leader_id)
    good = unmatched(target_row(6, "Đặng Văn Vỹ", 1960, "Thôn Khay"))
    with pytest.raises(UserError) as refused:
        store_list(store, campaign_id, [good, unmatched(row)])
    assert f"Dòng 7, cột «{column_vi}»" in refused.value.message_vi
    assert f"Row 7, column {column_en!r}" in refused.value.message_en
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(CampaignTarget)) == 0
    assert _outbox(store, "campaign_target") == []


def test_a_doubtful_row_is_confirmed_and_a_wrong_one_left_for_review(village_team: Team) -> None:
    store = village_team.store
    household_id, head_id, spouse_id = _family(village_team, "Trần Văn Thuận", "Vũ Thị Nguyệt")
    campaign_id = new_campaign(store, village_team.leader_id)
    summary = store_list(
        store,
        campaign_id,
        [
            TargetMatch(
                target_row(2, "Vu Thi Nguyet", 1954, "Thôn Hữu Chung"), MatchKind.DOUBTFUL, ()
            ),
            TargetMatch(target_row(3, "Trần V. Thuận", 1950, ""), MatchKind.DOUBTFUL, ()),
        ],
    )
    nguyet, thuan = summary.target_ids
    with store.transaction() as session:
        store_ops.confirm_target(session, nguyet, spouse_id)
        store_ops.confirm_target(session, thuan, head_id)
    with store.transaction() as session, pytest.raises(UserError, match="đã có trong danh sách"):
        store_ops.confirm_target(session, nguyet, head_id)
    with store.transaction() as session:
        store_ops.leave_unmatched(session, thuan)
    with store.reading() as session:
        first = session.get(CampaignTarget, nguyet)
        second = session.get(CampaignTarget, thuan)
        assert first is not None and second is not None
        # Linked, in the village where the person lives (the list said another).
        assert (first.match_state, first.member_id, first.household_id, first.village_id) == (
            "linked",
            spouse_id,
            household_id,
            village_team.village_id,
        )
        assert (second.match_state, second.member_id, second.household_id) == (
            "unmatched",
            None,
            None,
        )
    sent = _outbox(store, "campaign_target")
    assert {"member_id": spouse_id, "match_state": "linked"}.items() <= sent[2].items()
    assert sent[-1] == {"household_id": None, "match_state": "unmatched", "member_id": None}


def test_an_unmatched_person_is_added_to_the_logbook_and_linked(village_team: Team) -> None:
    store = village_team.store
    household_id, _head, _spouse = _family(village_team, "Trần Văn Thuận", "Vũ Thị Nguyệt")
    campaign_id = new_campaign(store, village_team.leader_id)
    summary = store_list(
        store,
        campaign_id,
        [
            unmatched(target_row(2, "Lò Văn Pấng", 1948, "Thôn Khay", phone="0987654321")),
            unmatched(target_row(3, "Trần Thị Mơ", 1990, "Thôn Khay")),
            unmatched(target_row(4, "Hà Văn Nông", 1970, "Nơi khác")),
        ],
    )
    pang, mo, nong = summary.target_ids
    with store.transaction() as session:
        alone = store_ops.add_as_new_person(session, pang)
        joined = store_ops.add_as_new_person(session, mo, household_id=household_id)
    with store.transaction() as session, pytest.raises(ValidationError) as unknown:
        store_ops.add_as_new_person(session, nong)
    assert unknown.value.field == "village_id" and "thôn" in unknown.value.message_vi

    with store.reading() as session:
        pang_member = session.get(Member, alone.row_id)
        assert pang_member is not None and not pang_member.consent
        assert (pang_member.full_name, pang_member.birth_year, pang_member.phone) == (
            "Lò Văn Pấng",
            1948,
            "0987654321",
        )
        new_household = session.get(Household, pang_member.household_id)
        assert new_household is not None and new_household.head_name == "Lò Văn Pấng"
        assert new_household.village_id == village_team.village_id
        mo_member = session.get(Member, joined.row_id)
        assert mo_member is not None and mo_member.household_id == household_id
        for target_id, member in ((pang, pang_member), (mo, mo_member)):
            target = session.get(CampaignTarget, target_id)
            assert target is not None
            assert (target.match_state, target.member_id, target.household_id) == (
                "added",
                member.id,
                member.household_id,
            )
    assert households.find_households(store, "Pấng").hits[0].id == pang_member.household_id


def test_a_closed_campaigns_list_no_longer_changes(village_team: Team) -> None:
    store = village_team.store
    campaign_id = new_campaign(store, village_team.leader_id)
    [target_id] = store_list(
        store, campaign_id, [unmatched(target_row(2, "Lò Văn Pấng", 1948, "Thôn Khay"))]
    ).target_ids
    with store.transaction() as session:
        store_ops.close_campaign(session, campaign_id, village_team.leader_id)
    with store.transaction() as session, pytest.raises(UserError, match="đã đóng"):
        store_ops.add_as_new_person(session, target_id)
    with pytest.raises(UserError, match="đã đóng"):
        store_list(store, campaign_id, [])
    assert _outbox(store, "campaign")[-1] == {"closed": True}
