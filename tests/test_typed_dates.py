"""Dates as volunteers type them: every form of a real day reads back as that day, impossible
and implausible ones are refused with words, and the core applies the same rules."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Team
from villagehelper.clock import vietnam_today
from villagehelper.entity_rules import OLDEST_BIRTH_YEAR
from villagehelper.errors import ValidationError
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.ops.session_queries import list_sessions
from villagehelper.typed_dates import (
    check_follow_up_date,
    latest_follow_up,
    parse_birth_year,
    parse_follow_up_date,
    parse_typed_date,
)

# Days of this century, with "today" in the same century, so that every typed form
# (two-digit years too) can name them.
DAYS = st.dates(date(2000, 1, 1), date(2099, 12, 31))
TODAYS = st.dates(date(2000, 1, 1), date(2099, 12, 31))
SEPARATORS = st.sampled_from(["/", "-", ".", " ", " / "])


def _typed_forms(day: date, separator: str) -> list[str]:
    """Every way the README says a person may type ``day``."""
    d, m, y = day.day, day.month, day.year
    return [
        f"{d:02d}{separator}{m:02d}{separator}{y}",
        f"{d}{separator}{m}{separator}{y}",  # single-digit day and month: 5/1/2027
        f"{d:02d}{separator}{m:02d}{separator}{y % 100:02d}",
        f"{d}{separator}{m}{separator}{y % 100:02d}",
        f"{d:02d}{m:02d}{y}",
        f"{d:02d}{m:02d}{y % 100:02d}",
        f"{y}-{m:02d}-{d:02d}",
        f"  {d:02d}{separator}{m:02d}{separator}{y} ",
    ]


@given(day=DAYS, today=TODAYS, separator=SEPARATORS)
def test_every_typed_form_of_a_day_reads_as_that_day(
    day: date, today: date, separator: str
) -> None:
    for typed in _typed_forms(day, separator):
        assert parse_typed_date(typed, today) == day, typed


@given(day=DAYS, separator=SEPARATORS)
def test_day_and_month_alone_are_this_year(day: date, separator: str) -> None:
    today = date(day.year, 6, 15)
    assert parse_typed_date(f"{day.day}{separator}{day.month}", today) == day
    assert parse_typed_date(f"{day:%d%m}", today) == day


@given(today=st.dates(date(1000, 1, 1), date(9899, 12, 31)), two_digits=st.integers(0, 99))
def test_two_digit_years_are_in_todays_century(today: date, two_digits: int) -> None:
    typed = f"15/06/{two_digits:02d}"
    assert parse_typed_date(typed, today).year == today.year // 100 * 100 + two_digits


@st.composite
def _impossible_days(draw: st.DrawFn) -> tuple[int, int, int]:
    year = draw(st.integers(2000, 2099))
    month = draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    day = draw(st.integers(last + 1, 39) | st.just(0))
    return day, month, year


@given(impossible=_impossible_days(), separator=SEPARATORS, today=TODAYS)
def test_a_day_the_month_does_not_have_is_refused(
    impossible: tuple[int, int, int], separator: str, today: date
) -> None:
    d, m, y = impossible
    for typed in (f"{d:02d}{separator}{m:02d}{separator}{y}", f"{d:02d}{m:02d}{y}"):
        with pytest.raises(ValidationError) as refused:
            parse_typed_date(typed, today, field="follow_up_date")
        assert refused.value.field == "follow_up_date"
        assert f"{d:02d}/{m:02d}/{y}" in refused.value.message_vi
        assert "days" in refused.value.message_en


@given(month=st.integers(13, 99) | st.just(0), today=TODAYS)
def test_a_month_that_does_not_exist_is_refused(month: int, today: date) -> None:
    with pytest.raises(ValidationError, match=f"tháng {month}"):
        parse_typed_date(f"10/{month}/2026", today)


def test_the_cases_seen_on_the_volunteers_laptop() -> None:
    today = date(2026, 12, 6)
    assert parse_typed_date("20/12/2026", today) == date(2026, 12, 20)
    assert parse_typed_date("20/12/26", today) == date(2026, 12, 20)
    assert parse_typed_date("20122026", today) == date(2026, 12, 20)
    assert parse_typed_date("20/12", today) == date(2026, 12, 20)
    assert parse_typed_date("5/1/2027", today) == date(2027, 1, 5)
    with pytest.raises(ValidationError) as refused:
        parse_typed_date("31022026", today)
    assert "tháng 2 năm 2026 chỉ có 28 ngày" in refused.value.message_vi
    assert "February 2026 has 28 days" in refused.value.message_en


@pytest.mark.parametrize(
    "typed",
    ["", "  ", "abc", "20/12/202", "20/12/20266", "123", "5122026", "1/2/3/4", "20//12", "-5/1"],
)
def test_text_that_is_no_date_is_refused_saying_how_to_type_one(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_typed_date(typed, date(2026, 12, 6))
    assert "20/12/2026" in refused.value.message_vi or "5/1/2027" in refused.value.message_vi
    assert refused.value.message_en != refused.value.message_vi


@given(st.text(max_size=14), TODAYS)
def test_any_text_reads_as_a_day_or_is_refused_in_words(typed: str, today: date) -> None:
    try:
        day = parse_typed_date(typed, today)
    except ValidationError as refused:
        assert refused.message_vi and refused.message_en
    else:
        assert isinstance(day, date)


# --- follow-ups ------------------------------------------------------------------------


@given(today=TODAYS, offset=st.integers(-800, 800))
def test_a_follow_up_is_from_today_to_a_year_ahead(today: date, offset: int) -> None:
    day = today + timedelta(days=offset)
    allowed = today <= day <= latest_follow_up(today)
    try:
        read = parse_follow_up_date(f"{day:%d/%m/%Y}", today)
    except ValidationError as refused:
        assert not allowed
        assert refused.field == "follow_up_date"
        assert f"{day:%d/%m/%Y}" in refused.message_vi
    else:
        assert allowed
        assert read == day


@given(today=TODAYS)
def test_a_year_ahead_is_the_same_day_next_year(today: date) -> None:
    latest = latest_follow_up(today)
    assert latest.year == today.year + 1
    assert (latest.month, latest.day) == (today.month, today.day) or (today.month, today.day) == (
        2,
        29,
    )
    assert 365 <= (latest - today).days <= 366


@given(today=TODAYS, day=DAYS)
def test_a_follow_up_without_a_year_is_the_next_such_day(today: date, day: date) -> None:
    try:
        read = parse_follow_up_date(f"{day.day}/{day.month}", today)
    except ValidationError:
        assert (day.month, day.day) == (2, 29)  # no leap day this year or the next
        return
    assert (read.day, read.month) == (day.day, day.month)
    assert today <= read < today.replace(day=1) + timedelta(days=400)
    assert read.year in (today.year, today.year + 1)


def test_the_far_future_year_qts_editor_made_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        check_follow_up_date(date(2202, 12, 20), date(2026, 12, 6))
    assert "xa quá" in refused.value.message_vi
    assert "06/12/2027" in refused.value.message_vi


def test_an_import_may_hold_a_past_follow_up_but_not_a_far_one() -> None:
    today = date(2026, 12, 6)
    assert check_follow_up_date(date(2025, 1, 1), today, past_ok=True) == date(2025, 1, 1)
    with pytest.raises(ValidationError):
        check_follow_up_date(date(2202, 12, 20), today, past_ok=True)


# --- birth years -----------------------------------------------------------------------


@given(year=st.integers(0, 9999), today=st.dates(date(2000, 1, 1), date(2999, 12, 31)))
def test_a_birth_year_is_from_1900_to_this_year(year: int, today: date) -> None:
    allowed = OLDEST_BIRTH_YEAR <= year <= today.year
    try:
        read = parse_birth_year(f"{year:04d}", today)
    except ValidationError as refused:
        assert not allowed
        assert refused.field == "birth_year"
        assert str(today.year) in refused.message_vi
    else:
        assert allowed and read == year


@pytest.mark.parametrize("typed", ["19", "196", "19650", "abcd", "1 965", "١٩٦٥"])
def test_a_birth_year_that_is_not_four_digits_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="bốn chữ số"):
        parse_birth_year(typed, date(2026, 12, 6))


def test_an_empty_birth_year_is_no_birth_year() -> None:
    assert parse_birth_year("", date(2026, 12, 6)) is None
    assert parse_birth_year("   ", date(2026, 12, 6)) is None


# --- the core applies the same rules ---------------------------------------------------


def _household(village_team: Team) -> str:
    made = hh.create_household(
        village_team.store, HouseholdInput(village_team.village_id, "Lò Văn Pấng")
    )
    return made.id


def test_the_core_refuses_a_follow_up_more_than_a_year_ahead(village_team: Team) -> None:
    store = village_team.store
    household_id = _household(village_team)
    today = vietnam_today(store.now())
    for day in (date(2202, 12, 20), latest_follow_up(today) + timedelta(days=1)):
        visit = VisitInput(
            household_id,
            village_team.member_id,
            (ServiceOutcome("VNEID_L1", "follow_up", day),),
        )
        with pytest.raises(ValidationError) as refused:
            ss.log_visit(store, visit)
        assert refused.value.field == "follow_up_date"
    assert list_sessions(store) == []
    farthest = VisitInput(
        household_id,
        village_team.member_id,
        (ServiceOutcome("VNEID_L1", "follow_up", latest_follow_up(today)),),
    )
    ss.log_visit(store, farthest)
    assert [row.follow_up_date for row in list_sessions(store)] == [latest_follow_up(today)]


def test_the_core_refuses_a_past_follow_up_in_both_languages(village_team: Team) -> None:
    store = village_team.store
    yesterday = vietnam_today(store.now()) - timedelta(days=1)
    visit = VisitInput(
        _household(village_team),
        village_team.member_id,
        (ServiceOutcome("VNEID_L1", "follow_up", yesterday),),
    )
    with pytest.raises(ValidationError) as refused:
        ss.log_visit(store, visit)
    assert "đã qua" in refused.value.message_vi
    assert "has passed" in refused.value.message_en
