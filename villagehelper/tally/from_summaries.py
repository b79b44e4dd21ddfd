"""A tally's figures read from the summary tables (:mod:`villagehelper.tally.summaries`),
which triggers keep exact: the same numbers as :mod:`villagehelper.tally.from_sessions`
without reading the sessions, where the summaries can answer.

Counts over days (a period's sessions and outcomes, the previous period, lũy kế), open
follow-ups and the basic-skills indicator always can.  Distinct people and households
of a period come from the summaries too when the period reaches the present (nothing
counted after it) and no volunteer is chosen; otherwise, e.g. last month's report, they
are counted over the period's own sessions, which is then the only read of
help_sessions and is bounded by the period.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, func, select

from villagehelper.clock import vietnam_day_bounds
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.tally import summaries
from villagehelper.tally.from_sessions import live_households, period_counts
from villagehelper.tally.periods import Period
from villagehelper.tally.results import BasicSkills, Counts, Figures

# The summaries' Vietnam days are UTC+7 computed in SQL, which is Vietnam's offset since
# 1975; a period with a bound where zoneinfo says otherwise is counted from sessions.
_SUMMARY_OFFSET = timedelta(hours=7)


def figures_from_summaries(
    connection: Connection, period: Period, counted: SessionFilter, basic: tuple[str, ...]
) -> Figures:
    """The numbers of :func:`~villagehelper.tally.from_sessions.figures_from_sessions`,
    read from the summaries where they can answer."""
    previous = period.previous()
    sums = summaries.day_sums(
        connection,
        {
            "period": counted,
            "previous": replace(counted, start=previous.first, end=previous.last),
            "cumulative": replace(counted, start=date(period.last.year, 1, 1)),
        },
    )
    if distinct_from_summaries(connection, period, counted.volunteer_id):
        reach = summaries.reach_since(connection, counted)

        def counts(code: str, four: tuple[int, int, int, int]) -> Counts:
            sessions, done, follow_up, failed = four
            people = reach.get((summaries.PERSON, code), 0)
            households = reach.get((summaries.HOUSEHOLD, code), 0)
            return Counts(sessions, people, households, done, follow_up, failed)

        per_service = {code: counts(code, four) for code, four in sums["period"].items()}
        fours = sums["period"].values()
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
        per_service, totals = period_counts(connection, counted)
    live = live_households(counted.village_id)
    households = int(connection.execute(select(func.count()).where(*live)).scalar_one())
    covered = summaries.households_with_basic_skills(connection, period.end, live) if basic else 0
    return Figures(
        per_service,
        totals,
        {code: four[0] for code, four in sums["previous"].items()},
        {code: four[0] for code, four in sums["cumulative"].items()},
        summaries.open_follow_ups(connection, period.end, replace(counted, start=None)),
        BasicSkills(basic, covered, households),
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
