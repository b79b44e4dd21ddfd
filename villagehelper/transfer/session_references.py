"""What the rows of a sessions file refer to: households, members, services, volunteers.

Each is found by id or, in a commune's list without ids, by name (``name_match``): a
household by its head's name (and village, when two heads share a name), a member by
name within the household, a service by code or either label, a volunteer by name.  A
volunteer the laptop does not know yet is created with the first valid row naming them.
Everything is looked up in memory: the catalogue once per file, the records a batch
names once per batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.store.models import Household, Member, Service, TeamMember, Village
from villagehelper.text import search_key
from villagehelper.transfer.cells import parse_id
from villagehelper.transfer.columns import Layout
from villagehelper.transfer.common import load_by_ids
from villagehelper.transfer.household_groups import key_digest
from villagehelper.transfer.name_match import ids_by_name, members_of_households, named
from villagehelper.transfer.tabular import RawRow


class SessionReferences:
    def __init__(self, session: Session, layout: Layout) -> None:
        self._session = session
        self._layout = layout
        self._new_volunteers: dict[str, str] = {}
        self._households: dict[str, Household] = {}
        self._members: dict[str, Member] = {}
        self._members_of: dict[str, list[Member]] = {}

    @property
    def new_volunteers(self) -> dict[str, str]:
        """Volunteers the file names whom the laptop does not have: id → name."""
        return self._new_volunteers

    def load_catalogue(self, rows: Sequence[RawRow]) -> None:
        """What every row is checked against: services, the team, and — for rows that
        name a household by its head — every household's head and village."""
        session = self._session
        self._services = {s.code: s for s in session.scalars(select(Service))}
        self._service_names: dict[str, str] = {}
        for service in self._services.values():
            for name in (service.code, service.label_vi, service.label_en):
                self._service_names.setdefault(search_key(name), service.code)
        self._volunteers = {t.id: t for t in session.scalars(select(TeamMember))}
        self._volunteers_by_name = ids_by_name(
            (volunteer.id, volunteer.full_name)
            for volunteer in self._volunteers.values()
            if not volunteer.deleted
        )
        # Head's name (digest) → (village, household id); one key object per village.
        self._households_by_head: dict[bytes, list[tuple[str, str]]] = {}
        village_keys: dict[str, str] = {}
        if any(not self._layout.values(raw).get("household_id") for raw in rows):
            query = (
                select(Household.id, Household.head_name, Village.name)
                .join(Village, Village.id == Household.village_id)
                .where(Household.deleted.is_(False))
            )
            for household_id, head_name, village_name in session.execute(query):
                village_key = village_keys.setdefault(village_name, search_key(village_name))
                self._households_by_head.setdefault(
                    key_digest((search_key(head_name),)), []
                ).append((village_key, household_id))

    def load_batch(self, rows: list[dict[str, str]]) -> None:
        """The households and members a batch's rows name by id; the previous batch's
        are let go."""

        def ids(key: str) -> set[str]:
            return {row[key].lower() for row in rows if row.get(key)}

        self._households = load_by_ids(self._session, Household, ids("household_id"))
        self._members = load_by_ids(self._session, Member, ids("member_id"))
        self._members_of = {}

    def load_members_of(self, household_ids: Sequence[str]) -> None:
        """The members of these households, for rows that name a person without an id."""
        for member in members_of_households(self._session, household_ids):
            if not member.deleted:
                self._members_of.setdefault(member.household_id, []).append(member)

    def household(self, values: dict[str, str]) -> str:
        household_id = parse_id("household_id", values.get("household_id", ""), "mã hộ")
        if household_id is not None:
            household = self._households.get(household_id)
            seen = set()
            # A household merged away since the export: its sessions went to the survivor.
            while household is not None and household.merged_into and household.id not in seen:
                seen.add(household.id)
                household = self._session.get(Household, household.merged_into)
            if household is None or household.deleted:
                raise ValidationError(
                    "household_id",
                    "Hộ mã này chưa có trên máy. Hãy nhập danh sách hộ trước "
                    "(villagehelper import households), rồi nhập lại tệp lượt hỗ trợ.",
                )
            return household.id
        head = values.get("head_name", "")
        if not head:
            raise ValidationError("household_id", "Chưa ghi mã hộ hay tên chủ hộ.")
        village = search_key(values.get("village_name", ""))
        matches = [
            household_id
            for village_key, household_id in self._households_by_head.get(
                key_digest((search_key(head),)), []
            )
            if not village or village_key == village
        ]
        if not matches:
            raise ValidationError(
                "head_name",
                f"Không tìm thấy hộ có chủ hộ «{head}» trên máy. Hãy nhập danh sách hộ trước "
                "(villagehelper import households).",
            )
        if len(matches) > 1:
            raise ValidationError(
                "head_name",
                f"Có {len(matches)} hộ có chủ hộ «{head}»; hãy ghi «Mã hộ» hoặc «Thôn».",
            )
        return matches[0]

    def member(self, values: dict[str, str], household_id: str) -> str | None:
        member_id = parse_id("member_id", values.get("member_id", ""), "mã nhân khẩu")
        if member_id is not None:
            member = self._members.get(member_id)
            if member is None or member.deleted:
                raise ValidationError(
                    "member_id",
                    "Nhân khẩu mã này không có trên máy (chưa nhập hoặc đã xóa). Hãy nhập "
                    "danh sách hộ trước, hoặc xóa mã nhân khẩu ở dòng này.",
                )
            if member.household_id != household_id:
                raise ValidationError("member_id", "Người được hỗ trợ không thuộc hộ này.")
            return member_id
        name = values.get("member_name", "")
        if not name:
            return None
        matches = [member.id for member in named(self._members_of.get(household_id, []), name)]
        if len(matches) != 1:
            raise ValidationError(
                "member_name",
                f"Hộ này có {len(matches)} nhân khẩu tên «{name}»; cần đúng một. Hãy sửa tên "
                "hoặc ghi «Mã nhân khẩu».",
            )
        return matches[0]

    def service(self, values: dict[str, str]) -> str:
        key = "service_code" if values.get("service_code") else "service_label"
        text = values.get(key, "")
        if not text:
            raise ValidationError("service_code", "Chưa ghi loại hỗ trợ.")
        code = self._service_names.get(search_key(text))
        if code is None:
            raise ValidationError(key, f"Không có loại hỗ trợ «{text}» trong danh mục.")
        return code

    def volunteer(self, values: dict[str, str]) -> str:
        volunteer_id = parse_id("volunteer_id", values.get("volunteer_id", ""), "mã người hỗ trợ")
        name = values.get("volunteer_name", "")
        if volunteer_id is not None and (
            volunteer_id in self._volunteers or volunteer_id in self._new_volunteers
        ):
            return volunteer_id
        if not name:
            raise ValidationError(
                "volunteer_name",
                "Chưa ghi người hỗ trợ. Người hỗ trợ chưa có trên máy thì cần họ tên ở cột "
                f"«{self._layout.title('volunteer_name')}».",
            )
        clean_name = validate.required_text("volunteer_name", "họ tên người hỗ trợ", name)
        if volunteer_id is None:
            matches = self._volunteers_by_name.get(search_key(clean_name), [])
            if len(matches) > 1:
                raise ValidationError(
                    "volunteer_name",
                    f"Tổ có {len(matches)} thành viên tên «{clean_name}»; hãy ghi "
                    f"«{self._layout.title('volunteer_id')}».",
                )
            if matches:
                return matches[0]
            volunteer_id = new_id()
            self._volunteers_by_name[search_key(clean_name)] = [volunteer_id]
        self._new_volunteers[volunteer_id] = clean_name
        return volunteer_id

    def check_can_void(self, volunteer_id: str) -> None:
        # The void is recorded in that volunteer's name, and voiding needs an active one.
        volunteer = self._volunteers.get(volunteer_id)
        if volunteer is not None and (volunteer.deleted or not volunteer.active):
            raise ValidationError(
                "voided",
                f"Lượt đã hủy này thuộc «{volunteer.full_name}», người không còn trong tổ, "
                "nên không ghi được việc hủy. Hãy bật lại thành viên này rồi nhập lại.",
            )
