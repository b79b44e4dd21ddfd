"""The tally engine: what the weekly / monthly report counts.

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

Which sessions a figure counts is a :class:`~villagehelper.ops.session_filter.SessionFilter`,
the one the lists use; the figures are counted over the sessions themselves
(:mod:`villagehelper.tally.from_sessions`, the definitions literally) or read from the
summary tables (:mod:`villagehelper.tally.from_summaries`), which triggers keep exact.
"""

from __future__ import annotations

from sqlalchemy import select

from villagehelper.store.engine import Store
from villagehelper.store.models import Service
from villagehelper.tally import summaries
from villagehelper.tally.from_sessions import counted_sessions, figures_from_sessions
from villagehelper.tally.from_summaries import figures_from_summaries, summaries_apply
from villagehelper.tally.periods import Period
from villagehelper.tally.results import Counts, ServiceTally, Tally

_SERVICES = Service.__table__


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
    counted = counted_sessions(period, village_id, volunteer_id)
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
            figures = figures_from_sessions(connection, period, counted, basic)
        else:
            figures = figures_from_summaries(connection, period, counted, basic)

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
