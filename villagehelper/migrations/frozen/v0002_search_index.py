"""The household search index as revision 0002 built it from the rows already stored.

A copy of ``villagehelper.store.search_index.rebuild_all`` and of the search keys of
``villagehelper.text`` (case, diacritics, tone placement and đ/d ignored) as they were
when the revision shipped: documents written later by live code may differ, and a
change of the key that needs old documents redone is a new revision.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from sqlalchemy import Connection, text

_SEPARATOR = " | "
_BATCH = 500  # ids per IN (...) list: far below SQLite's variable limit
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})  # eth → Đ/đ
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff"
    "\u061c\u202a-\u202e\u2066-\u2069]"
)
_SPACES = re.compile(r"\s+")


def _clean_text(value: str) -> str:
    """NFC, eth→Đ, invisible characters dropped, trimmed, inner white space one space."""
    cleaned = unicodedata.normalize("NFC", _INVISIBLE.sub("", value).translate(_LOOKALIKES))
    return _SPACES.sub(" ", cleaned).strip()


def _is_mark(ch: str) -> bool:
    return unicodedata.combining(ch) != 0 or unicodedata.category(ch) in {"Mn", "Me"}


def search_key(value: str) -> str:
    """casefold → NFD → drop combining marks → đ→d → collapse spaces."""
    decomposed = unicodedata.normalize("NFD", _clean_text(value).casefold())
    bare = "".join(ch for ch in decomposed if not _is_mark(ch))
    return _SPACES.sub(" ", bare.replace("đ", "d")).strip()


# Names, villages and streets repeat across a commune's households.
_key = lru_cache(maxsize=1 << 16)(search_key)


def _document(
    head_name: str,
    address_detail: str,
    phone: str | None,
    village_name: str,
    members: Iterable[tuple[str, str | None]],
) -> str:
    parts = [_key(head_name), _key(village_name), _key(address_detail)]
    if phone:
        parts.append(phone)
    for full_name, member_phone in members:
        parts.append(_key(full_name))
        if member_phone:
            parts.append(member_phone)
    return _SEPARATOR.join(part for part in parts if part)


def _batches(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def _marks(count: int) -> str:
    return ", ".join("?" for _ in range(count))


def _documents(connection: Connection, household_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(household id, document) for the live households among ``household_ids``."""
    marks, params = _marks(len(household_ids)), tuple(household_ids)
    members: dict[str, list[tuple[str, str | None]]] = {}
    for household_id, full_name, phone in connection.exec_driver_sql(
        "SELECT household_id, full_name, phone FROM members "
        f"WHERE household_id IN ({marks}) AND deleted = 0 ORDER BY id",
        params,
    ):
        members.setdefault(household_id, []).append((full_name, phone))
    rows = connection.exec_driver_sql(
        "SELECT h.id, h.head_name, h.address_detail, h.phone, v.name "
        "FROM households h JOIN villages v ON v.id = h.village_id "
        f"WHERE h.id IN ({marks}) AND h.deleted = 0",
        params,
    )
    return [
        (row[0], _document(row[1], row[2], row[3], row[4], members.get(row[0], []))) for row in rows
    ]


def _write(connection: Connection, documents: Sequence[tuple[str, str]]) -> None:
    """Store documents of households not indexed yet, each under its stable rowid."""
    if not documents:
        return
    connection.exec_driver_sql(
        "INSERT OR IGNORE INTO household_search_ids (household_id) VALUES (?)",
        [(household_id,) for household_id, _ in documents],
    )
    for start in range(0, len(documents), _BATCH):
        chunk = documents[start : start + _BATCH]
        rowids = {
            row[0]: row[1]
            for row in connection.exec_driver_sql(
                "SELECT household_id, rowid FROM household_search_ids "
                f"WHERE household_id IN ({_marks(len(chunk))})",
                tuple(household_id for household_id, _ in chunk),
            )
        }
        connection.exec_driver_sql(
            "INSERT INTO household_search (rowid, search_text) VALUES (?, ?)",
            [(rowids[household_id], doc) for household_id, doc in chunk],
        )


def rebuild_all(connection: Connection) -> None:
    """Index every live household from scratch."""
    connection.execute(text("DELETE FROM household_search"))
    ids = list(connection.execute(text("SELECT id FROM households WHERE deleted = 0")).scalars())
    for batch in _batches(ids):
        _write(connection, _documents(connection, batch))
