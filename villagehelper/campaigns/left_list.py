"""What the team's printed "who is left" list holds (Qt-free; reports/campaign_left.py
typesets it).

A village's people of a campaign not yet reached with a done session, with what a
volunteer needs at the door: the head of the household they live in today, the phone
the list gave, and where they stand (not yet, a follow-up on a date, failed).  Names are
printed: this list stays with the team (docs/campaigns.md); the commune gets counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.campaigns.progress import (
    LeftTarget,
    TargetStatus,
    campaign_progress,
    service_codes,
    who_is_left,
)
from villagehelper.campaigns.store_ops import live_campaign
from villagehelper.store.models import Household, Service, Village

NO_VILLAGE_VI = "(chưa rõ thôn)"


@dataclass(frozen=True)
class LeftPerson:
    person: LeftTarget
    household_head: str | None  # the head's name of the household today, if linked


@dataclass(frozen=True)
class LeftList:
    campaign_name: str
    service_labels: tuple[str, ...]  # Vietnamese, as the catalog names them
    deadline: date
    village_name: str
    people: tuple[LeftPerson, ...]
    village_id: str | None  # None: the people of no known village


def left_list(session: Session, campaign_id: str, village_id: str | None) -> LeftList:
    """The printed list of ``village_id`` (None: the people of no known village)."""
    campaign = live_campaign(session, campaign_id)
    left = who_is_left(session, campaign_id, village_id)
    households = {p.household_id for p in left if p.household_id is not None}
    heads = {
        row.id: row.head_name
        for row in session.execute(
            select(Household.id, Household.head_name).where(Household.id.in_(households))
        )
    }
    codes = service_codes(campaign)
    labels = {
        row.code: row.label_vi
        for row in session.execute(
            select(Service.code, Service.label_vi).where(Service.code.in_(codes))
        )
    }
    village = session.get(Village, village_id) if village_id is not None else None
    return LeftList(
        campaign.name,
        tuple(labels.get(code, code) for code in codes),
        campaign.deadline,
        village.name if village is not None else NO_VILLAGE_VI,
        tuple(
            LeftPerson(person, heads.get(person.household_id) if person.household_id else None)
            for person in left
        ),
        village_id,
    )


def left_lists(session: Session, campaign_id: str) -> list[LeftList]:
    """Every village's printed list, in the order of the progress table, leaving out
    the villages where nobody is left (none at all: an empty list)."""
    progress = campaign_progress(session, campaign_id)
    lists = (
        left_list(session, campaign_id, row.village_id)
        for row in progress.by_village
        if row.done < row.total
    )
    # An erased person counts but is never named: a village may have nobody to print.
    return [listed for listed in lists if listed.people]


def standing(person: LeftPerson) -> str:
    """Where the person stands, in a word or two a volunteer reads at a glance."""
    status, when = person.person.status, person.person.follow_up_date
    if status == TargetStatus.FOLLOW_UP:
        return f"Hẹn lại {when:%d/%m/%Y}" if when else "Hẹn lại"
    if status == TargetStatus.FAILED:
        return "Chưa thành công"
    return "Chưa hỗ trợ"
