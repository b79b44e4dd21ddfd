"""The campaigns' lines of the printed weekly report: counts only, as of the day it is
made (a campaign's progress is not a week's: it runs from its start to its deadline).

The campaigns still open on the report's first day (not closed, deadline not before
it); for a report of one village, that village's counts, else the commune's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.campaigns.progress import VillageProgress, campaign_progress
from villagehelper.campaigns.store_ops import open_on
from villagehelper.store.models import Campaign


@dataclass(frozen=True)
class CampaignLine:
    name: str
    deadline: date
    counts: VillageProgress


def campaign_lines(
    session: Session, first_day: date, village_id: str | None = None
) -> tuple[CampaignLine, ...]:
    open_ones = session.scalars(
        select(Campaign).where(open_on(first_day)).order_by(Campaign.deadline, Campaign.name)
    )
    lines = []
    for campaign in open_ones:
        progress = campaign_progress(session, campaign.id)
        counts = progress.total
        if village_id is not None:
            # A village with nobody on the list: a line of zeros, not a missing line.
            none = replace(counts, total=0, reached=0, done=0, follow_up=0, failed=0, not_yet=0)
            found = (row for row in progress.by_village if row.village_id == village_id)
            counts = next(found, none)
        lines.append(CampaignLine(campaign.name, campaign.deadline, counts))
    return tuple(lines)
