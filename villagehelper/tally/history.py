"""The last weeks of a tally, per service: what the tally screen's chart draws (no Qt).

Sessions are counted as :func:`villagehelper.tally.engine.compute_tally` counts a
period's: the same :class:`~villagehelper.ops.session_filter.SessionFilter` (not voided,
the village of the session's current household, the volunteer who logged it) over the
weeks, each session in the ISO week its Vietnam date falls in.  All
the weeks come from one query: a CASE over the week bounds puts each session in its
week, so the time index is read once instead of once per week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from villagehelper.ops.session_filter import SessionFilter, session_conditions
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Service
from villagehelper.tally.periods import Period, week_containing

HISTORY_WEEKS = 12

_SESSIONS = HelpSession.__table__
_SERVICES = Service.__table__


@dataclass(frozen=True)
class ServiceSeries:
    """Sessions of one service, one number per week, oldest week first."""

    service_code: str
    label_vi: str
    label_en: str
    sessions: tuple[int, ...]

    def label(self, language: str = "vi") -> str:
        return self.label_en if language == "en" else self.label_vi

    @property
    def total(self) -> int:
        return sum(self.sessions)


@dataclass(frozen=True)
class WeeklyHistory:
    """``weeks`` oldest first (the last is the week asked for); ``series`` holds the
    services with at least one session in them, in catalogue order."""

    weeks: tuple[Period, ...]
    series: tuple[ServiceSeries, ...]
    village_id: str | None = None
    volunteer_id: str | None = None

    def totals(self) -> tuple[int, ...]:
        """Sessions of all services, per week."""
        weeks = range(len(self.weeks))
        return tuple(sum(series.sessions[index] for series in self.series) for index in weeks)

    def sessions_of(self, service_code: str) -> tuple[int, ...]:
        """The weekly numbers of one service (zeros when it had no session)."""
        for series in self.series:
            if series.service_code == service_code:
                return series.sessions
        return (0,) * len(self.weeks)


def history_weeks(through: date, weeks: int = HISTORY_WEEKS) -> tuple[Period, ...]:
    """The ``weeks`` ISO weeks up to and including the one containing ``through``."""
    if weeks < 1:
        raise ValueError("a history needs at least one week")
    last = week_containing(through)
    return tuple(
        week_containing(last.first - timedelta(days=7 * back)) for back in range(weeks - 1, -1, -1)
    )


def weekly_history(
    store: Store,
    through: date,
    *,
    weeks: int = HISTORY_WEEKS,
    village_id: str | None = None,
    volunteer_id: str | None = None,
) -> WeeklyHistory:
    """Sessions per service in each of the ``weeks`` weeks ending with the one that
    contains ``through``, optionally for one village and/or one volunteer."""
    periods = history_weeks(through, weeks)
    charted = SessionFilter(
        start=periods[0].first,
        end=periods[-1].last,
        village_id=village_id,
        volunteer_id=volunteer_id,
    )
    # The weeks are contiguous: the first bound a session is below names its week.
    week_index = case(
        *((_SESSIONS.c.occurred_at < period.end, index) for index, period in enumerate(periods))
    )
    bucketed = (
        select(_SESSIONS.c.service_code.label("code"), week_index.label("week"))
        .where(*session_conditions(charted))
        .subquery()
    )
    counted = select(bucketed.c.code, bucketed.c.week, func.count()).group_by(
        bucketed.c.code, bucketed.c.week
    )
    with store.engine.connect() as connection, connection.begin():
        catalogue = connection.execute(
            select(_SERVICES.c.code, _SERVICES.c.label_vi, _SERVICES.c.label_en).order_by(
                _SERVICES.c.sort_order, _SERVICES.c.code
            )
        ).all()
        counts: dict[str, list[int]] = {}
        for code, week, count in connection.execute(counted):
            counts.setdefault(code, [0] * len(periods))[int(week)] = int(count)
    series = tuple(
        ServiceSeries(row.code, row.label_vi, row.label_en, tuple(counts[row.code]))
        for row in catalogue
        if row.code in counts
    )
    return WeeklyHistory(periods, series, village_id, volunteer_id)
