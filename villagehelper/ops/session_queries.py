"""Reading help sessions: rows with the names they show, counts, a household's history,
follow-ups.  Which sessions is a :class:`~villagehelper.ops.session_filter.SessionFilter`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Row, Select, and_, exists, func, select
from sqlalchemy.orm import aliased

from villagehelper.clock import vietnam_today
from villagehelper.ops.session_filter import SessionFilter, session_conditions
from villagehelper.store.engine import Store
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import HelpSession, Household, Member, Service, TeamMember, Village


@dataclass(frozen=True)
class SessionRow:
    """A session as lists and exports show it."""

    id: str
    visit_id: str
    occurred_at: datetime
    household_id: str
    head_name: str
    village_id: str
    village_name: str
    member_id: str | None
    member_name: str | None
    service_code: str
    service_label: str
    outcome: str
    follow_up_date: date | None
    failure_reason: str
    note: str
    volunteer_id: str
    volunteer_name: str
    device_id: str
    replaces_id: str | None
    voided: bool


class FollowUpStatus(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class FollowUp:
    session: SessionRow
    status: FollowUpStatus


# --- reads -------------------------------------------------------------------------

_member = aliased(Member)
_EVERY_SESSION = SessionFilter()  # not voided


# A session with the names a row shows; the member's name is NULL when nobody in
# particular was named (outer join).
SessionRowsSelect = Select[HelpSession, str, str, str, str, str, str]


def rows_query() -> SessionRowsSelect:
    """Sessions joined to the names a :class:`SessionRow` shows (filter with
    :func:`villagehelper.ops.session_filter.session_conditions`)."""
    return (
        select(
            HelpSession,
            Household.head_name,
            Village.id,
            Village.name,
            _member.full_name,
            Service.label_vi,
            TeamMember.full_name,
        )
        .join(Household, Household.id == HelpSession.household_id)
        .join(Village, Village.id == Household.village_id)
        .join(Service, Service.code == HelpSession.service_code)
        .join(TeamMember, TeamMember.id == HelpSession.volunteer_id)
        .outerjoin(_member, _member.id == HelpSession.member_id)
    )


def to_row(record: Row[HelpSession, str, str, str, str, str, str]) -> SessionRow:
    hs, head_name, village_id, village_name, member_name, label, volunteer_name = record
    return SessionRow(
        id=hs.id,
        visit_id=hs.visit_id,
        occurred_at=hs.occurred_at,
        household_id=hs.household_id,
        head_name=head_name,
        village_id=village_id,
        village_name=village_name,
        member_id=hs.member_id,
        member_name=member_name,
        service_code=hs.service_code,
        service_label=label,
        outcome=hs.outcome,
        follow_up_date=hs.follow_up_date,
        failure_reason=hs.failure_reason,
        note=hs.note,
        volunteer_id=hs.volunteer_id,
        volunteer_name=volunteer_name,
        device_id=hs.device_id,
        replaces_id=hs.replaces_id,
        voided=hs.voided,
    )


def list_sessions(
    store: Store,
    flt: SessionFilter = _EVERY_SESSION,
    *,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = True,
) -> list[SessionRow]:
    query = rows_query().where(*session_conditions(flt))
    order = HelpSession.occurred_at.desc() if newest_first else HelpSession.occurred_at
    query = query.order_by(order, HelpSession.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with store.reading() as session:
        return [to_row(record) for record in session.execute(query)]


def count_sessions(store: Store, flt: SessionFilter = _EVERY_SESSION) -> int:
    query = select(func.count()).select_from(HelpSession).where(*session_conditions(flt))
    with store.reading() as session:
        return int(session.scalar(query) or 0)


def household_history(store: Store, household_id: str) -> list[SessionRow]:
    """Every session of a household, newest first, voided ones included and marked."""
    return list_sessions(store, SessionFilter(household_id=household_id, include_voided=True))


def follow_ups(store: Store, until: date | None = None) -> list[FollowUp]:
    """Open follow-ups due on or before ``until`` (default today), oldest first.

    A follow-up closes when the same household gets a later, non-void session for the
    same service (marking it done logs that session).
    """
    today = vietnam_today(store.now())
    until = until or today
    later = aliased(HelpSession)
    closed = exists().where(
        and_(
            later.household_id == HelpSession.household_id,
            later.service_code == HelpSession.service_code,
            later.occurred_at > HelpSession.occurred_at,
            later.voided.is_(False),
        )
    )
    query = (
        rows_query()
        .where(
            HelpSession.outcome == Outcome.FOLLOW_UP,
            HelpSession.voided.is_(False),
            HelpSession.follow_up_date <= until,
            ~closed,
        )
        .order_by(HelpSession.follow_up_date, HelpSession.occurred_at)
    )
    with store.reading() as session:
        rows = [to_row(record) for record in session.execute(query)]
    result = []
    for row in rows:
        assert row.follow_up_date is not None
        if row.follow_up_date < today:
            status = FollowUpStatus.OVERDUE
        elif row.follow_up_date == today:
            status = FollowUpStatus.DUE
        else:
            status = FollowUpStatus.UPCOMING
        result.append(FollowUp(row, status))
    return result
