"""The tally engine: what the weekly / monthly report counts, computed in SQL.

Definitions (the tests hold a plain-Python version of each):

* Only sessions that are not voided count, anywhere.
* A session belongs to a period when its ``occurred_at`` is in the period's
  [start, end) UTC bounds (whole Vietnam days).
* A *person* is a member id; a session logged without a member counts as one unnamed
  person of its household (so "people" is never below "households").
* Households are the household ids on the sessions; merges re-point the loser's
  sessions to the survivor, so a merged household is counted once.
* The village filter is the village of the session's (current) household; the
  volunteer filter is the volunteer who logged the session.
* Cumulative (lũy kế): non-void sessions from 1 January of the period's end year to the
  period's end, same filters.
* Change: sessions in the period minus sessions in :meth:`Period.previous`.
* Open follow-ups: follow-up sessions up to the period end (same filters) with no later
  non-void session, by anyone, for the same household and service before the end.
* Basic-skills indicator: live households (not deleted, not merged; in the village when
  one is given) having one person helped successfully with every service flagged
  ``basic_skill``, at any time before the period end, out of all live households. It is
  about households, so the volunteer filter does not apply to it. With no service
  flagged, no household qualifies (rather than all of them, vacuously).

Totals are distinct counts over all services (a person helped with two services is one
person), so they are not the sums of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    distinct,
    exists,
    false,
    func,
    select,
)
from sqlalchemy.orm import aliased

from villagehelper.clock import vietnam_day_bounds
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Household, Outcome, Service
from villagehelper.tally import summaries
from villagehelper.tally.periods import Period

# Where the numbers come from.  Counts over days (a period's sessions and outcomes, the
# previous period, lũy kế), open follow-ups and the basic-skills indicator are read
# from the summary tables of villagehelper.tally.summaries, which triggers keep exact.
# Distinct people and households of a period come from the summaries too when the
# period reaches the present (nothing counted after it) and no volunteer is chosen;
# otherwise, e.g. last month's report, they are counted over the period's own sessions,
# which is then the only read of help_sessions and is bounded by the period.

_PERSON_OF_HOUSEHOLD = "household:"
# The summaries' Vietnam days are UTC+7 computed in SQL, which is Vietnam's offset since
# 1975; a period with a bound where zoneinfo says otherwise is counted from sessions.
_SUMMARY_OFFSET = timedelta(hours=7)


@dataclass(frozen=True)
class Counts:
    """What the report counts over a set of sessions."""

    sessions: int = 0
    people: int = 0
    households: int = 0
    done: int = 0
    follow_up: int = 0
    failed: int = 0
    cumulative: int = 0
    previous_sessions: int = 0
    open_follow_ups: int = 0

    @property
    def change(self) -> int:
        """Sessions against the previous period (positive: more than before)."""
        return self.sessions - self.previous_sessions


@dataclass(frozen=True)
class ServiceTally:
    service_code: str
    label_vi: str
    label_en: str
    basic_skill: bool
    counts: Counts


@dataclass(frozen=True)
class BasicSkills:
    services: tuple[str, ...]
    households_covered: int
    households: int

    @property
    def rate(self) -> float | None:
        return self.households_covered / self.households if self.households else None


@dataclass(frozen=True)
class Tally:
    period: Period
    previous: Period
    village_id: str | None
    volunteer_id: str | None
    rows: tuple[ServiceTally, ...]
    totals: Counts
    basic_skills: BasicSkills


_SESSIONS = HelpSession.__table__
_HOUSEHOLDS = Household.__table__
_SERVICES = Service.__table__


def _person() -> ColumnElement[str]:
    return func.coalesce(_SESSIONS.c.member_id, _PERSON_OF_HOUSEHOLD + _SESSIONS.c.household_id)


def _filters(village_id: str | None, volunteer_id: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_SESSIONS.c.voided == false()]
    if volunteer_id is not None:
        conditions.append(_SESSIONS.c.volunteer_id == volunteer_id)
    if village_id is not None:
        # A subquery rather than a join: the planner keeps driving from the time index.
        in_village = select(_HOUSEHOLDS.c.id).where(_HOUSEHOLDS.c.village_id == village_id)
        conditions.append(_SESSIONS.c.household_id.in_(in_village))
    return conditions


def _in_range(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [_SESSIONS.c.occurred_at >= start, _SESSIONS.c.occurred_at < end]


def _period_counts(
    connection: Connection, period: Period, filters: list[ColumnElement[bool]]
) -> tuple[dict[str, Counts], Counts]:
    measures = (
        func.count(),
        func.count(distinct(_person())),
        func.count(distinct(_SESSIONS.c.household_id)),
        func.count().filter(_SESSIONS.c.outcome == Outcome.DONE.value),
        func.count().filter(_SESSIONS.c.outcome == Outcome.FOLLOW_UP.value),
        func.count().filter(_SESSIONS.c.outcome == Outcome.FAILED.value),
    )
    where = and_(*filters, *_in_range(period.start, period.end))
    per_service = {
        row[0]: Counts(*(int(value) for value in row[1:]))
        for row in connection.execute(
            select(_SESSIONS.c.service_code, *measures)
            .where(where)
            .group_by(_SESSIONS.c.service_code)
        )
    }
    total_row = connection.execute(select(*measures).where(where)).one()
    return per_service, Counts(*(int(value) for value in total_row))


def _session_counts(
    connection: Connection, start: datetime, end: datetime, filters: list[ColumnElement[bool]]
) -> dict[str, int]:
    if end <= start:
        return {}
    query = (
        select(_SESSIONS.c.service_code, func.count())
        .where(*filters, *_in_range(start, end))
        .group_by(_SESSIONS.c.service_code)
    )
    return {code: int(count) for code, count in connection.execute(query)}


def _open_follow_ups(
    connection: Connection, end: datetime, filters: list[ColumnElement[bool]]
) -> dict[str, int]:
    later = aliased(HelpSession.__table__)
    closed = exists().where(
        later.c.household_id == _SESSIONS.c.household_id,
        later.c.service_code == _SESSIONS.c.service_code,
        later.c.voided == false(),
        later.c.occurred_at > _SESSIONS.c.occurred_at,
        later.c.occurred_at < end,
    )
    query = (
        select(_SESSIONS.c.service_code, func.count())
        .where(
            *filters,
            _SESSIONS.c.outcome == Outcome.FOLLOW_UP.value,
            _SESSIONS.c.occurred_at < end,
            ~closed,
        )
        .group_by(_SESSIONS.c.service_code)
    )
    return {code: int(count) for code, count in connection.execute(query)}


def _live_households(village_id: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        _HOUSEHOLDS.c.deleted == false(),
        _HOUSEHOLDS.c.merged_into.is_(None),
    ]
    if village_id is not None:
        conditions.append(_HOUSEHOLDS.c.village_id == village_id)
    return conditions


def _basic_skills(
    connection: Connection, end: datetime, village_id: str | None, basic: tuple[str, ...]
) -> BasicSkills:
    live = _live_households(village_id)
    households = int(connection.execute(select(func.count()).where(*live)).scalar_one())
    if not basic:
        return BasicSkills(basic, 0, households)
    # People who have every basic skill; then their households, if still live.
    skilled = (
        select(_SESSIONS.c.household_id)
        .where(
            _SESSIONS.c.voided == false(),
            _SESSIONS.c.outcome == Outcome.DONE.value,
            _SESSIONS.c.service_code.in_(basic),
            _SESSIONS.c.occurred_at < end,
        )
        .group_by(_SESSIONS.c.household_id, _person())
        .having(func.count(distinct(_SESSIONS.c.service_code)) == len(basic))
        .subquery()
    )
    covered = connection.execute(
        select(func.count(distinct(skilled.c.household_id)))
        .select_from(skilled.join(_HOUSEHOLDS, _HOUSEHOLDS.c.id == skilled.c.household_id))
        .where(*live)
    ).scalar_one()
    return BasicSkills(basic, int(covered), households)


@dataclass(frozen=True)
class _Figures:
    """A tally's numbers before they are laid out per catalog row."""

    per_service: dict[str, Counts]  # the period's own counts (no look-backs yet)
    totals: Counts
    before: dict[str, int]
    cumulative: dict[str, int]
    open_ups: dict[str, int]
    skills: BasicSkills


def _from_sessions(
    connection: Connection,
    period: Period,
    village_id: str | None,
    volunteer_id: str | None,
    basic: tuple[str, ...],
) -> _Figures:
    """Every number counted over ``help_sessions`` itself: the definitions, literally."""
    previous = period.previous()
    filters = _filters(village_id, volunteer_id)
    per_service, totals = _period_counts(connection, period, filters)
    return _Figures(
        per_service,
        totals,
        _session_counts(connection, previous.start, previous.end, filters),
        _session_counts(connection, period.year_start, period.end, filters),
        _open_follow_ups(connection, period.end, filters),
        _basic_skills(connection, period.end, village_id, basic),
    )


def _from_summaries(
    connection: Connection,
    period: Period,
    village_id: str | None,
    volunteer_id: str | None,
    basic: tuple[str, ...],
) -> _Figures:
    previous = period.previous()
    sums = summaries.day_sums(
        connection,
        {
            "period": (period.first, period.last),
            "previous": (previous.first, previous.last),
            "cumulative": (date(period.last.year, 1, 1), period.last),
        },
        village_id=village_id,
        volunteer_id=volunteer_id,
    )
    if distinct_from_summaries(connection, period, volunteer_id):
        reach = summaries.reach_since(connection, period.first, village_id=village_id)

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
        per_service, totals = _period_counts(connection, period, _filters(village_id, volunteer_id))
    live = _live_households(village_id)
    households = int(connection.execute(select(func.count()).where(*live)).scalar_one())
    covered = summaries.households_with_basic_skills(connection, period.end, live) if basic else 0
    return _Figures(
        per_service,
        totals,
        {code: four[0] for code, four in sums["previous"].items()},
        {code: four[0] for code, four in sums["cumulative"].items()},
        summaries.open_follow_ups(
            connection, period.end, village_id=village_id, volunteer_id=volunteer_id
        ),
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


def compute_tally(
    store: Store,
    period: Period,
    *,
    village_id: str | None = None,
    volunteer_id: str | None = None,
    from_sessions: bool = False,
) -> Tally:
    """The tally of ``period``, optionally for one village and/or one volunteer.

    ``from_sessions`` counts everything over the sessions themselves, ignoring the
    summaries: slower, the same numbers (the tests and benchmarks compare the two).
    """
    with store.engine.connect() as connection, connection.begin():
        # One read transaction: every figure comes from the same snapshot.
        services = connection.execute(
            select(
                _SERVICES.c.code,
                _SERVICES.c.label_vi,
                _SERVICES.c.label_en,
                _SERVICES.c.basic_skill,
                _SERVICES.c.active,
            ).order_by(_SERVICES.c.sort_order, _SERVICES.c.code)
        ).all()
        basic = tuple(row.code for row in services if row.basic_skill and row.active)
        if from_sessions or not summaries_apply(period) or summaries.suspended(connection):
            figures = _from_sessions(connection, period, village_id, volunteer_id, basic)
        else:
            figures = _from_summaries(connection, period, village_id, volunteer_id, basic)

    rows = []
    for service in services:
        code = service.code
        counts = figures.per_service.get(code, Counts())
        counts = Counts(
            counts.sessions,
            counts.people,
            counts.households,
            counts.done,
            counts.follow_up,
            counts.failed,
            cumulative=figures.cumulative.get(code, 0),
            previous_sessions=figures.before.get(code, 0),
            open_follow_ups=figures.open_ups.get(code, 0),
        )
        # A retired service still shows while it has something to count this year.
        if service.active or counts != Counts():
            rows.append(
                ServiceTally(code, service.label_vi, service.label_en, service.basic_skill, counts)
            )
    totals = figures.totals
    totals = Counts(
        totals.sessions,
        totals.people,
        totals.households,
        totals.done,
        totals.follow_up,
        totals.failed,
        cumulative=sum(figures.cumulative.values()),
        previous_sessions=sum(figures.before.values()),
        open_follow_ups=sum(figures.open_ups.values()),
    )
    return Tally(
        period, period.previous(), village_id, volunteer_id, tuple(rows), totals, figures.skills
    )
