"""Dates and birth years as a person types them into a form, and whether they are plausible.

A volunteer types a date the way it is written on paper: ``20/12/2026``, ``20/12/26``,
``20-12-2026``, ``20.12.2026``, ``5/1/2027``, bare digits ``20122026`` / ``201226``, or
only the day and month ``20/12``.  A date field reads the text through
:func:`parse_typed_date`; what it cannot read, or a day that does not exist (31/02),
is refused with a message saying how to type it, never turned into another date.

How the parts are read (documented in the README, "Dates a person can type"):

- day, month, year in that order; ``/``, ``-``, ``.`` or spaces between them; the day and
  month may have one or two digits; ``2026-12-20`` (year first, four digits) also reads;
- bare digits: 8 are ``ddmmyyyy``, 6 are ``ddmmyy``, 4 are ``ddmm`` (day and month with
  two digits each: ``5122026`` could be 5/12 or 51/2);
- a two-digit year is in today's century (``26`` is 2026 in the 2000s);
- no year: this year.  A follow-up date (:func:`parse_follow_up_date`) without a year is
  the next such day from today, so ``5/1`` typed on 28/12 is in January, not in the past.

Plausible dates: a follow-up is from today to one year ahead (:func:`check_follow_up_date`;
an import may hold past ones, which are history); a birth year is from 1900 to this year
(:func:`check_birth_year`).  The core applies the same checks on every write, so a form,
an import and the command line refuse the same things.

"Today" is always the caller's: the store's clock (``vietnam_today(store.now())``), never
this process's own, so tests and a laptop whose clock is being corrected agree.

Pure Python (no Qt, no database): screens import it before the database layer is loaded.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from villagehelper.errors import ValidationError

OLDEST_BIRTH_YEAR = 1900
FOLLOW_UP_YEARS_AHEAD = 1

_DIGITS = re.compile(r"[0-9]+")
# Separators between day, month and year: a slash, dash or dot with optional spaces
# around it, or spaces alone.
_SEPARATOR = re.compile(r"\s*[/.\-]\s*|\s+")
_BARE_FORMS = {4: (2, 2, 0), 6: (2, 2, 2), 8: (2, 2, 4)}  # digits → day, month, year widths

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_HOW_VI = "Hãy gõ ngày/tháng/năm, ví dụ 20/12/2026, 20/12/26 hoặc 20122026."
_HOW_EN = "Type day/month/year, e.g. 20/12/2026, 20/12/26 or 20122026."


def format_day(day: date) -> str:
    """dd/mm/yyyy, as the field shows a date it has read."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


# --- reading -----------------------------------------------------------------------------


def parse_typed_date(text: str, today: date, field: str = "date") -> date:
    """The date ``text`` means, a day-month without a year being in ``today``'s year;
    :class:`ValidationError` on ``field`` when it reads as no date or as a day that
    does not exist."""
    day, month, year = _parts(text, field)
    return _existing_day(day, month, today.year if year is None else _full_year(year, today), field)


def parse_follow_up_date(text: str, today: date, field: str = "follow_up_date") -> date:
    """A follow-up date typed on ``today``: read as :func:`parse_typed_date`, except that
    without a year it is the next such day (this year's, or next year's once it has
    passed); then checked by :func:`check_follow_up_date`."""
    day, month, year = _parts(text, field)
    if year is not None:
        result = _existing_day(day, month, _full_year(year, today), field)
    else:
        result = _next_day_of_year(day, month, today, field)
    return check_follow_up_date(result, today, field=field)


def parse_birth_year(text: str, today: date, field: str = "birth_year") -> int | None:
    """A birth year typed into an optional field: ``None`` when empty, else four digits
    checked by :func:`check_birth_year`."""
    typed = text.strip()
    if not typed:
        return None
    if not (typed.isascii() and typed.isdigit() and len(typed) == 4):
        raise ValidationError(
            field,
            f"Năm sinh «{typed[:12]}» không đọc được: hãy gõ bốn chữ số, ví dụ 1965, "
            "hoặc để trống.",
            f"Birth year {typed[:12]!r} is not a year: type four digits, e.g. 1965, "
            "or leave it empty.",
        )
    return check_birth_year(int(typed), today, field)


# --- plausibility ------------------------------------------------------------------------


def latest_follow_up(today: date) -> date:
    """The furthest day a follow-up can be set for on ``today``: the same day a year on
    (28 February when ``today`` is the 29th)."""
    year = today.year + FOLLOW_UP_YEARS_AHEAD
    return date(year, today.month, min(today.day, _days_in(year, today.month)))


def check_follow_up_date(
    day: date, today: date, *, past_ok: bool = False, field: str = "follow_up_date"
) -> date:
    """``day`` if a follow-up can be set for it on ``today``: not before today (unless
    ``past_ok``: an import's follow-ups are history) and not more than a year ahead."""
    if day < today and not past_ok:
        raise ValidationError(
            field,
            f"Ngày hẹn lại {format_day(day)} đã qua (hôm nay là {format_day(today)}). "
            "Hãy chọn hôm nay hoặc một ngày sau.",
            f"The follow-up date {format_day(day)} has passed (today is {format_day(today)}). "
            "Choose today or a later day.",
        )
    latest = latest_follow_up(today)
    if day > latest:
        raise ValidationError(
            field,
            f"Ngày hẹn lại {format_day(day)} xa quá: chỉ hẹn được trong vòng một năm, đến "
            f"{format_day(latest)}. Hãy kiểm tra lại năm.",
            f"The follow-up date {format_day(day)} is too far ahead: a follow-up can be at "
            f"most a year away, until {format_day(latest)}. Check the year.",
        )
    return day


def check_birth_year(value: int | None, today: date, field: str = "birth_year") -> int | None:
    """``value`` if a living person can have been born that year (1900 to this year)."""
    if value is None:
        return None
    if not OLDEST_BIRTH_YEAR <= value <= today.year:
        raise ValidationError(
            field,
            f"Năm sinh {value} không hợp lệ: phải từ {OLDEST_BIRTH_YEAR} đến {today.year}. "
            "Hãy sửa lại, hoặc để trống nếu không biết.",
            f"Birth year {value} must be between {OLDEST_BIRTH_YEAR} and {today.year}. "
            "Correct it, or leave it empty if unknown.",
        )
    return value


# --- helpers -----------------------------------------------------------------------------


def _parts(text: str, field: str) -> tuple[int, int, str | None]:
    """Day, month and the year as typed (``None`` when left out)."""
    typed = text.strip()
    if not typed:
        raise ValidationError(field, "Chưa nhập ngày. " + _HOW_VI, "No date typed. " + _HOW_EN)
    pieces = _SEPARATOR.split(typed)
    if not all(_DIGITS.fullmatch(piece) for piece in pieces):
        raise _not_a_date(typed, field)
    if len(pieces) == 1:
        return _bare_digits(typed, field)
    if len(pieces) == 3 and len(pieces[0]) == 4 and "-" in typed:
        year, month, day = pieces  # 2026-12-20, as computers write dates
        return int(day), int(month), year
    if len(pieces) not in (2, 3) or any(len(piece) > 2 for piece in pieces[:2]):
        raise _not_a_date(typed, field)
    year_text = pieces[2] if len(pieces) == 3 else None
    if year_text is not None and len(year_text) not in (2, 4):
        raise ValidationError(
            field,
            f"Năm «{year_text}» trong «{typed}» phải có 4 hoặc 2 chữ số, ví dụ 20/12/2026 "
            "hoặc 20/12/26.",
            f"The year {year_text!r} in {typed!r} needs 4 or 2 digits, e.g. 20/12/2026 "
            "or 20/12/26.",
        )
    return int(pieces[0]), int(pieces[1]), year_text


def _bare_digits(typed: str, field: str) -> tuple[int, int, str | None]:
    widths = _BARE_FORMS.get(len(typed))
    if widths is None:
        raise ValidationError(
            field,
            f"Không đọc được ngày «{typed}»: gõ liền thì ngày và tháng phải đủ hai chữ số "
            "(05012027), hoặc gõ có dấu gạch: 5/1/2027.",
            f"Cannot read the date {typed!r}: without separators the day and month need "
            "two digits each (05012027), or type it with slashes: 5/1/2027.",
        )
    day_width, month_width, year_width = widths
    day = int(typed[:day_width])
    month = int(typed[day_width : day_width + month_width])
    year = typed[day_width + month_width :] if year_width else None
    return day, month, year


def _full_year(typed: str, today: date) -> int:
    """A four-digit year as typed; a two-digit one in today's century."""
    if len(typed) == 2:
        return today.year // 100 * 100 + int(typed)
    return int(typed)


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _existing_day(day: int, month: int, year: int, field: str) -> date:
    if not 1 <= month <= 12:
        raise ValidationError(
            field,
            f"Không có tháng {month}: tháng phải từ 1 đến 12. " + _HOW_VI,
            f"There is no month {month}: months go from 1 to 12. " + _HOW_EN,
        )
    if not 1 <= year <= 9999:
        raise ValidationError(
            field,
            f"Năm {year} không hợp lệ. " + _HOW_VI,
            f"Year {year} is not valid. " + _HOW_EN,
        )
    last = _days_in(year, month)
    if not 1 <= day <= last:
        raise ValidationError(
            field,
            f"Không có ngày {day:02d}/{month:02d}/{year}: tháng {month} năm {year} chỉ có "
            f"{last} ngày. Hãy sửa lại ngày.",
            f"There is no {day:02d}/{month:02d}/{year}: {_MONTHS_EN[month - 1]} {year} has "
            f"{last} days. Correct the day.",
        )
    return date(year, month, day)


def _next_day_of_year(day: int, month: int, today: date, field: str) -> date:
    """The first ``day``/``month`` on or after ``today``.  A day that does not exist this
    year is refused as this year's, except 29/02, which may exist next year."""
    if (day, month) == (29, 2) and not calendar.isleap(today.year):
        return _existing_day(day, month, today.year + 1, field)
    this_year = _existing_day(day, month, today.year, field)
    if this_year >= today:
        return this_year
    return _existing_day(day, month, today.year + 1, field)


def _not_a_date(typed: str, field: str) -> ValidationError:
    return ValidationError(
        field,
        f"Không đọc được ngày «{typed[:30]}». " + _HOW_VI,
        f"Cannot read the date {typed[:30]!r}. " + _HOW_EN,
    )
