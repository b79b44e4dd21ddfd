"""The retention rule for the rows of a campaign's list linked to nobody in the logbook.

A row linked to a person goes with that person (``ops/erasure.py``), whom the rule
purges once their household's last contact is old enough (``ops/retention.py``).  A row
linked to nobody (doubtful, unmatched) has no household to follow, so its own last
contact is taken: the later of its campaign's end and the row's last change.

- Until its campaign's deadline (the end of that day in Vietnam) the team works through
  the list, and a person may still confirm the row as someone or add them; after it, no
  visit reaches the row any more (a visit is logged for a person of the logbook, and the
  row is linked to nobody), so the campaign's end is the last time the team had a use
  for what the list said.
- A row changed after that (a late review, a copy from the server after a leader's
  edit) was looked at then: ``updated_at`` is the last edit here or the last copy that
  arrived, which errs on the side of keeping, as the household rule does.

A campaign closed before its deadline still counts from its deadline: the laptop does
not know when it was closed, and keeping a little longer is the safe side.  The rows
are erased as a leader erases one on request (``campaigns/erasure.py``), with no leader
named (the server's mark of a retention erasure, checked against its clock): the row
keeps its campaign, link and match state, so the campaign's counts stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.clock import to_vietnam
from villagehelper.ops.erasure import erase_list_rows
from villagehelper.store.changelog import Changes
from villagehelper.store.models import Campaign, CampaignTarget


@dataclass(frozen=True)
class ExpiredListRow:
    """A list row the rule would erase, with what the leader is shown of it: its
    campaign (never the person: the leader confirms by campaign and count)."""

    id: str
    campaign_name: str
    deadline: date


def expired_list_rows(session: Session, cutoff: datetime) -> list[ExpiredListRow]:
    """Rows not erased, linked to nobody, of a campaign that ended before ``cutoff``
    and not changed since ``cutoff``: oldest campaign first."""
    # The deadline day ends at midnight in Vietnam: it ended before the cutoff when it
    # is earlier than the cutoff's day there.
    last_day = to_vietnam(cutoff).date()
    query = (
        select(CampaignTarget.id, Campaign.name, Campaign.deadline)
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .where(
            CampaignTarget.erased_at.is_(None),
            CampaignTarget.deleted.is_(False),
            CampaignTarget.member_id.is_(None),
            Campaign.deadline < last_day,
            CampaignTarget.updated_at < cutoff,
        )
        .order_by(Campaign.deadline, Campaign.name, CampaignTarget.id)
    )
    return [ExpiredListRow(*row) for row in session.execute(query).all()]


def erase_expired_list_rows(session: Session, target_ids: Sequence[str], changes: Changes) -> int:
    """Erase these rows, in the caller's transaction, as the retention rule (no leader
    named); the caller has checked they are still expired, and runs
    ``store.erasure.flush_erased`` after the commit.  How many were erased."""
    targets = session.scalars(
        select(CampaignTarget).where(
            CampaignTarget.id.in_(target_ids), CampaignTarget.erased_at.is_(None)
        )
    ).all()
    erase_list_rows(session, targets, session.info["clock"](), None, changes)
    return len(targets)
