"""Names of people: emoji and symbols are refused wherever a name enters the store, and
renaming the head of a household renames the member who is the head."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Team
from villagehelper.errors import ValidationError
from villagehelper.ops import households as hh
from villagehelper.ops import team
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.person_names import allowed_in_name, first_refused
from villagehelper.transfer.households import import_households
from villagehelper.transfer.report import ImportRejected

REAL_NAMES = [
    "Lò Văn Pấng",
    "Đặng Thị Ả",
    "H'Hen Niê",
    "Y-Moan Êban",
    "Ng. Văn An",
    "Lò Thị Ảnh (mẹ)",
    "Nguyễn Văn An 2",
    "Hoàng A Sử",
    "Ksor H’Bia",
    "Vàng Seo Dín",
    "Nguyễn Thị Hòa",  # a tone mark typed as a combining character, then NFC
]
NOT_NAMES = [
    "😀",
    "👍🏽",
    "🇻🇳",
    "👨\u200d👩\u200d👧",
    "★",
    "©",
    "+",
    "<",
    "❤\ufe0f",
    "1\ufe0f\u20e3",
    "@",
    "#",
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_are_taken(village_team: Team, name: str) -> None:
    made = hh.create_household(village_team.store, HouseholdInput(village_team.village_id, name))
    assert hh.get_household(village_team.store, made.id).head_name == unicodedata.normalize(
        "NFC", name
    )


@pytest.mark.parametrize("symbol", NOT_NAMES)
def test_a_name_with_an_emoji_or_symbol_is_refused_everywhere(
    village_team: Team, symbol: str
) -> None:
    store = village_team.store
    name = f"Lò Văn {symbol} Pấng"
    with pytest.raises(ValidationError) as refused:
        hh.create_household(store, HouseholdInput(village_team.village_id, name))
    assert refused.value.field == "head_name"
    assert symbol in refused.value.message_vi  # named, so the person finds it
    assert "Remove it" in refused.value.message_en

    household = hh.create_household(
        store, HouseholdInput(village_team.village_id, "Lò Văn Pấng")
    ).id
    with pytest.raises(ValidationError) as refused:
        hh.add_member(store, household, MemberInput(name))
    assert refused.value.field == "full_name"
    with pytest.raises(ValidationError):
        hh.update_household(store, household, HouseholdInput(village_team.village_id, name))
    with pytest.raises(ValidationError):
        team.add_team_member(store, name, "member", village_team.village_id)
    detail = hh.get_household(store, household)
    assert detail.head_name == "Lò Văn Pấng"
    assert [m.full_name for m in detail.members] == []


@given(st.characters(codec="utf-8"))
def test_a_character_is_allowed_only_if_names_are_written_with_it(character: str) -> None:
    category = unicodedata.category(character)
    if category[0] in "SCZ" and character != " ":
        assert not allowed_in_name(character)
    if category.startswith("L"):
        assert allowed_in_name(character)


def test_the_whole_emoji_is_named_not_half_of_it() -> None:
    assert first_refused("Lò 👍🏽 Pấng") == "👍🏽"
    assert first_refused("Lò 🇻🇳") == "🇻🇳"
    assert first_refused("An 👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"
    assert first_refused("Số 1\ufe0f\u20e3") == "1\ufe0f\u20e3"
    assert first_refused("Lò Văn Pấng") is None


def test_an_import_refuses_a_name_with_an_emoji(village_team: Team, tmp_path: Path) -> None:
    source = tmp_path / "ho.csv"
    source.write_text(
        "Thôn,Họ tên chủ hộ\nThôn Khay,Lò Văn Pấng\nThôn Khay,Đặng Thị 😀 Ả\n", encoding="utf-8"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_households(village_team.store, source)
    assert "😀" in rejected.value.message_vi
    report = import_households(village_team.store, source, skip_invalid=True)
    assert report.skipped_lines == (3,)
    names = [hit.head_name for hit in hh.find_households(village_team.store, "Thôn Khay").hits]
    assert names == ["Lò Văn Pấng"]


# --- the head is a member too --------------------------------------------------------


def _household_with_head(village_team: Team) -> str:
    return hh.create_household(
        village_team.store,
        HouseholdInput(village_team.village_id, "Lò Văn Pang"),
        [MemberInput("Lò Văn Pang", 1965), MemberInput("Lò Thị Ả", 1990)],
    ).id


def test_renaming_the_head_renames_the_head_member(village_team: Team) -> None:
    store = village_team.store
    household = _household_with_head(village_team)
    saved = hh.update_household(
        store, household, HouseholdInput(village_team.village_id, "Lò Văn Pấng")
    )
    detail = hh.get_household(store, household)
    assert detail.head_name == "Lò Văn Pấng"
    assert sorted(m.full_name for m in detail.members) == ["Lò Thị Ả", "Lò Văn Pấng"]
    head = next(m for m in detail.members if m.birth_year == 1965)
    assert head.full_name == "Lò Văn Pấng"
    assert head.id in saved.changes.ids("member")  # the rename travels to the server too
    # Search finds the household by the member's new name alone.
    assert [hit.id for hit in hh.find_households(store, "Pấng").hits] == [household]


def test_changing_only_the_address_leaves_the_members_alone(village_team: Team) -> None:
    store = village_team.store
    household = _household_with_head(village_team)
    saved = hh.update_household(
        store, household, HouseholdInput(village_team.village_id, "Lò Văn Pang", "Xóm 3")
    )
    assert saved.changes.ids("member") == set()
    names = sorted(m.full_name for m in hh.get_household(store, household).members)
    assert names == ["Lò Thị Ả", "Lò Văn Pang"]


def _household_with_namesakes(village_team: Team) -> str:
    """Lò Văn Pang's household, where his son (born 1970) has his name too."""
    return hh.create_household(
        village_team.store,
        HouseholdInput(village_team.village_id, "Lò Văn Pang"),
        [MemberInput("Lò Văn Pang", 1940), MemberInput("Lò Văn Pang", 1970)],
    ).id


def test_two_members_with_the_heads_name_are_left_as_they_are(village_team: Team) -> None:
    store = village_team.store
    household = _household_with_namesakes(village_team)
    hh.update_household(store, household, HouseholdInput(village_team.village_id, "Lò Văn B"))
    names = [m.full_name for m in hh.get_household(store, household).members]
    assert names == ["Lò Văn Pang", "Lò Văn Pang"]


def test_renaming_the_head_member_renames_the_head(village_team: Team) -> None:
    store = village_team.store
    household = _household_with_head(village_team)
    head = next(m for m in hh.get_household(store, household).members if m.birth_year == 1965)
    saved = hh.update_member(store, head.id, MemberInput("Lò Văn Pấng", 1965))
    detail = hh.get_household(store, household)
    assert detail.head_name == "Lò Văn Pấng"
    assert sorted(m.full_name for m in detail.members) == ["Lò Thị Ả", "Lò Văn Pấng"]
    assert household in saved.changes.ids("household")  # the lists and its page refresh
    assert [hit.id for hit in hh.find_households(store, "Van Pấng").hits] == [household]

    # Renaming another member leaves the head alone.
    other = next(m for m in detail.members if m.birth_year == 1990)
    hh.update_member(store, other.id, MemberInput("Lò Thị Ả Xinh", 1990))
    assert hh.get_household(store, household).head_name == "Lò Văn Pấng"


def test_a_namesake_of_the_head_renamed_leaves_the_head_as_it_is(village_team: Team) -> None:
    store = village_team.store
    household = _household_with_namesakes(village_team)
    son = next(m for m in hh.get_household(store, household).members if m.birth_year == 1970)
    hh.update_member(store, son.id, MemberInput("Lò Văn Pang Con", 1970))
    assert hh.get_household(store, household).head_name == "Lò Văn Pang"
