"""Residents and volunteers: Vietnamese names, family make-up, birth years, phones.

Weights follow the usual picture of a northern (Red River delta) commune: about two in
five people are Nguyễn; older people mostly carry "Văn" / "Thị"; rural households are
old on average because the young work in the cities, so the elderly are over-represented.
Given-name pools cover every tone and vowel mark (ỹ ự ằ ẫ ộ …) to exercise search and
collation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from villagehelper.demo.sampling import weighted_words
from villagehelper.text import clean_text

FAMILY_NAMES = weighted_words(
    "Nguyễn:38 Trần:11 Lê:9.5 Phạm:7 Hoàng:4.5 Huỳnh:0.5 Vũ:3.9 Võ:0.6 Phan:2.5 Đặng:2.1 "
    "Bùi:2 Đỗ:1.4 Hồ:1.3 Ngô:1.3 Dương:1 Lý:0.5 Đinh:0.9 Trịnh:0.6 Đào:0.8 Mai:0.5 "
    "Lương:0.4 Tô:0.3 Cao:0.4 Lại:0.3 Nhữ:0.2 Phùng:0.3 Tạ:0.3 Hà:0.4 Vương:0.2 Khúc:0.1"
)

# Older generations: born before 1985.
_MIDDLE_OLD = {
    "M": weighted_words("Văn:10 Đức:2 Hữu:2 Đình:2 Xuân:1.5 Quang:1 Công:1.5 Ngọc:1 Trọng:1 Bá"),
    "F": weighted_words("Thị:14 Ngọc Thanh Kim Hồng Thu"),
}
_MIDDLE_YOUNG = {
    "M": weighted_words("Văn:3 Minh:2 Đức:2 Quang Hoàng Gia Tuấn Anh Hữu Thành Duy Bảo"),
    "F": weighted_words("Thị:4 Ngọc:2 Thu Phương Minh Thảo Khánh Bảo Mỹ Hồng"),
}
_GIVEN_OLD = {
    "M": weighted_words(
        "Bằng Cường Chiến Dũng Đoàn Hải Hiển Hưởng Khải Kỳ Lộc Lực Mạnh Nghĩa Quyết Sỹ "
        "Thắng Thọ Thuận Thưởng Tiến Toản Tuyển Vĩnh Vượng Xuyết Cẩn Thức Lợi Chính Bình "
        "Hòa Thụy Tự Hùng"
    ),
    "F": weighted_words(
        "Bống Dịu Diễm Gấm Hằng Hạnh Hiền Hoa Huệ Hường Lan Liên Loan Lụa Mến Mẫn Mỹ Ngần "
        "Nhung Nụ Thắm Thơm Thoa Tuyết Xoan Yến Hợi Ngoan Thủy Duyên"
    ),
}
_GIVEN_YOUNG = {
    "M": weighted_words(
        "Anh Bảo Duy Đạt Hiếu Hoàng Huy Khánh Khôi Kiên Long Minh Nam Phong Phúc Quân "
        "Quang Sơn Thịnh Trung Tùng Tuấn Việt Vũ Vỹ Dự"
    ),
    "F": weighted_words(
        "Anh Châu Chi Diệp Giang Hà Hân Hương Khuê Linh Ly Mai My Ngọc Nhi Phương Quỳnh "
        "Thảo Thư Trang Trâm Uyên Vy Yến Nguyệt Ngân"
    ),
}
_SECOND_MIDDLE = weighted_words("Thu Ngọc Thanh Minh Phương Hồng Kim Mỹ Bích")
_YOUNG_FROM = 1985

# Vietnamese mobile prefixes (Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile), with
# Viettel's large share in rural areas reflected in the weights.
_MOBILE_PREFIXES = weighted_words(
    "032 033 034 035 036 037 038 039 086:2 096:3 097:3 098:3 "
    "081 082 083 084 085 088 091:2 094:2 070 076 077 078 079 089 090:2 093:2 "
    "052:0.3 056:0.3 058:0.3 092:0.5 059:0.2 099:0.2"
)


class Gender(Enum):
    MALE = "M"
    FEMALE = "F"

    @property
    def other(self) -> Gender:
        return Gender.FEMALE if self is Gender.MALE else Gender.MALE


@dataclass(frozen=True)
class Person:
    full_name: str
    birth_year: int | None
    phone: str | None
    gender: Gender

    def age(self, this_year: int) -> int | None:
        return None if self.birth_year is None else this_year - self.birth_year


class PhoneBook:
    """Valid, distinct mobile numbers (a shared number would look like a duplicate
    household to the duplicate finder)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def new_number(self, rng: random.Random) -> str:
        while True:
            number = _MOBILE_PREFIXES.pick(rng) + f"{rng.randrange(10_000_000):07d}"
            if number not in self._used:
                self._used.add(number)
                return number


class PeopleMaker:
    """Draws people and whole households from one seeded RNG."""

    def __init__(self, rng: random.Random, this_year: int) -> None:
        self.rng = rng
        self.this_year = this_year
        self.phones = PhoneBook()

    def name(self, gender: Gender, birth_year: int, family: str | None = None) -> str:
        rng = self.rng
        young = birth_year >= _YOUNG_FROM
        middle = (_MIDDLE_YOUNG if young else _MIDDLE_OLD)[gender.value].pick(rng)
        given = (_GIVEN_YOUNG if young else _GIVEN_OLD)[gender.value].pick(rng)
        while given == middle:  # "Ngọc Ngọc" is not a name
            given = (_GIVEN_YOUNG if young else _GIVEN_OLD)[gender.value].pick(rng)
        parts = [family or FAMILY_NAMES.pick(rng), middle, given]
        if young and gender is Gender.FEMALE and middle == "Thị" and rng.random() < 0.25:
            # "Nguyễn Thị Thu Hằng": a second middle name, common for women born later.
            second = _SECOND_MIDDLE.pick(rng)
            if second != given:
                parts.insert(2, second)
        return clean_text(" ".join(parts))

    def person(
        self, gender: Gender, age: int, family: str | None = None, *, known_year: float = 0.97
    ) -> Person:
        rng = self.rng
        birth_year = self.this_year - max(0, age)
        phone_odds = _phone_odds(age)
        return Person(
            full_name=self.name(gender, birth_year, family),
            birth_year=birth_year if rng.random() < known_year else None,
            phone=self.phones.new_number(rng) if rng.random() < phone_odds else None,
            gender=gender,
        )

    def household(self) -> list[Person]:
        """The people of one household, head first (one to six of them)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.28:
            people = self._elderly_household()
        elif roll < 0.70:
            people = self._young_family(rng.randint(28, 55))
        elif roll < 0.95:
            people = self._three_generations()
        else:
            people = [self.person(_gender(rng, 0.6), rng.randint(20, 45), known_year=1.0)]
        return people[:6]

    def _couple(self, head_gender: Gender, head_age: int, spouse_odds: float) -> list[Person]:
        rng = self.rng
        head = self.person(head_gender, head_age, known_year=1.0)
        people = [head]
        if rng.random() < spouse_odds:
            gap = rng.randint(0, 6)
            spouse_age = head_age - gap if head_gender is Gender.MALE else head_age + gap
            people.append(self.person(head_gender.other, spouse_age))
        return people

    def _children(self, parents: list[Person], parent_age: int, count: int) -> list[Person]:
        rng = self.rng
        family = _family(parents)  # children carry their father's family name
        ages = sorted((parent_age - rng.randint(22, 38) for _ in range(count)), reverse=True)
        return [self.person(_gender(self.rng, 0.5), age, family) for age in ages if age >= 0]

    def _elderly_household(self) -> list[Person]:
        rng = self.rng
        # A widow living alone is the most common elderly household.
        head_gender = _gender(rng, 0.45)
        people = self._couple(head_gender, rng.randint(62, 92), spouse_odds=0.55)
        if rng.random() < 0.12:  # a grandchild left with the grandparents
            people.append(self.person(_gender(rng, 0.5), rng.randint(6, 17), _family(people)))
        return people

    def _young_family(self, head_age: int) -> list[Person]:
        rng = self.rng
        people = self._couple(_gender(rng, 0.88), head_age, spouse_odds=0.9)
        count = rng.choices((0, 1, 2, 3), (0.1, 0.3, 0.45, 0.15))[0]
        return people + self._children(people, head_age, count)

    def _three_generations(self) -> list[Person]:
        rng = self.rng
        head_age = rng.randint(55, 78)
        people = self._couple(_gender(rng, 0.8), head_age, spouse_odds=0.75)
        son_age = head_age - rng.randint(22, 34)
        son = self.person(Gender.MALE, son_age, _family(people))
        people.append(son)
        if rng.random() < 0.8:
            people.append(self.person(Gender.FEMALE, son_age - rng.randint(0, 5)))
        return people + self._children([son], son_age, rng.choice((0, 1, 2, 2)))

    def volunteer(self, leader: bool) -> Person:
        """A team member: leaders are usually the village head, members young."""
        rng = self.rng
        age = rng.randint(42, 62) if leader else rng.randint(19, 45)
        return self.person(_gender(rng, 0.7 if leader else 0.5), age, known_year=1.0)


def _gender(rng: random.Random, male_odds: float) -> Gender:
    return Gender.MALE if rng.random() < male_odds else Gender.FEMALE


def _family(people: list[Person]) -> str:
    """The household's family name: the male head's, else the first person's."""
    head = next((p for p in people if p.gender is Gender.MALE), people[0])
    return head.full_name.split(" ", 1)[0]


def _phone_odds(age: int) -> float:
    if age < 16:
        return 0.0
    if age <= 65:
        return 0.75
    if age <= 75:
        return 0.35
    return 0.1
