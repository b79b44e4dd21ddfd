"""Reporting periods (kỳ báo cáo): ISO weeks, calendar months, quarters and custom day
ranges.

A period is a run of whole Vietnam calendar days; the database is queried with the
UTC instants of its bounds as a half-open range [start, end), so a session at Sunday
23:59:59 Vietnam time belongs to that week and one at Monday 00:00 to the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from villagehelper.clock import REPORT_YEARS, vietnam_day_bounds
from villagehelper.errors import ValidationError

_WEEK_TEXT = re.compile(r"^(?P<year>\d{4})-?W(?P<week>\d{2})$", re.IGNORECASE)
_MONTH_TEXT = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$")
_QUARTER_TEXT = re.compile(r"^(?P<year>\d{4})-?Q(?P<quarter>\d)$", re.IGNORECASE)


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    """Vietnam calendar days ``first`` to ``last``, both included."""

    kind: PeriodKind
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValidationError(
                "period", "Ngày kết thúc trước ngày bắt đầu.", "End before start."
            )

    @property
    def start(self) -> datetime:
        """The first instant of the period, in UTC."""
        return vietnam_day_bounds(self.first)[0]

    @property
    def end(self) -> datetime:
        """The first instant after the period, in UTC (exclusive bound)."""
        return vietnam_day_bounds(self.last)[1]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def year_start(self) -> datetime:
        """1 January (Vietnam time) of the year the period ends in: where lũy kế starts.

        The end year, not the ISO year, because the commune's running total is by
        calendar year: 2026-W53 (28/12/2026 – 03/01/2027) counts from 1 January 2027.
        """
        return vietnam_day_bounds(date(self.last.year, 1, 1))[0]

    @property
    def iso_week(self) -> tuple[int, int] | None:
        """(ISO year, week) for a week period, else None."""
        if self.kind is not PeriodKind.WEEK:
            return None
        year, week, _ = self.first.isocalendar()
        return year, week

    @property
    def label(self) -> str:
        """ "2026-W49", "2026-12", "2026-Q4" or "2026-12-01..2026-12-07"."""
        if self.kind is PeriodKind.WEEK:
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.first.year}-{self.first.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def previous(self) -> Period:
        """The period to compare with: the week before, the calendar month or quarter
        before (its own length, as a monthly report compares with last month), or for a
        custom range the same number of days just before it."""
        if self.kind is PeriodKind.WEEK:
            return week_containing(self.first - timedelta(days=7))
        if self.kind is PeriodKind.MONTH:
            day_before = self.first - timedelta(days=1)
            return month(day_before.year, day_before.month)
        if self.kind is PeriodKind.QUARTER:
            day_before = self.first - timedelta(days=1)
            return quarter(day_before.year, (day_before.month - 1) // 3 + 1)
        return custom(self.first - timedelta(days=self.days), self.first - timedelta(days=1))


def _outside_report_years() -> ValidationError:
    first, last = REPORT_YEARS[0], REPORT_YEARS[-1]
    return ValidationError(
        "period",
        f"Kỳ báo cáo phải nằm trong các năm {first}–{last}.",
        f"A report period must lie within the years {first}–{last}.",
    )


def iso_week(year: int, week: int) -> Period:
    """ISO week ``week`` of ISO year ``year`` (Monday to Sunday)."""
    if year not in REPORT_YEARS:
        raise _outside_report_years()
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError as error:
        raise ValidationError(
            "week", f"Năm {year} không có tuần {week}.", f"{year} has no week {week}."
        ) from error
    return Period(PeriodKind.WEEK, monday, monday + timedelta(days=6))


def week_containing(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(PeriodKind.WEEK, monday, monday + timedelta(days=6))


def parse_week(text: str, today: date) -> Period:
    """ "YYYY-Www" (also "YYYYWww"), "this" or "last"; ``today`` is the Vietnam date."""
    cleaned = text.strip()
    if cleaned.lower() == "this":
        return week_containing(today)
    if cleaned.lower() == "last":
        return week_containing(today - timedelta(days=7))
    match = _WEEK_TEXT.match(cleaned)
    if match is None:
        raise ValidationError(
            "week",
            f"Tuần không hợp lệ: {text!r} (dạng 2026-W49, this, last).",
            f"Bad week {text!r}: use YYYY-Www, this or last.",
        )
    return iso_week(int(match["year"]), int(match["week"]))


def month(year: int, month_number: int) -> Period:
    if not 1 <= month_number <= 12:
        raise ValidationError("month", "Tháng không hợp lệ.", f"Bad month {month_number}.")
    if year not in REPORT_YEARS:
        raise _outside_report_years()
    first = date(year, month_number, 1)
    following = date(year + month_number // 12, month_number % 12 + 1, 1)
    return Period(PeriodKind.MONTH, first, following - timedelta(days=1))


def quarter(year: int, quarter_number: int) -> Period:
    """Quarter ``quarter_number`` (1-4) of ``year``: three calendar months."""
    if not 1 <= quarter_number <= 4:
        raise ValidationError(
            "quarter",
            f"Quý không hợp lệ: {quarter_number} (từ 1 đến 4).",
            f"Bad quarter {quarter_number}: use 1 to 4.",
        )
    first_month = 3 * quarter_number - 2
    first = month(year, first_month).first  # the same year check as a month
    return Period(PeriodKind.QUARTER, first, month(year, first_month + 2).last)


def parse_period(text: str) -> Period:
    """A week "2026-W49", a month "2026-12" or a quarter "2026-Q4", as :attr:`Period.label`
    writes them."""
    cleaned = text.strip()
    week = _WEEK_TEXT.match(cleaned)
    if week is not None:
        return iso_week(int(week["year"]), int(week["week"]))
    matched = _MONTH_TEXT.match(cleaned) or _QUARTER_TEXT.match(cleaned)
    if matched is None:
        raise ValidationError(
            "period",
            f"Kỳ báo cáo không hợp lệ: {text!r}. Ghi tuần (2026-W49), tháng (2026-12) "
            "hoặc quý (2026-Q4).",
            f"Bad report period {text!r}: write a week (2026-W49), a month (2026-12) "
            "or a quarter (2026-Q4).",
        )
    if "month" in matched.groupdict():
        return month(int(matched["year"]), int(matched["month"]))
    return quarter(int(matched["year"]), int(matched["quarter"]))


def custom(first: date, last: date) -> Period:
    return Period(PeriodKind.CUSTOM, first, last)
