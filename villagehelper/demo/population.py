"""Villages, their teams and their households, written through the bulk writer.

The household list is entered in the days before the demo year starts (the way a team
types in its village list before a campaign), so every session that follows finds its
household already there, and the outbox stays in time order.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from villagehelper.clock import to_vietnam
from villagehelper.demo.ids import IdMaker, instant
from villagehelper.demo.people import PeopleMaker, Person
from villagehelper.demo.sampling import Weighted, apportion
from villagehelper.demo.writer import BulkWriter
from villagehelper.store.kinds import Role, VillageKind
from villagehelper.store.models import Household, Member, TeamMember, Village
from villagehelper.store.search_index import household_search_text
from villagehelper.text import name_sort_key, search_key

# Plausible village names of the Red River delta (not a claim about Xã Gia Lộc's list).
_VILLAGE_NAMES = (
    ("Thôn Cao Xá", VillageKind.THON),
    ("Thôn Phương Điếm", VillageKind.THON),
    ("Thôn Lương Xá", VillageKind.THON),
    ("Thôn Hữu Chung", VillageKind.THON),
    ("Thôn Đông Cận", VillageKind.THON),
    ("Thôn Quán Phan", VillageKind.THON),
    ("Thôn Bùi Hạ", VillageKind.THON),
    ("Thôn Thụy Trà", VillageKind.THON),
    ("Thôn Nhân Lư", VillageKind.THON),
    ("Thôn Lộ Xá", VillageKind.THON),
    ("Thôn Phú Khê", VillageKind.THON),
    ("Tổ dân phố Hồng Phong", VillageKind.TO_DAN_PHO),
    ("Tổ dân phố Kỳ Sơn", VillageKind.TO_DAN_PHO),
    ("Tổ dân phố Trần Hưng Đạo", VillageKind.TO_DAN_PHO),
)
MIN_VILLAGES, MAX_VILLAGES = 6, 10
_HOUSEHOLDS_PER_VILLAGE = 120  # only decides how many villages a small demo gets

_HOUSEHOLD_NOTES = Weighted(
    [
        ("", 94),
        ("Hộ cận nghèo", 1.5),
        ("Hộ nghèo", 1),
        ("Người cao tuổi sống một mình", 1.5),
        ("Gia đình chính sách", 1),
        ("Con đi làm xa, ông bà ở nhà", 1),
    ]
)

# Names repeat a lot ("Nguyễn Văn Hùng"), and the collation key is the costly part.
_sort_key = lru_cache(maxsize=65_536)(name_sort_key)


@dataclass(frozen=True)
class HouseholdRef:
    id: str
    helped: Weighted[str]  # member ids, the elderly and adults more often than children


@dataclass(frozen=True)
class VillageRef:
    id: str
    meeting_weekdays: frozenset[int]
    volunteers: Weighted[str]
    households: Weighted[HouseholdRef] | None  # None: a village with no household yet


@dataclass(frozen=True)
class Population:
    villages: list[VillageRef]
    team_members: int
    households: int
    members: int


class PopulationBuilder:
    def __init__(
        self,
        rng: random.Random,
        ids: IdMaker,
        writer: BulkWriter,
        commune_code: str,
        *,
        entered_from: datetime,
        entered_until: datetime,
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.writer = writer
        self.commune_code = commune_code
        self.entered_from = entered_from
        self.entered_until = entered_until
        self.people = PeopleMaker(rng, to_vietnam(entered_until).year)
        self.members_written = 0

    def build(self, households: int, progress: Callable[[int], None]) -> Population:
        rng = self.rng
        count = max(MIN_VILLAGES, min(MAX_VILLAGES, round(households / _HOUSEHOLDS_PER_VILLAGE)))
        names = rng.sample(_VILLAGE_NAMES, count)
        sizes = apportion(households, [rng.uniform(0.6, 1.5) for _ in names])
        step = (self.entered_until - self.entered_from) / max(1, households + count)
        # Villages and teams first, then each village's household list.
        made = [
            self._village(name, kind, self.entered_from + step * index)
            for index, (name, kind) in enumerate(names)
        ]
        villages: list[VillageRef] = []
        written = 0
        for (name, kind), size, (village_id, volunteers) in zip(names, sizes, made, strict=True):
            refs: list[tuple[HouseholdRef, float]] = []
            for _ in range(size):
                written += 1
                moment = self.entered_from + step * (count + written)
                refs.append(self._household(village_id, name, kind, moment))
                if written % 2_000 == 0:
                    progress(written)
            villages.append(
                VillageRef(
                    id=village_id,
                    meeting_weekdays=frozenset(rng.sample(range(5), 2)),
                    volunteers=volunteers,
                    households=Weighted(refs) if refs else None,
                )
            )
        progress(written)
        team_members = sum(len(volunteers.items) for _, volunteers in made)
        return Population(villages, team_members, households, self.members_written)

    def _village(self, name: str, kind: VillageKind, moment: datetime) -> tuple[str, Weighted[str]]:
        at = instant(moment)
        village_id = self.ids.make(at.unix_ms)
        self.writer.insert(
            Village,
            {
                "id": village_id,
                "commune_code": self.commune_code,
                "name": name,
                "name_key": search_key(name),
                "kind": kind.value,
                "active": True,
            },
            at,
        )
        team: list[tuple[str, float]] = []
        for position in range(self.rng.randint(4, 6)):
            leader = position == 0
            person = self.people.volunteer(leader)
            member_id = self.ids.make(at.unix_ms)
            self.writer.insert(
                TeamMember,
                {
                    "id": member_id,
                    "commune_code": self.commune_code,
                    "village_id": village_id,
                    "full_name": person.full_name,
                    "role": (Role.LEADER if leader else Role.MEMBER).value,
                    "active": True,
                },
                at,
            )
            team.append((member_id, 2.0 if leader else 1.0))
        return village_id, Weighted(team)

    def _household(
        self, village_id: str, village_name: str, kind: VillageKind, moment: datetime
    ) -> tuple[HouseholdRef, float]:
        rng = self.rng
        at = instant(moment)
        people = self.people.household()
        head = people[0]
        household_id = self.ids.make(at.unix_ms)
        phone = head.phone or next((p.phone for p in people if p.phone), None)
        address = _address(rng, kind)
        self.writer.insert(
            Household,
            {
                "id": household_id,
                "village_id": village_id,
                "head_name": head.full_name,
                "address_detail": address,
                "phone": phone,
                "notes": _HOUSEHOLD_NOTES.pick(rng),
                "merged_into": None,
                "erased_at": None,
                "erased_by": None,
                "head_sort_key": _sort_key(head.full_name),
            },
            at,
        )
        entered_on = to_vietnam(moment).date().isoformat()
        members: list[tuple[str, Person]] = []
        for person in people:
            member_id = self.ids.make(at.unix_ms)
            consent = rng.random() < 0.88
            self.writer.insert(
                Member,
                {
                    "id": member_id,
                    "household_id": household_id,
                    "full_name": person.full_name,
                    "birth_year": person.birth_year,
                    "phone": person.phone,
                    "consent": consent,
                    "consent_date": entered_on if consent else None,
                    "consent_recorded_by": None,
                    "consent_withdrawn_date": None,
                    "consent_withdrawn_by": None,
                    "erased_at": None,
                    "erased_by": None,
                    "name_sort_key": _sort_key(person.full_name),
                },
                at,
            )
            members.append((member_id, person))
        self.members_written += len(members)
        # The index lists members in id order, as search_index.refresh_household does.
        members.sort(key=lambda pair: pair[0])
        self.writer.index_household(
            household_id,
            household_search_text(
                head.full_name,
                address,
                phone,
                village_name,
                [(person.full_name, person.phone) for _, person in members],
            ),
        )
        this_year = self.people.this_year
        helped = Weighted(
            [(member_id, _help_weight(person.age(this_year))) for member_id, person in members]
        )
        # A few households never come; a few come again and again (a capped long tail).
        visits = 0.02 if rng.random() < 0.15 else min(rng.paretovariate(2.5), 6.0)
        return HouseholdRef(household_id, helped), visits


def _address(rng: random.Random, kind: VillageKind) -> str:
    roll = rng.random()
    if kind == VillageKind.TO_DAN_PHO:
        return f"Số {rng.randint(1, 120)}, ngõ {rng.randint(1, 30)}" if roll < 0.7 else ""
    if roll < 0.55:
        return f"Xóm {rng.randint(1, 8)}"
    if roll < 0.7:
        return f"Đội {rng.randint(1, 6)}"
    return ""


def _help_weight(age: int | None) -> float:
    if age is None:
        return 1.0
    if age < 12:
        return 0.05
    if age < 18:
        return 0.4
    if age < 60:
        return 1.0
    return 1.6
