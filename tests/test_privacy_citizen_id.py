"""No full citizen identity number (căn cước, 12 digits) is ever stored in free text:
forms and imports refuse it and say why; phone numbers and other numbers pass."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Team
from villagehelper.errors import ValidationError
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.ops.session_queries import count_sessions
from villagehelper.store.kinds import Outcome
from villagehelper.text import looks_like_citizen_id
from villagehelper.transfer.households import import_households
from villagehelper.transfer.report import ImportRejected

REFUSED = "giống số căn cước công dân"
SEPARATORS = st.sampled_from(["", "", " ", ".", "-"])
WORDS = st.text(st.sampled_from("abc đêm Hộ ghi chú,:;()\n"), max_size=30)


def _grouped(digits: str, draw_separator: st.DrawFn) -> str:
    """The digits as a person might type them: groups split at random."""
    out = digits[0]
    for digit in digits[1:]:
        out += draw_separator(SEPARATORS) + digit
    return out


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    digits = "0" + draw(st.text(st.sampled_from("0123456789"), min_size=11, max_size=11))
    return _grouped(digits, draw)


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    digits = "0" + draw(st.text(st.sampled_from("0123456789"), min_size=9, max_size=9))
    return _grouped(digits, draw)


@given(before=WORDS, number=citizen_ids(), after=WORDS)
def test_a_citizen_id_anywhere_in_the_text_is_recognised(
    before: str, number: str, after: str
) -> None:
    assert looks_like_citizen_id(f"{before} {number} {after}")


@given(first=phone_numbers(), second=phone_numbers(), words=WORDS)
def test_phone_numbers_side_by_side_are_not_taken_for_one(
    first: str, second: str, words: str
) -> None:
    assert not looks_like_citizen_id(f"{words} {first} {second}")
    assert not looks_like_citizen_id(first)


@pytest.mark.parametrize(
    "text",
    ["Sinh năm 1956, 2 con", "STK 123456789012", "mã hồ sơ 000.12345", "0912 345 678"],
)
def test_other_numbers_are_kept(text: str) -> None:
    assert not looks_like_citizen_id(text)  # 12 digits not starting with 0: not a CCCD


def test_the_household_form_refuses_a_citizen_id_in_its_notes(village_team: Team) -> None:
    with pytest.raises(ValidationError) as refused:
        hh.create_household(
            village_team.store,
            HouseholdInput(village_team.village_id, "Lê Văn Tám", notes="CCCD 001 203 004 567"),
        )
    assert refused.value.field == "notes"
    assert REFUSED in refused.value.message_vi
    assert not hh.find_households(village_team.store, "le van tam").hits


def test_a_visit_refuses_a_citizen_id_in_its_note_or_failure_reason(village_team: Team) -> None:
    home = hh.create_household(village_team.store, HouseholdInput(village_team.village_id, "An"))
    for visit in (
        VisitInput(
            home.id,
            village_team.member_id,
            [ServiceOutcome("VNEID_L2")],
            note="số CC: 001203004567",
        ),
        VisitInput(
            home.id,
            village_team.member_id,
            [ServiceOutcome("VNEID_L2", Outcome.FAILED, failure_reason="sai số 001-203-004-567")],
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            ss.log_visit(village_team.store, visit)
        assert REFUSED in refused.value.message_vi
    assert count_sessions(village_team.store) == 0


def test_an_import_lists_the_row_with_a_citizen_id_and_imports_nothing(
    village_team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "households.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ["Thôn", "Chủ hộ", "Họ và tên", "Ghi chú"],
                ["Thôn Khay", "Lý Văn Tốt", "Lý Văn Tốt", "hộ nghèo"],
                ["Thôn Khay", "Mã Văn Sai", "Mã Văn Sai", "CCCD 001203004567"],
            ]
        )
    with pytest.raises(ImportRejected) as caught:
        import_households(village_team.store, path)
    assert [(p.line, p.column) for p in caught.value.problems] == [(3, "Ghi chú")]
    assert REFUSED in caught.value.problems[0].message_vi
    assert not hh.find_households(village_team.store, "ly van tot").hits
