"""The day ranges people pick in a list's filter: today, this week, last week..."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum


class DateRangePreset(StrEnum):
    """The day ranges a list's filter offers; a report period is a
    :class:`villagehelper.tally.periods.Period`."""

    ALL = "all"
    TODAY = "today"
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    THIS_MONTH = "this_month"
    CUSTOM = "custom"


def preset_days(preset: DateRangePreset, today: date) -> tuple[date, date] | None:
    """First and last Vietnam calendar day of a preset (weeks are ISO: Monday first);
    ``None`` for "all time".  A custom range has no preset days."""
    if preset == DateRangePreset.ALL:
        return None
    if preset == DateRangePreset.TODAY:
        return today, today
    monday = today - timedelta(days=today.weekday())
    if preset == DateRangePreset.THIS_WEEK:
        return monday, monday + timedelta(days=6)
    if preset == DateRangePreset.LAST_WEEK:
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if preset == DateRangePreset.THIS_MONTH:
        last = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=1), today.replace(day=last)
    raise ValueError("a custom range has no preset days: give the dates")
