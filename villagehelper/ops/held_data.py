"""“What we hold about this person”: everything this laptop holds about one resident or
one household, as a plain UTF-8 text file to print or hand over.

Plain text rather than a spreadsheet: a resident asking what the team keeps about them
wants to read it, top to bottom, like a letter; a text file opens on any phone or
computer, prints on one or two pages, and holds nothing hidden (no other sheets, no
formulas, no metadata).  It is an export of personal data, so it is recorded with
:func:`villagehelper.ops.privacy.note_export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.clock import format_vn_date, to_vietnam
from villagehelper.errors import NotFoundError, ValidationError
from villagehelper.ops.consent import team_member_name
from villagehelper.ops.privacy import note_export
from villagehelper.store.engine import Store
from villagehelper.store.models import (
    Campaign,
    CampaignTarget,
    Commune,
    HelpSession,
    Household,
    Member,
    Service,
    TeamMember,
    Village,
)
from villagehelper.text import Phone
from villagehelper.whole_files import write_whole_file

_OUTCOMES = {"done": "Thành công", "follow_up": "Hẹn lại", "failed": "Chưa thành công"}


@dataclass(frozen=True)
class HeldPerson:
    full_name: str
    birth_year: int | None
    phone: str | None
    consent: bool
    consent_date: date | None
    consent_recorded_by: str | None
    withdrawn_date: date | None
    withdrawn_by: str | None
    erased_at: datetime | None


@dataclass(frozen=True)
class HeldSession:
    occurred_at: datetime
    service: str
    outcome: str
    follow_up_date: date | None
    failure_reason: str
    note: str
    person: str | None
    helped_by: str
    voided: bool


@dataclass(frozen=True)
class HeldListing:
    """A campaign's list naming the person, as the commune's list wrote them."""

    campaign: str
    written_name: str
    birth_year: int | None
    phone: str | None
    id_last_digits: str | None
    erased_at: datetime | None


@dataclass(frozen=True)
class HeldData:
    """What the laptop holds about a household, or about one person of it."""

    subject: str  # the person's or the household head's name
    commune: str
    village: str
    head_name: str
    address_detail: str
    phone: str | None
    notes: str
    erased_at: datetime | None
    people: tuple[HeldPerson, ...]
    sessions: tuple[HeldSession, ...]
    whole_household: bool
    listings: tuple[HeldListing, ...] = ()


def _person(session: Session, member: Member) -> HeldPerson:
    return HeldPerson(
        member.full_name,
        member.birth_year,
        member.phone,
        member.consent,
        member.consent_date,
        team_member_name(session, member.consent_recorded_by),
        member.consent_withdrawn_date,
        team_member_name(session, member.consent_withdrawn_by),
        member.erased_at,
    )


def _sessions(session: Session, household_id: str, member_id: str | None) -> list[HeldSession]:
    query = (
        select(HelpSession, Service.label_vi, TeamMember.full_name, Member.full_name)
        .join(Service, Service.code == HelpSession.service_code)
        .join(TeamMember, TeamMember.id == HelpSession.volunteer_id)
        .outerjoin(Member, Member.id == HelpSession.member_id)
        .where(HelpSession.household_id == household_id)
        .order_by(HelpSession.occurred_at, HelpSession.id)
    )
    if member_id is not None:
        query = query.where(HelpSession.member_id == member_id)
    return [
        HeldSession(
            row.occurred_at,
            label,
            row.outcome,
            row.follow_up_date,
            row.failure_reason,
            row.note,
            person,
            volunteer,
            row.voided,
        )
        for row, label, volunteer, person in session.execute(query)
    ]


def _listings(session: Session, member_ids: list[str]) -> list[HeldListing]:
    query = (
        select(CampaignTarget, Campaign.name)
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .where(CampaignTarget.member_id.in_(member_ids), CampaignTarget.deleted.is_(False))
        .order_by(Campaign.name, CampaignTarget.id)
    )
    return [
        HeldListing(
            name,
            row.full_name,
            row.birth_year,
            row.phone,
            row.id_last_digits,
            row.erased_at,
        )
        for row, name in session.execute(query)
    ]


def held_data(
    store: Store, *, household_id: str | None = None, member_id: str | None = None
) -> HeldData:
    """Everything held about one household (``household_id``) or one person."""
    if (household_id is None) == (member_id is None):
        raise ValidationError(
            "subject", "Hãy chọn một hộ hoặc một người.", "Choose a household or a person."
        )
    with store.reading() as session:
        member = session.get(Member, member_id) if member_id is not None else None
        if member_id is not None and member is None:
            raise NotFoundError("Không tìm thấy nhân khẩu này.", "Member not found.")
        household = session.get(Household, member.household_id if member else household_id)
        if household is None:
            raise NotFoundError("Không tìm thấy hộ gia đình này.", "Household not found.")
        village = session.get(Village, household.village_id)
        commune = session.scalars(select(Commune)).first()
        if member is not None:
            people = [member]
        else:
            people = list(
                session.scalars(
                    select(Member)
                    .where(Member.household_id == household.id, Member.deleted.is_(False))
                    .order_by(Member.name_sort_key)
                )
            )
        return HeldData(
            subject=member.full_name if member else household.head_name,
            commune=f"{commune.name}, {commune.province_name}" if commune else "",
            village=village.name if village else "",
            head_name=household.head_name,
            address_detail=household.address_detail,
            phone=household.phone,
            notes=household.notes,
            erased_at=household.erased_at,
            people=tuple(_person(session, person) for person in people),
            sessions=tuple(_sessions(session, household.id, member_id)),
            whole_household=member is None,
            listings=tuple(_listings(session, [person.id for person in people])),
        )


def _day(value: date | None) -> str:
    return format_vn_date(value) if value else "—"


def _moment(value: datetime) -> str:
    return to_vietnam(value).strftime("%H:%M %d/%m/%Y")


def _phone(value: str | None) -> str:
    return Phone(value).display() if value else "—"


def render_text(held: HeldData, exported_at: datetime, exported_by: str | None) -> str:
    """The file's text (Vietnamese, as the resident reads it)."""
    lines = [
        f"DỮ LIỆU TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG ĐANG LƯU VỀ: {held.subject.upper()}",
        f"{held.village} — {held.commune}",
        f"Xuất lúc {_moment(exported_at)} (giờ Việt Nam)"
        + (f", người xuất: {exported_by}" if exported_by else ""),
        "Đây là toàn bộ thông tin máy tính của tổ lưu về "
        + ("hộ gia đình này." if held.whole_household else "người này."),
        "",
        "1. HỘ GIA ĐÌNH",
        f"   Chủ hộ: {held.head_name}",
        f"   Thôn: {held.village}",
        f"   Địa chỉ: {held.address_detail or '—'}",
        f"   Số điện thoại: {_phone(held.phone)}",
        f"   Ghi chú: {held.notes or '—'}",
    ]
    if held.erased_at is not None:
        lines.append(f"   Đã xóa dữ liệu theo yêu cầu lúc {_moment(held.erased_at)}")
    lines += ["", "2. NHÂN KHẨU" if held.whole_household else "2. NGƯỜI DÂN"]
    if not held.people:
        lines.append("   (không có)")
    for person in held.people:
        lines.append(
            f"   - {person.full_name}, năm sinh {person.birth_year or '—'}, "
            f"số điện thoại {_phone(person.phone)}"
        )
        if person.consent_date is not None:
            by = (
                f", ghi nhận bởi {person.consent_recorded_by}" if person.consent_recorded_by else ""
            )
            lines.append(f"     Đồng ý cho lưu thông tin: ngày {_day(person.consent_date)}{by}")
        if person.withdrawn_date is not None:
            by = f", ghi nhận bởi {person.withdrawn_by}" if person.withdrawn_by else ""
            lines.append(f"     Rút lại đồng ý: ngày {_day(person.withdrawn_date)}{by}")
        if person.consent_date is None and person.withdrawn_date is None:
            lines.append("     Chưa ghi nhận đồng ý cho lưu thông tin")
        if person.erased_at is not None:
            lines.append(f"     Đã xóa dữ liệu theo yêu cầu lúc {_moment(person.erased_at)}")
    lines += ["", f"3. CÁC LƯỢT HỖ TRỢ ({len(held.sessions)})"]
    if not held.sessions:
        lines.append("   (không có)")
    for index, item in enumerate(held.sessions, start=1):
        outcome = _OUTCOMES.get(item.outcome, item.outcome)
        if item.follow_up_date is not None:
            outcome += f" (hẹn ngày {_day(item.follow_up_date)})"
        if item.failure_reason:
            outcome += f" — lý do: {item.failure_reason}"
        lines.append(f"   {index}. {_moment(item.occurred_at)} — {item.service}: {outcome}")
        details = [f"người hỗ trợ: {item.helped_by}"]
        if item.person:
            details.insert(0, f"người được hỗ trợ: {item.person}")
        if item.note:
            details.append(f"ghi chú: {item.note}")
        if item.voided:
            details.append("lượt này đã được hủy (nhập nhầm)")
        lines.append("      " + "; ".join(details))
    lines += _listing_lines(held.listings)
    lines += [
        "",
        "Tổ không lưu số căn cước (chỉ 4 số cuối nếu danh sách của xã có ghi), ảnh giấy tờ "
        "hay mật khẩu VNeID / Cổng Dịch vụ công.",
        "Muốn sửa, rút lại đồng ý hoặc xóa dữ liệu, hãy báo tổ trưởng.",
    ]
    return "\n".join(lines) + "\n"


def _listing_lines(listings: tuple[HeldListing, ...]) -> list[str]:
    lines = ["", f"4. CÓ TÊN TRONG DANH SÁCH CHIẾN DỊCH CỦA XÃ ({len(listings)})"]
    if not listings:
        lines.append("   (không có)")
    for item in listings:
        if item.erased_at is not None:
            lines.append(f"   - {item.campaign}: đã xóa dữ liệu lúc {_moment(item.erased_at)}")
            continue
        digits = f", 4 số cuối căn cước {item.id_last_digits}" if item.id_last_digits else ""
        lines.append(
            f"   - {item.campaign}: danh sách ghi «{item.written_name}», năm sinh "
            f"{item.birth_year or '—'}, số điện thoại {_phone(item.phone)}{digits}"
        )
    return lines


def export_held_data(
    store: Store,
    path: Path,
    *,
    household_id: str | None = None,
    member_id: str | None = None,
    by: str | None = None,
) -> HeldData:
    """Write what is held about a household or a person to ``path`` (UTF-8 text) and
    record the export."""
    if path.suffix.lower() != ".txt":
        raise ValidationError("path", "Tệp xuất phải có đuôi .txt.", "The file must end in .txt.")
    held = held_data(store, household_id=household_id, member_id=member_id)
    with store.reading() as session:
        by_name = team_member_name(session, by)
    text = render_text(held, store.now(), by_name)
    # With a byte-order mark: Notepad on older Windows then reads it as UTF-8 too.
    write_whole_file(
        path, lambda temporary: temporary.write_text(text, encoding="utf-8-sig", newline="\r\n")
    )
    note_export(store, "person", len(held.people) + len(held.sessions), path, by)
    return held
