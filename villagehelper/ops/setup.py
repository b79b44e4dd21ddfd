"""First-run setup of a laptop: commune, villages and team written as one unit.

The wizard collects everything before writing anything, then :func:`set_up_team`
writes it in a single transaction: a refused name or a power cut half-way leaves an
empty store that the wizard can simply be run on again, never a commune without a team.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from villagehelper.errors import ValidationError
from villagehelper.geography import OfficialCommune, all_communes, find_communes
from villagehelper.ops.team import (
    TeamMemberInfo,
    VillageInfo,
    bind_commune,
    insert_team_member,
    insert_village,
)
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.store.kinds import Role, VillageKind
from villagehelper.text import clean_text, collation_key, search_key

# Search-key starts of names that are urban residential groups rather than rural thôn.
_URBAN_PREFIXES = ("to dan pho ", "tdp ", "khu pho ")


@dataclass(frozen=True)
class OfficialProvince:
    code: str  # 2 digits
    name: str


@dataclass(frozen=True)
class TeamMemberSetup:
    """A team member typed into the wizard, not yet saved."""

    full_name: str
    is_leader: bool = False


@dataclass(frozen=True)
class TeamSetUp:
    commune_code: str
    commune_name: str
    villages: tuple[VillageInfo, ...]
    members: tuple[TeamMemberInfo, ...]  # in the order they were given
    changes: Changes = field(compare=False)


@cache
def official_provinces() -> tuple[OfficialProvince, ...]:
    """The 34 provinces and centrally-run cities, in Vietnamese alphabetical order."""
    names = {commune.province_code: commune.province_name for commune in all_communes()}
    provinces = [OfficialProvince(code, name) for code, name in names.items()]
    return tuple(sorted(provinces, key=lambda province: collation_key(_bare(province.name))))


def _bare(province_name: str) -> str:
    # "Thành phố Hải Phòng" sorts under H, next to the provinces, as people look for it.
    return province_name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


def communes_matching(query: str, province_code: str | None = None) -> list[OfficialCommune]:
    """Communes for the wizard's list: what :func:`find_communes` finds, best first,
    optionally within one province; with nothing typed, a province's communes in
    alphabetical order (or every commune when no province is chosen)."""
    if search_key(query):
        hits = find_communes(query, limit=len(all_communes()))
    else:
        hits = list(_alphabetical_communes())
    if province_code is not None:
        hits = [commune for commune in hits if commune.province_code == province_code]
    return hits


@cache
def _alphabetical_communes() -> tuple[OfficialCommune, ...]:
    # Sorting 3,321 collation keys takes tens of milliseconds: once is enough.
    return tuple(sorted(all_communes(), key=lambda commune: collation_key(commune.name)))


def village_kind_for(name: str) -> str:
    """Tổ dân phố when the name says so, otherwise thôn (the wizard does not ask)."""
    key = search_key(name) + " "
    return VillageKind.TO_DAN_PHO if key.startswith(_URBAN_PREFIXES) else VillageKind.THON


def check_team(villages: Sequence[str], members: Sequence[TeamMemberSetup]) -> None:
    """The rules a team must meet before anything is written (also the wizard's checks)."""
    if not any(clean_text(name) for name in villages):
        raise ValidationError(
            "villages",
            "Cần ít nhất một thôn hoặc tổ dân phố.",
            "Add at least one village.",
        )
    _refuse_repeats("villages", villages, "«%s» có hai lần trong danh sách thôn.")
    if not members:
        raise ValidationError(
            "members", "Cần ít nhất một thành viên tổ.", "Add at least one team member."
        )
    _refuse_repeats(
        "members",
        [member.full_name for member in members],
        "«%s» có hai lần trong danh sách thành viên tổ.",
    )
    if not any(member.is_leader for member in members):
        raise ValidationError(
            "members",
            "Cần ít nhất một tổ trưởng: đánh dấu «Tổ trưởng» cho một thành viên.",
            "Mark at least one member as the team leader.",
        )


def _refuse_repeats(field_name: str, names: Sequence[str], message_vi: str) -> None:
    seen: set[str] = set()
    for name in names:
        key = search_key(name)
        if key and key in seen:
            raise ValidationError(
                field_name, message_vi % clean_text(name), f"{clean_text(name)} is listed twice."
            )
        seen.add(key)


def set_up_team(
    store: Store,
    commune_code: str,
    villages: Sequence[str],
    members: Sequence[TeamMemberSetup],
) -> TeamSetUp:
    """Bind the laptop to ``commune_code`` and create its villages and team members.

    All or nothing: one transaction.  The commune may already be bound (to the same
    code); a village that already exists is refused like in :func:`add_village`.
    """
    check_team(villages, members)
    changes = Changes()
    with store.transaction() as session:
        commune = bind_commune(session, commune_code)
        village_infos = tuple(
            insert_village(session, commune.code, name, village_kind_for(name), changes)
            for name in villages
        )
        member_infos = tuple(
            insert_team_member(
                session,
                commune.code,
                member.full_name,
                role=Role.LEADER if member.is_leader else Role.MEMBER,
                village_id=None,  # the wizard does not tie members to a village
                changes=changes,
            )
            for member in members
        )
        code, name = commune.code, commune.name
    return TeamSetUp(code, name, village_infos, member_infos, changes)
