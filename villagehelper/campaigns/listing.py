"""The commune's campaigns, each with its totals: what a campaign list shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.campaigns.progress import campaign_progress, service_codes
from villagehelper.store.models import Campaign


@dataclass(frozen=True)
class CampaignInfo:
    campaign_id: str
    name: str
    deadline: date
    service_codes: tuple[str, ...]
    closed: bool
    total: int
    reached: int
    done: int


def list_campaigns(session: Session) -> list[CampaignInfo]:
    """Open campaigns first, then by deadline and name."""
    campaigns = session.scalars(select(Campaign).where(Campaign.deleted.is_(False))).all()
    result = []
    for campaign in campaigns:
        total = campaign_progress(session, campaign.id).total
        result.append(
            CampaignInfo(
                campaign.id,
                campaign.name,
                campaign.deadline,
                service_codes(campaign),
                campaign.closed,
                total.total,
                total.reached,
                total.done,
            )
        )
    return sorted(result, key=lambda item: (item.closed, item.deadline, item.name))
