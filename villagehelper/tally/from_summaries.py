"""A tally's figures read from the summary tables (:mod:`villagehelper.tally.summaries`),
which triggers keep exact: the same numbers as :mod:`villagehelper.tally.from_sessions`
without reading the sessions, where the summaries can answer.

Counts over days (a period's sessions and outcomes, the previous period, lũy kế), open
follow-ups and the basic-skills indicator always can.  Distinct people and households
of a period come from the summaries too when the period reaches the present (nothing
counted after it) and no volunteer is chosen; otherwise, e.g. last month's report, they
are counted over the period's own sessions, which is then the only read of
help_sessions and is bounded by the period.

A commune's report counts every village: :func:`village_figures_from_summaries` reads
each summary once grouped by village, and the commune's figures as their sum (every
summary is additive over villages; only distinct counts over sessions are not, and those
the caller's ``count_period`` counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import TypeVar

from sqlalchemy import ColumnElement, Connection, func, literal, select

from villagehelper.clock import vietnam_day_bounds
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.store.models import Household
from villagehelper.tally import summaries
from villagehelper.tally.from_sessions import PeriodCounter, live_households, period_counts
from villagehelper.tally.periods import Period
from villagehelper.tally.results import BasicSkills, Counts, Figures

_HOUSEHOLDS = Household.__table__
_Fours = dict[str, tuple[int, int, int, int]]  # service → sessions, done, follow-up, failed
_PARTS = ("period", "previous", "cumulative")

# The summaries' Vietnam days are UTC+7 computed in SQL, which is Vietnam's offset since
# 1975; a period with a bound where zoneinfo says otherwise is counted from sessions.
_SUMMARY_OFFSET = timedelta(hours=7)


@dataclass(frozen=True)
class _Read:
    """What the summaries answer for one filter, or one village of it."""

    days: dict[str, _Fours]  # by part: the period, the previous period, lũy kế
    reach: dict[tuple[str, str], int] | None  # None: distinct counts come from sessions
    open_ups: dict[str, int]
    households: int
    covered: int

    def __add__(self, other: _Read) -> _Read:
        return _Read(
            {part: _fours_added(self.days[part], other.days[part]) for part in _PARTS},
            None if self.reach is None or other.reach is None else _added(self.reach, other.reach),
            _added(self.open_ups, other.open_ups),
            self.households + other.households,
            self.covered + other.covered,
        )


_Key = TypeVar("_Key")


def _added(first: dict[_Key, int], second: dict[_Key, int]) -> dict[_Key, int]:
    return dict(Counter(first) + Counter(second))


def _fours_added(first: _Fours, second: _Fours) -> _Fours:
    added = dict(first)
    for code, (sessions, done, follow_up, failed) in second.items():
        before = added.get(code, (0, 0, 0, 0))
        added[code] = (
            before[0] + sessions,
            before[1] + done,
            before[2] + follow_up,
            before[3] + failed,
        )
    return added


def figures_from_summaries(
    connection: Connection,
    period: Period,
    counted: SessionFilter,
    basic: tuple[str, ...],
    count_period: PeriodCounter = period_counts,
) -> Figures:
    """The numbers of :func:`~villagehelper.tally.from_sessions.figures_from_sessions`,
    read from the summaries where they can answer."""
    distinct = distinct_from_summaries(connection, period, counted.volunteer_id)
    read = _read(connection, period, counted, basic, distinct=distinct, by_village=False)[None]
    return _figures(connection, counted, read, basic, count_period)


def village_figures_from_summaries(
    connection: Connection,
    period: Period,
    counted: SessionFilter,
    basic: tuple[str, ...],
    *,
    village_ids: Sequence[str],
    count_period: PeriodCounter,
) -> tuple[Figures, dict[str, Figures]]:
    """:func:`figures_from_summaries` of ``counted`` (which names no village) and of it
    in each of ``village_ids``, each summary read once, grouped by village."""
    distinct = distinct_from_summaries(connection, period, counted.volunteer_id)
    reads = _read(connection, period, counted, basic, distinct=distinct, by_village=True)
    nothing = _Read({part: {} for part in _PARTS}, {} if distinct else None, {}, 0, 0)
    whole = reduce(lambda a, b: a + b, reads.values(), nothing)
    return _figures(connection, counted, whole, basic, count_period), {
        village: _figures(
            connection,
            replace(counted, village_id=village),
            reads.get(village, nothing),
            basic,
            count_period,
        )
        for village in village_ids
    }


def _read(
    connection: Connection,
    period: Period,
    counted: SessionFilter,
    basic: tuple[str, ...],
    *,
    distinct: bool,
    by_village: bool,
) -> dict[str | None, _Read]:
    """What the summaries answer for ``counted``: under None, or by village."""
    previous = period.previous()
    days = summaries.day_sums(
        connection,
        {
            "period": counted,
            "previous": replace(counted, start=previous.first, end=previous.last),
            "cumulative": replace(counted, start=date(period.last.year, 1, 1)),
        },
        by_village=by_village,
    )
    reach = summaries.reach_since(connection, counted, by_village=by_village) if distinct else None
    open_ups = summaries.open_follow_ups(
        connection, period.end, replace(counted, start=None), by_village=by_village
    )
    live = live_households(counted.village_id)
    households = _live_households(connection, live, by_village)
    covered = (
        summaries.households_with_basic_skills(connection, period.end, live, by_village=by_village)
        if basic
        else {}
    )
    keys = {None} if not by_village else {*days, *(reach or {}), *open_ups, *households}
    return {
        key: _Read(
            days.get(key, {part: {} for part in _PARTS}),
            None if reach is None else reach.get(key, {}),
            open_ups.get(key, {}),
            households.get(key, 0),
            covered.get(key, 0),
        )
        for key in keys
    }


def _live_households(
    connection: Connection, live: list[ColumnElement[bool]], by_village: bool
) -> dict[str | None, int]:
    village = func.coalesce(_HOUSEHOLDS.c.village_id, "") if by_village else literal("")
    query = select(village, func.count()).where(*live).group_by(village)
    counted: dict[str | None, int] = {} if by_village else {None: 0}
    for village_id, count in connection.execute(query):
        counted[village_id if by_village else None] = int(count)
    return counted


def _figures(
    connection: Connection,
    counted: SessionFilter,
    read: _Read,
    basic: tuple[str, ...],
    count_period: PeriodCounter,
) -> Figures:
    period_days = read.days["period"]
    if read.reach is not None:
        reach = read.reach

        def counts(code: str, four: tuple[int, int, int, int]) -> Counts:
            sessions, done, follow_up, failed = four
            people = reach.get((summaries.PERSON, code), 0)
            households = reach.get((summaries.HOUSEHOLD, code), 0)
            return Counts(sessions, people, households, done, follow_up, failed)

        per_service = {code: counts(code, four) for code, four in period_days.items()}
        fours = period_days.values()
        totals = counts(
            summaries.ALL_SERVICES,
            (
                sum(four[0] for four in fours),
                sum(four[1] for four in fours),
                sum(four[2] for four in fours),
                sum(four[3] for four in fours),
            ),
        )
    else:
        per_service, totals = count_period(connection, counted)
    return Figures(
        per_service,
        totals,
        {code: four[0] for code, four in read.days["previous"].items()},
        {code: four[0] for code, four in read.days["cumulative"].items()},
        read.open_ups,
        BasicSkills(basic, read.covered, read.households),
    )


def distinct_from_summaries(
    connection: Connection, period: Period, volunteer_id: str | None
) -> bool:
    """Whether the period's distinct people and households can be read from the reach
    summary (see villagehelper.tally.summaries) rather than counted over its sessions.

    The reach knows each person's last day, not which volunteer helped them then, and
    counts a member once per household; and "last day in the period" means "helped in
    the period" only when nothing counted comes after it.
    """
    return (
        volunteer_id is None
        and not summaries.counted_after(connection, period.end)
        and not summaries.has_split_members(connection)
    )


def summaries_apply(period: Period) -> bool:
    """Whether every day bound the summaries are read with is a UTC+7 midnight."""
    previous = period.previous()
    bounds = (
        previous.first,
        previous.last + timedelta(days=1),
        date(period.last.year, 1, 1),
        period.first,
        period.last + timedelta(days=1),
    )
    return all(
        vietnam_day_bounds(day)[0]
        == datetime(day.year, day.month, day.day, tzinfo=UTC) - _SUMMARY_OFFSET
        for day in bounds
    )
