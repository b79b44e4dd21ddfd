"""Probable duplicate households, and merging one into another."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops.households import HouseholdHit, _hits, live_household
from villagehelper.ops.sessions import active_volunteer
from villagehelper.store import search_index
from villagehelper.store.changelog import Changes, record_insert
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Household, HouseholdMerge, Member
from villagehelper.store.remote import apply_household_merge
from villagehelper.text import canonical_phone, search_key


@dataclass(frozen=True)
class DuplicateCandidate:
    household: HouseholdHit
    reasons: tuple[str, ...]  # Vietnamese, shown to the volunteer


@dataclass(frozen=True)
class DuplicatePair:
    first_id: str
    second_id: str
    reason: str


@dataclass(frozen=True)
class MergePreview:
    survivor: HouseholdHit
    loser: HouseholdHit
    sessions_moving: int
    members_moving: int


@dataclass(frozen=True)
class Merged:
    merge_id: str
    survivor_id: str
    changes: Changes = field(compare=False)


def _near(a: str, b: str) -> bool:
    """Equal, or one typo apart (one letter added, dropped or changed)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def probable_duplicates(
    store: Store, head_name: str, village_id: str | None = None, phone: str | None = None
) -> list[DuplicateCandidate]:
    """Households that may be the one about to be created (warn, never block)."""
    wanted_key = search_key(head_name)
    try:
        wanted_phone = canonical_phone(phone)
    except ValueError:
        wanted_phone = None
    words = wanted_key.split()
    # Every pair of the name's words: a typo in one word still leaves a pair intact.
    queries = (
        list(dict.fromkeys(f"{a} {b}" for i, a in enumerate(words) for b in words[i + 1 :]))
        or words
    )
    if wanted_phone:
        queries.append(wanted_phone)
    found: dict[str, list[str]] = {}
    with store.reading() as session:
        connection = session.connection()
        ids: list[str] = []
        for query in queries:
            ids.extend(search_index.matching_household_ids(connection, query, 100))
        hits = _hits(session, list(dict.fromkeys(ids)))
        villages = {
            row_id: row_village
            for row_id, row_village in session.execute(
                select(Household.id, Household.village_id).where(Household.id.in_(ids))
            )
        }
    for hit in hits:
        reasons = found.setdefault(hit.id, [])
        same_village = village_id is None or villages.get(hit.id) == village_id
        if _near(search_key(hit.head_name), wanted_key) and same_village:
            reasons.append("Trùng (gần đúng) họ tên chủ hộ trong cùng thôn")
        if any(_near(search_key(n), wanted_key) for n in hit.member_names) and same_village:
            reasons.append("Có nhân khẩu cùng họ tên")
        if wanted_phone and hit.phone == wanted_phone:
            reasons.append("Trùng số điện thoại")
    by_id = {hit.id: hit for hit in hits}
    return [
        DuplicateCandidate(by_id[hid], tuple(dict.fromkeys(reasons)))
        for hid, reasons in found.items()
        if reasons
    ]


def duplicate_pairs(store: Store) -> list[DuplicatePair]:
    """Pairs of live households with the same head name in one village, or one phone."""
    with store.reading() as session:
        rows = session.execute(
            select(Household.id, Household.village_id, Household.head_name, Household.phone)
            # Erased households all carry the same placeholder name: never duplicates.
            .where(Household.deleted.is_(False), Household.erased_at.is_(None))
            .order_by(Household.id)
        ).all()
    pairs: dict[tuple[str, str], DuplicatePair] = {}
    first_by_name: dict[tuple[str, str], str] = {}
    first_by_phone: dict[str, str] = {}
    for household_id, village_id, head_name, phone in rows:
        name_key = (village_id, search_key(head_name))
        first = first_by_name.setdefault(name_key, household_id)
        if first != household_id:
            pairs.setdefault(
                (first, household_id),
                DuplicatePair(first, household_id, "Trùng họ tên chủ hộ"),
            )
        if phone:
            first = first_by_phone.setdefault(phone, household_id)
            if first != household_id:
                pairs.setdefault(
                    (first, household_id),
                    DuplicatePair(first, household_id, "Trùng số điện thoại"),
                )
    return list(pairs.values())


def merge_preview(store: Store, survivor_id: str, loser_id: str) -> MergePreview:
    with store.reading() as session:
        live_household(session, survivor_id)
        live_household(session, loser_id)
        sessions_moving = session.scalar(
            select(func.count()).where(HelpSession.household_id == loser_id)
        )
        members_moving = session.scalar(
            select(func.count()).where(Member.household_id == loser_id, Member.deleted.is_(False))
        )
        hits = {hit.id: hit for hit in _hits(session, [survivor_id, loser_id])}
    return MergePreview(
        hits[survivor_id], hits[loser_id], sessions_moving or 0, members_moving or 0
    )


def merge_households(store: Store, survivor_id: str, loser_id: str, volunteer_id: str) -> Merged:
    """Merge ``loser`` into ``survivor``: its sessions and members move, it is tombstoned."""
    if survivor_id == loser_id:
        raise ValidationError("loser_id", "Không thể gộp một hộ vào chính nó.")
    changes = Changes()
    with store.transaction() as session:
        live_household(session, survivor_id)
        live_household(session, loser_id)
        active_volunteer(session, volunteer_id)
        merge = HouseholdMerge(
            id=new_id(),
            survivor_id=survivor_id,
            loser_id=loser_id,
            volunteer_id=volunteer_id,
            merged_at=store.now(),
            device_id=store.device_id,
        )
        record_insert(session, merge, changes)
        session.flush()
        apply_household_merge(session, survivor_id, loser_id, changes)
    return Merged(merge.id, survivor_id, changes)
