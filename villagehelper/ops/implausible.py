"""Help sessions the commune server quarantined for a time that cannot be right.

The server keeps such a session and voids it in its own name
(:mod:`villagehelper.server.plausibility`); the void comes down with the feed, so
no tally here counts the session, exactly as on the server.  What this module adds is
what the leader does about it: the list of those still waiting, each with why and what
to do, and :func:`redate_session`, the correction path with a new date (a new session
naming the old one, which the server judges afresh and counts in its right week).

A quarantined session is settled once a session replaces it (the date was corrected)
or a person voided it too (it should not have been logged at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from villagehelper.clock import as_utc, format_vn_date, to_vietnam
from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.ops.session_queries import SessionRow, rows_query, to_row
from villagehelper.ops.sessions import VisitLogged, active_volunteer, insert_correction, void_in
from villagehelper.session_times import (
    EARLIEST_SESSION,
    QUARANTINE_DEVICE,
    Implausible,
    explain,
    implausibility,
)
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, SessionVoid


@dataclass(frozen=True)
class ImplausibleSession:
    session: SessionRow
    why: Implausible
    received_at: datetime  # the commune server's time when it received the session

    @property
    def message_vi(self) -> str:
        return explain(self.why, self.session.occurred_at, self.received_at)[0]

    @property
    def message_en(self) -> str:
        return explain(self.why, self.session.occurred_at, self.received_at)[1]


_quarantine = aliased(SessionVoid)
_other_void = aliased(SessionVoid)
_replacement = aliased(HelpSession)


def _waiting() -> list[ColumnElement[bool]]:
    """Conditions on HelpSession: quarantined by the server, and not settled since."""
    return [
        exists().where(
            _quarantine.session_id == HelpSession.id,
            _quarantine.device_id == QUARANTINE_DEVICE,
        ),
        ~exists().where(
            _other_void.session_id == HelpSession.id,
            _other_void.device_id != QUARANTINE_DEVICE,
        ),
        ~exists().where(_replacement.replaces_id == HelpSession.id),
    ]


def count_in(session: Session) -> int:
    """How many quarantined sessions wait for a leader (inside a caller's transaction)."""
    query = select(func.count(HelpSession.id)).where(*_waiting())
    return int(session.scalar(query) or 0)


def count_implausible(store: Store) -> int:
    with store.reading() as session:
        return count_in(session)


def list_implausible(store: Store) -> list[ImplausibleSession]:
    """The quarantined sessions still waiting, oldest receipt first."""
    received_query = select(SessionVoid.session_id, SessionVoid.voided_at).where(
        SessionVoid.device_id == QUARANTINE_DEVICE
    )
    with store.reading() as session:
        rows = [to_row(record) for record in session.execute(rows_query().where(*_waiting()))]
        received = {row_id: at for row_id, at in session.execute(received_query)}
    found = [
        ImplausibleSession(row, _why(row.occurred_at, received[row.id]), received[row.id])
        for row in rows
    ]
    return sorted(found, key=lambda item: (item.received_at, item.session.id))


def _why(occurred_at: datetime, received_at: datetime) -> Implausible:
    judged = implausibility(occurred_at, received_at)
    if judged is not None:
        return judged
    # Judged by a server with other limits (another version): say which side it was.
    return Implausible.FUTURE if occurred_at > received_at else Implausible.TOO_EARLY


def redate_session(
    store: Store, session_id: str, volunteer_id: str, occurred_at: datetime
) -> VisitLogged:
    """Give a session its right date: a new session with everything else as it was,
    naming the old one (``replaces_id``).  A quarantined session is already void (the
    server's void); any other is voided first, as every correction does."""
    occurred_at = as_utc(occurred_at)
    now = store.now()
    if occurred_at > now:
        raise ValidationError("occurred_at", "Thời điểm hỗ trợ không thể ở tương lai.")
    if occurred_at < EARLIEST_SESSION:
        earliest = format_vn_date(to_vietnam(EARLIEST_SESSION).date())
        raise ValidationError(
            "occurred_at",
            f"Ngày hỗ trợ phải từ {earliest} trở đi.",
            f"The date must be {earliest} or later.",
        )
    changes = Changes()
    with store.transaction() as session:
        old = session.get(HelpSession, session_id)
        if old is None:
            raise NotFoundError("Không tìm thấy lượt hỗ trợ này.", "Session not found.")
        active_volunteer(session, volunteer_id)
        if old.voided:
            _must_be_waiting(session, session_id)
        else:
            void_in(
                session,
                session_id,
                volunteer_id=volunteer_id,
                reason="Sửa ngày",
                store=store,
                changes=changes,
            )
        new_session = insert_correction(
            session,
            changes,
            old,
            store=store,
            volunteer_id=old.volunteer_id,  # who helped; the correction is the leader's
            occurred_at=occurred_at,
            note=old.note,
            outcome_values={
                "service_code": old.service_code,
                "outcome": old.outcome,
                "follow_up_date": old.follow_up_date,
                "failure_reason": old.failure_reason,
            },
        )
    changes.add("household", old.household_id)
    return VisitLogged(old.visit_id, (new_session,), changes)


def _must_be_waiting(session: Session, session_id: str) -> None:
    waiting = session.scalar(
        select(HelpSession.id).where(and_(HelpSession.id == session_id, *_waiting()))
    )
    if waiting is None:
        raise UserError(
            "Lượt hỗ trợ này đã được hủy hoặc sửa trước đó.",
            "This session was already voided or corrected.",
        )


def not_counted_notice(count: int) -> tuple[str, str] | None:
    """The line a tally or a sync summary adds while quarantined sessions wait (vi, en)."""
    if count <= 0:
        return None
    return (
        f"{count} lượt hỗ trợ có ngày không hợp lý (đồng hồ máy ghi sai) đang được giữ lại, "
        "không được tính. Tổ trưởng hãy sửa lại ngày: trong ứng dụng ở «Xem xung đột» → "
        "«Ngày không hợp lý», hoặc bằng lệnh «villagehelper implausible».",
        f"{count} help sessions with an impossible date (a wrong laptop clock) are held back "
        "and not counted. A team leader should correct their dates: in the app under "
        "'Review conflicts' → 'Impossible dates', or with 'villagehelper implausible'.",
    )
