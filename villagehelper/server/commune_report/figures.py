"""The commune's figures for one period, counted by the laptops' own tally engine.

One tally for the whole commune and one per village, each the numbers of
:func:`villagehelper.tally.engine.compute_tally` (counted together by
:func:`~villagehelper.tally.engine.compute_tallies`) on the commune's replica (a
laptop-schema store), exactly as ``server/tallies.py`` counts a week: the commune's
report cannot disagree with a leader's printout on any definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from villagehelper.server.replicas import CommuneReplicas
from villagehelper.store.engine import Store
from villagehelper.store.models import Village
from villagehelper.tally.engine import compute_tallies
from villagehelper.tally.periods import Period
from villagehelper.tally.results import Counts, Tally


@dataclass(frozen=True)
class VillageTally:
    name: str
    tally: Tally


@dataclass(frozen=True)
class CommuneFigures:
    """What the commune's report prints: the commune's tally and each village's."""

    commune_code: str
    commune_name: str
    commune: Tally
    villages: tuple[VillageTally, ...]

    @property
    def period(self) -> Period:
        return self.commune.period


def village_counts(village: VillageTally) -> dict[str, Counts]:
    """The village's counts by service code."""
    return {row.service_code: row.counts for row in village.tally.rows}


def commune_figures(store: Store, period: Period) -> CommuneFigures:
    """The figures of ``period`` on a commune's laptop-schema ``store``: every village
    still in the commune has its row, and a deactivated one while it has work this
    year, so that every counted session has its row."""
    commune = store.commune()
    if commune is None:
        raise LookupError("the store is bound to no commune")
    with store.reading() as session:
        villages = session.execute(
            select(Village.id, Village.name, Village.active)
            .where(Village.deleted.is_(False))
            .order_by(Village.name_key)
        ).all()
    whole, by_village = compute_tallies(store, period, [village.id for village in villages])
    return CommuneFigures(
        commune.code,
        commune.name,
        whole,
        tuple(
            VillageTally(village.name, by_village[village.id])
            for village in villages
            if village.active or by_village[village.id].totals.cumulative
        ),
    )


def figures_on_server(
    replicas: CommuneReplicas, commune_code: str, period: Period
) -> CommuneFigures:
    """The figures of ``period`` on the server, its replica of the commune brought up to
    date first (the work the laptops synced up to now)."""
    return commune_figures(replicas.caught_up(commune_code), period)
