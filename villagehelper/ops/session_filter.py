"""Which help sessions a screen means: the one filter, and the one place it becomes SQL.

The sessions list, its count, the household history, the tally and the tally chart all
select sessions through :func:`session_conditions`, so "sessions in village V", "in these
days" or "by volunteer X" means the same thing on every screen and in every report:

* days are Vietnam calendar days, both ends included: an instant belongs to the day its
  Vietnam wall clock shows (the UTC bounds come from :func:`vietnam_day_bounds`);
* the village is the village of the session's household *now*: a merge re-points the
  loser's sessions to the survivor, so they count under the survivor's village;
* the volunteer is the one who logged the session;
* voided sessions (including those the commune server voided as implausible) are left
  out unless ``include_voided`` asks for them.

The tally reads its summary tables (:mod:`villagehelper.tally.summaries`) where it can;
:func:`summary_conditions` states the same filter over them, and refuses a filter they
cannot answer rather than answer another question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, FromClause, false, select

from villagehelper.clock import vietnam_day_bounds
from villagehelper.store.models import HelpSession, Household

_SESSIONS = HelpSession.__table__
_HOUSEHOLDS = Household.__table__


@dataclass(frozen=True)
class SessionFilter:
    """Which sessions: all optional; dates are Vietnam calendar days, both ends included."""

    start: date | None = None
    end: date | None = None
    village_id: str | None = None
    service_code: str | None = None
    volunteer_id: str | None = None
    outcome: str | None = None
    household_id: str | None = None
    include_voided: bool = False


def in_village(table: FromClause, village_id: str) -> ColumnElement[bool]:
    """Rows of ``table`` about village ``village_id``, by the village of the household.

    A summary table keeps that village in its own ``village_id`` column (its triggers
    follow a household's moves); any other names the household, and a subquery rather
    than a join keeps the planner driving from the time index.
    """
    if "village_id" in table.c:
        return table.c.village_id == village_id
    households = select(_HOUSEHOLDS.c.id).where(_HOUSEHOLDS.c.village_id == village_id)
    return table.c.household_id.in_(households)


def session_conditions(flt: SessionFilter) -> list[ColumnElement[bool]]:
    """The filter as conditions on ``help_sessions`` (no join needed)."""
    conditions: list[ColumnElement[bool]] = []
    if flt.start is not None:
        conditions.append(_SESSIONS.c.occurred_at >= vietnam_day_bounds(flt.start)[0])
    if flt.end is not None:
        conditions.append(_SESSIONS.c.occurred_at < vietnam_day_bounds(flt.end)[1])
    if flt.village_id is not None:
        conditions.append(in_village(_SESSIONS, flt.village_id))
    if flt.service_code is not None:
        conditions.append(_SESSIONS.c.service_code == flt.service_code)
    if flt.volunteer_id is not None:
        conditions.append(_SESSIONS.c.volunteer_id == flt.volunteer_id)
    if flt.outcome is not None:
        conditions.append(_SESSIONS.c.outcome == flt.outcome)
    if flt.household_id is not None:
        conditions.append(_SESSIONS.c.household_id == flt.household_id)
    if not flt.include_voided:
        conditions.append(_SESSIONS.c.voided == false())
    return conditions


def summary_conditions(flt: SessionFilter, table: FromClause) -> list[ColumnElement[bool]]:
    """The filter's village, volunteer and service as conditions on a summary table.

    Days are the caller's: each summary table keeps them in its own shape (a day, a
    month, an instant).  Summaries count only sessions not voided, per outcome as
    columns, not per household: a filter asking for voided sessions, one outcome or
    one household is refused.
    """
    if flt.include_voided or flt.outcome is not None or flt.household_id is not None:
        raise ValueError("the tally summaries count every outcome of sessions not voided")
    conditions: list[ColumnElement[bool]] = []
    if flt.village_id is not None:
        conditions.append(in_village(table, flt.village_id))
    if flt.volunteer_id is not None:
        if "volunteer_id" not in table.c:
            raise ValueError(f"{table} does not know who logged a session")
        conditions.append(table.c.volunteer_id == flt.volunteer_id)
    if flt.service_code is not None:
        conditions.append(table.c.service_code == flt.service_code)
    return conditions
