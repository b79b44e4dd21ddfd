"""A commune's target list read into rows: name, birth year, village, phone, ID digits.

Lists come as the commune's clerk made them (Decree 30 layout): the committee's name and
a title above the table, a header row in Vietnamese, sometimes a row of column numbers
"(1) (2) (3)" under it, blank rows, signatures below.  Headers are recognised by their
search key whatever their case, diacritics or wording ("Họ và tên", "HỌ TÊN", "Ngày
sinh", "SĐT", "4 số cuối CCCD"…: ``list_columns``).

Only the last four digits of a citizen ID are ever kept: a full 12-digit number in the
file is cut on reading and appears in no message.  A row without a name, or with a
year or phone that cannot be read, is a problem named by its line and column; when
there is any, nothing is returned and the error lists them (up to :data:`PROBLEMS_SHOWN`),
so a list is taken whole or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from villagehelper.campaigns.list_columns import Field, Layout, find_layout, is_footer
from villagehelper.campaigns.list_files import read_list_file
from villagehelper.errors import UserError
from villagehelper.person_names import describe, first_refused
from villagehelper.text import (
    InvalidPhoneError,
    canonical_phone,
    clean_text,
    format_number,
    search_key,
)

PROBLEMS_SHOWN = 20
ID_DIGITS_KEPT = 4
MAX_ROWS = 100_000
_EARLIEST_YEAR = 1900
_NO_PHONE = frozenset({"", "-", "0", "khong", "khong co", "chua co", "x"})
_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
# A date of birth, day first as Vietnamese forms write it (or month/year), or ISO.
_DATE = re.compile(r"^(?:(\d{1,2})[/.-])?(\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
# A run of digits as long as a citizen ID, grouped or not ("001 203 004 567").
_LONG_NUMBER = re.compile(r"\d(?:[ .\-]?\d){11,}")
# How a cell reader reports a problem: the column, then the message in both languages.
_Problem = Callable[[Field, str, str], None]


@dataclass(frozen=True)
class TargetRow:
    line: int  # the row number Excel shows
    full_name: str
    birth_year: int | None
    village_name: str  # as the list writes it ("" when it gives none)
    phone: str | None  # national digits, 0912345678
    id_last_digits: str | None  # at most the last 4 digits of a citizen ID


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str  # the column's title as the file writes it
    message_vi: str
    message_en: str


class TargetListError(UserError):
    """A list with rows to fix; ``problems`` has every one, the message the first few."""

    def __init__(self, file_name: str, problems: list[RowProblem]) -> None:
        shown = problems[:PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines_vi = [f"• Dòng {p.line}, cột «{p.column}»: {p.message_vi}" for p in shown]
        lines_en = [f"• Row {p.line}, column “{p.column}”: {p.message_en}" for p in shown]
        if more:
            lines_vi.append(f"… và {more} lỗi khác.")
            lines_en.append(f"… and {more} more.")
        super().__init__(
            f"Danh sách «{file_name}» có {len(problems)} dòng cần sửa; chưa nhập dòng nào. "
            "Sửa trong tệp rồi chọn lại tệp:\n" + "\n".join(lines_vi),
            f"The list {file_name} has {len(problems)} row(s) to fix; nothing was imported. "
            "Fix them in the file and choose it again:\n" + "\n".join(lines_en),
        )
        self.problems = tuple(problems)


def read_target_list(path: Path) -> list[TargetRow]:
    """The rows of a target list file (CSV or XLSX); raises :class:`UserError` naming
    what to fix."""
    rows = read_list_file(path)
    layout = find_layout(path.name, rows)
    targets: list[TargetRow] = []
    problems: list[RowProblem] = []
    footer: int | None = None
    for line, cells in rows:
        if line <= layout.header_line or not any(cell.strip() for cell in cells):
            continue
        if footer is None and is_footer(cells):
            footer = line  # "Tổng cộng", the signatures: the table is over
        if footer is not None:
            # Names under the table are the signers'.  A person with a year or a phone
            # down there is a row the clerk added below the total: said, never dropped.
            if _looks_like_a_person(layout.values(cells)):
                raise _below_the_table(path.name, footer, line)
            continue
        row = _target_row(layout, line, cells, problems)
        if row is not None:
            targets.append(row)
        if len(targets) > MAX_ROWS:
            raise UserError(
                f"Danh sách có hơn {format_number(MAX_ROWS)} người, quá một lần nhập. Hãy "
                "chia thành nhiều tệp (ví dụ mỗi thôn một tệp).",
                f"The list has more than {MAX_ROWS:,} people; split it into several files.",
            )
    if problems:
        raise TargetListError(path.name, problems)
    if not targets:
        raise UserError(
            f"Danh sách «{path.name}» không có người nào dưới dòng tiêu đề (dòng "
            f"{layout.header_line}).",
            f"The list {path.name} has nobody under its header (row {layout.header_line}).",
        )
    return targets


def _looks_like_a_person(values: dict[Field, str]) -> bool:
    """A name with a readable year or phone (a signature block has names, and titles
    such as "TM. ỦY BAN NHÂN DÂN" in any column, but neither)."""
    if not values.get(Field.NAME):
        return False
    if year_in(clean_text(values.get(Field.YEAR, ""))) is not None:
        return True
    try:
        return canonical_phone(values.get(Field.PHONE)) is not None
    except InvalidPhoneError:
        return False


def _below_the_table(file_name: str, footer: int, line: int) -> UserError:
    return UserError(
        f"Trong «{file_name}», bảng kết thúc ở dòng {footer} (dòng tổng cộng hoặc chữ ký) "
        f"nhưng dòng {line} bên dưới vẫn có người. Chuyển dòng đó lên trên dòng {footer} "
        "rồi chọn lại tệp; chưa nhập dòng nào.",
        f"In {file_name} the table ends at row {footer} (a total or the signatures) but row "
        f"{line} below it still has a person: move it above row {footer} and choose the "
        "file again; nothing was imported.",
    )


def _target_row(
    layout: Layout, line: int, cells: tuple[str, ...], problems: list[RowProblem]
) -> TargetRow | None:
    values = layout.values(cells)
    filled = {field for field, text in values.items() if text}
    if not filled:
        return None  # a numbered but empty row of a template ("1", "2", … in STT)
    found = len(problems)

    def problem(field: Field, vi: str, en: str) -> None:
        problems.append(RowProblem(line, layout.title(field), vi, en))

    name = clean_text(values.get(Field.NAME, ""))
    if not name:
        problem(
            Field.NAME,
            "thiếu họ tên. Điền họ tên người này, hoặc xóa cả dòng nếu thừa.",
            "the name is missing: fill it in, or delete the row.",
        )
    elif _LONG_NUMBER.search(name) or not any(character.isalpha() for character in name):
        # A name cell holding an ID number (columns mixed up, or "Lê Văn An 0012…") would
        # keep the whole number in the name: refused, and quoted by its last digits only.
        problem(
            Field.NAME,
            f"họ tên «{_shown(name)}» có dãy số dài hoặc không có chữ cái nào (số căn cước "
            "ghi nhầm cột?). Chỉ ghi họ tên vào ô này.",
            f"the name “{_shown(name)}” holds a long number or no letter at all (an ID in "
            "the wrong column?): write only the name here.",
        )
    elif (refused := first_refused(name)) is not None:
        problem(
            Field.NAME,
            f"họ tên có ký tự {describe(refused)} không dùng trong tên. Sửa lại họ tên.",
            f"the name holds {describe(refused)}, which no name has: correct it.",
        )
    year = _birth_year(values.get(Field.YEAR, ""), problem)
    phone = _phone(values.get(Field.PHONE, ""), problem)
    if len(problems) > found:
        return None
    return TargetRow(
        line=line,
        full_name=name,
        birth_year=year,
        village_name=clean_text(values.get(Field.VILLAGE, "")),
        phone=phone,
        id_last_digits=id_last_digits(values.get(Field.ID_DIGITS, "")),
    )


def id_last_digits(text: str) -> str | None:
    """The last four digits of what an ID cell holds ("001203004567", "***4567", "4567");
    the rest is never kept."""
    digits = "".join(character for character in text if character.isdigit() and character.isascii())
    return digits[-ID_DIGITS_KEPT:] or None


def _shown(text: str) -> str:
    """A cell as a message may quote it: a number as long as a citizen ID (12 digits, or
    more with a slip; a column mixed up) only by its last 4 digits."""
    return _LONG_NUMBER.sub(lambda run: "…" + re.sub(r"\D", "", run[0])[-ID_DIGITS_KEPT:], text)


def year_in(text: str) -> int | None:
    """The birth year a cell gives: "1956", a date of birth "05/03/1956" (day first, as
    Vietnamese forms write it; "03/1956" too), an ISO date; None when it gives none."""
    year: int | None = None
    if match := _YEAR.match(text):
        year = int(match[1])
    elif match := _DATE.match(text):
        day, month, full_year = match.groups()
        year = int(full_year) if _is_date(int(day or 1), int(month), int(full_year)) else None
    elif match := _ISO_DATE.match(text):
        year = int(match[1])
    if year is None or not _EARLIEST_YEAR <= year <= date.today().year:
        return None
    return year


def _birth_year(text: str, problem: _Problem) -> int | None:
    text = clean_text(text)
    if not text:
        return None
    year = year_in(text)
    if year is None:
        problem(
            Field.YEAR,
            f"năm sinh «{_shown(text)}» không đọc được. Ghi 4 chữ số, ví dụ 1956, hoặc ngày "
            "sinh dạng ngày/tháng/năm, ví dụ 05/03/1956.",
            f"the birth year “{_shown(text)}” cannot be read: write 4 digits (1956) or a "
            "date of birth day/month/year (05/03/1956).",
        )
    return year


def _is_date(day: int, month: int, year: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _phone(text: str, problem: _Problem) -> str | None:
    if search_key(text) in _NO_PHONE:
        return None
    try:
        return canonical_phone(text)
    except InvalidPhoneError as exc:
        shown = _shown(clean_text(text))
        problem(
            Field.PHONE,
            str(exc)
            if shown == clean_text(text)
            else f"«{shown}» có 12 chữ số trở lên, không phải số điện thoại (số căn cước ghi "
            "nhầm cột?). Để trống ô này hoặc ghi số điện thoại.",
            f"the phone number “{shown}” is not a Vietnamese number.",
        )
        return None
