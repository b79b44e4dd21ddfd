"""Writing campaigns and their target lists: create and close a campaign, store the
rows of a matched list, and settle the rows a person reviews.

Each function works in the caller's transaction (``store.transaction()``), writing its
rows and their outbox entries together (store/changelog.py), so a list is stored whole
or not at all.  Campaigns and their lists are a leader's rows (exchange/wire.py): a
volunteer's laptop is refused here, before the server would refuse the upload and hold
up everything after it in the outbox.

The matcher's results (``campaigns.matching``) are read through the small protocols of
``match_shapes``, so this module needs nothing of the matcher but the shape of what it
returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from villagehelper.campaigns.match_shapes import TargetMatchLike, TargetRowLike
from villagehelper.campaigns.village_names import VillageNames
from villagehelper.clock import vietnam_today
from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.ops.households import insert_household, insert_member, live_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store import sync_state
from villagehelper.store.changelog import Changes, record_insert, record_update
from villagehelper.store.kinds import Role, TargetState
from villagehelper.store.models import (
    Campaign,
    CampaignTarget,
    Commune,
    Member,
    Service,
    TeamMember,
    Village,
)

ID_DIGITS_KEPT = 4  # the most of a citizen ID number a list row may keep
CONSOLE = "console"  # created_by of a campaign the commune made on its server


@dataclass(frozen=True)
class ImportSummary:
    """What storing a matched list did: how many rows of each kind, and their ids."""

    campaign_id: str
    linked: int
    doubtful: int
    unmatched: int
    target_ids: tuple[str, ...]
    changes: Changes = field(compare=False, repr=False)


@dataclass(frozen=True)
class Written:
    """The row an operation wrote (a campaign, a target, a person) and what changed."""

    row_id: str
    changes: Changes = field(compare=False, repr=False)


# --- who may write --------------------------------------------------------------------


def require_leader_laptop(session: Session) -> None:
    """A volunteer's laptop would send rows the server refuses (a leader's rows)."""
    if sync_state.volunteer_laptop(session):
        raise UserError(
            "Chỉ máy của tổ trưởng (đăng ký bằng mã tổ trưởng) được tạo và sửa chiến dịch.",
            "Only a leader's laptop may create or edit campaigns.",
        )


def _require_leader(session: Session, team_member_id: str) -> None:
    require_leader_laptop(session)
    found = session.get(TeamMember, team_member_id)
    if found is None or found.deleted or not found.active or found.role != Role.LEADER:
        raise UserError(
            "Chỉ tổ trưởng được tạo hoặc đóng chiến dịch.",
            "Only a team leader may create or close a campaign.",
        )


def _now(session: Session) -> datetime:
    moment: datetime = session.info["clock"]()
    return moment


# --- campaigns ------------------------------------------------------------------------


def clean_service_codes(session: Session, codes: Sequence[str]) -> str:
    """The catalog codes a campaign counts, checked and joined by ","."""
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    if not wanted:
        raise ValidationError(
            "service_codes",
            "Chưa chọn loại hỗ trợ nào cho chiến dịch: hãy chọn ít nhất một.",
            "The campaign has no service: choose at least one.",
        )
    for code in wanted:
        service = session.get(Service, code)
        if service is None or service.deleted:
            raise ValidationError(
                "service_codes",
                f"Không có loại hỗ trợ mã «{code}» trong danh mục.",
                f"There is no service {code!r} in the catalog.",
            )
        if not service.active:  # the forms offer only active ones; a typed code may not
            raise ValidationError(
                "service_codes",
                f"Loại hỗ trợ «{service.label_vi}» đã ngừng dùng trong danh mục: hãy chọn "
                "loại khác.",
                f"The service {service.label_en!r} is no longer in use: choose another.",
            )
    return ",".join(wanted)


def checked_campaign(
    session: Session,
    commune_code: str,
    created_by: str,
    now: datetime,
    *,
    name: str,
    service_codes: Sequence[str],
    deadline: date,
) -> Campaign:
    """A new campaign of ``commune_code`` by ``created_by`` at ``now``, checked as every
    side checks one (a name, services of the catalog still in use, a deadline from today
    in Vietnam), not stored yet.

    The laptop (:func:`create_campaign`) and the commune's console
    (``server/campaign_writes.py``, on its replica of the commune) both build their
    campaign here, so the two write the same fields and refuse the same input."""
    if deadline < vietnam_today(now):
        raise ValidationError(
            "deadline",
            f"Hạn hoàn thành {deadline:%d/%m/%Y} đã qua: hãy chọn một ngày từ hôm nay trở đi.",
            f"The deadline {deadline.isoformat()} is in the past: choose today or later.",
        )
    return Campaign(
        id=new_id(),
        commune_code=commune_code,
        name=validate.required_text("name", "tên chiến dịch", name, 200),
        service_codes=clean_service_codes(session, service_codes),
        deadline=deadline,
        created_by=created_by,
        created_at=now,
        closed=False,
    )


def create_campaign(
    session: Session,
    *,
    name: str,
    service_codes: Sequence[str],
    deadline: date,
    created_by: str,
) -> Written:
    """A new campaign of this laptop's commune, by leader ``created_by``."""
    _require_leader(session, created_by)
    commune = session.scalars(select(Commune)).first()
    if commune is None:
        raise UserError("Máy chưa chọn xã.", "This laptop has no commune yet.")
    campaign = checked_campaign(
        session,
        commune.code,
        created_by,
        _now(session),
        name=name,
        service_codes=service_codes,
        deadline=deadline,
    )
    changes = Changes()
    record_insert(session, campaign, changes)
    return Written(campaign.id, changes)


def open_on(day: date) -> ColumnElement[bool]:
    """A campaign still open on ``day`` (a Vietnam date): not closed, deadline not past."""
    return and_(Campaign.deleted.is_(False), Campaign.closed.is_(False), Campaign.deadline >= day)


def live_campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.deleted:
        raise NotFoundError("Không tìm thấy chiến dịch này.", "Campaign not found.")
    return campaign


def close_campaign(session: Session, campaign_id: str, closed_by: str) -> Written:
    """Close a campaign: it stays with its counts, and the visit screen stops naming it."""
    _require_leader(session, closed_by)
    campaign = live_campaign(session, campaign_id)
    changes = Changes()
    record_update(session, campaign, {"closed": True}, changes)
    return Written(campaign.id, changes)


def _open_campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = live_campaign(session, campaign_id)
    if campaign.closed:
        raise UserError(
            f"Chiến dịch «{campaign.name}» đã đóng: không sửa danh sách được nữa.",
            f"The campaign {campaign.name!r} is closed: its list can no longer change.",
        )
    return campaign


# --- storing a matched list -----------------------------------------------------------


def _row_problem(line: int, column_vi: str, column_en: str, error: UserError) -> UserError:
    return UserError(
        f"Dòng {line}, cột «{column_vi}»: {error.message_vi}",
        f"Row {line}, column {column_en!r}: {error.message_en}",
    )


def last_digits(raw: str | None) -> str | None:
    """At most the last 4 digits of an ID number: a longer one is never kept whole."""
    digits = "".join(ch for ch in (raw or "") if ch.isdigit())
    return digits[-ID_DIGITS_KEPT:] or None


def _row_values(row: TargetRowLike, today: date) -> dict[str, object]:
    """The personal fields of a list row, checked; an error names its row and column."""
    try:
        full_name = validate.person_name("full_name", "họ tên", row.full_name)
    except UserError as exc:
        raise _row_problem(row.line, "Họ tên", "name", exc) from exc
    try:
        birth_year = validate.birth_year("birth_year", row.birth_year, today)
    except UserError as exc:
        raise _row_problem(row.line, "Năm sinh", "birth year", exc) from exc
    try:
        phone = validate.phone("phone", row.phone)
    except UserError as exc:
        raise _row_problem(row.line, "Số điện thoại", "phone", exc) from exc
    return {
        "full_name": full_name,
        "birth_year": birth_year,
        "phone": phone,
        "id_last_digits": last_digits(row.id_last_digits),
    }


def _linked_members(session: Session, campaign_id: str) -> set[str]:
    linked = session.scalars(
        select(CampaignTarget.member_id).where(
            CampaignTarget.campaign_id == campaign_id,
            CampaignTarget.member_id.is_not(None),
            CampaignTarget.deleted.is_(False),
        )
    )
    return {member_id for member_id in linked if member_id is not None}


def add_targets(
    session: Session,
    campaign_id: str,
    matches: Sequence[TargetMatchLike],
    villages: Mapping[str, str],
) -> ImportSummary:
    """Store a matched list: a LINKED row linked to its person, a DOUBTFUL one with no
    link until a person confirms one, an UNMATCHED one left for review.

    ``villages``: the commune's villages, id → name (as ``matching.match_targets`` takes
    them); a row's village is found however the list writes it (``village_names``).  A
    row naming a
    person the campaign already links (the list named them twice) waits as doubtful.
    """
    require_leader_laptop(session)
    _open_campaign(session, campaign_id)
    today = vietnam_today(_now(session))
    already = _linked_members(session, campaign_id)
    changes = Changes()
    counts = {TargetState.LINKED: 0, TargetState.DOUBTFUL: 0, TargetState.UNMATCHED: 0}
    ids: list[str] = []
    names = VillageNames(villages)
    for match in matches:
        values = _row_values(match.row, today)
        state = TargetState(str(match.kind))
        village_id = names.find(match.row.village_name)
        member_id = household_id = None
        if state == TargetState.LINKED:
            person = match.candidates[0].person
            if person.member_id in already:
                state = TargetState.DOUBTFUL
            else:
                member_id, household_id = person.member_id, person.household_id
                village_id = person.village_id
                already.add(person.member_id)
        target = CampaignTarget(
            id=new_id(),
            campaign_id=campaign_id,
            village_id=village_id,
            member_id=member_id,
            household_id=household_id,
            match_state=state,
            **values,
        )
        record_insert(session, target, changes)
        counts[state] += 1
        ids.append(target.id)
    return ImportSummary(
        campaign_id,
        counts[TargetState.LINKED],
        counts[TargetState.DOUBTFUL],
        counts[TargetState.UNMATCHED],
        tuple(ids),
        changes,
    )


# --- reviewing rows -------------------------------------------------------------------


def _reviewable(session: Session, target_id: str) -> CampaignTarget:
    require_leader_laptop(session)
    target = session.get(CampaignTarget, target_id)
    if target is None or target.deleted:
        raise NotFoundError("Không tìm thấy dòng này của danh sách.", "List row not found.")
    _open_campaign(session, target.campaign_id)
    if target.erased_at is not None:
        raise UserError(
            "Dòng này đã được xóa theo yêu cầu của người dân; không sửa được.",
            "This row was erased at the resident's request and cannot be edited.",
        )
    return target


def _link(session: Session, target: CampaignTarget, member: Member, state: str) -> Changes:
    if member.id in _linked_members(session, target.campaign_id) - {target.member_id}:
        raise UserError(
            "Người này đã có trong danh sách của chiến dịch (một dòng khác).",
            "This person is already on the campaign's list (another row).",
        )
    household = live_household(session, member.household_id)
    changes = Changes()
    link = {
        "member_id": member.id,
        "household_id": household.id,
        "village_id": household.village_id,
        "match_state": state,
    }
    record_update(session, target, link, changes)
    return changes


def confirm_target(session: Session, target_id: str, member_id: str) -> Written:
    """A person confirmed that a doubtful row is ``member_id``: linked from now on."""
    target = _reviewable(session, target_id)
    member = session.get(Member, member_id)
    if member is None or member.deleted or member.erased_at is not None:
        raise NotFoundError("Không tìm thấy nhân khẩu này.", "Member not found.")
    return Written(target.id, _link(session, target, member, TargetState.LINKED))


def add_as_new_person(
    session: Session,
    target_id: str,
    *,
    household_id: str | None = None,
    village_id: str | None = None,
) -> Written:
    """Add an unmatched row's person to the logbook and link the row to them: a new
    member of ``household_id``, or else the head of a new household of ``village_id``
    (by default the row's village).  Consent is not recorded: a commune's list is not
    the resident's agreement; the team asks them at the first visit."""
    target = _reviewable(session, target_id)
    today = vietnam_today(_now(session))
    person = MemberInput(target.full_name, target.birth_year, target.phone)
    changes = Changes()
    if household_id is not None:
        household = live_household(session, household_id)
        if household.erased_at is not None:
            raise UserError("Hộ này đã được xóa.", "This household was erased.")
        member_id = insert_member(session, household.id, person, changes, today=today)
    else:
        chosen = village_id or target.village_id
        village = session.get(Village, chosen) if chosen else None
        if village is None or village.deleted:
            raise ValidationError(
                "village_id",
                "Chưa rõ người này ở thôn nào: hãy chọn thôn (hoặc một hộ) rồi thêm lại.",
                "The person's village is unknown: choose a village (or a household).",
            )
        household_input = HouseholdInput(village.id, target.full_name, phone=target.phone)
        new_household = insert_household(session, household_input, [person], changes, today=today)
        member_id = session.scalars(
            select(Member.id).where(Member.household_id == new_household)
        ).one()
    member = session.get(Member, member_id)
    assert member is not None
    session.flush()
    changes.merge(_link(session, target, member, TargetState.ADDED))
    return Written(member_id, changes)


def leave_unmatched(session: Session, target_id: str) -> Written:
    """Leave a row for review with nobody linked (a doubtful one whose candidates were
    all wrong, or a wrong link undone)."""
    target = _reviewable(session, target_id)
    changes = Changes()
    unlink = {"member_id": None, "household_id": None, "match_state": TargetState.UNMATCHED}
    record_update(session, target, unlink, changes)
    return Written(target.id, changes)
