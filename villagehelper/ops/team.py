"""The laptop's commune, its villages, the team and the service catalog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.errors import NotFoundError, UserError, ValidationError
from villagehelper.geography import commune_by_code
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.store.changelog import Changes, record_insert
from villagehelper.store.engine import Store
from villagehelper.store.kinds import Role, VillageKind
from villagehelper.store.models import Commune, Service, TeamMember, Village
from villagehelper.text import search_key


@dataclass(frozen=True)
class VillageInfo:
    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class TeamMemberInfo:
    id: str
    full_name: str
    role: str
    village_id: str | None

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER


@dataclass(frozen=True)
class ServiceInfo:
    code: str
    label_vi: str
    label_en: str
    basic_skill: bool

    def label(self, language: str = "vi") -> str:
        return self.label_en if language == "en" else self.label_vi


def set_commune(store: Store, code: str) -> Commune:
    """Bind this laptop to an official commune (once; changing it needs a new data dir)."""
    with store.transaction() as session:
        return bind_commune(session, code)


def bind_commune(session: Session, code: str) -> Commune:
    """:func:`set_commune` inside the caller's transaction (the first-run setup)."""
    official = commune_by_code(code)
    if official is None:
        raise ValidationError(
            "commune_code",
            f"Không có xã/phường mã {code} trong danh mục 2025. Kiểm tra lại mã 5 chữ số.",
            f"No commune with code {code} in the 2025 list.",
        )
    existing = session.scalars(select(Commune)).first()
    if existing is not None:
        if existing.code != official.code:
            raise UserError(
                f"Máy này đã gắn với {existing.name} (mã {existing.code}). Dữ liệu của "
                "xã khác cần một thư mục dữ liệu riêng (--data-dir).",
                f"This laptop already belongs to {existing.name} ({existing.code}).",
            )
        return existing
    commune = Commune(
        code=official.code,
        name=official.name,
        province_code=official.province_code,
        province_name=official.province_name,
    )
    session.add(commune)
    return commune


def require_commune(store: Store) -> Commune:
    commune = store.commune()
    if commune is None:
        raise UserError(
            "Chưa chọn xã/phường cho máy này. Hãy chạy trình thiết lập ban đầu "
            "hoặc «villagehelper demo» để dùng thử.",
            "No commune set up yet: run the first-run wizard or 'villagehelper demo'.",
        )
    return commune


def add_village(
    store: Store, name: str, kind: str = VillageKind.THON, changes: Changes | None = None
) -> VillageInfo:
    changes = changes if changes is not None else Changes()
    commune = require_commune(store)
    with store.transaction() as session:
        return insert_village(session, commune.code, name, kind, changes)


def insert_village(
    session: Session, commune_code: str, name: str, kind: str, changes: Changes
) -> VillageInfo:
    """:func:`add_village` inside the caller's transaction."""
    clean_name = validate.required_text("name", "tên thôn", name)
    if kind not in set(VillageKind):
        raise ValidationError("kind", f"Loại «{kind}» không hợp lệ: thôn hoặc tổ dân phố.")
    key = search_key(clean_name)
    duplicate = session.scalars(
        select(Village).where(Village.name_key == key, Village.deleted.is_(False))
    ).first()
    if duplicate is not None:
        raise ValidationError(
            "name", f"Đã có «{duplicate.name}» trong danh sách thôn.", "Village exists."
        )
    village = Village(id=new_id(), commune_code=commune_code, name=clean_name, kind=kind)
    village.refresh_derived()
    record_insert(session, village, changes)
    return VillageInfo(village.id, village.name, village.kind)


def add_team_member(
    store: Store,
    full_name: str,
    role: str = Role.MEMBER,
    village_id: str | None = None,
    changes: Changes | None = None,
) -> TeamMemberInfo:
    changes = changes if changes is not None else Changes()
    commune = require_commune(store)
    with store.transaction() as session:
        return insert_team_member(
            session, commune.code, full_name, role=role, village_id=village_id, changes=changes
        )


def insert_team_member(
    session: Session,
    commune_code: str,
    full_name: str,
    *,
    role: str,
    village_id: str | None,
    changes: Changes,
) -> TeamMemberInfo:
    """:func:`add_team_member` inside the caller's transaction."""
    clean_name = validate.person_name("full_name", "họ tên thành viên", full_name)
    if role not in set(Role):
        raise ValidationError("role", "Vai trò phải là thành viên hoặc tổ trưởng.")
    if village_id is not None and session.get(Village, village_id) is None:
        raise NotFoundError("Không tìm thấy thôn đã chọn.", "Village not found.")
    member = TeamMember(
        id=new_id(),
        commune_code=commune_code,
        village_id=village_id,
        full_name=clean_name,
        role=role,
    )
    record_insert(session, member, changes)
    return TeamMemberInfo(member.id, member.full_name, member.role, member.village_id)


def list_villages(store: Store) -> list[VillageInfo]:
    with store.reading() as session:
        rows = session.scalars(
            select(Village).where(Village.deleted.is_(False), Village.active.is_(True))
        ).all()
        rows = sorted(rows, key=lambda v: v.name_key)
        return [VillageInfo(v.id, v.name, v.kind) for v in rows]


def list_team_members(store: Store) -> list[TeamMemberInfo]:
    with store.reading() as session:
        rows = session.scalars(
            select(TeamMember).where(TeamMember.deleted.is_(False), TeamMember.active.is_(True))
        ).all()
        return [TeamMemberInfo(m.id, m.full_name, m.role, m.village_id) for m in rows]


def list_services(store: Store, include_inactive: bool = False) -> list[ServiceInfo]:
    with store.reading() as session:
        query = select(Service).where(Service.deleted.is_(False)).order_by(Service.sort_order)
        if not include_inactive:
            query = query.where(Service.active.is_(True))
        return [
            ServiceInfo(s.code, s.label_vi, s.label_en, s.basic_skill)
            for s in session.scalars(query)
        ]
