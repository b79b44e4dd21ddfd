"""One commune's overview for a period: what the console's overview page shows.

Every count comes from the laptops' own tally engine
(:func:`~villagehelper.tally.engine.compute_tally`,
:func:`~villagehelper.tally.history.weekly_history`) run on the server's replica of
the commune, caught up with the feed first, so the console, the laptops' tally screen
and their printed reports cannot disagree on a definition (the engine's docstring
gives each one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from villagehelper.clock import vietnam_today
from villagehelper.ops import implausible
from villagehelper.ops.team import list_villages
from villagehelper.server.console_figures.laptops import LaptopSync, laptop_sync
from villagehelper.server.database import ServerDB
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.store import quarantine_rows
from villagehelper.store.engine import Store
from villagehelper.tally.engine import compute_tallies
from villagehelper.tally.history import HISTORY_WEEKS, WeeklyHistory, weekly_history
from villagehelper.tally.overview import VillageTally
from villagehelper.tally.periods import Period
from villagehelper.tally.results import BasicSkills, Counts, ServiceTally, Tally


@dataclass(frozen=True)
class PeriodFigures:
    """A period's counts for a whole commune: ``tally`` service by service with its
    totals and basic-skills indicator, and each village's totals (village list order)
    with its services' counts (``village_services``, the same order).
    Counts, service labels and village names only."""

    commune_code: str
    commune_name: str
    tally: Tally
    villages: tuple[VillageTally, ...]
    village_services: tuple[tuple[ServiceTally, ...], ...] = ()

    @property
    def period(self) -> Period:
        return self.tally.period

    @property
    def totals(self) -> Counts:
        return self.tally.totals


@dataclass(frozen=True)
class CommuneOverview:
    """The overview page of one commune.

    * ``figures``: the period's tally (services, totals, villages);
    * ``history``: sessions per service in the 12 ISO weeks ending with the week of
      the period's last day, or of today when the period reaches into the future;
    * ``open_follow_ups`` (also per village in ``figures.villages``): follow-ups still
      open at the period's end;
    * ``basic_skills``: households with every basic digital skill, out of all;
    * ``laptops``: villages whose laptops have not synced for more than seven days;
    * ``implausible_sessions`` / ``quarantined_rows``: held out of every count.

    Nothing personal: counts, dates, village names and service labels."""

    figures: PeriodFigures
    history: WeeklyHistory
    laptops: LaptopSync
    today: date  # the Vietnam date by the server's clock
    implausible_sessions: int
    quarantined_rows: int

    @property
    def open_follow_ups(self) -> int:
        return self.figures.totals.open_follow_ups

    @property
    def basic_skills(self) -> BasicSkills:
        return self.figures.tally.basic_skills


def period_figures(store: Store, period: Period) -> PeriodFigures:
    """The counts of ``period`` on a commune's replica ``store`` (the laptops' engine):
    what a commune report of that period prints."""
    commune = store.commune()
    assert commune is not None  # a replica is made with its commune (replicas.py)
    listed = list_villages(store)
    tally, by_village = compute_tallies(store, period, [village.id for village in listed])
    villages = []
    services = []
    for village in listed:  # the engine's own per-village tally, rows kept
        counted = by_village[village.id]
        villages.append(
            VillageTally(village.id, village.name, counted.totals, counted.basic_skills)
        )
        services.append(counted.rows)
    return PeriodFigures(commune.code, commune.name, tally, tuple(villages), tuple(services))


def commune_figures(replicas: CommuneReplicas, commune_code: str, period: Period) -> PeriodFigures:
    """The counts of ``period`` for ``commune_code``, the replica caught up first."""
    return period_figures(replicas.caught_up(commune_code), period)


def commune_overview(
    replicas: CommuneReplicas,
    db: ServerDB,
    commune_code: str,
    period: Period,
    now: datetime | None = None,
    *,
    history_weeks: int = HISTORY_WEEKS,
) -> CommuneOverview:
    """The overview of ``commune_code`` for ``period`` at ``now`` (the server's clock
    when not given).  An unknown commune is a :class:`~villagehelper.errors.UserError`."""
    moment = now or db.clock()
    today = vietnam_today(moment)
    store = replicas.caught_up(commune_code)
    figures = period_figures(store, period)
    history = weekly_history(store, min(period.last, today), weeks=history_weeks)
    with store.reading() as session:
        set_aside = quarantine_rows.count(session)
    return CommuneOverview(
        figures,
        history,
        laptop_sync(db, store, commune_code, moment),
        today,
        implausible.count_implausible(store),
        set_aside,
    )
