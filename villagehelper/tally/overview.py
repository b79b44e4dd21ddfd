"""Everything the tally screen shows, in one call (no Qt): the period's tally, the
village-by-village breakdown when it covers the whole commune, the weekly history the
chart draws, and the names the printed report carries.

The screen runs :func:`tally_overview` on the database worker; tests and scripts can call
it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from villagehelper.campaigns.report_lines import CampaignLine, campaign_lines
from villagehelper.clock import vietnam_today
from villagehelper.ops import implausible
from villagehelper.ops.report_names import ReportNames, report_names
from villagehelper.ops.team import list_villages
from villagehelper.store.engine import Store
from villagehelper.tally.engine import compute_tallies, compute_tally
from villagehelper.tally.history import HISTORY_WEEKS, WeeklyHistory, weekly_history
from villagehelper.tally.periods import Period
from villagehelper.tally.results import BasicSkills, Counts, Tally


@dataclass(frozen=True)
class VillageTally:
    """One village's line of a commune-wide tally (same period and volunteer filter)."""

    village_id: str
    name: str
    counts: Counts
    basic_skills: BasicSkills


@dataclass(frozen=True)
class TallyOverview:
    tally: Tally
    names: ReportNames
    villages: tuple[VillageTally, ...]  # empty when the tally is for one village
    history: WeeklyHistory
    today: date  # Vietnam date of the computation: the date line of the printout
    # Sessions the commune server held back for an impossible date, whatever their week:
    # in no tally until a leader corrects them (ops/implausible.py); the screen says so.
    implausible_sessions: int = 0
    # The open campaigns' progress as of today, for the printout (campaigns/report_lines):
    # left empty by tally_overview, added by with_campaign_lines when the report is printed.
    campaigns: tuple[CampaignLine, ...] = ()


def village_tallies(
    store: Store, period: Period, *, volunteer_id: str | None = None
) -> tuple[VillageTally, ...]:
    """The tally of each village of the commune, in the village list's order."""
    return _with_villages(store, period, volunteer_id)[1]


def _with_villages(
    store: Store, period: Period, volunteer_id: str | None
) -> tuple[Tally, tuple[VillageTally, ...]]:
    """The commune's tally and each village's, counted together."""
    listed = list_villages(store)
    whole, by_village = compute_tallies(
        store, period, [village.id for village in listed], volunteer_id=volunteer_id
    )
    villages = tuple(
        VillageTally(
            village.id,
            village.name,
            by_village[village.id].totals,
            by_village[village.id].basic_skills,
        )
        for village in listed
    )
    return whole, villages


def tally_overview(
    store: Store,
    period: Period,
    *,
    village_id: str | None = None,
    volunteer_id: str | None = None,
    prepared_by_id: str | None = None,
    history_weeks: int = HISTORY_WEEKS,
) -> TallyOverview:
    """The tally of ``period`` with what surrounds it on the screen.

    The history ends with the week containing the period's last day, so a monthly
    tally shows the weeks leading to the month's end.
    """
    if village_id is None:
        tally, villages = _with_villages(store, period, volunteer_id)
    else:
        tally = compute_tally(store, period, village_id=village_id, volunteer_id=volunteer_id)
        villages = ()
    history = weekly_history(
        store,
        period.last,
        weeks=history_weeks,
        village_id=village_id,
        volunteer_id=volunteer_id,
    )
    names = report_names(
        store, village_id=village_id, volunteer_id=volunteer_id, prepared_by_id=prepared_by_id
    )
    held_back = implausible.count_implausible(store)
    today = vietnam_today(store.now())
    return TallyOverview(tally, names, villages, history, today, held_back)


def with_campaign_lines(store: Store, overview: TallyOverview) -> TallyOverview:
    """``overview`` with the open campaigns' lines its printout carries.

    Read when the report is printed, previewed or saved, not by :func:`tally_overview`:
    each line counts a campaign's whole list, which the screen (reading again at every
    filter change and logged visit) never shows.
    """
    tally = overview.tally
    with store.reading() as session:
        lines = campaign_lines(session, tally.period.first, tally.village_id)
    return replace(overview, campaigns=lines)
