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
from datetime import datetime

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

from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Household, Outcome, Service
from villagehelper.tally.periods import Period

_PERSON_OF_HOUSEHOLD = "household:"


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


def compute_tally(
    store: Store,
    period: Period,
    *,
    village_id: str | None = None,
    volunteer_id: str | None = None,
) -> Tally:
    """The tally of ``period``, optionally for one village and/or one volunteer."""
    previous = period.previous()
    filters = _filters(village_id, volunteer_id)
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
        per_service, totals = _period_counts(connection, period, filters)
        before = _session_counts(connection, previous.start, previous.end, filters)
        cumulative = _session_counts(connection, period.year_start, period.end, filters)
        open_ups = _open_follow_ups(connection, period.end, filters)
        basic = tuple(row.code for row in services if row.basic_skill and row.active)
        skills = _basic_skills(connection, period.end, village_id, basic)

    rows = []
    for service in services:
        code = service.code
        counts = per_service.get(code, Counts())
        counts = Counts(
            counts.sessions,
            counts.people,
            counts.households,
            counts.done,
            counts.follow_up,
            counts.failed,
            cumulative=cumulative.get(code, 0),
            previous_sessions=before.get(code, 0),
            open_follow_ups=open_ups.get(code, 0),
        )
        # A retired service still shows while it has something to count this year.
        if service.active or counts != Counts():
            rows.append(
                ServiceTally(code, service.label_vi, service.label_en, service.basic_skill, counts)
            )
    totals = Counts(
        totals.sessions,
        totals.people,
        totals.households,
        totals.done,
        totals.follow_up,
        totals.failed,
        cumulative=sum(cumulative.values()),
        previous_sessions=sum(before.values()),
        open_follow_ups=sum(open_ups.values()),
    )
    return Tally(period, previous, village_id, volunteer_id, tuple(rows), totals, skills)
