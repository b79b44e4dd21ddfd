"""A commune's campaigns and their progress, as the console's campaigns page shows them.

Each campaign's counts are :func:`~villagehelper.campaigns.progress.campaign_progress`,
the laptops' own, run on the server's replica of the commune caught up with the feed,
so the page and a leader's laptop cannot disagree on who is reached.  Counts, service
labels, village names and dates only: the list's names stay on the laptops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.campaigns.progress import CampaignProgress, campaign_progress, service_codes
from villagehelper.campaigns.store_ops import CONSOLE
from villagehelper.clock import vietnam_today
from villagehelper.server.database import ServerDB
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.store.models import Campaign, Service


@dataclass(frozen=True)
class ServiceLabel:
    code: str
    label_vi: str
    label_en: str

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_vi


@dataclass(frozen=True)
class CampaignFigures:
    """One campaign: its services, deadline, whether it still runs, and its progress."""

    campaign_id: str
    name: str
    services: tuple[ServiceLabel, ...]
    deadline: date
    closed: bool
    by_console: bool  # made by the commune on this console, not on a leader's laptop
    progress: CampaignProgress
    today: date  # the Vietnam date the figures were counted on

    @property
    def running(self) -> bool:
        """Not closed and its deadline not past: the laptops' visit screen still names it."""
        return not self.closed and self.deadline >= self.today


@dataclass(frozen=True)
class CommuneCampaigns:
    campaigns: tuple[CampaignFigures, ...]  # running first (nearest deadline first)
    services: tuple[ServiceLabel, ...]  # the catalog's services in use, for a new campaign
    today: date


def _labels(session: Session) -> dict[str, ServiceLabel]:
    found = session.scalars(
        select(Service).where(Service.deleted.is_(False)).order_by(Service.sort_order, Service.code)
    )
    return {s.code: ServiceLabel(s.code, s.label_vi, s.label_en) for s in found}


def commune_campaigns(
    replicas: CommuneReplicas, db: ServerDB, commune_code: str
) -> CommuneCampaigns:
    """Every live campaign of ``commune_code`` with its progress, the replica caught up
    first; running ones first by deadline, then the closed or past ones, latest first."""
    store = replicas.caught_up(commune_code)
    today = vietnam_today(db.clock())
    with store.reading() as session:
        labels = _labels(session)
        active = {
            code
            for code in session.scalars(
                select(Service.code).where(Service.deleted.is_(False), Service.active.is_(True))
            )
        }
        campaigns = session.scalars(select(Campaign).where(Campaign.deleted.is_(False))).all()
        figures = [
            CampaignFigures(
                campaign.id,
                campaign.name,
                tuple(
                    labels.get(code, ServiceLabel(code, code, code))
                    for code in service_codes(campaign)
                ),
                campaign.deadline,
                campaign.closed,
                campaign.created_by == CONSOLE,
                campaign_progress(session, campaign.id),
                today,
            )
            for campaign in campaigns
        ]
    running = sorted((f for f in figures if f.running), key=lambda f: (f.deadline, f.name))
    ended = sorted((f for f in figures if not f.running), key=lambda f: (f.deadline, f.name))
    offered = tuple(label for code, label in labels.items() if code in active)
    return CommuneCampaigns((*running, *reversed(ended)), offered, today)
