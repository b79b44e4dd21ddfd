"""Conflicts a leader reviews: the same field changed on two laptops, both values kept.

The server keeps the value that reached it first and records the other one.  A leader
picks one of the two (or types a third); the verdict is an ordinary edit of the record,
validated like a form, plus the conflict marked resolved, in one transaction — both
travel to the server with the next sync.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.clock import format_vn_date, vietnam_today
from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.ops.duplicates import duplicate_pairs
from villagehelper.ops.households import clean_household, clean_member
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store import search_index
from villagehelper.store.changelog import ENTITIES, Changes, from_wire, record_update
from villagehelper.store.engine import Store
from villagehelper.store.models import (
    Household,
    Member,
    Setting,
    SyncConflict,
    TeamMember,
    Village,
)

# What a leader sees instead of column names (Vietnamese, English).
FIELD_LABELS: dict[tuple[str, str], tuple[str, str]] = {
    ("household", "head_name"): ("Họ tên chủ hộ", "Head of household"),
    ("household", "phone"): ("Số điện thoại", "Phone"),
    ("household", "address_detail"): ("Địa chỉ", "Address"),
    ("household", "notes"): ("Ghi chú", "Notes"),
    ("household", "village_id"): ("Thôn", "Village"),
    ("member", "full_name"): ("Họ tên", "Full name"),
    ("member", "birth_year"): ("Năm sinh", "Birth year"),
    ("member", "phone"): ("Số điện thoại", "Phone"),
    ("member", "consent"): ("Đồng ý cho lưu thông tin", "Consent"),
    ("member", "consent_date"): ("Ngày đồng ý", "Consent date"),
}


@dataclass(frozen=True)
class ConflictInfo:
    id: str
    entity: str
    row_id: str
    field: str
    record_label: str  # "Hộ Lê Văn Tám", "Nguyễn Thị Hệ (hộ Lê Văn Tám)"
    field_label_vi: str
    field_label_en: str
    current_value: Any  # what the record holds now (the value that reached the server first)
    other_value: Any  # the other laptop's value
    current_text: str
    other_text: str
    edited_by: str  # the team member who made the other edit, if known
    created_at: datetime
    household_id: str | None = None


def _decode(entity: str, name: str, wire_text: str) -> Any:
    return from_wire(ENTITIES[entity], name, json.loads(wire_text))


def _shown(session: Session, name: str, value: Any) -> str:
    if value is None or value == "":
        return "(để trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, date):
        return format_vn_date(value)
    if name == "village_id":
        village = session.get(Village, value)
        return village.name if village else str(value)
    return str(value)


def _record_label(session: Session, entity: str, row_id: str) -> tuple[str, str | None]:
    if entity == "household":
        household = session.get(Household, row_id)
        return (f"Hộ {household.head_name}" if household else row_id), row_id
    if entity == "member":
        member = session.get(Member, row_id)
        if member is None:
            return row_id, None
        head = session.get(Household, member.household_id)
        where = f" (hộ {head.head_name})" if head else ""
        return f"{member.full_name}{where}", member.household_id
    return f"{entity} {row_id}", None


def open_conflicts(store: Store) -> list[ConflictInfo]:
    """Unresolved conflicts, oldest first."""
    found = []
    with store.reading() as session:
        rows = session.scalars(
            select(SyncConflict)
            .where(SyncConflict.resolved.is_(False), SyncConflict.deleted.is_(False))
            .order_by(SyncConflict.created_at)
        )
        for row in rows:
            if row.entity not in ENTITIES:
                continue
            record: Any = session.get(ENTITIES[row.entity], row.row_id)
            current = getattr(record, row.field, None) if record is not None else None
            other = _decode(row.entity, row.field, row.device_value)
            label, household_id = _record_label(session, row.entity, row.row_id)
            labels = FIELD_LABELS.get((row.entity, row.field), (row.field, row.field))
            volunteer = session.get(TeamMember, row.volunteer_id) if row.volunteer_id else None
            found.append(
                ConflictInfo(
                    id=row.id,
                    entity=row.entity,
                    row_id=row.row_id,
                    field=row.field,
                    record_label=label,
                    field_label_vi=labels[0],
                    field_label_en=labels[1],
                    current_value=current,
                    other_value=other,
                    current_text=_shown(session, row.field, current),
                    other_text=_shown(session, row.field, other),
                    edited_by=volunteer.full_name if volunteer else "",
                    created_at=row.created_at,
                    household_id=household_id,
                )
            )
    return found


def parse_typed_value(entity: str, name: str, text: str) -> Any:
    """A value a leader typed for ``name``, in the field's own type."""
    text = text.strip()
    python_type = ENTITIES[entity].__table__.c[name].type.python_type
    if python_type is int:
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(name, "Hãy nhập một số.", "Type a number.")
        return int(text)
    if python_type is bool:
        return text.lower() in ("có", "co", "yes", "1", "true")
    if python_type is date:
        try:
            return datetime.strptime(text, "%d/%m/%Y").date() if text else None
        except ValueError:
            raise ValidationError(name, "Ngày phải có dạng ngày/tháng/năm.") from None
    return text


def resolve_conflict(store: Store, conflict_id: str, value: Any, volunteer_id: str) -> Changes:
    """Settle a conflict with ``value`` (one of the two, or a value the leader typed)."""
    changes = Changes()
    with store.transaction() as session:
        role = session.get(Setting, "sync_role")
        if role is None or role.value != "leader":
            # The server would refuse it and the verdict would block this laptop's outbox.
            raise UserError(
                "Chỉ máy của tổ trưởng (đăng ký bằng mã tổ trưởng) được xử lý xung đột.",
                "Only a leader's laptop may resolve conflicts.",
            )
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.resolved:
            raise NotFoundError(
                "Xung đột này đã được xử lý (có thể trên máy khác).",
                "This conflict was already resolved (perhaps on another laptop).",
            )
        if conflict.entity == "household":
            _settle_household(session, conflict, value, changes)
        elif conflict.entity == "member":
            _settle_member(session, conflict, value, changes, vietnam_today(store.now()))
        else:
            record = session.get(ENTITIES[conflict.entity], conflict.row_id)
            if record is not None:
                record_update(session, record, {conflict.field: value}, changes)
        wire_value = json.loads(json.dumps(value, default=str))
        record_update(
            session,
            conflict,
            {
                "resolved": True,
                "resolution": json.dumps(wire_value, ensure_ascii=False),
                "resolved_by": volunteer_id,
            },
            changes,
        )
    return changes


def _settle_household(
    session: Session, conflict: SyncConflict, value: Any, changes: Changes
) -> None:
    household = session.get(Household, conflict.row_id)
    if household is None:
        return
    current = HouseholdInput(
        village_id=household.village_id,
        head_name=household.head_name,
        address_detail=household.address_detail,
        phone=household.phone,
        notes=household.notes,
    )
    cleaned = clean_household(session, replace(current, **{conflict.field: value}))
    _save(session, household, cleaned, household.id, changes)


def _settle_member(
    session: Session, conflict: SyncConflict, value: Any, changes: Changes, today: date
) -> None:
    member = session.get(Member, conflict.row_id)
    if member is None:
        return
    current = MemberInput(
        full_name=member.full_name,
        birth_year=member.birth_year,
        phone=member.phone,
        consent=member.consent,
        consent_date=member.consent_date,
    )
    cleaned = clean_member(replace(current, **{conflict.field: value}), today)
    if _save(session, member, cleaned, member.household_id, changes):
        changes.add("household", member.household_id)


def _save(
    session: Session,
    row: Household | Member,
    cleaned: dict[str, object],
    household_id: str,
    changes: Changes,
) -> bool:
    """Write the verdict like a form edit: derived keys and the search entry follow."""
    if not record_update(session, row, cleaned, changes):
        return False
    row.refresh_derived()
    session.flush()
    search_index.refresh_household(session.connection(), household_id)
    return True


@dataclass(frozen=True)
class DuplicateReview:
    """Two live households that look like one, e.g. entered on two laptops."""

    first_id: str
    first_label: str
    second_id: str
    second_label: str
    reason: str


def review_duplicates(store: Store) -> list[DuplicateReview]:
    pairs = duplicate_pairs(store)
    with store.reading() as session:

        def label(household_id: str) -> str:
            household = session.get(Household, household_id)
            if household is None:
                return household_id
            village = session.get(Village, household.village_id)
            where = f" – {village.name}" if village else ""
            return f"{household.head_name}{where}"

        return [
            DuplicateReview(
                pair.first_id,
                label(pair.first_id),
                pair.second_id,
                label(pair.second_id),
                pair.reason,
            )
            for pair in pairs
        ]
