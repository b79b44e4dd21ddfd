"""The days a report period and the day of a help session may have: every typed form of
an allowed day reads as that day, a day outside the field's range is refused in both
languages, saying which days are allowed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.test_typed_dates import SEPARATORS, _typed_forms
from villagehelper.day_ranges import (
    parse_report_day,
    parse_session_day,
    report_days,
    session_days,
)
from villagehelper.errors import ValidationError
from villagehelper.typed_dates import format_day

# "Today" from the app's first year to the end of the century; days around it.
TODAYS = st.dates(date(2025, 1, 1), date(2098, 12, 31))
OFFSETS = st.integers(-40_000, 800)

Reader = Callable[[str, date], date]
Range = Callable[[date], tuple[date, date]]
FIELDS = [(parse_report_day, report_days), (parse_session_day, session_days)]


@pytest.mark.parametrize(("reader", "days"), FIELDS)
@given(today=TODAYS, offset=OFFSETS, separator=SEPARATORS)
def test_a_day_reads_when_the_field_allows_it_and_is_refused_in_words_when_not(
    reader: Reader, days: Range, today: date, offset: int, separator: str
) -> None:
    day = today + timedelta(days=offset)
    first, last = days(today)
    if first <= day <= last:
        for typed in _typed_forms(day, separator):
            assert reader(typed, today) == day, typed
        return
    with pytest.raises(ValidationError) as refused:
        reader(format_day(day), today)
    bound = first if day < first else last
    assert format_day(day) in refused.value.message_vi
    assert format_day(day) in refused.value.message_en
    assert refused.value.message_vi != refused.value.message_en
    # Either the bound or today is named, so the person knows which days to type.
    named = (format_day(bound), format_day(today))
    assert any(text in refused.value.message_vi for text in named)


def test_a_report_period_may_be_in_the_past_but_not_years_ahead() -> None:
    today = date(2026, 11, 23)
    assert report_days(today) == (date(2000, 1, 1), date(2027, 11, 23))
    assert parse_report_day("5/1/2027", today) == date(2027, 1, 5)
    assert parse_report_day("01/01/2000", today) == date(2000, 1, 1)
    for typed, words in (("20/12/2062", "xa quá"), ("31/12/1999", "quá xa")):
        with pytest.raises(ValidationError, match=words):
            parse_report_day(typed, today)


def test_a_session_took_place_from_the_apps_first_year_to_today() -> None:
    today = date(2026, 11, 23)
    assert session_days(today) == (date(2025, 1, 1), today)
    assert parse_session_day("23/11/26", today) == today
    for typed, words in (("24/11/2026", "chưa tới"), ("31/12/2024", "trước khi có ứng dụng")):
        with pytest.raises(ValidationError, match=words):
            parse_session_day(typed, today)
