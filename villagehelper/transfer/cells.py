"""Reading typed values out of cell text: ids, yes/no, years, dates, instants.

Each parser raises :class:`ValidationError` whose ``field`` is the column key, so a bad
cell becomes a row problem naming its column.  Dates are read day first, the way
Vietnamese forms write them; ISO forms (what Excel date cells turn into) work too.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from villagehelper.clock import VIETNAM, format_vn_date, to_vietnam
from villagehelper.errors import ValidationError
from villagehelper.ids import is_valid_id
from villagehelper.store.kinds import Outcome
from villagehelper.text import search_key

YES = "có"
_YES = frozenset({"co", "x", "1", "true", "yes", "y", "dong y", "da dong y", "da huy", "huy"})
_NO = frozenset({"", "khong", "0", "false", "no", "n", "chua", "-"})

_DAY_FIRST = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?$"
)
_YEAR = re.compile(r"^\d{4}$")


def parse_id(key: str, text: str, what_vi: str) -> str | None:
    """A VillageHelper id (UUID), or ``None`` for an empty cell (a new record)."""
    if not text:
        return None
    value = text.lower()
    if not is_valid_id(value):
        raise ValidationError(
            key,
            f"{what_vi.capitalize()} «{text}» không hợp lệ (mã do VillageHelper tạo, dạng "
            "0190abcd-…). Để trống ô này nếu là dòng mới.",
        )
    return value


def parse_bool(key: str, text: str) -> bool:
    word = search_key(text)
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValidationError(key, f"«{text}» không rõ là có hay không: ghi «có» hoặc để trống.")


def format_bool(value: bool) -> str:
    return YES if value else ""


def _day_first(text: str) -> datetime | None:
    match = _DAY_FIRST.match(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None


def _any_moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return _day_first(text)


def parse_day(key: str, text: str) -> date | None:
    if not text:
        return None
    moment = _any_moment(text)
    if moment is None:
        raise ValidationError(
            key, f"Ngày «{text}» không đúng dạng ngày/tháng/năm, ví dụ 05/12/2026."
        )
    return moment.date()


def format_day(day: date | None) -> str:
    return format_vn_date(day) if day is not None else ""


def parse_moment(key: str, text: str) -> datetime:
    """An instant; a time without an offset is Vietnam time (UTC+7)."""
    moment = _any_moment(text) if text else None
    if moment is None:
        raise ValidationError(
            key,
            f"Thời gian «{text}» không đúng dạng ngày/tháng/năm giờ:phút, ví dụ 05/12/2026 14:30.",
        )
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM)


def format_moment(moment: datetime) -> str:
    """ISO-8601 in Vietnam time with its +07:00 offset; microseconds kept when present,
    so that a round trip gives back the stored instant exactly."""
    return to_vietnam(moment).isoformat()


def parse_year(key: str, text: str) -> int | None:
    """A birth year; a full date of birth gives its year (only the year is kept)."""
    if not text:
        return None
    if _YEAR.match(text):
        return int(text)
    moment = _any_moment(text)
    if moment is None:
        raise ValidationError(key, f"Năm sinh «{text}» phải là 4 chữ số, ví dụ 1956.")
    return moment.year


_OUTCOME_WORDS = {
    Outcome.DONE: ("done", "thanh cong", "xong", "da xong", "dat", "hoan thanh"),
    Outcome.FOLLOW_UP: (
        "follow_up",
        "follow up",
        "hen lai",
        "can ho tro tiep",
        "hen lai / can ho tro tiep",
    ),
    Outcome.FAILED: ("failed", "chua thanh cong", "khong thanh cong", "that bai", "chua duoc"),
}
_OUTCOMES = {word: outcome for outcome, words in _OUTCOME_WORDS.items() for word in words}


def parse_outcome(key: str, text: str) -> str:
    """An outcome code; an empty cell means done (lists of who was helped rarely say)."""
    if not text:
        return Outcome.DONE
    outcome = _OUTCOMES.get(search_key(text))
    if outcome is None:
        raise ValidationError(
            key, f"Kết quả «{text}» không rõ: ghi thành công, hẹn lại hoặc chưa thành công."
        )
    return outcome
