"""A commune's target list matched to the people the teams hold.

The measurement: a 2,000-row list drawn from a demo commune's members plus about 15%
people the data does not hold, written with the slips real lists have
(tests/campaign_noise.py), saved as the XLSX a commune sends, read back and matched.
Against the truth kept apart: automatic links are right at least 99 times in 100, and
at least 90% of the listed members are found (linked, or among the candidates a
volunteer is shown).  Then the rules one by one on small hand-made communes.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.campaign_noise import NAME_SLIPS, noisy_list
from tests.conftest import FakeClock, Team
from villagehelper.campaigns.matching import MatchKind, TargetMatch, match_targets
from villagehelper.campaigns.people import KnownPerson, known_people
from villagehelper.campaigns.target_rows import TargetRow, read_target_list
from villagehelper.campaigns.village_names import VillageNames, village_key
from villagehelper.demo.generate import DEMO_COMMUNE_CODE, generate_demo
from villagehelper.ops import erasure, households
from villagehelper.ops.duplicates import merge_households
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import Village
from villagehelper.text import search_key

LIST_ROWS = 2_000
# The matches, who each line really is (None: not in the data), and the slips each line has.
Measured = tuple[list[TargetMatch], dict[int, str | None], dict[int, tuple[str, ...]]]
DEMO_HOUSEHOLDS = 5_000


@pytest.fixture(scope="module")
def demo_commune(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(tmp_path_factory.mktemp("demo") / "data", clock=FakeClock())
    generate_demo(store, households=DEMO_HOUSEHOLDS, sessions=0, seed=7)
    yield store
    store.close()


def _villages(store: Store) -> dict[str, str]:
    with store.reading() as session:
        return {village.id: village.name for village in session.scalars(select(Village))}


def _people(store: Store) -> list[KnownPerson]:
    with store.reading() as session:
        return known_people(session, DEMO_COMMUNE_CODE)


@pytest.fixture(scope="module")
def measured(demo_commune: Store, tmp_path_factory: pytest.TempPathFactory) -> Measured:
    people, villages = _people(demo_commune), _villages(demo_commune)
    listed = noisy_list(people, villages, rows=LIST_ROWS, seed=20)
    path = tmp_path_factory.mktemp("list") / "danh-sach-luong-huu.xlsx"
    listed.write_xlsx(path)
    rows = read_target_list(path)
    assert [row.line for row in rows] == sorted(listed.truth)
    return match_targets(rows, people, villages), listed.truth, listed.slips


def _found(match: TargetMatch, member_id: str | None) -> bool:
    """The true person linked, or shown among a doubtful row's candidates."""
    if member_id is None or match.kind is MatchKind.UNMATCHED:
        return False
    shown = match.candidates[:1] if match.kind is MatchKind.LINKED else match.candidates
    return any(candidate.person.member_id == member_id for candidate in shown)


def test_automatic_links_are_right_99_times_in_100(measured: Measured) -> None:
    matches, truth, _ = measured
    linked = [match for match in matches if match.kind is MatchKind.LINKED]
    right = sum(match.candidates[0].person.member_id == truth[match.row.line] for match in linked)
    assert right / len(linked) >= 0.99, f"{len(linked) - right} wrong links of {len(linked)}"
    # A matcher that links nothing is precise and useless: most listed members are linked.
    members = sum(member_id is not None for member_id in truth.values())
    assert right / members >= 0.6


def test_people_the_data_does_not_hold_are_not_linked(measured: Measured) -> None:
    matches, truth, _ = measured
    strangers = [match for match in matches if truth[match.row.line] is None]
    wrongly_linked = [match for match in strangers if match.kind is MatchKind.LINKED]
    assert len(strangers) > 0.1 * LIST_ROWS
    assert len(wrongly_linked) <= 0.02 * len(strangers)


def test_nine_in_ten_listed_members_are_found_with_a_volunteers_confirmation(
    measured: Measured,
) -> None:
    matches, truth, _ = measured
    members = [match for match in matches if truth[match.row.line] is not None]
    found = [match for match in members if _found(match, truth[match.row.line])]
    assert len(found) / len(members) >= 0.9


@pytest.mark.parametrize(
    "slip",
    [*NAME_SLIPS, "year off by one", "date of birth", "a relative's phone", "other village"],
    ids=lambda slip: slip,
)
def test_each_kind_of_slip_is_tolerated(measured: Measured, slip: str) -> None:
    matches, truth, slips = measured
    with_slip = [
        match
        for match in matches
        if slip in slips[match.row.line] and truth[match.row.line] is not None
    ]
    assert len(with_slip) >= 10, "the list has too few rows with this slip to judge"
    found = [match for match in with_slip if _found(match, truth[match.row.line])]
    assert len(found) / len(with_slip) >= 0.85


def test_doubtful_rows_show_at_most_three_candidates_best_first(measured: Measured) -> None:
    matches, _, _ = measured
    doubtful = [match for match in matches if match.kind is MatchKind.DOUBTFUL]
    assert doubtful
    for match in doubtful:
        scores = [candidate.score for candidate in match.candidates]
        assert 1 <= len(scores) <= 3
        assert scores == sorted(scores, reverse=True)
        assert all(candidate.reasons for candidate in match.candidates)


# --- the rules, on small communes ----------------------------------------------------

# A commune of eight villages, as most are.
VILLAGES = {
    "v-khay": "Thôn Khay",
    "v-chung": "Thôn Hữu Chung",
    "v-3": "Thôn 3",
    "v-cao": "Thôn Cao Xá",
    "v-luong": "Thôn Lương Xá",
    "v-dong": "Thôn Đông Cận",
    "v-hong": "Tổ dân phố Hồng Phong",
    "v-ky": "Tổ dân phố Kỳ Sơn",
}


def _person(
    number: int, name: str, year: int | None, village: str = "v-khay", phone: str | None = None
) -> KnownPerson:
    return KnownPerson(f"m{number}", f"h{number}", village, name, year, phone)


def _crowd(size: int, seed: int = 1) -> list[KnownPerson]:
    """People with names unlike the ones the tests look for, so the commune has a size."""
    rng = random.Random(seed)
    syllables = ("Bảo", "Cường", "Diệp", "Giang", "Khuê", "Lộc", "Mạnh", "Nhung", "Quỳnh", "Sơn")
    return [
        _person(
            1000 + index,
            " ".join([rng.choice(("Trịnh", "Lương", "Khúc")), *rng.sample(syllables, 2)]),
            rng.randint(1930, 2010),
            rng.choice(sorted(VILLAGES)),
        )
        for index in range(size)
    ]


def _row(
    name: str, year: int | None = None, village: str = "Thôn Khay", phone: str | None = None
) -> TargetRow:
    return TargetRow(7, name, year, village, phone, None)


def _one(row: TargetRow, people: Sequence[KnownPerson]) -> TargetMatch:
    (match,) = match_targets([row], people, VILLAGES)
    return match


@pytest.mark.parametrize(
    "written",
    ["Nguyễn Thị Hoà", "nguyen thi hoa", "NGUYỄN THỊ HÒA", "Nguyễn T. Hòa", "Nguyễn  Thị   Hòa"],
)
def test_a_unique_person_is_linked_whatever_way_the_list_writes_the_name(written: str) -> None:
    people = [_person(1, "Nguyễn Thị Hòa", 1948), *_crowd(300)]
    match = _one(_row(written, 1948), people)
    assert match.kind is MatchKind.LINKED
    assert match.candidates[0].person.member_id == "m1"


@pytest.mark.parametrize("written", ["Nguyễn Thị Hoa", "Nguyễn T. Hoa"])
def test_another_given_name_with_other_diacritics_is_not_linked(written: str) -> None:
    # "Hoa" and "Hòa" are two names; a list written with diacritics means the one it wrote.
    people = [_person(1, "Nguyễn Thị Hòa", 1948), *_crowd(300)]
    match = _one(_row(written, 1948), people)
    assert match.kind is not MatchKind.LINKED
    assert "họ tên khác dấu" in match.candidates[0].reasons


def test_namesakes_of_one_age_in_one_village_are_shown_side_by_side() -> None:
    people = [_person(1, "Lê Văn Thắng", 1950), _person(2, "Lê Văn Thắng", 1950), *_crowd(300)]
    match = _one(_row("Le Van Thang", 1950), people)
    assert match.kind is MatchKind.DOUBTFUL
    assert {candidate.person.member_id for candidate in match.candidates} == {"m1", "m2"}
    assert "2 người trùng tên trong xã" in match.candidates[0].reasons


def test_the_village_tells_namesakes_apart() -> None:
    people = [
        _person(1, "Lê Văn Thắng", 1950, "v-khay"),
        _person(2, "Lê Văn Thắng", 1950, "v-chung"),
        *_crowd(300),
    ]
    match = _one(_row("Le Van Thang", 1950, "thon huu chung"), people)
    assert match.kind is MatchKind.LINKED
    assert match.candidates[0].person.member_id == "m2"
    assert "cùng thôn" in match.candidates[0].reasons
    assert "khác thôn" in match.candidates[1].reasons


@pytest.mark.parametrize(
    "written", ["0912 345 678", "+84 912345678", "84-912-345-678", "0912.345.678"]
)
def test_a_phone_number_in_any_format_tells_namesakes_apart(written: str) -> None:
    people = [
        _person(1, "Lê Văn Thắng", 1950, phone="0912345678"),
        _person(2, "Lê Văn Thắng", 1950, phone="0987654321"),
        *_crowd(300),
    ]
    match = _one(_row("Lê Văn Thắng", 1950, phone=written), people)
    assert match.kind is MatchKind.LINKED
    assert match.candidates[0].person.member_id == "m1"
    assert "số điện thoại trùng" in match.candidates[0].reasons


def test_a_relatives_phone_tells_namesakes_apart_and_finds_nobody_else() -> None:
    wife = KnownPerson("m1", "h1", "v-khay", "Lê Thị Thắm", 1950, None)
    husband = KnownPerson("m2", "h1", "v-khay", "Phạm Văn Toản", 1948, "0912345678")
    namesake = KnownPerson("m3", "h3", "v-khay", "Lê Thị Thắm", 1950, None)
    match = _one(_row("Lê Thị Thắm", 1950, phone="0912 345 678"), [wife, husband, namesake])
    assert match.kind is MatchKind.LINKED
    assert match.candidates[0].person.member_id == "m1"
    assert "số điện thoại của người nhà" in match.candidates[0].reasons
    # The husband, found by the number alone, is no namesake: far behind.
    husband_shown = next(c for c in match.candidates if c.person.member_id == "m2")
    assert husband_shown.score < 0.01
    assert "họ tên khác" in husband_shown.reasons


def test_a_birth_year_off_by_one_is_tolerated_and_said() -> None:
    people = [_person(1, "Phạm Đăng Xuyết", 1941), *_crowd(300)]
    match = _one(_row("Pham Dang Xuyet", 1942), people)
    assert match.kind is MatchKind.LINKED
    assert "năm sinh lệch 1 năm" in match.candidates[0].reasons


def test_a_birth_year_far_off_is_not_linked() -> None:
    people = [_person(1, "Phạm Đăng Xuyết", 1941), *_crowd(300)]
    match = _one(_row("Pham Dang Xuyet", 1961), people)
    assert match.kind is not MatchKind.LINKED


def test_a_middle_name_left_out_is_asked_not_linked() -> None:
    people = [_person(1, "Nguyễn Thị Thu Hằng", 1990), *_crowd(300)]
    match = _one(_row("Nguyễn Thu Hằng", 1990), people)
    assert match.kind is not MatchKind.UNMATCHED
    assert match.candidates[0].person.member_id == "m1"
    assert "thiếu tên đệm" in match.candidates[0].reasons


def test_nobody_of_that_name_is_unmatched() -> None:
    match = _one(_row("Đinh Văn Toản", 1960), [_person(1, "Đinh Văn Tuyển", 1960), *_crowd(50)])
    assert match.kind is MatchKind.UNMATCHED
    assert match.candidates == ()


@pytest.mark.parametrize(
    ("written", "village"),
    [
        ("Thôn Khay", "v-khay"),
        ("khay", "v-khay"),
        ("THÔN HỮU CHUNG", "v-chung"),
        ("Huu Chung", "v-chung"),
        ("thôn Hữu Chung, xã Gia Lộc", "v-chung"),
        ("Xã Gia Lộc - Thôn Khay", "v-khay"),
        ("thôn Ba", "v-3"),
        ("Thôn III", "v-3"),
        ("thon 03", "v-3"),
        ("Thôn Bùi Hạ", None),
        ("", None),
    ],
)
def test_a_village_is_found_by_the_ways_lists_write_it(written: str, village: str | None) -> None:
    assert VillageNames(VILLAGES).find(written) == village


@given(
    village=st.sampled_from(sorted(VILLAGES)),
    thon=st.sampled_from(["", "Thôn ", "thon ", "THÔN ", "Xóm "]),
    to_dan_pho=st.sampled_from(["", "Tổ dân phố ", "TDP ", "tổ dân phố "]),
    capitals=st.booleans(),
    stripped=st.booleans(),
    address=st.sampled_from(["", ", xã Gia Lộc", ", Gia Lộc, Hải Phòng"]),
)
def test_any_way_of_writing_a_village_finds_it(
    *, village: str, thon: str, to_dan_pho: str, capitals: bool, stripped: bool, address: str
) -> None:
    name = VILLAGES[village]
    if name.startswith("Thôn "):
        written = thon + name.removeprefix("Thôn ")
    else:
        written = to_dan_pho + name.removeprefix("Tổ dân phố ")
    written = written.upper() if capitals else written
    written = _stripped(written) if stripped else written
    assert VillageNames(VILLAGES).find(written + address) == village


def test_two_villages_under_one_key_are_not_guessed() -> None:
    names = VillageNames({"a": "Thôn 3", "b": "Tổ 3"})
    assert village_key("Thôn 3") == village_key("Tổ 3") == "3"
    assert names.find("3") is None


def _ends(name: str) -> tuple[str, str]:
    words = search_key(name).split(" ")
    return words[0], words[-1]


def _stripped(name: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


_NAME_WORDS = (
    "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Hồ Văn Thị Đức Ngọc Hữu Thu Hằng Hòa Thụy "
    "Quyết Nghĩa Dũng Ước Ỷ Ẩn Giang Khuê Lộc Mến Nụ Thắm Tuyển Xuyết Sỹ Ngần Diễm"
)
_SYLLABLES = st.sampled_from(_NAME_WORDS.split())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.lists(_SYLLABLES, min_size=2, max_size=4).map(" ".join),
    year=st.integers(1920, 2015),
    others=st.lists(
        st.tuples(
            st.lists(_SYLLABLES, min_size=2, max_size=4).map(" ".join), st.integers(1920, 2015)
        ),
        max_size=30,
    ),
)
def test_any_name_without_its_diacritics_finds_the_same_person_when_unique(
    name: str, year: int, others: list[tuple[str, int]]
) -> None:
    # Unique: nobody else shares its family and given names (whom a shortened middle
    # name could also mean).
    ends = _ends(name)
    people = [_person(1, name, year)]
    people += [
        _person(2 + index, other, other_year)
        for index, (other, other_year) in enumerate(others)
        if _ends(other) != ends
    ]
    match = _one(_row(_stripped(name), year), [*people, *_crowd(200)])
    assert match.kind is MatchKind.LINKED
    assert match.candidates[0].person.member_id == "m1"


# --- who the list is matched against -------------------------------------------------


def test_known_people_are_the_live_members_of_the_communes_live_households(
    village_team: Team,
) -> None:
    store = village_team.store

    def household(head: str, *others: str, village: str = village_team.village_id) -> str:
        members = [MemberInput(head, 1950), *(MemberInput(other, 1980) for other in others)]
        return households.create_household(
            store, HouseholdInput(village, head, phone="0912345678"), members
        ).id

    kept = household("Nguyễn Văn An", "Trần Thị Bình")
    erased_household = household("Lê Văn Cường")
    loser = household("Phạm Thị Dung")
    partly_erased = household("Hoàng Văn Em", "Hoàng Thị Phương")
    erasure.erase_household(store, erased_household, village_team.leader_id)
    merge_households(store, kept, loser, village_team.leader_id)
    detail = households.get_household(store, partly_erased)
    phuong = next(member for member in detail.members if member.full_name == "Hoàng Thị Phương")
    erasure.erase_member(store, phuong.id, village_team.leader_id)

    with store.reading() as session:
        people = known_people(session, "10999")
        assert known_people(session, "10998") == []
    # The merged household's member moved to the survivor; the erased are gone.
    assert sorted(person.full_name for person in people) == [
        "Hoàng Văn Em",
        "Nguyễn Văn An",
        "Phạm Thị Dung",
        "Trần Thị Bình",
    ]
    dung = next(person for person in people if person.full_name == "Phạm Thị Dung")
    assert dung.household_id == kept
    # Without a number of their own, people are reached on their household's.
    assert {person.phone for person in people} == {"0912345678"}
