"""A leader's writes made on the server itself (the console's villages and team page):
villages added and renamed, team members added, deactivated, made leader or not.

They go through :func:`push.push` exactly as a leader laptop's changes do: the same
shape check (``wire``), the same rules (``entity_rules`` via ``push_rules``), the same
versions, field stamps and audit log, and the same feed, so every laptop of the commune
takes them at its next download.  What the laptop's own screens check before writing
(``ops.validate``: a name is given, a person's name holds only a name's characters; no
two live villages of one name) is checked here too, on the server's rows.

The author is :data:`CONSOLE_AUTHOR`, a device id no laptop can have (laptops' ids are
UUIDs): it appears as the writer in the rows' field stamps and in the server's audit
log (``audit_log.device_id``), no token exists for it, and the officer who acted is in
the console's own audit log with the row's id.  An update is sent against the row's
current version, so it never conflicts with itself; a laptop that edited the same field
offline meets it as it would meet another leader's edit (a conflict for the leader).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from villagehelper.errors import NotFoundError, ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.server.accounts import DeviceRole, DeviceScope
from villagehelper.server.batch import IncomingChange
from villagehelper.server.database import ServerDB
from villagehelper.server.push import push
from villagehelper.server.tables import Record
from villagehelper.store.changelog import Op
from villagehelper.store.kinds import Role, VillageKind
from villagehelper.text import search_key

CONSOLE_AUTHOR = "console"


@dataclass(frozen=True)
class VillageRow:
    village_id: str
    name: str
    kind: str
    active: bool


@dataclass(frozen=True)
class MemberRow:
    member_id: str
    full_name: str
    role: str
    village_id: str | None
    active: bool

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER


@dataclass(frozen=True)
class Team:
    villages: list[VillageRow]
    members: list[MemberRow]


def _live_rows(db: ServerDB, commune_code: str, entity: str) -> list[tuple[str, dict[str, Any]]]:
    with db.reading() as session:
        rows = session.execute(
            select(Record.row_id, Record.fields).where(
                Record.entity == entity,
                Record.commune_code == commune_code,
                Record.deleted.is_(False),
            )
        ).all()
    return [(row_id, json.loads(fields)) for row_id, fields in rows]


def commune_team(db: ServerDB, commune_code: str) -> Team:
    """The commune's villages and team members as the server holds them (what the
    laptops download), villages by name, members active first then by name."""
    villages = [
        VillageRow(row_id, f["name"], f.get("kind", VillageKind.THON), bool(f.get("active", True)))
        for row_id, f in _live_rows(db, commune_code, "village")
    ]
    members = [
        MemberRow(
            row_id,
            f["full_name"],
            f.get("role", Role.MEMBER),
            f.get("village_id"),
            bool(f.get("active", True)),
        )
        for row_id, f in _live_rows(db, commune_code, "team_member")
    ]
    villages.sort(key=lambda v: search_key(v.name))
    members.sort(key=lambda m: (not m.active, search_key(m.full_name)))
    return Team(villages, members)


def _as_leader(db: ServerDB, commune_code: str, change: IncomingChange) -> None:
    scope = DeviceScope(CONSOLE_AUTHOR, commune_code, DeviceRole.LEADER)
    push(db, scope, [change])  # refused: PushRefusedError, a UserError saying why


def _version_of(db: ServerDB, commune_code: str, entity: str, row_id: str) -> int:
    with db.reading() as session:
        found = session.execute(
            select(Record.version).where(
                Record.entity == entity,
                Record.row_id == row_id,
                Record.commune_code == commune_code,
                Record.deleted.is_(False),
            )
        ).scalar_one_or_none()
    if found is None:
        raise NotFoundError("Không tìm thấy dòng này trong xã.", "No such row in this commune.")
    return found


def update_row(
    db: ServerDB, commune_code: str, entity: str, row_id: str, fields: dict[str, Any]
) -> None:
    """``fields`` of the commune's live row ``row_id`` changed, as its leader would."""
    base = _version_of(db, commune_code, entity, row_id)
    _as_leader(db, commune_code, IncomingChange(new_id(), entity, row_id, Op.UPDATE, base, fields))


def insert_row(
    db: ServerDB, commune_code: str, entity: str, row_id: str, whole: dict[str, Any]
) -> None:
    """A new row of the commune with every field ``whole`` gives (as the wire has them)."""
    _as_leader(db, commune_code, IncomingChange(new_id(), entity, row_id, Op.INSERT, None, whole))


def _insert(db: ServerDB, commune_code: str, entity: str, fields: dict[str, Any]) -> str:
    """A new live row of the commune; its id."""
    row_id = new_id()
    insert_row(
        db, commune_code, entity, row_id, {"commune_code": commune_code, **fields, "active": True}
    )
    return row_id


def _village_name(db: ServerDB, commune_code: str, name: str, renamed: str | None = None) -> str:
    clean = validate.required_text("name", "tên thôn", name)
    key = search_key(clean)
    for village in commune_team(db, commune_code).villages:
        if village.village_id != renamed and search_key(village.name) == key:
            raise ValidationError(
                "name",
                f"Đã có «{village.name}» trong danh sách thôn. Hãy chọn tên khác.",
                f"A village named «{village.name}» exists already. Choose another name.",
            )
    return clean


def add_village(db: ServerDB, commune_code: str, name: str, kind: str) -> str:
    """A new village; its id."""
    clean = _village_name(db, commune_code, name)
    if kind not in set(VillageKind):
        raise ValidationError(
            "kind", "Loại phải là thôn hoặc tổ dân phố.", "The kind is a village or a street group."
        )
    return _insert(db, commune_code, "village", {"name": clean, "kind": kind})


def rename_village(db: ServerDB, commune_code: str, village_id: str, name: str) -> None:
    clean = _village_name(db, commune_code, name, renamed=village_id)
    update_row(db, commune_code, "village", village_id, {"name": clean})


def add_member(
    db: ServerDB, commune_code: str, full_name: str, role: str, village_id: str | None
) -> str:
    """A new team member; their id."""
    clean = validate.person_name("full_name", "họ tên thành viên", full_name)
    if role not in set(Role):
        raise ValidationError(
            "role", "Vai trò phải là thành viên hoặc tổ trưởng.", "The role is member or leader."
        )
    if village_id is not None:
        _version_of(db, commune_code, "village", village_id)  # this commune's, live
    fields = {"village_id": village_id, "full_name": clean, "role": role}
    return _insert(db, commune_code, "team_member", fields)


def set_member_active(db: ServerDB, commune_code: str, member_id: str, active: bool) -> None:
    """Deactivated: kept (their past work names them), no longer offered on the laptops."""
    update_row(db, commune_code, "team_member", member_id, {"active": active})


def set_member_role(db: ServerDB, commune_code: str, member_id: str, role: str) -> None:
    if role not in set(Role):
        raise ValidationError(
            "role", "Vai trò phải là thành viên hoặc tổ trưởng.", "The role is member or leader."
        )
    update_row(db, commune_code, "team_member", member_id, {"role": role})
