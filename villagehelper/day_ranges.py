"""Which days a date field allows, besides being real days: a day of a report period, and
the day a help session took place.

Read with :func:`villagehelper.typed_dates.parse_typed_date` (every form a person types,
impossible days refused), then held to the field's range:

- a report period (the sessions list's custom period, the tally's period): any day from
  01/01/2000, the first report year, to a year ahead — the past is what reports are
  about, while a day years ahead is a mistyped year (20/12/2062 for 20/12/2026);
- the day a help session took place (the corrected day of a session the server held
  back, the day a faulty one is logged again): from 01/01/2025, the app's first year
  (:data:`villagehelper.session_times.EARLIEST_SESSION`), to today.

The follow-up date's rules are :func:`villagehelper.typed_dates.check_follow_up_date`.
Pure Python (no Qt, no database), like :mod:`villagehelper.typed_dates`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from villagehelper.clock import REPORT_YEARS, to_vietnam
from villagehelper.errors import ValidationError
from villagehelper.session_times import EARLIEST_SESSION
from villagehelper.typed_dates import format_day, latest_follow_up, parse_typed_date

EARLIEST_REPORT_DAY = date(REPORT_YEARS[0], 1, 1)
EARLIEST_SESSION_DAY = to_vietnam(EARLIEST_SESSION).date()


Words = tuple[str, str]
"""(Vietnamese, English) words for a day outside a range, with ``{day}``, ``{bound}`` (the
first or last day allowed) and ``{today}`` filled in as dd/mm/yyyy."""


def report_days(today: date) -> tuple[date, date]:
    """The first and last day a report period can be typed with on ``today``: any past
    day of the report years, and up to a year ahead (further is a mistyped year)."""
    return EARLIEST_REPORT_DAY, latest_follow_up(today)


def parse_report_day(text: str, today: date, field: str = "period") -> date:
    """A day of a report period typed on ``today``: read by :func:`parse_typed_date`,
    then refused outside :func:`report_days`."""
    return _read_within(text, today, field, _REPORT)


def session_days(today: date) -> tuple[date, date]:
    """The first and last day a help session can have taken place, seen on ``today``."""
    return EARLIEST_SESSION_DAY, today


def parse_session_day(text: str, today: date, field: str = "occurred_at") -> date:
    """The day a help session took place, typed on ``today``: read by
    :func:`parse_typed_date`, then refused outside :func:`session_days`."""
    return _read_within(text, today, field, _SESSION)


# --- the ranges and what is said outside them --------------------------------------------


@dataclass(frozen=True)
class _Range:
    days: Callable[[date], tuple[date, date]]
    too_early: Words
    too_late: Words


_REPORT = _Range(
    report_days,
    too_early=(
        "Ngày {day} quá xa: báo cáo chỉ tính từ {bound}. Hãy kiểm tra lại năm.",
        "The day {day} is too long ago: reports start on {bound}. Check the year.",
    ),
    too_late=(
        "Ngày {day} xa quá: kỳ báo cáo chỉ đến {bound}, một năm sau hôm nay. Hãy kiểm tra lại năm.",
        "The day {day} is too far ahead: a report period can reach {bound} at most, a "
        "year from today. Check the year.",
    ),
)
_SESSION = _Range(
    session_days,
    too_early=(
        "Ngày {day} trước khi có ứng dụng (từ {bound}). Hãy kiểm tra lại năm.",
        "The day {day} is before the app existed (from {bound}). Check the year.",
    ),
    too_late=(
        "Ngày {day} chưa tới (hôm nay là {today}): buổi hỗ trợ phải đã diễn ra. "
        "Hãy kiểm tra lại ngày.",
        "The day {day} has not come yet (today is {today}): the help session must have "
        "taken place. Check the day.",
    ),
)


def _read_within(text: str, today: date, field: str, allowed: _Range) -> date:
    """The day ``text`` means when ``allowed`` on ``today``; else refused in its words."""
    day = parse_typed_date(text, today, field)
    first, last = allowed.days(today)
    if not first <= day <= last:
        words, bound = (allowed.too_early, first) if day < first else (allowed.too_late, last)
        dates = {"day": format_day(day), "bound": format_day(bound), "today": format_day(today)}
        raise ValidationError(field, *(template.format(**dates) for template in words))
    return day
