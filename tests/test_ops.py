"""Core operations as a volunteer uses them: households, visits, voids, follow-ups, merges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import FakeClock, Team
from villagehelper.clock import vietnam_today
from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.ops import duplicates as dup
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops import team as tm
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import (
    FollowUpStatus,
    count_sessions,
    follow_ups,
    household_history,
    list_sessions,
)
from villagehelper.store.models import HelpSession, Household, Member


def _household(t: Team, head: str = "Đặng Văn Vỹ", **extra: str) -> str:
    members = [MemberInput(head, 1965), MemberInput("Lê Thị Hoà", 1968, "0987654321")]
    return hh.create_household(
        t.store,
        HouseholdInput(t.village_id, head, extra.get("address", "Xóm 2"), extra.get("phone")),
        members,
    ).id


def _visit(t: Team, household_id: str, *services: ServiceOutcome) -> ss.VisitLogged:
    return ss.log_visit(
        t.store,
        VisitInput(household_id, t.member_id, services or (ServiceOutcome("VNEID_L1"),)),
    )


# --- households --------------------------------------------------------------------


def test_household_is_stored_clean_and_found_without_diacritics(village_team: Team) -> None:
    decomposed = "Đặng Văn Vỹ".replace("ỹ", "y\u0303")  # Windows keyboard style
    household_id = hh.create_household(
        village_team.store,
        HouseholdInput(village_team.village_id, f"  {decomposed}  ", phone="+84 912 345 678"),
        [MemberInput("\u00d0ỗ Thị Lan", 1950)],
    ).id

    detail = hh.get_household(village_team.store, household_id)
    assert detail.head_name == "Đặng Văn Vỹ"
    assert detail.phone == "0912345678"
    assert [m.full_name for m in detail.members] == ["Đỗ Thị Lan"]
    for query in ("dang van vy", "ĐẶNG", "do thi lan", "0912 345", "khay", "vỹ"):
        hits = hh.find_households(village_team.store, query).hits
        assert [hit.id for hit in hits] == [household_id], query


def test_search_requires_every_word_and_short_words_start_a_word(village_team: Team) -> None:
    vy = _household(village_team, "Đặng Văn Vỹ")
    hong = _household(village_team, "Phạm Thị Hồng")
    assert [h.id for h in hh.find_households(village_team.store, "dang vy").hits] == [vy]
    assert [h.id for h in hh.find_households(village_team.store, "ph").hits] == [hong]
    assert hh.find_households(village_team.store, "dang hong").hits == ()
    assert hh.find_households(village_team.store, "   ").hits == ()


def test_search_reports_more_results_than_shown(village_team: Team) -> None:
    for index in range(5):
        _household(village_team, f"Nguyễn Văn {['An', 'Bình', 'Cường', 'Dũng', 'Em'][index]}")
    result = hh.find_households(village_team.store, "nguyen", limit=3)
    assert len(result.hits) == 3
    assert result.more


def test_search_ranks_head_name_prefix_first_then_vietnamese_order(village_team: Team) -> None:
    _household(village_team, "Trần Văn Đức")
    _household(village_team, "Trần Văn Dũng")
    hits = hh.find_households(village_team.store, "tran").hits
    # Given name first in Vietnamese order: Dũng (d) before Đức (đ).
    assert [h.head_name for h in hits] == ["Trần Văn Dũng", "Trần Văn Đức"]


def test_edit_household_updates_search_and_refuses_bad_phone(village_team: Team) -> None:
    household_id = _household(village_team)
    hh.update_household(
        village_team.store,
        household_id,
        HouseholdInput(village_team.other_village_id, "Đặng Văn Vỹ", "Xóm 5", "0356 111 222"),
    )
    assert hh.find_households(village_team.store, "huu chung").hits[0].id == household_id
    with pytest.raises(ValidationError) as bad:
        hh.update_household(
            village_team.store,
            household_id,
            HouseholdInput(village_team.village_id, "Đặng Văn Vỹ", phone="12345"),
        )
    assert bad.value.field == "phone"
    assert hh.get_household(village_team.store, household_id).phone == "0356111222"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (MemberInput("   "), "full_name"),
        (MemberInput("Lê Văn Tám", 1850), "birth_year"),
        (MemberInput("Lê Văn Tám", 2999), "birth_year"),
        (MemberInput("Lê Văn Tám", phone="0112345678"), "member_phone"),
        (MemberInput("L" * 121), "full_name"),
    ],
)
def test_member_validation_names_the_field(
    village_team: Team, data: MemberInput, field: str
) -> None:
    household_id = _household(village_team)
    with pytest.raises(ValidationError) as bad:
        hh.add_member(village_team.store, household_id, data)
    assert bad.value.field == field
    assert bad.value.message_vi


def test_member_consent_keeps_its_first_date(village_team: Team, clock: FakeClock) -> None:
    household_id = _household(village_team)
    member_id = hh.add_member(
        village_team.store, household_id, MemberInput("Vũ Văn Ba", 1940, consent=True)
    ).id
    first_day = vietnam_today(clock.now)
    clock.advance(days=3)
    hh.update_member(village_team.store, member_id, MemberInput("Vũ Văn Ba", 1941, consent=True))
    member = next(
        m for m in hh.get_household(village_team.store, household_id).members if m.id == member_id
    )
    assert member.consent_date == first_day
    assert member.birth_year == 1941


def test_removed_member_no_longer_finds_the_household(village_team: Team) -> None:
    household_id = _household(village_team)
    hoa = next(
        m
        for m in hh.get_household(village_team.store, household_id).members
        if m.full_name == "Lê Thị Hoà"
    )
    hh.remove_member(village_team.store, hoa.id)
    assert hh.find_households(village_team.store, "le thi hoa").hits == ()


# --- visits ------------------------------------------------------------------------


def test_visit_with_several_services_is_several_sessions_sharing_a_visit(
    village_team: Team,
) -> None:
    household_id = _household(village_team)
    today = vietnam_today(village_team.store.now())
    logged = _visit(
        village_team,
        household_id,
        ServiceOutcome("VNEID_L1"),
        ServiceOutcome("VNEID_L2", "follow_up", today + timedelta(days=7)),
        ServiceOutcome("EHEALTH", "failed", failure_reason="Chưa có VNeID mức 2"),
    )
    rows = list_sessions(village_team.store)
    assert len(rows) == 3
    assert {r.visit_id for r in rows} == {logged.visit_id}
    assert {r.service_code: r.outcome for r in rows} == {
        "VNEID_L1": "done",
        "VNEID_L2": "follow_up",
        "EHEALTH": "failed",
    }
    assert all(r.volunteer_name == "Nguyễn Thị Hệ" for r in rows)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (ServiceOutcome("VNEID_L2", "follow_up"), "follow_up_date"),
        (ServiceOutcome("VNEID_L2", "failed"), "failure_reason"),
        (ServiceOutcome("NO_SUCH_SERVICE"), "service_code"),
        (ServiceOutcome("VNEID_L2", "maybe"), "outcome"),
        (ServiceOutcome("VNEID_L2", "follow_up", date(2020, 1, 1)), "follow_up_date"),
    ],
)
def test_bad_visit_is_refused_and_nothing_is_saved(
    village_team: Team, item: ServiceOutcome, field: str
) -> None:
    household_id = _household(village_team)
    with pytest.raises(ValidationError) as bad:
        _visit(village_team, household_id, ServiceOutcome("VNEID_L1"), item)
    assert bad.value.field == field
    assert list_sessions(village_team.store) == []


def test_visit_consent_is_recorded_on_the_member(village_team: Team) -> None:
    household_id = _household(village_team)
    vy = next(
        m
        for m in hh.get_household(village_team.store, household_id).members
        if m.full_name == "Đặng Văn Vỹ"
    )
    assert not vy.consent
    ss.log_visit(
        village_team.store,
        VisitInput(
            household_id,
            village_team.member_id,
            [ServiceOutcome("VSSID")],
            member_id=vy.id,
            consent=True,
        ),
    )
    vy_after = next(
        m for m in hh.get_household(village_team.store, household_id).members if m.id == vy.id
    )
    assert vy_after.consent
    assert vy_after.consent_date == vietnam_today(village_team.store.now())


def test_member_of_another_household_is_refused(village_team: Team) -> None:
    first = _household(village_team)
    second = _household(village_team, "Bùi Thị Ngọc")
    stranger = hh.get_household(village_team.store, second).members[0]
    with pytest.raises(ValidationError):
        ss.log_visit(
            village_team.store,
            VisitInput(
                first, village_team.member_id, [ServiceOutcome("VSSID")], member_id=stranger.id
            ),
        )


def test_void_hides_a_session_from_lists_but_keeps_history(village_team: Team) -> None:
    household_id = _household(village_team)
    logged = _visit(village_team, household_id, ServiceOutcome("VNEID_L1"), ServiceOutcome("VSSID"))
    ss.void_session(village_team.store, logged.session_ids[0], village_team.member_id, "Nhầm hộ")

    assert [r.service_code for r in list_sessions(village_team.store)] == ["VSSID"]
    history = household_history(village_team.store, household_id)
    assert {(r.service_code, r.voided) for r in history} == {("VNEID_L1", True), ("VSSID", False)}
    with pytest.raises(UserError):
        ss.void_session(village_team.store, logged.session_ids[0], village_team.member_id)


def test_correction_voids_the_old_session_and_names_it(village_team: Team) -> None:
    household_id = _household(village_team)
    logged = _visit(village_team, household_id, ServiceOutcome("VNEID_L2"))
    corrected = ss.correct_session(
        village_team.store,
        logged.session_ids[0],
        village_team.leader_id,
        ServiceOutcome("VNEID_L2", "failed", failure_reason="Máy không có NFC"),
        "",
    )
    live = list_sessions(village_team.store)
    assert [(r.id, r.outcome, r.replaces_id) for r in live] == [
        (corrected.session_ids[0], "failed", logged.session_ids[0])
    ]


def test_session_filters(village_team: Team, clock: FakeClock) -> None:
    a = _household(village_team)
    b = hh.create_household(
        village_team.store, HouseholdInput(village_team.other_village_id, "Hồ Văn Tư")
    ).id
    _visit(village_team, a, ServiceOutcome("VNEID_L1"))
    clock.advance(days=8)
    ss.log_visit(
        village_team.store, VisitInput(b, village_team.leader_id, [ServiceOutcome("EHEALTH")])
    )
    store = village_team.store
    today = vietnam_today(clock.now)
    assert len(list_sessions(store, SessionFilter(start=today, end=today))) == 1
    assert len(list_sessions(store, SessionFilter(end=today - timedelta(days=1)))) == 1
    by_village = list_sessions(store, SessionFilter(village_id=village_team.other_village_id))
    assert [r.head_name for r in by_village] == ["Hồ Văn Tư"]
    assert len(list_sessions(store, SessionFilter(service_code="VNEID_L1"))) == 1
    assert len(list_sessions(store, SessionFilter(volunteer_id=village_team.leader_id))) == 1
    assert list_sessions(store, SessionFilter(outcome="failed")) == []
    assert count_sessions(store) == 2
    newest = list_sessions(store, limit=1)
    assert newest[0].head_name == "Hồ Văn Tư"


def test_day_filter_uses_vietnam_midnight(village_team: Team, clock: FakeClock) -> None:
    from datetime import UTC, datetime

    household_id = _household(village_team)
    # 16:59:59 UTC is 23:59:59 in Vietnam: still "today" there.
    late = datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC)
    clock.now = late + timedelta(hours=1)
    ss.log_visit(
        village_team.store,
        VisitInput(
            household_id, village_team.member_id, [ServiceOutcome("VSSID")], occurred_at=late
        ),
    )
    monday = date(2026, 11, 23)
    assert len(list_sessions(village_team.store, SessionFilter(start=monday, end=monday))) == 1
    tuesday = monday + timedelta(days=1)
    assert list_sessions(village_team.store, SessionFilter(start=tuesday)) == []


def test_follow_ups_due_overdue_and_closed_by_a_later_session(
    village_team: Team, clock: FakeClock
) -> None:
    household_id = _household(village_team)
    other = _household(village_team, "Ngô Thị Mai")
    today = vietnam_today(clock.now)
    _visit(
        village_team,
        household_id,
        ServiceOutcome("VNEID_L2", "follow_up", today + timedelta(days=2)),
    )
    _visit(village_team, other, ServiceOutcome("EHEALTH", "follow_up", today + timedelta(days=3)))

    assert follow_ups(village_team.store) == []
    clock.advance(days=3)
    statuses = {f.session.head_name: f.status for f in follow_ups(village_team.store)}
    assert statuses == {
        "Đặng Văn Vỹ": FollowUpStatus.OVERDUE,
        "Ngô Thị Mai": FollowUpStatus.DUE,
    }

    _visit(village_team, household_id, ServiceOutcome("VNEID_L2"))  # done at last
    assert [f.session.head_name for f in follow_ups(village_team.store)] == ["Ngô Thị Mai"]


# --- duplicates and merges ---------------------------------------------------------


def test_probable_duplicates_warn_on_name_typo_and_phone(village_team: Team) -> None:
    vy = _household(village_team, "Đặng Văn Vỹ", phone="0912345678")
    other = _household(village_team, "Trịnh Văn Long", phone="0977000111")
    by_name = dup.probable_duplicates(village_team.store, "Dang Van Vi", village_team.village_id)
    assert [c.household.id for c in by_name] == [vy]
    by_phone = dup.probable_duplicates(village_team.store, "Người Khác", None, "0977 000 111")
    assert [c.household.id for c in by_phone] == [other]
    assert "Trùng số điện thoại" in by_phone[0].reasons
    assert (
        dup.probable_duplicates(village_team.store, "Hoàng Văn Xa", village_team.village_id) == []
    )


def test_merge_moves_sessions_and_members_and_tombstones_the_loser(village_team: Team) -> None:
    survivor = _household(village_team, "Đặng Văn Vỹ")
    loser = hh.create_household(
        village_team.store,
        HouseholdInput(village_team.village_id, "Dang Van Vy"),
        [MemberInput("Đặng Minh Khôi", 2001)],
    ).id
    _visit(village_team, loser, ServiceOutcome("BANK_ACCOUNT"))
    assert [(p.first_id, p.second_id) for p in dup.duplicate_pairs(village_team.store)] == [
        (survivor, loser)
    ]

    preview = dup.merge_preview(village_team.store, survivor, loser)
    assert (preview.sessions_moving, preview.members_moving) == (1, 1)
    dup.merge_households(village_team.store, survivor, loser, village_team.leader_id)

    names = {m.full_name for m in hh.get_household(village_team.store, survivor).members}
    assert "Đặng Minh Khôi" in names
    assert [r.household_id for r in household_history(village_team.store, survivor)] == [survivor]
    with pytest.raises(NotFoundError):
        hh.get_household(village_team.store, loser)
    assert [h.id for h in hh.find_households(village_team.store, "dang van vy").hits] == [survivor]
    assert dup.duplicate_pairs(village_team.store) == []
    with village_team.store.reading() as session:
        tomb = session.get(Household, loser)
        assert tomb is not None
        assert (tomb.deleted, tomb.merged_into) == (True, survivor)
        assert (
            session.scalar(
                select(func.count()).select_from(Member).where(Member.household_id == loser)
            )
            == 0
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(HelpSession)
                .where(HelpSession.household_id == loser)
            )
            == 0
        )


def test_merge_into_itself_is_refused(village_team: Team) -> None:
    household_id = _household(village_team)
    with pytest.raises(ValidationError):
        dup.merge_households(village_team.store, household_id, household_id, village_team.leader_id)


# --- team --------------------------------------------------------------------------


def test_commune_is_fixed_once_and_must_be_official(village_team: Team) -> None:
    with pytest.raises(UserError):
        tm.set_commune(village_team.store, "06577")  # another real commune
    assert tm.set_commune(village_team.store, "10999").name == "Xã Gia Lộc"


def test_unknown_commune_code_is_refused(store: object) -> None:
    from villagehelper.store.engine import Store

    assert isinstance(store, Store)
    with pytest.raises(ValidationError):
        tm.set_commune(store, "99999")


def test_village_names_are_unique_ignoring_diacritics(village_team: Team) -> None:
    with pytest.raises(ValidationError):
        tm.add_village(village_team.store, "thon khay")
    names = [v.name for v in tm.list_villages(village_team.store)]
    assert names == ["Thôn Hữu Chung", "Thôn Khay"]


def test_team_and_catalog_lists(village_team: Team) -> None:
    members = {m.full_name: m.is_leader for m in tm.list_team_members(village_team.store)}
    assert members == {"Phạm Đăng Xuyết": True, "Nguyễn Thị Hệ": False}
    services = tm.list_services(village_team.store)
    assert services[0].code == "VNEID_L1"
    assert services[-1].code == "OTHER"
    assert services[0].label("en").startswith("Install VNeID")


def test_notes_keep_their_line_breaks(village_team: Team) -> None:
    household_id = hh.create_household(
        village_team.store,
        HouseholdInput(
            village_team.village_id, "Lý Thị Nga", notes="Nhà  cuối ngõ\r\n\r\n\r\nGọi trước  "
        ),
    ).id
    assert hh.get_household(village_team.store, household_id).notes == "Nhà cuối ngõ\n\nGọi trước"
