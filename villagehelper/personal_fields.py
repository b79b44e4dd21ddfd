"""Which fields of a synced row are a resident's personal data, and what erasing them
leaves: one definition for the laptop (erasure, retention, applying the feed) and the
commune server (which keeps an erasure sticky against late edits).

Plain dictionaries of wire values: no database, no Qt, no HTTP.  A household or a person
is erased by an ordinary update that sets every personal field to its erased value and
``erased_at``; the row stays (its sessions still count in every tally).  Sessions are
events and never travel as updates: each side scrubs the notes of an erased resident's
sessions itself when it applies the erasure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ERASED_NAME = "(đã xóa)"

# Entity → personal field → the value it has once erased.
ERASED_VALUES: dict[str, dict[str, Any]] = {
    "household": {"head_name": ERASED_NAME, "address_detail": "", "phone": None, "notes": ""},
    "member": {"full_name": ERASED_NAME, "birth_year": None, "phone": None},
    # A campaign's target row: what the commune's list said of the person goes; the
    # link to the person and the match state stay, so the campaign's counts stay.
    "campaign_target": {
        "full_name": ERASED_NAME,
        "birth_year": None,
        "phone": None,
        "id_last_digits": None,
    },
}
# Who erased and when: an erasure cannot be undone by a later edit.
ERASURE_MARKS = ("erased_at", "erased_by")
ERASABLE = frozenset(ERASED_VALUES)


def is_erasure(entity: str, fields: Mapping[str, Any]) -> bool:
    """Whether a change to ``entity`` erases its row."""
    return entity in ERASABLE and fields.get("erased_at") is not None


def erased_fields(entity: str, erased_at: str, erased_by: str | None) -> dict[str, Any]:
    """The wire fields of the update that erases a row of ``entity``."""
    return {**ERASED_VALUES[entity], "erased_at": erased_at, "erased_by": erased_by}


def without_personal(entity: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A late edit of an erased row, as it may still apply: its other fields only."""
    dropped = set(ERASED_VALUES.get(entity, ())) | set(ERASURE_MARKS)
    return {name: value for name, value in fields.items() if name not in dropped}


def neutralised(entity: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A change written before the erasure was known, with every personal value it
    carries replaced by the erased one (its other fields unchanged)."""
    if entity == "help_session":
        return scrubbed_session(fields)
    erased = ERASED_VALUES.get(entity, {})
    return {name: erased.get(name, value) for name, value in fields.items()}


def same_when_neutralised(
    entity: str, stored: Mapping[str, Any], incoming: Mapping[str, Any]
) -> bool:
    """Whether an insert sent again with its personal values replaced is the row
    already stored (erased since, perhaps, or filed under a merge's survivor)."""
    if entity not in ERASABLE and entity != "help_session":
        return False
    ignored = {*ERASURE_MARKS, "household_id"}

    def comparable(fields: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = neutralised(entity, fields)
        return {name: value for name, value in cleaned.items() if name not in ignored}

    return comparable(stored) == comparable(incoming)


def scrubbed_session(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A help session of an erased resident: what was written about them goes; the
    service, outcome and dates stay, so it still counts.  A failed session must keep a
    reason, so its reason becomes the erased marker."""
    result = dict(fields)
    if "note" in result:
        result["note"] = ""
    if result.get("failure_reason"):
        result["failure_reason"] = ERASED_NAME
    return result


def scrubbed_conflict_value() -> str:
    """The value kept in a conflict over an erased row's personal field (JSON text)."""
    return '"' + ERASED_NAME + '"'
