"""A tally's figures counted over ``help_sessions`` itself: the definitions of
:mod:`villagehelper.tally.engine`, literally (slower than the summaries; the tests and
benchmarks compare the two).  Which sessions each figure counts is a
:class:`~villagehelper.ops.session_filter.SessionFilter`, as in the lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, distinct, exists, false, func, select
from sqlalchemy.orm import aliased

from villagehelper.ops.session_filter import SessionFilter, session_conditions
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import HelpSession, Household
from villagehelper.tally import summaries
from villagehelper.tally.periods import Period
from villagehelper.tally.results import BasicSkills, Counts, Figures

_PERSON_OF_HOUSEHOLD = "household:"

_SESSIONS = HelpSession.__table__
_HOUSEHOLDS = Household.__table__


def counted_sessions(
    period: Period, village_id: str | None, volunteer_id: str | None
) -> SessionFilter:
    """The sessions a tally of ``period`` counts: not voided, in the period's days, of
    the village and volunteer asked for."""
    return SessionFilter(
        start=period.first, end=period.last, village_id=village_id, volunteer_id=volunteer_id
    )


def _person() -> ColumnElement[str]:
    """A member, or the one unnamed person of the household a session names nobody of."""
    return func.coalesce(_SESSIONS.c.member_id, _PERSON_OF_HOUSEHOLD + _SESSIONS.c.household_id)


PeriodCounts = tuple[dict[str, Counts], Counts]
"""A period's own counts per service, and in total (distinct over all services)."""

PeriodCounter = Callable[[Connection, SessionFilter], PeriodCounts]


def _measures() -> tuple[ColumnElement[int], ...]:
    return (
        func.count(),
        func.count(distinct(_person())),
        func.count(distinct(_SESSIONS.c.household_id)),
        func.count().filter(_SESSIONS.c.outcome == Outcome.DONE.value),
        func.count().filter(_SESSIONS.c.outcome == Outcome.FOLLOW_UP.value),
        func.count().filter(_SESSIONS.c.outcome == Outcome.FAILED.value),
    )


def period_counts(connection: Connection, counted: SessionFilter) -> PeriodCounts:
    """The period's own counts per service and in total (distinct over all services)."""
    measures = _measures()
    where = session_conditions(counted)
    per_service = {
        row[0]: Counts(*(int(value) for value in row[1:]))
        for row in connection.execute(
            select(_SESSIONS.c.service_code, *measures)
            .where(*where)
            .group_by(_SESSIONS.c.service_code)
        )
    }
    total_row = connection.execute(select(*measures).where(*where)).one()
    return per_service, Counts(*(int(value) for value in total_row))


def period_counts_by_village(
    connection: Connection, counted: SessionFilter
) -> dict[str, PeriodCounts]:
    """:func:`period_counts` of every village with sessions in ``counted`` (which names
    no village), in two grouped reads of the period's sessions instead of two per
    village.  A village is its household's now, as ``in_village`` has it; sessions of a
    household the store lacks are under "" (no village counts them, the commune does)."""
    if counted.village_id is not None:
        raise ValueError("counted by village: the filter names none")
    village = func.coalesce(_HOUSEHOLDS.c.village_id, "")
    sessions = _SESSIONS.outerjoin(_HOUSEHOLDS, _HOUSEHOLDS.c.id == _SESSIONS.c.household_id)
    measures = _measures()
    where = session_conditions(counted)
    by_village: dict[str, PeriodCounts] = {}
    for row in connection.execute(
        select(village, *measures).select_from(sessions).where(*where).group_by(village)
    ):
        by_village[row[0]] = ({}, Counts(*(int(value) for value in row[1:])))
    for row in connection.execute(
        select(village, _SESSIONS.c.service_code, *measures)
        .select_from(sessions)
        .where(*where)
        .group_by(village, _SESSIONS.c.service_code)
    ):
        by_village[row[0]][0][row[1]] = Counts(*(int(value) for value in row[2:]))
    return by_village


class VillagesCountedTogether:
    """A :data:`PeriodCounter` for tallying a commune and its villages for one period:
    the first asked for reads every village's counts (:func:`period_counts_by_village`),
    the others take theirs from it.

    The commune's are the villages' summed while no member has sessions in two
    households: then a person, like a household, is in one village only, and distinct
    counts add up.  Otherwise, and for any other filter, counted on its own.
    """

    def __init__(self) -> None:
        self._read_for: SessionFilter | None = None
        self._by_village: dict[str, PeriodCounts] = {}

    def __call__(self, connection: Connection, counted: SessionFilter) -> PeriodCounts:
        every_village = replace(counted, village_id=None)
        if counted.village_id is None and summaries.has_split_members(connection):
            return period_counts(connection, counted)
        if self._read_for != every_village:
            self._by_village = period_counts_by_village(connection, every_village)
            self._read_for = every_village
        if counted.village_id is not None:
            return self._by_village.get(counted.village_id, ({}, Counts()))
        per_service: dict[str, Counts] = {}
        totals = Counts()
        for services, village_totals in self._by_village.values():
            totals += village_totals
            for code, counts in services.items():
                per_service[code] = per_service.get(code, Counts()) + counts
        return per_service, totals


def _session_counts(connection: Connection, counted: SessionFilter) -> dict[str, int]:
    query = (
        select(_SESSIONS.c.service_code, func.count())
        .where(*session_conditions(counted))
        .group_by(_SESSIONS.c.service_code)
    )
    return {code: int(count) for code, count in connection.execute(query)}


def _open_follow_ups(
    connection: Connection, counted: SessionFilter, end: datetime
) -> dict[str, int]:
    """Follow-ups among ``counted`` with no later non-void session, by anyone, for the
    same household and service before ``end``."""
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
        .where(*session_conditions(replace(counted, outcome=Outcome.FOLLOW_UP.value)), ~closed)
        .group_by(_SESSIONS.c.service_code)
    )
    return {code: int(count) for code, count in connection.execute(query)}


def live_households(village_id: str | None) -> list[ColumnElement[bool]]:
    """Conditions on ``households``: not deleted, not merged, in the village if any."""
    conditions: list[ColumnElement[bool]] = [
        _HOUSEHOLDS.c.deleted == false(),
        _HOUSEHOLDS.c.merged_into.is_(None),
    ]
    if village_id is not None:
        conditions.append(_HOUSEHOLDS.c.village_id == village_id)
    return conditions


def _basic_skills(
    connection: Connection, end: date, village_id: str | None, basic: tuple[str, ...]
) -> BasicSkills:
    live = live_households(village_id)
    households = int(connection.execute(select(func.count()).where(*live)).scalar_one())
    if not basic:
        return BasicSkills(basic, 0, households)
    # People who have every basic skill; then their households, if still live.  About
    # households, so neither the volunteer nor the village of the sessions applies.
    done_by_end = SessionFilter(end=end, outcome=Outcome.DONE.value)
    skilled = (
        select(_SESSIONS.c.household_id)
        .where(*session_conditions(done_by_end), _SESSIONS.c.service_code.in_(basic))
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


def figures_from_sessions(
    connection: Connection,
    period: Period,
    counted: SessionFilter,
    basic: tuple[str, ...],
    count_period: PeriodCounter = period_counts,
) -> Figures:
    """Every number of the tally of ``period`` (``counted`` its sessions, see
    :func:`counted_sessions`) counted over ``help_sessions`` itself."""
    previous = period.previous()
    per_service, totals = count_period(connection, counted)
    return Figures(
        per_service,
        totals,
        _session_counts(connection, replace(counted, start=previous.first, end=previous.last)),
        _session_counts(connection, replace(counted, start=date(period.last.year, 1, 1))),
        _open_follow_ups(connection, replace(counted, start=None), period.end),
        _basic_skills(connection, period.last, counted.village_id, basic),
    )
