"""The periods the console offers, as the tally engine's :class:`Period` (whole Vietnam days).

A week is an ISO week (Monday first), a month a calendar month, a quarter three calendar
months (each compared with the one before it); the year to date is a custom period of
whole days, compared with the same number of days just before it (:meth:`Period.previous`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from villagehelper.clock import vietnam_today
from villagehelper.errors import ValidationError
from villagehelper.tally.periods import Period, custom, month, quarter, week_containing


class Span(StrEnum):
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    THIS_QUARTER = "this_quarter"
    YEAR_TO_DATE = "year_to_date"


# What a Vietnamese message calls each span (the pages' own words are in console/).
SPAN_NAMES_VI = {
    Span.THIS_WEEK: "tuần này",
    Span.LAST_WEEK: "tuần trước",
    Span.THIS_MONTH: "tháng này",
    Span.THIS_QUARTER: "quý này",
    Span.YEAR_TO_DATE: "từ đầu năm",
}


def span_period(span: Span | str, today: date) -> Period:
    """The period ``span`` names on the Vietnam date ``today``."""
    try:
        chosen = Span(span)
    except ValueError as error:
        vietnamese = ", ".join(f"{SPAN_NAMES_VI[item]} ({item.value})" for item in Span)
        names = ", ".join(item.value for item in Span)
        raise ValidationError(
            "span",
            f"Kỳ không hợp lệ: {span!r}. Hãy chọn kỳ trong danh sách của trang, hoặc viết "
            f"trong địa chỉ một trong: {vietnamese}.",
            f"Bad period {span!r}. Choose one on the page, or write one of: {names}.",
        ) from error
    if chosen is Span.THIS_WEEK:
        return week_containing(today)
    if chosen is Span.LAST_WEEK:
        return week_containing(today - timedelta(days=7))
    if chosen is Span.THIS_MONTH:
        return month(today.year, today.month)
    if chosen is Span.THIS_QUARTER:
        return quarter(today.year, (today.month - 1) // 3 + 1)
    return custom(date(today.year, 1, 1), today)


def span_at(span: Span | str, now: datetime) -> Period:
    """The period ``span`` names at the instant ``now`` (the server's clock)."""
    return span_period(span, vietnam_today(now))
