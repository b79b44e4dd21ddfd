"""A campaign's progress, counted from the logbook's help sessions: per village and in
all, reached / total and done / follow-up / failed / not yet; and who is left.

What counts (docs/campaigns.md says the same to the teams):

- a target row counts once, erased or not (an erased person leaves the list shown, not
  the counts); a row with nobody linked (doubtful, unmatched) is *not yet*;
- a help session counts for a target when it is for the linked person (``member_id``:
  a household merge moves people, not their ids, so merges are followed), of one of the
  campaign's services, not voided, and logged from the campaign's creation day to its
  deadline inclusive (days in Vietnam): the commune asks who was reached *by* the
  deadline, for this campaign, not last year's work;
- *done* if any such session was done; else *follow-up* or *failed* by the latest one
  (time, then id); else *not yet*; reached = done + follow-up + failed;
- a target belongs to the village of its person's household today (where the team
  finds them), or, with nobody linked, to the village the list named (or none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from villagehelper.campaigns.store_ops import live_campaign
from villagehelper.clock import to_vietnam, vietnam_day_bounds
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import (
    Campaign,
    CampaignTarget,
    HelpSession,
    Household,
    Member,
    Village,
)
from villagehelper.text import name_sort_key

NO_VILLAGE_NAME = "(chưa rõ thôn)"


class TargetStatus(StrEnum):
    DONE = "done"
    FOLLOW_UP = "follow_up"
    FAILED = "failed"
    NOT_YET = "not_yet"


@dataclass(frozen=True)
class VillageProgress:
    village_id: str | None
    village_name: str
    total: int
    reached: int
    done: int
    follow_up: int
    failed: int
    not_yet: int


@dataclass(frozen=True)
class CampaignProgress:
    campaign_id: str
    name: str
    deadline: date
    by_village: tuple[VillageProgress, ...]
    total: VillageProgress


@dataclass(frozen=True)
class LeftTarget:
    """One person of a village still to reach: what the team's own list shows."""

    target_id: str
    full_name: str
    birth_year: int | None
    phone: str | None
    status: TargetStatus  # not_yet, follow_up or failed
    follow_up_date: date | None  # of the latest follow-up session
    member_id: str | None
    household_id: str | None  # the household today (merges followed)
    match_state: str


@dataclass(frozen=True)
class _Standing:
    status: TargetStatus
    follow_up_date: date | None


def counting_window(campaign: Campaign) -> tuple[datetime, datetime]:
    """[start, end) in UTC: the campaign's creation day to its deadline, in Vietnam."""
    start, _ = vietnam_day_bounds(to_vietnam(campaign.created_at).date())
    _, end = vietnam_day_bounds(campaign.deadline)
    return start, end


def service_codes(campaign: Campaign) -> tuple[str, ...]:
    return tuple(code for code in campaign.service_codes.split(",") if code)


def standings(
    session: Session, campaign: Campaign, household_id: str | None = None
) -> dict[str, _Standing]:
    """Linked member id → where they stand in ``campaign`` (only those with a counted
    session; the others are not yet).  ``household_id`` narrows it to one household's
    people (a merge re-points sessions to the survivor: pass the survivor).

    The window's sessions of the campaign's services are read by time (the sessions'
    time index) and kept for the list's people here, rather than joined by person: a
    session's person has no index, and a year of a district is 100,000 sessions."""
    start, end = counting_window(campaign)
    linked = set(
        session.scalars(
            select(CampaignTarget.member_id).where(
                CampaignTarget.campaign_id == campaign.id,
                CampaignTarget.deleted.is_(False),
                CampaignTarget.member_id.is_not(None),
            )
        )
    )
    query = select(
        HelpSession.member_id,
        HelpSession.outcome,
        HelpSession.occurred_at,
        HelpSession.id,
        HelpSession.follow_up_date,
    ).where(
        HelpSession.service_code.in_(service_codes(campaign)),
        HelpSession.voided.is_(False),
        HelpSession.deleted.is_(False),
        HelpSession.occurred_at >= start,
        HelpSession.occurred_at < end,
    )
    if household_id is not None:
        query = query.where(HelpSession.household_id == household_id)
    done: set[str] = set()
    latest: dict[str, tuple[datetime, str, str, date | None]] = {}
    for member_id, outcome, occurred_at, session_id, follow_up_date in session.execute(query):
        if member_id is None or member_id not in linked:
            continue
        if outcome == Outcome.DONE:
            done.add(member_id)
        seen = latest.get(member_id)
        if seen is None or (occurred_at, session_id) > seen[:2]:
            latest[member_id] = (occurred_at, session_id, outcome, follow_up_date)
    result: dict[str, _Standing] = {}
    for member_id, (_at, _id, outcome, follow_up_date) in latest.items():
        if member_id in done:
            result[member_id] = _Standing(TargetStatus.DONE, None)
        elif outcome == Outcome.FOLLOW_UP:
            result[member_id] = _Standing(TargetStatus.FOLLOW_UP, follow_up_date)
        else:
            result[member_id] = _Standing(TargetStatus.FAILED, None)
    return result


@dataclass(frozen=True)
class _Row:
    target_id: str
    full_name: str
    birth_year: int | None
    phone: str | None
    member_id: str | None
    match_state: str
    erased: bool
    village_id: str | None
    household_id: str | None
    standing: _Standing


_NOT_YET = _Standing(TargetStatus.NOT_YET, None)


def _rows(session: Session, campaign: Campaign) -> list[_Row]:
    # Plain columns, not ORM objects: a list has thousands of rows.
    found = session.execute(
        select(
            CampaignTarget.id,
            CampaignTarget.full_name,
            CampaignTarget.birth_year,
            CampaignTarget.phone,
            CampaignTarget.member_id,
            CampaignTarget.match_state,
            CampaignTarget.erased_at.is_not(None).label("erased"),
            # Where the linked person lives today, else the village the list named.
            func.coalesce(Household.village_id, CampaignTarget.village_id).label("village"),
            Member.household_id,
        )
        .outerjoin(Member, Member.id == CampaignTarget.member_id)
        .outerjoin(Household, Household.id == Member.household_id)
        .where(CampaignTarget.campaign_id == campaign.id, CampaignTarget.deleted.is_(False))
    ).all()
    stand = standings(session, campaign)
    return [
        _Row(
            row.id,
            row.full_name,
            row.birth_year,
            row.phone,
            row.member_id,
            row.match_state,
            bool(row.erased),
            row.village,
            row.household_id,
            stand.get(row.member_id, _NOT_YET) if row.member_id else _NOT_YET,
        )
        for row in found
    ]


def _village_names(session: Session) -> dict[str, str]:
    return {
        village_id: name for village_id, name in session.execute(select(Village.id, Village.name))
    }


def _count(village_id: str | None, name: str, rows: list[_Row]) -> VillageProgress:
    by_status = {status: 0 for status in TargetStatus}
    for row in rows:
        by_status[row.standing.status] += 1
    done, follow_up = by_status[TargetStatus.DONE], by_status[TargetStatus.FOLLOW_UP]
    failed, not_yet = by_status[TargetStatus.FAILED], by_status[TargetStatus.NOT_YET]
    return VillageProgress(
        village_id, name, len(rows), done + follow_up + failed, done, follow_up, failed, not_yet
    )


def campaign_progress(session: Session, campaign_id: str) -> CampaignProgress:
    """The campaign's counts by village (by village name, the unknown village last) and
    in all."""
    campaign = live_campaign(session, campaign_id)
    rows = _rows(session, campaign)
    names = _village_names(session)
    grouped: dict[str | None, list[_Row]] = {}
    for row in rows:
        grouped.setdefault(row.village_id, []).append(row)

    def order(village_id: str | None) -> tuple[bool, str]:
        return (village_id is None, name_sort_key(names.get(village_id or "", "")))

    by_village = tuple(
        _count(village_id, names.get(village_id or "", NO_VILLAGE_NAME), grouped[village_id])
        for village_id in sorted(grouped, key=order)
    )
    total = _count(None, "Tổng cộng", rows)
    return CampaignProgress(campaign.id, campaign.name, campaign.deadline, by_village, total)


def who_is_left(session: Session, campaign_id: str, village_id: str | None) -> list[LeftTarget]:
    """The people of ``village_id`` (None: of no known village) the campaign has not yet
    reached with a done session, sorted the Vietnamese way (given name first).  Erased
    people are not listed (they still count)."""
    campaign = live_campaign(session, campaign_id)
    left = [
        LeftTarget(
            row.target_id,
            row.full_name,
            row.birth_year,
            row.phone,
            row.standing.status,
            row.standing.follow_up_date,
            row.member_id,
            row.household_id,
            row.match_state,
        )
        for row in _rows(session, campaign)
        if row.village_id == village_id
        and row.standing.status != TargetStatus.DONE
        and not row.erased
    ]
    return sorted(left, key=lambda item: (name_sort_key(item.full_name), item.target_id))
