"""A target list's rows matched to the commune's people: linked, doubtful or unmatched.

Each row is compared only with the people who could be it (``_PeopleIndex``): those with
its family and given names (search keys, so diacritics, case and tone placement never
hide anyone) and those with its phone number.  Each such candidate gets the probability
that the row is that person rather than another candidate or someone the laptop does not
hold (``evidence``): the name's forms and how common it is in the commune, the birth
year, the village, the phone.

A row is LINKED only when one candidate holds at least :data:`LINK_AT` of that
probability: a common name with one namesake of the right age in the right village is
not enough, and a volunteer confirms it.  DOUBTFUL rows show up to :data:`SHOWN`
candidates side by side; UNMATCHED ones have none worth showing (a person to add, or to
leave for review).  Measured on demo data with a noisy list: tests/test_campaign_matching.py.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from villagehelper.campaigns.evidence import (
    IN_DATA,
    NAME_FORM_ODDS,
    NAME_REASONS,
    phone_ratio,
    village_ratio,
    year_ratio,
)
from villagehelper.campaigns.name_forms import (
    NameAgreement,
    NameForm,
    agreement,
    block_key,
    name_form,
)
from villagehelper.campaigns.people import KnownPerson
from villagehelper.campaigns.target_rows import TargetRow
from villagehelper.campaigns.village_names import VillageNames
from villagehelper.text import InvalidPhoneError, canonical_phone

LINK_AT = 0.99  # a row is linked when its best candidate is this likely
DOUBTFUL_FROM = 0.05  # below this, the best candidate is not worth a volunteer's look
SHOWN = 3  # candidates shown side by side for a doubtful row

# A name nobody in the commune bears still has namesakes elsewhere: the outsider side of
# the odds counts every name as held by one more person out of this many, so that a
# commune with few people on file does not make every name look unique.
_PSEUDO_PEOPLE = 5_000
# Birth years a stranger may have, for the same smoothing of the year's share.
_YEAR_SPAN = 100


class MatchKind(StrEnum):
    LINKED = "linked"
    DOUBTFUL = "doubtful"
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class Candidate:
    person: KnownPerson
    score: float  # the probability that the row is this person, 0–1
    reasons: tuple[str, ...]  # in words a volunteer reads: "cùng năm sinh", "khác thôn"


@dataclass(frozen=True)
class TargetMatch:
    row: TargetRow
    kind: MatchKind
    candidates: tuple[Candidate, ...]  # best first; LINKED: the linked person first


def match_targets(
    rows: Sequence[TargetRow], people: Sequence[KnownPerson], villages: Mapping[str, str]
) -> list[TargetMatch]:
    """Each row of a list matched to ``people`` (``villages``: village id → name)."""
    index = _PeopleIndex(people, villages)
    return [index.match(row) for row in rows]


def _listed_phone(row: TargetRow) -> str | None:
    try:
        return canonical_phone(row.phone)
    except InvalidPhoneError:
        return None


@dataclass(frozen=True)
class _Listed:
    """A row as every candidate is weighed against it."""

    row: TargetRow
    phone: str | None
    phone_households: frozenset[str]  # the households whose members have that number
    village_id: str | None  # None: the list names no village of the commune
    village_share: float  # share of the commune's people living there (1 when None)
    year_share: float  # share of the commune's people born in the row's year
    name_share: float  # how likely a stranger's name is written as the row's
    namesakes: int  # the commune's people whose names the row's could be


class _PeopleIndex:
    def __init__(self, people: Sequence[KnownPerson], villages: Mapping[str, str]) -> None:
        self.people = people
        # Names repeat ("Nguyễn Thị Lan"): each is taken apart once, for this list only.
        made: dict[str, NameForm] = {}
        self.forms: list[NameForm] = [
            made.get(person.full_name)
            or made.setdefault(person.full_name, name_form(person.full_name))
            for person in people
        ]
        # Each block (family and given names) grouped by the exact written form: the
        # namesakes of "Nguyễn … Lan" in a district are a few hundred people but a few
        # dozen forms, and a row is compared with each form once.
        self.by_name: defaultdict[tuple[str, str], dict[NameForm, list[int]]] = defaultdict(dict)
        self.by_phone: defaultdict[str, list[int]] = defaultdict(list)
        for position, (person, form) in enumerate(zip(people, self.forms, strict=True)):
            key = block_key(form)
            if key is not None:
                self.by_name[key].setdefault(form, []).append(position)
            if person.phone:
                self.by_phone[person.phone].append(position)
        self.count = len(people)
        self.years = Counter(person.birth_year for person in people)
        self.in_village = Counter(person.village_id for person in people)
        self.village_names = VillageNames(villages)
        self.village_count = len(villages)

    def _year_share(self, year: int | None) -> float:
        return (self.years[year] + 1) / (self.count + _YEAR_SPAN)

    def _village_share(self, village_id: str) -> float:
        return (self.in_village[village_id] + 1) / (self.count + self.village_count + 1)

    def _weigh(
        self,
        listed: _Listed,
        position: int,
        form_agreement: NameAgreement | None,
        *,
        explain: bool = False,
    ) -> tuple[float, tuple[str, ...]]:
        """How many times likelier the row is this person than a stranger, and (with
        ``explain``, for the candidates shown) why."""
        person = self.people[position]
        row = listed.row
        by_year, year_words = year_ratio(row.birth_year, person.birth_year, listed.year_share)
        by_village, village_words = village_ratio(
            listed.village_id,
            person.village_id,
            listed.village_share,
            self._village_share(person.village_id),
        )
        by_phone, phone_words = phone_ratio(
            listed.phone, person.phone, person.household_id in listed.phone_households
        )
        ratio = (
            IN_DATA
            / (1.0 - IN_DATA)
            / self.count
            * NAME_FORM_ODDS[form_agreement]
            / listed.name_share
            * by_year
            * by_village
            * by_phone
        )
        if not explain:
            return ratio, ()
        words = [NAME_REASONS[form_agreement], year_words, village_words, phone_words]
        if listed.namesakes > 1 and form_agreement is not None:
            words.append(f"{listed.namesakes} người trùng tên trong xã")
        return ratio, tuple(word for word in words if word)

    def match(self, row: TargetRow) -> TargetMatch:
        form = name_form(row.full_name)
        key = block_key(form)
        block = self.by_name.get(key, {}) if key is not None else {}
        phone = _listed_phone(row)
        reachable = self.by_phone.get(phone, []) if phone is not None else []
        # Same family and given names is not yet the same name: "Nguyễn Văn Hùng" is not
        # "Nguyễn Đức Hùng".  The phone finds a person whatever the list made of the name.
        forms: dict[int, NameAgreement | None] = {}
        for known, positions in block.items():
            if (agreed := agreement(form, known)) is not None:
                forms.update(dict.fromkeys(positions, agreed))
        found = list(forms)
        named = len(found)
        for position in reachable:
            if position not in forms:
                forms[position] = agreement(form, self.forms[position])
                found.append(position)
        if not found:
            return TargetMatch(row, MatchKind.UNMATCHED, ())
        # How likely a stranger's name is written as this row's: the commune's own names,
        # each written in its forms at their odds, plus one namesake beyond the commune.
        written_so = sum(NAME_FORM_ODDS[forms[position]] for position in found[:named])
        name_share = (written_so + NAME_FORM_ODDS[NameAgreement.EXACT]) / (
            self.count + _PSEUDO_PEOPLE
        )
        village_id = self.village_names.find(row.village_name)
        listed = _Listed(
            row,
            phone,
            frozenset(self.people[position].household_id for position in reachable),
            village_id,
            self._village_share(village_id) if village_id is not None else 1.0,
            self._year_share(row.birth_year),
            name_share,
            named,
        )
        weighed = [
            (self._weigh(listed, position, forms[position])[0], position) for position in found
        ]
        total = 1.0 + sum(ratio for ratio, _ in weighed)
        best_first = heapq.nsmallest(
            SHOWN, weighed, key=lambda item: (-item[0], self.people[item[1]].member_id)
        )
        candidates = tuple(
            Candidate(
                self.people[position],
                ratio / total,
                self._weigh(listed, position, forms[position], explain=True)[1],
            )
            for ratio, position in best_first
        )
        best = candidates[0].score
        if best >= LINK_AT:
            kind = MatchKind.LINKED
        elif best >= DOUBTFUL_FROM:
            kind = MatchKind.DOUBTFUL
        else:
            kind = MatchKind.UNMATCHED
        return TargetMatch(row, kind, candidates)
