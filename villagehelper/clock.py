"""Time: stored in UTC, shown and bucketed in Vietnam time (UTC+7, no DST)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

Clock = Callable[[], datetime]

# The years a report (and a date field) can cover.  A tally compares a period with the
# one before and counts from the start of its year: at the ends of the calendar (year 1,
# year 9999) those dates do not exist, and a week typed as 9999-W52 ends in year 10000.
REPORT_YEARS = range(2000, 3000)


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_vietnam(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(VIETNAM)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC datetime; a naive value is refused because it is ambiguous."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the time zone must be explicit")
    return moment.astimezone(UTC)


def vietnam_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in Vietnam, as UTC instants."""
    start = datetime(day.year, day.month, day.day, tzinfo=VIETNAM)
    return as_utc(start), as_utc(start + timedelta(days=1))


def vietnam_today(now: datetime | None = None) -> date:
    return to_vietnam(now or utc_now()).date()


def format_vn_date(day: date) -> str:
    """dd/mm/yyyy, the way Vietnamese forms write dates."""
    return day.strftime("%d/%m/%Y")
