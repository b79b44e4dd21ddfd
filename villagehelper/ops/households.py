"""Households and their members: create, edit, find as you type, detail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from villagehelper.clock import vietnam_today
from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store import search_index
from villagehelper.store.changelog import Changes, record_delete, record_insert, record_update
from villagehelper.store.engine import Store
from villagehelper.store.models import Household, Member, TeamMember, Village
from villagehelper.text import Phone, name_sort_key, search_key


@dataclass(frozen=True)
class MemberInfo:
    id: str
    full_name: str
    birth_year: int | None
    phone: str | None
    consent: bool
    consent_date: date | None
    erased: bool = False
    consent_recorded_by: str | None = None  # team members' names
    consent_withdrawn_date: date | None = None
    consent_withdrawn_by: str | None = None


@dataclass(frozen=True)
class HouseholdDetail:
    id: str
    village_id: str
    village_name: str
    head_name: str
    address_detail: str
    phone: str | None
    notes: str
    members: tuple[MemberInfo, ...]
    erased: bool = False


@dataclass(frozen=True)
class HouseholdHit:
    """One search result, with what a volunteer needs to tell households apart."""

    id: str
    head_name: str
    village_name: str
    address_detail: str
    phone: str | None
    member_names: tuple[str, ...]

    @property
    def phone_display(self) -> str:
        return Phone(self.phone).display() if self.phone else ""

    @property
    def phone_masked(self) -> str:
        """For lists on a shared screen: only the last digits."""
        return Phone(self.phone).masked() if self.phone else ""


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[HouseholdHit, ...]
    more: bool  # more households match than were returned: keep typing


@dataclass(frozen=True)
class Saved:
    id: str
    changes: Changes = field(compare=False)


# --- validation --------------------------------------------------------------------


def clean_household(session: Session, data: HouseholdInput) -> dict[str, object]:
    village = session.get(Village, data.village_id)
    if village is None or village.deleted:
        raise ValidationError("village_id", "Chưa chọn thôn (hoặc thôn không còn).")
    return {
        "village_id": data.village_id,
        "head_name": validate.person_name("head_name", "họ tên chủ hộ", data.head_name),
        "address_detail": validate.limited_text(
            "address_detail", "địa chỉ", data.address_detail, 200
        ),
        "phone": validate.phone("phone", data.phone),
        "notes": validate.note("notes", data.notes),
    }


def clean_member(data: MemberInput, today: date) -> dict[str, object]:
    consent_date = data.consent_date
    if data.consent and consent_date is None:
        consent_date = today
    if not data.consent and data.consent_withdrawn_date is None:
        consent_date = None  # never agreed (a withdrawn consent keeps its day on record)
    if consent_date is not None and consent_date > today:
        raise ValidationError("consent_date", "Ngày đồng ý không thể ở tương lai.")
    withdrawn = data.consent_withdrawn_date
    if withdrawn is not None and withdrawn > today:
        raise ValidationError(
            "consent_withdrawn_date",
            "Ngày rút lại đồng ý không thể ở tương lai.",
            "The day consent was withdrawn cannot be in the future.",
        )
    values: dict[str, object] = {
        "full_name": validate.person_name("full_name", "họ tên", data.full_name),
        "birth_year": validate.birth_year("birth_year", data.birth_year, today),
        "phone": validate.phone("member_phone", data.phone),
        "consent": data.consent,
        "consent_date": consent_date,
    }
    # Who recorded consent is set only when the input says (an import); a form that does
    # not ask keeps what the record holds.
    optional = {
        "consent_recorded_by": data.consent_recorded_by,
        "consent_withdrawn_date": withdrawn,
        "consent_withdrawn_by": data.consent_withdrawn_by,
    }
    values.update({name: value for name, value in optional.items() if value is not None})
    return values


# --- writes inside a transaction (imports reuse these) ------------------------------


def insert_household(
    session: Session,
    data: HouseholdInput,
    members: Sequence[MemberInput],
    changes: Changes,
    *,
    household_id: str | None = None,
    member_ids: Sequence[str | None] = (),
    today: date,
) -> str:
    values = clean_household(session, data)
    household = Household(id=household_id or new_id(), **values)
    household.refresh_derived()
    record_insert(session, household, changes)
    for index, member_data in enumerate(members):
        member_id = member_ids[index] if index < len(member_ids) else None
        insert_member(
            session,
            household.id,
            member_data,
            changes,
            member_id=member_id,
            today=today,
            reindex=False,
        )
    session.flush()
    search_index.refresh_household(session.connection(), household.id)
    return household.id


def insert_member(
    session: Session,
    household_id: str,
    data: MemberInput,
    changes: Changes,
    *,
    member_id: str | None = None,
    today: date,
    reindex: bool = True,
) -> str:
    member = Member(
        id=member_id or new_id(), household_id=household_id, **clean_member(data, today)
    )
    member.refresh_derived()
    record_insert(session, member, changes)
    if reindex:
        session.flush()
        search_index.refresh_household(session.connection(), household_id)
    return member.id


def live_household(session: Session, household_id: str) -> Household:
    household = session.get(Household, household_id)
    if household is None or household.deleted:
        if household is not None and household.merged_into:
            raise NotFoundError(
                "Hộ này đã được gộp vào một hộ khác; hãy tìm lại theo tên chủ hộ.",
                "This household was merged into another one.",
            )
        raise NotFoundError("Không tìm thấy hộ gia đình này.", "Household not found.")
    return household


def live_member(session: Session, member_id: str) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.deleted:
        raise NotFoundError("Không tìm thấy nhân khẩu này.", "Member not found.")
    return member


def refuse_erased(row: Household | Member) -> None:
    """An erased record keeps nothing personal: it cannot be filled in again."""
    if row.erased_at is not None:
        raise UserError(
            "Dữ liệu này đã được xóa theo yêu cầu của người dân; không sửa lại được. "
            "Nếu người dân muốn được hỗ trợ tiếp, hãy tạo hộ hoặc nhân khẩu mới.",
            "This record was erased at the resident's request and cannot be edited. "
            "To help them again, add a new household or person.",
        )


# --- operations --------------------------------------------------------------------


def create_household(
    store: Store, data: HouseholdInput, members: Sequence[MemberInput] = ()
) -> Saved:
    changes = Changes()
    with store.transaction() as session:
        household_id = insert_household(
            session, data, members, changes, today=vietnam_today(store.now())
        )
    return Saved(household_id, changes)


def update_household(store: Store, household_id: str, data: HouseholdInput) -> Saved:
    changes = Changes()
    with store.transaction() as session:
        household = live_household(session, household_id)
        refuse_erased(household)
        old_head = household.head_name
        changed = record_update(session, household, clean_household(session, data), changes)
        if changed:
            household.refresh_derived()
            _rename_head_member(session, household_id, old_head, household.head_name, changes)
            session.flush()
            search_index.refresh_household(session.connection(), household_id)
    return Saved(household_id, changes)


def _rename_head_member(
    session: Session, household_id: str, old_name: str, new_name: str, changes: Changes
) -> None:
    """The head is also a member of the household, known by having the head's name (the
    log-a-visit screen picks them that way): renaming the head renames that member too,
    or the old spelling would live on in the member list, the visits and the reports.
    Two members with the head's old name leave it unclear who the head is: neither is
    renamed."""
    if old_name == new_name:
        return
    namesakes = session.scalars(
        select(Member).where(
            Member.household_id == household_id,
            Member.full_name == old_name,
            Member.deleted.is_(False),
            Member.erased_at.is_(None),
        )
    ).all()
    if len(namesakes) == 1:
        head = namesakes[0]
        if record_update(session, head, {"full_name": new_name}, changes):
            head.refresh_derived()
            changes.add("household", household_id)


def _rename_household_head(
    session: Session, member: Member, old_name: str, changes: Changes
) -> None:
    """The other direction of :func:`_rename_head_member`: renaming the member who is
    the head (the one member with the head's name) renames the household's head too.
    While another member keeps the old name, who the head is stays unclear: the
    household is left as it is."""
    if member.full_name == old_name:
        return
    household = live_household(session, member.household_id)
    if household.head_name != old_name:
        return
    namesakes = session.scalar(
        select(func.count(Member.id)).where(
            Member.household_id == household.id,
            Member.full_name == old_name,
            Member.deleted.is_(False),
            Member.erased_at.is_(None),
        )
    )
    if namesakes == 0 and record_update(
        session, household, {"head_name": member.full_name}, changes
    ):
        household.refresh_derived()
        session.flush()


def add_member(store: Store, household_id: str, data: MemberInput) -> Saved:
    changes = Changes()
    with store.transaction() as session:
        refuse_erased(live_household(session, household_id))
        member_id = insert_member(
            session, household_id, data, changes, today=vietnam_today(store.now())
        )
    changes.add("household", household_id)
    return Saved(member_id, changes)


def update_member(store: Store, member_id: str, data: MemberInput) -> Saved:
    changes = Changes()
    with store.transaction() as session:
        member = live_member(session, member_id)
        refuse_erased(member)
        values = clean_member(data, vietnam_today(store.now()))
        if member.consent and data.consent and data.consent_date is None:
            values["consent_date"] = member.consent_date  # keep the original date
        old_name = member.full_name
        if record_update(session, member, values, changes):
            member.refresh_derived()
            session.flush()
            _rename_household_head(session, member, old_name, changes)
            search_index.refresh_household(session.connection(), member.household_id)
            changes.add("household", member.household_id)
    return Saved(member_id, changes)


def remove_member(store: Store, member_id: str) -> Saved:
    changes = Changes()
    with store.transaction() as session:
        member = live_member(session, member_id)
        record_delete(session, member, changes)
        session.flush()
        search_index.refresh_household(session.connection(), member.household_id)
        changes.add("household", member.household_id)
    return Saved(member_id, changes)


def _member_infos(session: Session, household_id: str) -> tuple[MemberInfo, ...]:
    members = session.scalars(
        select(Member)
        .where(Member.household_id == household_id, Member.deleted.is_(False))
        .order_by(Member.name_sort_key)
    ).all()
    recorders = {m.consent_recorded_by for m in members} | {m.consent_withdrawn_by for m in members}
    names = {
        row.id: row.full_name
        for row in session.execute(
            select(TeamMember.id, TeamMember.full_name).where(
                TeamMember.id.in_([r for r in recorders if r is not None])
            )
        )
    }
    return tuple(
        MemberInfo(
            m.id,
            m.full_name,
            m.birth_year,
            m.phone,
            m.consent,
            m.consent_date,
            erased=m.erased_at is not None,
            consent_recorded_by=names.get(m.consent_recorded_by or ""),
            consent_withdrawn_date=m.consent_withdrawn_date,
            consent_withdrawn_by=names.get(m.consent_withdrawn_by or ""),
        )
        for m in members
    )


def get_household(store: Store, household_id: str) -> HouseholdDetail:
    with store.reading() as session:
        household = live_household(session, household_id)
        village = session.get(Village, household.village_id)
        assert village is not None
        return HouseholdDetail(
            id=household.id,
            village_id=household.village_id,
            village_name=village.name,
            head_name=household.head_name,
            address_detail=household.address_detail,
            phone=household.phone,
            notes=household.notes,
            members=_member_infos(session, household.id),
            erased=household.erased_at is not None,
        )


def _hits(session: Session, ids: Sequence[str]) -> list[HouseholdHit]:
    if not ids:
        return []
    rows = session.execute(
        select(Household, Village.name)
        .join(Village, Village.id == Household.village_id)
        .where(Household.id.in_(ids))
    ).all()
    members: dict[str, list[str]] = {}
    for household_id, full_name in session.execute(
        select(Member.household_id, Member.full_name)
        .where(Member.household_id.in_(ids), Member.deleted.is_(False))
        .order_by(Member.name_sort_key)
    ):
        members.setdefault(household_id, []).append(full_name)
    return [
        HouseholdHit(
            id=household.id,
            head_name=household.head_name,
            village_name=village_name,
            address_detail=household.address_detail,
            phone=household.phone,
            member_names=tuple(members.get(household.id, ())),
        )
        for household, village_name in rows
    ]


def find_households(store: Store, query: str, limit: int = 30) -> SearchResult:
    """Households matching what was typed, best first; meant to run on every keystroke.

    Matches any part of the head's or a member's name, a phone number, the village or
    the address, ignoring case and diacritics.  A head name that starts with the query
    ranks first, then Vietnamese name order.
    """
    with store.reading() as session:
        ids = search_index.matching_household_ids(session.connection(), query, limit + 1)
        more = len(ids) > limit
        hits = _hits(session, ids[:limit])
    key = search_key(query)

    def rank(hit: HouseholdHit) -> tuple[int, str]:
        head = search_key(hit.head_name)
        starts = head.startswith(key) or any(w.startswith(key) for w in head.split())
        return (0 if starts else 1, name_sort_key(hit.head_name))

    return SearchResult(tuple(sorted(hits, key=rank)), more)
