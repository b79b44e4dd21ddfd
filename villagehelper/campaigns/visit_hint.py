"""What the log-a-visit screen says of a household: its people on an open campaign's
list not yet done, with the campaign's services (the screen names the campaign and
pre-selects its service, so logging the visit completes them).

Open: not closed and the deadline not passed (a session after the deadline no longer
counts, see campaigns/progress.py).  Erased rows are not named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.campaigns.progress import TargetStatus, service_codes, standings
from villagehelper.campaigns.store_ops import open_on
from villagehelper.clock import vietnam_today
from villagehelper.store.models import Campaign, CampaignTarget, Member
from villagehelper.store.remote import resolve_household


@dataclass(frozen=True)
class OpenTarget:
    campaign_id: str
    campaign_name: str
    deadline: date
    service_codes: tuple[str, ...]
    target_id: str
    member_id: str
    full_name: str  # the person's name in the logbook
    status: TargetStatus  # not_yet, follow_up or failed


def open_campaign_targets(session: Session, household_id: str) -> list[OpenTarget]:
    """The household's people (a merged household: its survivor's) on open campaigns'
    lists and not yet done, by campaign deadline then name."""
    household_id = resolve_household(session, household_id)
    today = vietnam_today(session.info["clock"]())
    found = session.execute(
        select(Campaign, CampaignTarget.id, Member.id, Member.full_name)
        .join(CampaignTarget, CampaignTarget.campaign_id == Campaign.id)
        .join(Member, Member.id == CampaignTarget.member_id)
        .where(
            Member.household_id == household_id,
            Member.deleted.is_(False),
            CampaignTarget.deleted.is_(False),
            CampaignTarget.erased_at.is_(None),
            open_on(today),
        )
    ).all()
    result: list[OpenTarget] = []
    stand_by_campaign: dict[str, dict[str, TargetStatus]] = {}
    for campaign, target_id, member_id, full_name in found:
        if campaign.id not in stand_by_campaign:
            stand_by_campaign[campaign.id] = {
                person: standing.status
                for person, standing in standings(session, campaign, household_id).items()
            }
        status = stand_by_campaign[campaign.id].get(member_id, TargetStatus.NOT_YET)
        if status == TargetStatus.DONE:
            continue
        result.append(
            OpenTarget(
                campaign.id,
                campaign.name,
                campaign.deadline,
                service_codes(campaign),
                target_id,
                member_id,
                full_name,
                status,
            )
        )
    return sorted(result, key=lambda item: (item.deadline, item.campaign_name, item.full_name))
