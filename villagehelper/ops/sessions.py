"""Help sessions: log a visit, void, correct (reading them: :mod:`session_queries`;
which sessions: :mod:`session_filter`).

A session is an immutable event; a visit with several services is several sessions
sharing a visit id.  Corrections are a void plus a new session that names the old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.clock import as_utc, vietnam_today
from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.ops.households import live_household, live_member
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.store import sync_state
from villagehelper.store.changelog import Changes, record_insert, record_update
from villagehelper.store.engine import Store
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import HelpSession, Service, SessionVoid, TeamMember
from villagehelper.typed_dates import check_follow_up_date


@dataclass(frozen=True)
class VisitLogged:
    visit_id: str
    session_ids: tuple[str, ...]
    changes: Changes = field(compare=False)


# --- validation --------------------------------------------------------------------


def clean_service_outcome(
    session: Session, item: ServiceOutcome, today: date, *, past_follow_up_ok: bool = False
) -> dict[str, object]:
    """Checked values of one service's outcome.  ``past_follow_up_ok`` is for imports:
    a follow-up date before today is history there, not a typing mistake."""
    service = session.get(Service, item.service_code)
    if service is None or service.deleted:
        raise ValidationError(
            "service_code", f"Không có loại hỗ trợ mã «{item.service_code}» trong danh mục."
        )
    if item.outcome not in set(Outcome):
        raise ValidationError(
            "outcome", "Kết quả phải là: thành công, hẹn lại hoặc chưa thành công."
        )
    follow_up_date = item.follow_up_date
    reason = validate.no_citizen_id(
        "failure_reason",
        validate.limited_text("failure_reason", "lý do", item.failure_reason, 300),
    )
    if item.outcome == Outcome.FOLLOW_UP:
        if follow_up_date is None:
            raise ValidationError(
                "follow_up_date",
                f"«{service.label_vi}»: hẹn lại thì cần chọn ngày hẹn.",
                "A follow-up needs a date.",
            )
        check_follow_up_date(follow_up_date, today, past_ok=past_follow_up_ok)
    else:
        follow_up_date = None
    if item.outcome == Outcome.FAILED and not reason:
        raise ValidationError(
            "failure_reason",
            f"«{service.label_vi}»: chưa thành công thì cần ghi lý do.",
            "A failed session needs a reason.",
        )
    if item.outcome != Outcome.FAILED:
        reason = ""
    return {
        "service_code": item.service_code,
        "outcome": item.outcome,
        "follow_up_date": follow_up_date,
        "failure_reason": reason,
    }


def active_volunteer(session: Session, volunteer_id: str) -> TeamMember:
    volunteer = session.get(TeamMember, volunteer_id)
    if volunteer is None or volunteer.deleted or not volunteer.active:
        raise ValidationError("volunteer_id", "Chưa chọn người ghi (thành viên tổ).")
    return volunteer


# --- writes ------------------------------------------------------------------------


def insert_session(
    session: Session,
    changes: Changes,
    *,
    session_id: str,
    visit_id: str,
    household_id: str,
    member_id: str | None,
    volunteer_id: str,
    occurred_at: datetime,
    device_id: str,
    note: str,
    outcome_values: dict[str, object],
    replaces_id: str | None = None,
) -> str:
    row = HelpSession(
        id=session_id,
        visit_id=visit_id,
        household_id=household_id,
        member_id=member_id,
        volunteer_id=volunteer_id,
        occurred_at=as_utc(occurred_at),
        device_id=device_id,
        note=note,
        replaces_id=replaces_id,
        voided=False,
        **outcome_values,
    )
    record_insert(session, row, changes)
    return row.id


def insert_correction(
    session: Session,
    changes: Changes,
    old: HelpSession,
    *,
    store: Store,
    volunteer_id: str,
    occurred_at: datetime,
    note: str,
    outcome_values: dict[str, object],
) -> str:
    """The session that replaces ``old`` (already voided): same visit, household and
    member, logged by this laptop, naming the session it replaces."""
    return insert_session(
        session,
        changes,
        session_id=new_id(),
        visit_id=old.visit_id,
        household_id=old.household_id,
        member_id=old.member_id,
        volunteer_id=volunteer_id,
        occurred_at=occurred_at,
        device_id=store.device_id,
        note=note,
        outcome_values=outcome_values,
        replaces_id=old.id,
    )


def log_visit(store: Store, visit: VisitInput) -> VisitLogged:
    """Record one visit: one session per service, all in one transaction."""
    if not visit.services:
        raise ValidationError("services", "Chưa chọn loại hỗ trợ nào.", "Pick a service.")
    codes = [item.service_code for item in visit.services]
    if len(set(codes)) != len(codes):
        raise ValidationError("services", "Một loại hỗ trợ được chọn hai lần.")
    now = store.now()
    occurred_at = as_utc(visit.occurred_at or now)
    today = vietnam_today(now)
    if occurred_at > now:
        raise ValidationError("occurred_at", "Thời điểm hỗ trợ không thể ở tương lai.")
    note = validate.note("note", visit.note)
    changes = Changes()
    visit_id = new_id()
    session_ids = []
    with store.transaction() as session:
        household = live_household(session, visit.household_id)
        active_volunteer(session, visit.volunteer_id)
        if visit.member_id is not None:
            member = live_member(session, visit.member_id)
            if member.household_id != household.id:
                raise ValidationError("member_id", "Người được hỗ trợ không thuộc hộ này.")
            if visit.consent and not member.consent:
                agreed = {
                    "consent": True,
                    "consent_date": today,
                    "consent_recorded_by": visit.volunteer_id,  # the one logging the visit
                }
                record_update(session, member, agreed, changes)
        # Validate every service before adding any row: no autoflush between them,
        # which halves the statements of a typical two-service visit.
        session.scalars(select(Service).where(Service.code.in_(codes))).all()  # one query
        outcomes = [clean_service_outcome(session, item, today) for item in visit.services]
        for outcome_values in outcomes:
            session_ids.append(
                insert_session(
                    session,
                    changes,
                    session_id=new_id(),
                    visit_id=visit_id,
                    household_id=household.id,
                    member_id=visit.member_id,
                    volunteer_id=visit.volunteer_id,
                    occurred_at=occurred_at,
                    device_id=store.device_id,
                    note=note,
                    outcome_values=outcome_values,
                )
            )
    changes.add("household", visit.household_id)
    return VisitLogged(visit_id, tuple(session_ids), changes)


def void_in(
    session: Session,
    session_id: str,
    *,
    volunteer_id: str,
    reason: str,
    store: Store,
    changes: Changes,
) -> str:
    target = session.get(HelpSession, session_id)
    if target is None:
        raise NotFoundError("Không tìm thấy lượt hỗ trợ này.", "Session not found.")
    if target.voided:
        raise UserError("Lượt hỗ trợ này đã được hủy trước đó.", "Already voided.")
    active_volunteer(session, volunteer_id)
    void = SessionVoid(
        id=new_id(),
        session_id=session_id,
        reason=validate.limited_text("reason", "lý do hủy", reason, 300),
        volunteer_id=volunteer_id,
        voided_at=store.now(),
        device_id=store.device_id,
    )
    record_insert(session, void, changes)
    target.voided = True
    changes.add("help_session", session_id)
    changes.add("household", target.household_id)
    return void.id


def refuse_voiding_anothers(session: Session, store: Store, session_id: str) -> None:
    """The commune server's rule (server/push_rules.py), kept here too: a laptop
    enrolled by a volunteer voids only the sessions it logged itself."""
    target = session.get(HelpSession, session_id)
    role = sync_state.get(session, sync_state.ROLE)
    if target is None or role is None or role == "leader" or target.device_id == store.device_id:
        return
    raise UserError(
        "Lượt này do máy khác ghi: chỉ tổ trưởng, hoặc máy đã ghi, được hủy hay sửa lượt này.",
        "Another laptop logged this session: only a team leader, or that laptop, may void "
        "or correct it.",
    )


def void_session(store: Store, session_id: str, volunteer_id: str, reason: str = "") -> Changes:
    """Undo a session: it stays in history, marked void, and no longer counts."""
    changes = Changes()
    with store.transaction() as session:
        refuse_voiding_anothers(session, store, session_id)
        void_in(
            session,
            session_id,
            volunteer_id=volunteer_id,
            reason=reason,
            store=store,
            changes=changes,
        )
    return changes


def correct_session(
    store: Store, session_id: str, volunteer_id: str, corrected: ServiceOutcome, note: str
) -> VisitLogged:
    """Replace a session's outcome: the old one is voided, a new one names it."""
    changes = Changes()
    today = vietnam_today(store.now())
    with store.transaction() as session:
        old = session.get(HelpSession, session_id)
        if old is None:
            raise NotFoundError("Không tìm thấy lượt hỗ trợ này.", "Session not found.")
        refuse_voiding_anothers(session, store, session_id)
        void_in(
            session,
            session_id,
            volunteer_id=volunteer_id,
            reason="Sửa lại",
            store=store,
            changes=changes,
        )
        new_session = insert_correction(
            session,
            changes,
            old,
            store=store,
            volunteer_id=volunteer_id,
            occurred_at=old.occurred_at,
            note=validate.note("note", note),
            outcome_values=clean_service_outcome(session, corrected, today),
        )
    return VisitLogged(old.visit_id, (new_session,), changes)
