"""A tally's figures counted over ``help_sessions`` itself: the definitions of
:mod:`villagehelper.tally.engine`, literally (slower than the summaries; the tests and
benchmarks compare the two).  Which sessions each figure counts is a
:class:`~villagehelper.ops.session_filter.SessionFilter`, as in the lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, distinct, exists, false, func, select
from sqlalchemy.orm import aliased

from villagehelper.ops.session_filter import SessionFilter, session_conditions
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import HelpSession, Household
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


def period_counts(
    connection: Connection, counted: SessionFilter
) -> tuple[dict[str, Counts], Counts]:
    """The period's own counts per service and in total (distinct over all services)."""
    measures = (
        func.count(),
        func.count(distinct(_person())),
        func.count(distinct(_SESSIONS.c.household_id)),
        func.count().filter(_SESSIONS.c.outcome == Outcome.DONE.value),
        func.count().filter(_SESSIONS.c.outcome == Outcome.FOLLOW_UP.value),
        func.count().filter(_SESSIONS.c.outcome == Outcome.FAILED.value),
    )
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
    connection: Connection, period: Period, counted: SessionFilter, basic: tuple[str, ...]
) -> Figures:
    """Every number of the tally of ``period`` (``counted`` its sessions, see
    :func:`counted_sessions`) counted over ``help_sessions`` itself."""
    previous = period.previous()
    per_service, totals = period_counts(connection, counted)
    return Figures(
        per_service,
        totals,
        _session_counts(connection, replace(counted, start=previous.first, end=previous.last)),
        _session_counts(connection, replace(counted, start=date(period.last.year, 1, 1))),
        _open_follow_ups(connection, replace(counted, start=None), period.end),
        _basic_skills(connection, period.last, counted.village_id, basic),
    )
