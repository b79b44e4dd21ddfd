"""A commune's target list as clerks type it, drawn from known people with the truth kept
apart: for the matching tests and ``benchmarks/campaign_match.py``.

Rows come from real members, plus a share of people the data does not hold (drawn with
the demo's own name maker, so their names are as common as everyone's).  Each row is
written with the slips a commune list really has, each at its own rate, from one seeded
RNG: diacritics left out, capitals, the tone on the other vowel ("Hoà"), a middle name
cut to an initial or left out, a birth year off by one or given as a date of birth,
phone numbers in every format people write, village names with and without "Thôn",
full citizen ID numbers.  ``NoisyList.truth`` says who each line really is.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from villagehelper.campaigns.people import KnownPerson
from villagehelper.demo.people import Gender, PeopleMaker
from villagehelper.text import search_key

HEADER = ("STT", "Họ và tên", "Năm sinh", "Thôn, tổ dân phố", "Số điện thoại", "Số CCCD")
TITLE_ROWS = (
    ("UBND XÃ GIA LỘC",),
    ("DANH SÁCH NGƯỜI HƯỞNG LƯƠNG HƯU, TRỢ CẤP BẢO HIỂM XÃ HỘI",),
    ("(Kèm theo Kế hoạch số 12/KH-UBND ngày 02/12/2026)",),
    (),
)
FIRST_DATA_LINE = len(TITLE_ROWS) + 2  # the titles, then the header

# How often each slip is made (a row may have several).
NAME_SLIPS = {
    "no diacritics": 0.25,
    "capitals": 0.10,
    "old tone placement": 0.5,  # a habit of the clerk's keyboard, where a name allows it
    "middle initial": 0.07,
    "middle left out": 0.03,
    "extra spaces": 0.05,
}
YEAR_OFF_BY_ONE = 0.07
YEAR_AS_DATE = 0.10
YEAR_MISSING = 0.03
PHONE_GIVEN = 0.55
RELATIVES_PHONE = 0.08  # of the phones given: another member's of the household
OTHER_VILLAGE = 0.02  # moved since, or a clerk's slip
ID_GIVEN = 0.30


@dataclass
class NoisyList:
    cells: list[tuple[str, ...]] = field(default_factory=list)  # the data rows, in order
    truth: dict[int, str | None] = field(default_factory=dict)  # line → member id or None
    slips: dict[int, tuple[str, ...]] = field(default_factory=dict)  # line → slips made

    def write_xlsx(self, path: Path) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        for title in TITLE_ROWS:
            sheet.append(list(title))
        sheet.append(list(HEADER))
        for cells in self.cells:
            sheet.append(list(cells))
        sheet.append([])
        sheet.append(["", "Tổng cộng: " + str(len(self.cells)) + " người"])
        sheet.append(["", "Người lập biểu", "", "", "TM. ỦY BAN NHÂN DÂN"])
        workbook.save(path)

    def write_csv(self, path: Path, encoding: str) -> None:
        lines = [";".join(title) for title in TITLE_ROWS]
        lines.append(";".join(HEADER))
        lines += [";".join(cells) for cells in self.cells]
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _move_tone(word: str) -> str:
    """ "hòa" ↔ "hoà", "thụy" ↔ "thuỵ": the tone on the other vowel of a closing oa, oe
    or uy (old and new spelling habits; "Hoàng", with its final consonant, never moves)."""
    letters: list[list[str]] = []
    for character in unicodedata.normalize("NFD", word):
        if unicodedata.combining(character) and letters:
            letters[-1].append(character)
        else:
            letters.append([character])
    if len(letters) < 3 or letters[-3][0].lower() == "q":
        return word
    first, second = letters[-2], letters[-1]
    if (first[0].lower(), second[0].lower()) not in {("o", "a"), ("o", "e"), ("u", "y")}:
        return word
    tone = [mark for mark in first + second if mark in _TONES]
    if not tone:
        return word
    on_first = any(mark in _TONES for mark in first)
    first[:] = [mark for mark in first if mark not in _TONES]
    second[:] = [mark for mark in second if mark not in _TONES]
    (second if on_first else first).extend(tone)
    return unicodedata.normalize("NFC", "".join("".join(part) for part in letters))


def _written_name(name: str, rng: random.Random, slips: list[str]) -> str:
    words = name.split(" ")
    if len(words) >= 3 and rng.random() < NAME_SLIPS["middle initial"]:
        words[1] = words[1][0] + "."
        slips.append("middle initial")
    elif len(words) >= 3 and rng.random() < NAME_SLIPS["middle left out"]:
        words = [words[0], words[-1]]
        slips.append("middle left out")
    text = " ".join(words)
    if rng.random() < NAME_SLIPS["old tone placement"]:
        moved = " ".join(_move_tone(word) for word in text.split(" "))
        if moved != text:
            text = moved
            slips.append("old tone placement")
    if rng.random() < NAME_SLIPS["no diacritics"]:
        text = " ".join(
            "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
            .replace("đ", "d")
            .replace("Đ", "D")
            for word in text.split(" ")
        )
        slips.append("no diacritics")
    if rng.random() < NAME_SLIPS["capitals"]:
        text = text.upper()
        slips.append("capitals")
    if rng.random() < NAME_SLIPS["extra spaces"]:
        text = "  " + text.replace(" ", "  ") + " "
        slips.append("extra spaces")
    return text


def _written_year(year: int | None, rng: random.Random, slips: list[str]) -> str:
    if year is None or rng.random() < YEAR_MISSING:
        return ""
    if rng.random() < YEAR_OFF_BY_ONE:
        year += rng.choice((-1, 1))
        slips.append("year off by one")
    if rng.random() < YEAR_AS_DATE:
        slips.append("date of birth")
        return f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
    return str(year)


_PHONE_FORMATS: tuple[Callable[[str], str], ...] = (
    lambda n: n,
    lambda n: f"{n[:4]} {n[4:7]} {n[7:]}",
    lambda n: f"+84 {n[1:]}",
    lambda n: f"84-{n[1:4]}-{n[4:7]}-{n[7:]}",
    lambda n: f"{n[:4]}.{n[4:7]}.{n[7:]}",
    lambda n: n[1:],  # Excel dropped the leading zero
)


def _written_phone(phone: str | None, rng: random.Random) -> str:
    if phone is None or rng.random() >= PHONE_GIVEN:
        return ""
    return rng.choice(_PHONE_FORMATS)(phone)


def _written_village(name: str, rng: random.Random) -> str:
    core = name.split(" ", 1)[1] if name.startswith("Thôn ") else name
    if name.startswith("Tổ dân phố "):
        core = name.removeprefix("Tổ dân phố ")
        forms = [name, "TDP " + core, core, name.upper()]
    else:
        forms = [name, core, name.lower(), name.upper(), search_key(name)]
    forms.append(f"{name}, xã Gia Lộc")
    return rng.choice(forms)


def _citizen_id(rng: random.Random) -> str:
    return "0" + f"{rng.randrange(1, 97):02d}" + f"{rng.randrange(10**9):09d}"


def noisy_list(
    people: Sequence[KnownPerson],
    villages: Mapping[str, str],
    *,
    rows: int,
    outsiders: float = 0.15,
    seed: int = 20,
) -> NoisyList:
    """``rows`` rows: real members (distinct) and about ``outsiders`` of people the data
    does not hold, shuffled, each written with its slips."""
    rng = random.Random(f"campaign-noise/{seed}")
    strangers = PeopleMaker(random.Random(f"campaign-strangers/{seed}"), 2026)
    outside = sum(rng.random() < outsiders for _ in range(rows))
    chosen: list[KnownPerson | None] = [*rng.sample(list(people), rows - outside)]
    chosen += [None] * outside
    rng.shuffle(chosen)
    village_ids = sorted(villages)
    phones_of_household: dict[str, list[str]] = {}
    for member in people:
        if member.phone:
            phones_of_household.setdefault(member.household_id, []).append(member.phone)
    result = NoisyList()
    for number, person in enumerate(chosen, start=1):
        line = FIRST_DATA_LINE + number - 1
        slips: list[str] = []
        if person is None:
            stranger = strangers.person(
                rng.choice(list(Gender)), rng.choice((rng.randint(18, 60), rng.randint(60, 90)))
            )
            name, year, phone = stranger.full_name, stranger.birth_year, stranger.phone
            village = villages[rng.choice(village_ids)]
        else:
            name, year, phone = person.full_name, person.birth_year, person.phone
            village = villages[person.village_id]
            relatives = [p for p in phones_of_household.get(person.household_id, []) if p != phone]
            if relatives and rng.random() < RELATIVES_PHONE:
                phone = rng.choice(relatives)
                slips.append("a relative's phone")
            if rng.random() < OTHER_VILLAGE:
                village = villages[rng.choice(village_ids)]
                slips.append("other village")
        result.cells.append(
            (
                str(number),
                _written_name(name, rng, slips),
                _written_year(year, rng, slips),
                _written_village(village, rng),
                _written_phone(phone, rng),
                _citizen_id(rng) if rng.random() < ID_GIVEN else "",
            )
        )
        result.truth[line] = None if person is None else person.member_id
        result.slips[line] = tuple(slips)
    return result
