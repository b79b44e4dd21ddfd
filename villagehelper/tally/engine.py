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

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection, select

from villagehelper.ops.session_filter import SessionFilter
from villagehelper.store.engine import Store
from villagehelper.store.models import Service
from villagehelper.tally import summaries
from villagehelper.tally.from_sessions import (
    PeriodCounter,
    VillagesCountedTogether,
    counted_sessions,
    figures_from_sessions,
    period_counts,
)
from villagehelper.tally.from_summaries import (
    figures_from_summaries,
    summaries_apply,
    village_figures_from_summaries,
)
from villagehelper.tally.periods import Period
from villagehelper.tally.results import Counts, Figures, ServiceTally, Tally

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
    with store.engine.connect() as connection, connection.begin():
        # One read transaction: every figure comes from the same snapshot.
        counting = _Counting(connection, period, from_sessions, period_counts)
        figures = counting.figures(counted_sessions(period, village_id, volunteer_id))
        return counting.tally(figures, village_id, volunteer_id)


def compute_tallies(
    store: Store,
    period: Period,
    village_ids: Sequence[str],
    *,
    volunteer_id: str | None = None,
    from_sessions: bool = False,
) -> tuple[Tally, dict[str, Tally]]:
    """The tally of ``period`` for the whole commune and for each of ``village_ids``:
    the numbers of :func:`compute_tally` for each, from one snapshot, each village's
    own counts of the period read for all villages at once (a commune's report counts
    every village)."""
    with store.engine.connect() as connection, connection.begin():
        counting = _Counting(connection, period, from_sessions, VillagesCountedTogether())
        counted = counted_sessions(period, None, volunteer_id)
        if counting.from_sessions:
            whole = counting.figures(counted)
            by_village = {
                village: counting.figures(replace(counted, village_id=village))
                for village in village_ids
            }
        else:
            whole, by_village = village_figures_from_summaries(
                connection,
                period,
                counted,
                counting.basic,
                village_ids=village_ids,
                count_period=counting.count_period,
            )
        return counting.tally(whole, None, volunteer_id), {
            village: counting.tally(figures, village, volunteer_id)
            for village, figures in by_village.items()
        }


class _Counting:
    """Tallies of one period in one read transaction: the catalog read once, the way of
    counting (summaries or sessions) chosen once."""

    def __init__(
        self,
        connection: Connection,
        period: Period,
        from_sessions: bool,
        count_period: PeriodCounter,
    ) -> None:
        self.connection = connection
        self.period = period
        self.count_period = count_period
        self.services = connection.execute(
            select(
                _SERVICES.c.code,
                _SERVICES.c.label_vi,
                _SERVICES.c.label_en,
                _SERVICES.c.basic_skill,
                _SERVICES.c.active,
            ).order_by(_SERVICES.c.sort_order, _SERVICES.c.code)
        ).all()
        self.basic = tuple(row.code for row in self.services if row.basic_skill and row.active)
        self.from_sessions = (
            from_sessions or not summaries_apply(period) or summaries.suspended(connection)
        )

    def figures(self, counted: SessionFilter) -> Figures:
        count = figures_from_sessions if self.from_sessions else figures_from_summaries
        return count(self.connection, self.period, counted, self.basic, self.count_period)

    def tally(self, figures: Figures, village_id: str | None, volunteer_id: str | None) -> Tally:
        """The tally the figures of a village (or None) and volunteer (or None) make."""
        period = self.period
        rows = []
        for service in self.services:
            code = service.code
            counts = replace(
                figures.per_service.get(code, Counts()),
                cumulative=figures.cumulative.get(code, 0),
                previous_sessions=figures.before.get(code, 0),
                open_follow_ups=figures.open_ups.get(code, 0),
            )
            # A retired service still shows while it has something to count this year.
            if service.active or counts != Counts():
                rows.append(
                    ServiceTally(
                        code, service.label_vi, service.label_en, service.basic_skill, counts
                    )
                )
        totals = replace(
            figures.totals,
            cumulative=sum(figures.cumulative.values()),
            previous_sessions=sum(figures.before.values()),
            open_follow_ups=sum(figures.open_ups.values()),
        )
        return Tally(
            period, period.previous(), village_id, volunteer_id, tuple(rows), totals, figures.skills
        )
