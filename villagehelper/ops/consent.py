"""A resident's consent to keeping their details: recorded and withdrawn, each with the
day and the team member who recorded it (Decree 13/2023 asks for both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError, ValidationError
from villagehelper.ops.households import Saved, live_member
from villagehelper.store.changelog import Changes, record_update
from villagehelper.store.engine import Store
from villagehelper.store.models import Member, TeamMember


@dataclass(frozen=True)
class ConsentState:
    """What the household page shows of one person's consent."""

    consent: bool
    consent_date: date | None
    recorded_by: str | None  # the team member's name
    withdrawn_date: date | None
    withdrawn_by: str | None


def team_member_name(session: Session, team_member_id: str | None) -> str | None:
    if team_member_id is None:
        return None
    found = session.get(TeamMember, team_member_id)
    return None if found is None else found.full_name


def consent_state(session: Session, member: Member) -> ConsentState:
    return ConsentState(
        consent=member.consent,
        consent_date=member.consent_date,
        recorded_by=team_member_name(session, member.consent_recorded_by),
        withdrawn_date=member.consent_withdrawn_date,
        withdrawn_by=team_member_name(session, member.consent_withdrawn_by),
    )


def _recorder(session: Session, team_member_id: str) -> None:
    found = session.get(TeamMember, team_member_id)
    if found is None or found.deleted or not found.active:
        raise ValidationError(
            "recorded_by",
            "Hãy chọn thành viên tổ đang ghi nhận (người đang nhập liệu).",
            "Choose the team member who is recording this.",
        )


def _changeable(session: Session, member_id: str) -> Member:
    member = live_member(session, member_id)
    if member.erased_at is not None:
        raise UserError(
            "Dữ liệu của người này đã bị xóa theo yêu cầu; không ghi nhận đồng ý được nữa.",
            "This person's data was erased on request; consent can no longer be recorded.",
        )
    return member


def record_consent(store: Store, member_id: str, recorded_by: str, on: date | None = None) -> Saved:
    """The resident agreed (today unless ``on`` says when) in front of ``recorded_by``."""
    today = vietnam_today(store.now())
    day = on or today
    if day > today:
        raise ValidationError(
            "consent_date",
            "Ngày đồng ý không thể ở tương lai.",
            "The consent date cannot be in the future.",
        )
    changes = Changes()
    with store.transaction() as session:
        _recorder(session, recorded_by)
        member = _changeable(session, member_id)
        values = {"consent": True, "consent_date": day, "consent_recorded_by": recorded_by}
        record_update(session, member, values, changes)
        changes.add("household", member.household_id)
    return Saved(member_id, changes)


def withdraw_consent(store: Store, member_id: str, recorded_by: str) -> Saved:
    """The resident withdrew their consent today; the earlier consent stays on record."""
    today = vietnam_today(store.now())
    changes = Changes()
    with store.transaction() as session:
        _recorder(session, recorded_by)
        member = _changeable(session, member_id)
        if not member.consent:
            raise UserError(
                "Người này chưa đồng ý nên không có gì để rút lại.",
                "This person has not consented, so there is nothing to withdraw.",
            )
        values = {
            "consent": False,
            "consent_withdrawn_date": today,
            "consent_withdrawn_by": recorded_by,
        }
        record_update(session, member, values, changes)
        changes.add("household", member.household_id)
    return Saved(member_id, changes)
