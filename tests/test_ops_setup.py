"""First-run setup as one unit, the wizard's geography helpers, and a household's timeline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import FakeClock, Team
from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.ops import duplicates as dup
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops import team as tm
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.setup import (
    TeamMemberSetup,
    check_team,
    communes_matching,
    official_provinces,
    set_up_team,
    village_kind_for,
)
from villagehelper.ops.timeline import household_timeline
from villagehelper.store.engine import Store
from villagehelper.store.kinds import VillageKind
from villagehelper.store.models import OutboxEntry, TeamMember, Village

TEAM = (TeamMemberSetup("Phạm Đăng Xuyết", is_leader=True), TeamMemberSetup("Nguyễn Thị Hệ"))


def _nothing_written(store: Store) -> bool:
    with store.reading() as session:
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (Village, TeamMember, OutboxEntry)
        ]
    return store.commune() is None and counts == [0, 0, 0]


# --- set_up_team -------------------------------------------------------------------


def test_setup_writes_commune_villages_and_team(store: Store) -> None:
    done = set_up_team(store, "10999", ["Thôn Khay", "Tổ dân phố Hữu Chung"], TEAM)

    assert (done.commune_code, done.commune_name) == ("10999", "Xã Gia Lộc")
    commune = store.commune()
    assert commune is not None and commune.province_name == "Thành phố Hải Phòng"
    villages = {v.name: v.kind for v in tm.list_villages(store)}
    assert villages == {"Thôn Khay": VillageKind.THON, "Tổ dân phố Hữu Chung": "to_dan_pho"}
    members = {m.full_name: m.is_leader for m in tm.list_team_members(store)}
    assert members == {"Phạm Đăng Xuyết": True, "Nguyễn Thị Hệ": False}
    # Returned in the order given, so the wizard can map its choice to an id.
    assert [m.full_name for m in done.members] == ["Phạm Đăng Xuyết", "Nguyễn Thị Hệ"]
    assert done.changes.ids("team_member") == {m.id for m in done.members}
    assert done.changes.ids("village") == {v.id for v in done.villages}


def test_a_failure_half_way_leaves_nothing(store: Store) -> None:
    # An empty name is found only when that member is inserted: by then the commune,
    # both villages and two members were already written in the transaction.
    with pytest.raises(ValidationError) as refused:
        set_up_team(store, "10999", ["Thôn Khay", "Thôn Hữu Chung"], [*TEAM, TeamMemberSetup("")])
    assert refused.value.field == "full_name"
    assert _nothing_written(store)

    too_long = TeamMemberSetup("Nguyễn " * 40)
    with pytest.raises(ValidationError):
        set_up_team(store, "10999", ["Thôn Khay"], [TEAM[0], too_long])
    assert _nothing_written(store)

    # And the wizard can simply run again.
    set_up_team(store, "10999", ["Thôn Khay"], TEAM)
    assert len(tm.list_team_members(store)) == 2


def test_existing_village_refuses_the_whole_setup(village_team: Team) -> None:
    before = len(tm.list_team_members(village_team.store))
    with pytest.raises(ValidationError):
        set_up_team(village_team.store, "10999", ["Thôn Mới", "thon khay"], TEAM)
    assert len(tm.list_team_members(village_team.store)) == before
    assert "Thôn Mới" not in {v.name for v in tm.list_villages(village_team.store)}


def test_another_commune_is_refused(village_team: Team) -> None:
    with pytest.raises(UserError):
        set_up_team(village_team.store, "06577", ["Thôn Mới"], TEAM)


@pytest.mark.parametrize(
    ("villages", "members", "field", "words"),
    [
        ([], TEAM, "villages", "ít nhất một thôn"),
        (["  "], TEAM, "villages", "ít nhất một thôn"),
        (["Thôn Khay", "THON KHAY"], TEAM, "villages", "hai lần"),
        (["Thôn Khay"], [], "members", "ít nhất một thành viên"),
        (["Thôn Khay"], [TeamMemberSetup("Nguyễn Thị Hệ")], "members", "tổ trưởng"),
        (["Thôn Khay"], [*TEAM, TeamMemberSetup("nguyen thi he")], "members", "hai lần"),
    ],
)
def test_team_rules_are_checked_before_writing(
    store: Store,
    villages: list[str],
    members: list[TeamMemberSetup],
    field: str,
    words: str,
) -> None:
    with pytest.raises(ValidationError) as refused:
        check_team(villages, members)
    assert refused.value.field == field
    assert words in refused.value.message_vi
    with pytest.raises(ValidationError):
        set_up_team(store, "10999", villages, members)
    assert _nothing_written(store)


def test_unknown_commune_code_leaves_nothing(store: Store) -> None:
    with pytest.raises(ValidationError):
        set_up_team(store, "99999", ["Thôn Khay"], TEAM)
    assert _nothing_written(store)


# --- geography for the wizard ------------------------------------------------------


def test_provinces_are_the_34_in_vietnamese_order() -> None:
    provinces = official_provinces()
    assert len(provinces) == 34
    names = [p.name for p in provinces]
    assert names[0] == "An Giang"
    # Cities sort by their own name ("Thành phố Đà Nẵng" under Đ), with đ after d.
    assert names.index("Thành phố Đà Nẵng") < names.index("Điện Biên")
    assert names.index("Đắk Lắk") > names.index("Thành phố Cần Thơ")
    assert names.index("Thành phố Hải Phòng") < names.index("Thành phố Hồ Chí Minh")


def test_communes_matching_ignores_diacritics_and_filters_by_province() -> None:
    assert communes_matching("gia loc")[0].name == "Xã Gia Lộc"
    hai_phong = next(p for p in official_provinces() if p.name == "Thành phố Hải Phòng")
    in_province = communes_matching("", hai_phong.code)
    assert len(in_province) > 100
    assert {c.province_code for c in in_province} == {hai_phong.code}
    assert [c.name for c in communes_matching("gia loc", hai_phong.code)] == ["Xã Gia Lộc"]
    assert len(communes_matching("")) == 3321


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Thôn Khay", VillageKind.THON),
        ("Tổ dân phố 3", VillageKind.TO_DAN_PHO),
        ("TDP Hòa Bình", VillageKind.TO_DAN_PHO),
        ("Khu phố Trần Phú", VillageKind.TO_DAN_PHO),
        ("Tổ 5", VillageKind.THON),
    ],
)
def test_village_kind_follows_the_name(name: str, kind: str) -> None:
    assert village_kind_for(name) == kind


# --- household timeline ------------------------------------------------------------


def test_timeline_groups_visits_newest_first_with_void_reasons(
    village_team: Team, clock: FakeClock
) -> None:
    t = village_team
    household_id = hh.create_household(
        t.store, HouseholdInput(t.village_id, "Đặng Văn Vỹ"), [MemberInput("Đặng Văn Vỹ")]
    ).id
    first = ss.log_visit(
        t.store,
        VisitInput(
            household_id,
            t.member_id,
            [
                ServiceOutcome("VNEID_L1"),
                ServiceOutcome("VNEID_L2", "follow_up", follow_up_date=date(2026, 11, 30)),
            ],
            note="Mang CCCD",
        ),
    )
    clock.advance(days=2)
    second = ss.log_visit(
        t.store, VisitInput(household_id, t.leader_id, [ServiceOutcome("EHEALTH")])
    )
    ss.void_session(t.store, first.session_ids[0], t.leader_id, "Ghi nhầm hộ")

    timeline = household_timeline(t.store, household_id)

    assert [v.visit_id for v in timeline] == [second.visit_id, first.visit_id]
    newest, oldest = timeline
    assert newest.volunteer_name == "Phạm Đăng Xuyết" and not newest.all_voided
    assert oldest.note == "Mang CCCD" and oldest.volunteer_name == "Nguyễn Thị Hệ"
    # Live sessions first, the voided one last, with who voided it and why.
    assert [e.session.service_code for e in oldest.entries] == ["VNEID_L2", "VNEID_L1"]
    void = oldest.entries[1].void
    assert void is not None
    assert (void.reason, void.volunteer_name) == ("Ghi nhầm hộ", "Phạm Đăng Xuyết")
    assert oldest.entries[0].void is None
    assert oldest.entries[0].session.follow_up_date == date(2026, 11, 30)
    assert oldest.occurred_at + timedelta(days=2) <= newest.occurred_at


def test_timeline_of_a_merged_household_is_refused(village_team: Team) -> None:
    t = village_team
    survivor = hh.create_household(t.store, HouseholdInput(t.village_id, "Lê Văn A")).id
    loser = hh.create_household(t.store, HouseholdInput(t.village_id, "Le Van A")).id
    ss.log_visit(t.store, VisitInput(loser, t.member_id, [ServiceOutcome("VNEID_L1")]))
    dup.merge_households(t.store, survivor, loser, t.leader_id)

    assert len(household_timeline(t.store, survivor)) == 1
    with pytest.raises(NotFoundError):
        household_timeline(t.store, loser)
    assert (
        household_timeline(
            t.store, hh.create_household(t.store, HouseholdInput(t.village_id, "Hộ mới")).id
        )
        == []
    )
