"""The rules every synced row must keep, declared once for the laptop and the server.

A laptop's store refuses a help session with an unknown outcome, a follow-up with no
date or a failure with no reason (its CHECK constraints, and :func:`refuse_broken`
before a write reaches them); the commune server refuses the same change when it is
pushed (``villagehelper.server.push``), before anything of it is stored.  A row
one side takes and the other cannot hold would wedge the commune: every laptop's
download of it fails.  So both sides ask this module, with the values as they travel
(``store.changelog.to_wire``: instants as fixed-width UTC text, dates ISO).

The type and length of each field are the store's models' (``sync.wire``); this
module adds what a column type cannot say: enumerations, fields required when another
has some value, and the years a time or date may fall in.

Pure Python, no database and no Qt: the store's change log, the server and the tests
import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from villagehelper.clock import REPORT_YEARS
from villagehelper.store.kinds import Outcome, Role, TargetState, VillageKind

# The years an instant (a session's time, a void's, a merge's…) may fall in.  Wider than
# the years a report covers at the early end: a laptop whose clock battery died may say
# 1970 or 1980, and its sessions are real work the server keeps and holds back for a
# leader to redate (session_times.py), not refuse.  Outside these years the tallies'
# calendar arithmetic fails (a week of year 9999 ends in year 10000; year 1 has no
# year before it), so no side may hold such a time.
INSTANT_YEARS = range(1970, REPORT_YEARS.stop)
# The years a calendar date (a follow-up, a consent) may fall in: the same, so a laptop
# whose clock says 1980 can still log a follow-up dated from its today.
DATE_YEARS = INSTANT_YEARS

# The years a person may be born in: from this one to this year (the year of "today" in
# Vietnam, by the clock of the side that checks).  The laptop's forms and imports ask
# ops/validate.py, the server's push asks :func:`birth_year_problem`; both read this.
OLDEST_BIRTH_YEAR = 1900

# Entities whose ``birth_year`` is a person's: checked against this year.
BORN = frozenset({"member", "campaign_target"})

# Field → the values it may hold.
ENUMERATIONS: dict[str, dict[str, type[StrEnum]]] = {
    "help_session": {"outcome": Outcome},
    "village": {"kind": VillageKind},
    "team_member": {"role": Role},
    "campaign_target": {"match_state": TargetState},
}
# Fields holding an instant (UTC text on the wire) or a date (YYYY-MM-DD), by entity.
# tests/test_entity_rules.py checks these name every such column of the store's models.
INSTANTS: dict[str, tuple[str, ...]] = {
    "household": ("erased_at",),
    "member": ("erased_at",),
    "help_session": ("occurred_at",),
    "session_void": ("voided_at",),
    "household_merge": ("merged_at",),
    "sync_conflict": ("created_at",),
    "campaign": ("created_at",),
    "campaign_target": ("erased_at",),
}
DATES: dict[str, tuple[str, ...]] = {
    "help_session": ("follow_up_date",),
    "member": ("consent_date", "consent_withdrawn_date"),
    "campaign": ("deadline",),
}


@dataclass(frozen=True)
class Broken:
    """One rule a row breaks: the field to fix and why, in both languages."""

    field: str
    message_vi: str
    message_en: str


def field_problem(entity: str, name: str, value: Any) -> Broken | None:
    """Why ``value`` cannot be held in field ``name`` of ``entity`` by these rules
    (None if it can; a value of the wrong type is the store's types' to refuse)."""
    if value is None:
        return None
    allowed = ENUMERATIONS.get(entity, {}).get(name)
    if allowed is not None and value not in {member.value for member in allowed}:
        known = ", ".join(member.value for member in allowed)
        return Broken(
            name,
            f"{name}: giá trị {str(value)[:20]!r} không có (chỉ được: {known}).",
            f"{name}: unknown value {str(value)[:20]!r} (allowed: {known}).",
        )
    if name in INSTANTS.get(entity, ()):
        return _year_problem(name, value, INSTANT_YEARS)
    if name in DATES.get(entity, ()):
        return _year_problem(name, value, DATE_YEARS)
    return None


def row_problems(entity: str, fields: Mapping[str, Any]) -> list[Broken]:
    """Every rule a whole row (an insert) breaks: its fields' and those between fields."""
    problems = [
        broken
        for name, value in fields.items()
        if (broken := field_problem(entity, name, value)) is not None
    ]
    if entity == "help_session":
        outcome = fields.get("outcome")
        if outcome == Outcome.FOLLOW_UP and fields.get("follow_up_date") is None:
            problems.append(
                Broken(
                    "follow_up_date",
                    "Lượt hẹn lại (follow_up) phải có ngày hẹn.",
                    "A follow-up session needs a follow-up date.",
                )
            )
        if outcome == Outcome.FAILED and not fields.get("failure_reason"):
            problems.append(
                Broken(
                    "failure_reason",
                    "Lượt không thành công (failed) phải có lý do.",
                    "A failed session needs a reason.",
                )
            )
    return problems


def change_problems(entity: str, whole_row: bool, fields: Mapping[str, Any]) -> list[Broken]:
    """The rules a change breaks: a whole row's (an insert, a restatement), or only
    those of the fields an update sets (events, where rules tie fields together, are
    never updated)."""
    if whole_row:
        return row_problems(entity, fields)
    return [
        broken
        for name, value in fields.items()
        if (broken := field_problem(entity, name, value)) is not None
    ]


def birth_year_problem(entity: str, fields: Mapping[str, Any], this_year: int) -> Broken | None:
    """Why a member's ``birth_year`` cannot be held (None if it can, or if ``fields`` set
    none): it must fall between :data:`OLDEST_BIRTH_YEAR` and ``this_year``.  Apart from
    the row's other rules because "this year" is the checking side's clock's."""
    year = fields.get("birth_year") if entity in BORN else None
    if not isinstance(year, int) or isinstance(year, bool):
        return None  # none, or not a number: the store's types refuse it in their words
    if OLDEST_BIRTH_YEAR <= year <= this_year:
        return None
    return Broken(
        "birth_year",
        f"birth_year: năm sinh {year} không hợp lệ (phải từ {OLDEST_BIRTH_YEAR} "
        f"đến {this_year}). Hãy sửa lại năm sinh của người này.",
        f"birth_year: birth year {year} is out of range ({OLDEST_BIRTH_YEAR}–{this_year}). "
        "Correct this person's birth year.",
    )


def _year_problem(name: str, value: Any, years: range) -> Broken | None:
    year = _year_of(value)
    if year is None or year in years:
        return None  # not a time at all: the store's types refuse it with their words
    first, last = years.start, years.stop - 1
    return Broken(
        name,
        f"{name}: năm {year} không hợp lệ (phải từ {first} đến {last}). "
        "Hãy kiểm tra ngày giờ của máy rồi sửa lại.",
        f"{name}: year {year} is out of range ({first}–{last}). "
        "Check the laptop's date and correct it.",
    )


def _year_of(value: Any) -> int | None:
    year = getattr(value, "year", None)  # a date or datetime (the laptop's rows)
    if isinstance(year, int):
        return year
    if isinstance(value, str):
        # The year before the first dash: Python writes year 1 as "1-01-01…", not "0001".
        head = value.split("-", 1)[0]
        if 0 < len(head) <= 5 and head.isascii() and head.isdigit():
            return int(head)
    return None


def refuse_broken(entity: str, whole_row: bool, fields: Mapping[str, Any]) -> None:
    """Raise :class:`ValidationError` for the first rule a laptop's write breaks (the
    store's change log asks before the write joins the outbox)."""
    from villagehelper.errors import ValidationError

    broken = change_problems(entity, whole_row, fields)
    if broken:
        raise ValidationError(broken[0].field, broken[0].message_vi, broken[0].message_en)
