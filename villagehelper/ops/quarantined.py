"""Rows of the commune server this laptop set aside as faulty (exchange/quarantine.py), for a
leader: listed with why, and settled the way a session is corrected today.

A faulty help session cannot be stored here, so it cannot be edited here either.  A
leader settles it as every correction is made: a void of it (it then counts nowhere and
leaves every laptop's list), and — when the visit did happen — a new session naming it
(``replaces_id``) with the right outcome and date, made from its ids (household, person,
service, volunteer, visit), which the record keeps.  Both go up with the next sync like
any change; the server judges the new session as it judges every other.

The void names a session this laptop does not hold: it is written with foreign keys
unchecked (the feed's transaction), as a void that arrives from the server is.

An operation on the store, not a sync one (it sends nothing; the next sync does), so it
lives in ops beside the session corrections it reuses.  It reads the record of rows set
aside from :mod:`villagehelper.store.quarantine_rows`, below it, never from the feed
that writes it (:mod:`villagehelper.exchange.quarantine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from villagehelper.clock import as_utc, vietnam_today
from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import sessions
from villagehelper.ops.inputs import ServiceOutcome
from villagehelper.store import quarantine_rows, sync_state
from villagehelper.store.changelog import Changes, record_insert
from villagehelper.store.engine import Store
from villagehelper.store.models import Household, SessionVoid

# Why a row cannot be applied, in words for a leader (the record's reason → vi, en).
_REASONS = {
    "check:session_outcome_known": ("Kết quả không rõ", "Unknown outcome"),
    "check:follow_up_has_date": ("Hẹn lại mà không có ngày hẹn", "Follow-up with no date"),
    "check:failure_has_reason": ("Không làm được mà không có lý do", "Failure with no reason"),
    "not_null:tally_days.day": ("Thời điểm hỗ trợ không thể có", "An impossible time"),
}
_OTHER = ("Dữ liệu không hợp lệ", "Invalid data")


@dataclass(frozen=True)
class FaultyRow:
    entity: str
    row_id: str
    version: int
    reason: str  # as recorded
    household_id: str | None
    household_name: str  # its head, when this laptop holds it ("" if not)

    @property
    def why_vi(self) -> str:
        return _REASONS.get(self.reason, _OTHER)[0]

    @property
    def why_en(self) -> str:
        return _REASONS.get(self.reason, _OTHER)[1]


def list_faulty(store: Store) -> list[FaultyRow]:
    with store.reading() as session:
        rows = quarantine_rows.listed(session)
        wanted = {row.ids["household_id"] for row in rows if "household_id" in row.ids}
        heads: dict[str, str] = {
            household_id: head
            for household_id, head in session.execute(
                select(Household.id, Household.head_name).where(Household.id.in_(sorted(wanted)))
            )
        }
    return [
        FaultyRow(
            row.entity,
            row.row_id,
            row.version,
            row.reason,
            row.ids.get("household_id"),
            heads.get(row.ids.get("household_id", ""), ""),
        )
        for row in rows
    ]


def count_faulty(store: Store) -> int:
    with store.reading() as session:
        return quarantine_rows.count(session)


def settle_faulty_session(
    store: Store,
    session_id: str,
    leader_id: str,
    *,
    replacement: ServiceOutcome | None = None,
    occurred_at: datetime | None = None,
) -> Changes:
    """Void faulty session ``session_id``; with ``replacement``, also log the visit again
    with that outcome at ``occurred_at`` (default: now), naming the faulty one."""
    now = store.now()
    changes = Changes()
    with store.reading() as session:
        enrolled = sync_state.enrolled(session)
        found = {row.row_id: row for row in quarantine_rows.listed(session)}
    if enrolled is None or not enrolled.is_leader:
        raise UserError(
            "Chỉ máy của tổ trưởng mới sửa được dữ liệu lỗi.",
            "Only a team leader's laptop can settle faulty rows.",
        )
    faulty = found.get(session_id)
    if faulty is None or faulty.entity != "help_session":
        raise NotFoundError(
            "Không có lượt hỗ trợ lỗi này (có thể đã được sửa).",
            "No such faulty session (it may be settled already).",
        )
    when = as_utc(occurred_at or now)
    if when > now:
        raise ValidationError("occurred_at", "Thời điểm hỗ trợ không thể ở tương lai.")
    with store.feed_transaction() as session:
        sessions.active_volunteer(session, leader_id)
        void = SessionVoid(
            id=new_id(),
            session_id=session_id,
            reason="Dữ liệu lỗi từ máy chủ",
            volunteer_id=leader_id,
            voided_at=now,
            device_id=store.device_id,
        )
        record_insert(session, void, changes)
        if replacement is not None:
            ids = faulty.ids
            values = sessions.clean_service_outcome(
                session,
                ServiceOutcome(
                    ids.get("service_code", replacement.service_code),
                    replacement.outcome,
                    replacement.follow_up_date,
                    replacement.failure_reason,
                ),
                vietnam_today(now),
            )
            sessions.insert_session(
                session,
                changes,
                session_id=new_id(),
                visit_id=ids.get("visit_id") or new_id(),
                household_id=ids["household_id"],
                member_id=ids.get("member_id"),
                volunteer_id=ids.get("volunteer_id", leader_id),
                occurred_at=when,
                device_id=store.device_id,
                note="",
                outcome_values=values,
                replaces_id=session_id,
            )
    # Settled here now (the void coming back from the server changes nothing more).  A
    # commit of its own, durable as every typed change: the feed's transaction above is
    # not forced to disk, and this one makes it durable too (WAL).
    with store.transaction() as session:
        quarantine_rows.write(
            session, [row for row in quarantine_rows.listed(session) if row.row_id != session_id]
        )
    if faulty.ids.get("household_id"):
        changes.add("household", faulty.ids["household_id"])
    return changes
