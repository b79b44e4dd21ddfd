"""Which column of a commune's list is which, from the titles clerks actually write.

A title is compared by its search key with punctuation dropped ("SĐT:", "Số ĐT" → "sdt",
"so dt"), so case, diacritics and tone placement never matter.  Each field knows its
usual titles and the words a longer title starts with ("Số điện thoại liên hệ").  A
name may come whole ("Họ và tên") or in two columns ("Họ và tên đệm" | "Tên"); a village
in its own column ("Thôn", "Thôn, tổ dân phố") or, failing that, in the address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from villagehelper.errors import UserError
from villagehelper.text import search_key

HEADER_SEARCH_ROWS = 20  # a title block above the header is a few rows, never more

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2}|[a-z])\)?$")


class Field(StrEnum):
    NAME = "name"
    FAMILY_MIDDLE = "family_middle"
    GIVEN = "given"
    YEAR = "year"
    VILLAGE = "village"
    ADDRESS = "address"
    PHONE = "phone"
    ID_DIGITS = "id_digits"


# Exact titles, then the words a longer title starts with.  Order matters where one is
# the start of another ("ho va ten dem" before "ho va ten").
_EXACT: dict[str, Field] = {
    **dict.fromkeys(
        ("ho va ten dem", "ho ten dem", "ho dem", "ho va dem", "ho"), Field.FAMILY_MIDDLE
    ),
    "ten": Field.GIVEN,
    **dict.fromkeys(("ho va ten", "ho ten", "full name", "name", "ten nguoi"), Field.NAME),
    **dict.fromkeys(
        (
            "nam sinh",
            "ns",
            "ngay sinh",
            "sinh nam",
            "ngay thang nam sinh",
            "ngay thang sinh",
            "birth year",
        ),
        Field.YEAR,
    ),
    **dict.fromkeys(
        ("thon", "xom", "to dan pho", "tdp", "ten thon", "village", "khu dan cu", "thon to"),
        Field.VILLAGE,
    ),
    **dict.fromkeys(("dia chi", "noi o", "noi cu tru", "thuong tru", "address"), Field.ADDRESS),
    **dict.fromkeys(
        ("so dien thoai", "sdt", "dien thoai", "dt", "so dt", "dtdd", "phone"), Field.PHONE
    ),
    **dict.fromkeys(("cccd", "cmnd", "so cccd", "so cmnd", "can cuoc"), Field.ID_DIGITS),
}
_STARTS: tuple[tuple[str, Field], ...] = (
    ("ho va ten dem", Field.FAMILY_MIDDLE),
    ("ho ten dem", Field.FAMILY_MIDDLE),
    ("ho va ten", Field.NAME),
    ("ho ten", Field.NAME),
    ("nam sinh", Field.YEAR),
    ("ngay sinh", Field.YEAR),
    ("ngay thang nam sinh", Field.YEAR),
    ("thon", Field.VILLAGE),
    ("ten thon", Field.VILLAGE),
    ("dia chi", Field.ADDRESS),
    ("noi o", Field.ADDRESS),
    ("noi cu tru", Field.ADDRESS),
    ("cho o", Field.ADDRESS),
    ("so dien thoai", Field.PHONE),
    ("dien thoai", Field.PHONE),
    ("sdt", Field.PHONE),
)
# Words that mark a citizen ID column wherever they sit ("4 số cuối CCCD", "Số định danh
# cá nhân").
_ID_WORDS = ("cccd", "cmnd", "can cuoc", "dinh danh")
# What the rows under a table start with: totals and the signature block.
# "Cộng" only alone or before a count: "Công" is also a middle name ("Lê Công Bình").
_FOOTER = re.compile(
    r"^(tong cong|tong so|cong( \d|$)|nguoi lap|tm |t m |kt |chu tich|pho chu tich|to truong"
    r"|xac nhan|noi nhan)"
    # The place and date over the signatures: "Gia Lộc, ngày 05 tháng 12 năm 2026".
    r"|\bngay\b.*\bthang\b.*\bnam\b"
)


def header_key(title: str) -> str:
    """ "Số ĐT:" → "so dt"; "Thôn, tổ dân phố" → "thon to dan pho"."""
    return " ".join(_NOT_ALNUM.sub(" ", search_key(title)).split())


def field_of(title: str) -> Field | None:
    key = header_key(title)
    if key in _EXACT:
        return _EXACT[key]
    if any(word in key for word in _ID_WORDS):
        return Field.ID_DIGITS
    return next((field for start, field in _STARTS if key.startswith(start + " ")), None)


@dataclass(frozen=True)
class Layout:
    header_line: int  # the last line of the header (its column numbers row, if any)
    positions: dict[Field, int]
    titles: dict[Field, str]

    def title(self, field: Field) -> str:
        """The title the person sees in the file for ``field``."""
        if field is Field.NAME and Field.NAME not in self.titles:
            return self.titles.get(Field.GIVEN, "Họ và tên")
        if field is Field.VILLAGE and Field.VILLAGE not in self.titles:
            return self.titles.get(Field.ADDRESS, "Thôn")
        return self.titles.get(field, field.value)

    def values(self, cells: Sequence[str]) -> dict[Field, str]:
        got = {
            field: cells[index].strip() if index < len(cells) else ""
            for field, index in self.positions.items()
        }
        if Field.NAME not in got:
            got[Field.NAME] = " ".join(
                part
                for part in (got.pop(Field.FAMILY_MIDDLE, ""), got.pop(Field.GIVEN, ""))
                if part
            )
        address = got.pop(Field.ADDRESS, "")
        if not got.get(Field.VILLAGE):
            got[Field.VILLAGE] = address
        return got


def _fields(cells: Sequence[str]) -> tuple[dict[Field, int], dict[Field, str]]:
    positions: dict[Field, int] = {}
    titles: dict[Field, str] = {}
    for index, cell in enumerate(cells):
        field = field_of(cell) if cell.strip() else None
        if field is not None and field not in positions:  # the first of two wins
            positions[field] = index
            titles[field] = cell.strip()
    return positions, titles


def _has_name(positions: dict[Field, int]) -> bool:
    return Field.NAME in positions or {Field.FAMILY_MIDDLE, Field.GIVEN} <= positions.keys()


def _column_numbers(cells: Sequence[str]) -> bool:
    filled = [header_key(cell) for cell in cells if cell.strip()]
    return bool(filled) and all(_COLUMN_NUMBER.match(cell) for cell in filled)


def find_layout(file_name: str, rows: Sequence[tuple[int, tuple[str, ...]]]) -> Layout:
    """The header among the first :data:`HEADER_SEARCH_ROWS` filled rows: the first that
    has a name column."""
    filled = [(line, cells) for line, cells in rows if any(cell.strip() for cell in cells)]
    for index, (line, cells) in enumerate(filled[:HEADER_SEARCH_ROWS]):
        positions, titles = _fields(cells)
        if not _has_name(positions):
            continue
        if Field.NAME in positions:
            positions.pop(Field.GIVEN, None)
            positions.pop(Field.FAMILY_MIDDLE, None)
        following = filled[index + 1] if index + 1 < len(filled) else None
        if following is not None and _column_numbers(following[1]):
            return Layout(following[0], positions, titles)
        return Layout(line, positions, titles)
    raise UserError(
        f"Không tìm thấy dòng tiêu đề có cột họ tên trong {HEADER_SEARCH_ROWS} dòng đầu của "
        f"«{file_name}». Dòng tiêu đề cần có cột «Họ và tên» (hoặc «Họ tên»); các cột khác "
        "có thể là «Năm sinh», «Thôn», «Số điện thoại», «4 số cuối CCCD».",
        f"No header row with a name column in the first {HEADER_SEARCH_ROWS} rows of "
        f"{file_name}: it needs a “Họ và tên” column; others may be “Năm sinh”, “Thôn”, "
        "“Số điện thoại”, “4 số cuối CCCD”.",
    )


def is_footer(cells: Sequence[str]) -> bool:
    """Whether a row starts the block under the table ("Tổng cộng: 229 người", "Người
    lập biểu", "TM. ỦY BAN NHÂN DÂN")."""
    first = [header_key(cell) for cell in cells if cell.strip()][:2]
    return any(_FOOTER.search(cell) for cell in first)
