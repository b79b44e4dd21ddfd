"""Erasure on request: a leader erases a person, or a whole household.

The personal details are replaced (``villagehelper.personal_fields``), the rows are
marked erased with the day and the leader, and everything else stays: the help
sessions keep their service, outcome and dates, so every tally keeps its numbers.  The
erasure is an ordinary change in the outbox: the server applies it, and every other
laptop with its next download (``villagehelper.store.erasure`` explains what each copy
does to the resident's notes, pending edits and conflicts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from villagehelper import personal_fields
from villagehelper.errors import NotFoundError, UserError
from villagehelper.store import sync_state
from villagehelper.store.changelog import Changes, record_update
from villagehelper.store.engine import Store
from villagehelper.store.erasure import flush_erased, settle_erasure
from villagehelper.store.kinds import Role
from villagehelper.store.models import (
    CampaignTarget,
    HelpSession,
    Household,
    Member,
    TeamMember,
)


@dataclass(frozen=True)
class Erased:
    """What an erasure removed, and the sessions it kept as anonymous counts."""

    household_id: str
    people: int
    sessions_kept: int
    changes: Changes = field(compare=False)


def _leader_laptop(session: Session) -> None:
    """A laptop enrolled as a volunteer's would send an erasure the server refuses,
    and that refusal would hold up everything after it in the outbox."""
    if sync_state.volunteer_laptop(session):
        raise UserError(
            "Chỉ máy của tổ trưởng (đăng ký bằng mã tổ trưởng) được xóa dữ liệu người dân.",
            "Only a leader's laptop may erase residents' data.",
        )


def require_leader(session: Session, team_member_id: str) -> None:
    _leader_laptop(session)
    _leader_member(session, team_member_id)


def require_leader_member(store: Store, team_member_id: str) -> None:
    """Refuse unless ``team_member_id`` is one of the team's leaders (exports of what
    is held about a resident are theirs to make, like erasures)."""
    with store.reading() as session:
        _leader_member(session, team_member_id)


def _leader_member(session: Session, team_member_id: str) -> None:
    found = session.get(TeamMember, team_member_id)
    if found is None or found.deleted or not found.active or found.role != Role.LEADER:
        raise UserError(
            "Chỉ tổ trưởng được xóa dữ liệu của người dân.",
            "Only a team leader may erase a resident's data.",
        )


def _household(session: Session, household_id: str) -> Household:
    household = session.get(Household, household_id)
    if household is None or household.deleted:
        raise NotFoundError("Không tìm thấy hộ gia đình này.", "Household not found.")
    return household


def erase_rows(
    session: Session,
    household: Household | None,
    members: Sequence[Member],
    erased_by: str | None,
    changes: Changes,
) -> None:
    """Erase a household (if given) and these people of it, in the caller's transaction.

    ``erased_by`` is the leader, or None for the retention rule."""
    now: datetime = session.info["clock"]()
    marks = {"erased_at": now, "erased_by": erased_by}
    if household is not None:
        record_update(
            session, household, {**personal_fields.ERASED_VALUES["household"], **marks}, changes
        )
    for member in members:
        record_update(
            session, member, {**personal_fields.ERASED_VALUES["member"], **marks}, changes
        )
    # The campaigns' list rows linked to these people hold their names too.
    targets = _linked_targets(session, [member.id for member in members])
    erase_list_rows(session, targets, now, erased_by, changes)  # flushes the updates above
    if household is not None:
        settle_erasure(session, "household", household.id, changes)
    for member in members:
        settle_erasure(session, "member", member.id, changes)


def erase_list_rows(
    session: Session,
    targets: Sequence[CampaignTarget],
    erased_at: datetime,
    erased_by: str | None,
    changes: Changes,
) -> None:
    """Erase these rows of campaigns' lists in the caller's transaction: what the
    commune's list said of the person goes, the link and match state stay (so the
    campaign's counts stay).  ``erased_by`` is the leader, or None for the retention rule.
    The caller runs ``store.erasure.flush_erased`` after the commit."""
    marks = {"erased_at": erased_at, "erased_by": erased_by}
    erased = {**personal_fields.ERASED_VALUES["campaign_target"], **marks}
    for target in targets:
        record_update(session, target, erased, changes)
    session.flush()
    for target in targets:
        settle_erasure(session, "campaign_target", target.id, changes)


def _linked_targets(session: Session, member_ids: Sequence[str]) -> list[CampaignTarget]:
    found: list[CampaignTarget] = []
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start : start + 500]
        found.extend(
            session.scalars(
                select(CampaignTarget).where(
                    CampaignTarget.member_id.in_(chunk), CampaignTarget.erased_at.is_(None)
                )
            )
        )
    return found


def _kept_sessions(session: Session, household_id: str, member_id: str | None = None) -> int:
    query = select(func.count()).where(HelpSession.household_id == household_id)
    if member_id is not None:
        query = query.where(HelpSession.member_id == member_id)
    return session.scalar(query) or 0


def erase_household(store: Store, household_id: str, erased_by: str) -> Erased:
    """Erase a household and every person of it, at the resident's request."""
    changes = Changes()
    with store.transaction() as session:
        require_leader(session, erased_by)
        household = _household(session, household_id)
        if household.erased_at is not None:
            raise UserError("Dữ liệu của hộ này đã được xóa.", "This household is already erased.")
        members = session.scalars(select(Member).where(Member.household_id == household_id)).all()
        erase_rows(session, household, members, erased_by, changes)
        kept = _kept_sessions(session, household_id)
    flush_erased(store.engine)
    return Erased(household_id, len(members), kept, changes)


def erase_member(store: Store, member_id: str, erased_by: str) -> Erased:
    """Erase one person of a household, at their request; the household stays."""
    changes = Changes()
    with store.transaction() as session:
        require_leader(session, erased_by)
        member = session.get(Member, member_id)
        if member is None or member.deleted:
            raise NotFoundError("Không tìm thấy nhân khẩu này.", "Member not found.")
        if member.erased_at is not None:
            raise UserError("Dữ liệu của người này đã được xóa.", "This person is already erased.")
        erase_rows(session, None, [member], erased_by, changes)
        kept = _kept_sessions(session, member.household_id, member_id)
        household_id = member.household_id
    flush_erased(store.engine)
    return Erased(household_id, 1, kept, changes)
