"""The household search index (FTS5 trigram over diacritic-free keys).

Kept up to date by the core operations in the same transaction as the change, so a
household is findable the moment it is saved.  Works on any SQLAlchemy connection.

FTS5 finds rows quickly only by rowid, so every household gets a stable integer in
``household_search_ids`` and its document is stored under that rowid: re-indexing one
household is then two indexed statements, whatever the size of the commune.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from sqlalchemy import Connection, text

from villagehelper.text import search_key

_SEPARATOR = " | "
_PHONE_LIKE = re.compile(r"^[+\d][\d.\-()/]*$")
MIN_TRIGRAM = 3
BATCH = 500  # ids per IN (...) list: far below SQLite's variable limit
# Bulk writers (a first download, the demo) index tens of thousands of households whose
# names, villages and streets repeat; a search key costs several microseconds to make.
_key = lru_cache(maxsize=1 << 16)(search_key)


def household_search_text(
    head_name: str,
    address_detail: str,
    phone: str | None,
    village_name: str,
    members: Iterable[tuple[str, str | None]],
) -> str:
    """Everything a volunteer may type to find the household, as search keys."""
    parts = [_key(head_name), _key(village_name), _key(address_detail)]
    if phone:
        parts.append(phone)
    for full_name, member_phone in members:
        parts.append(_key(full_name))
        if member_phone:
            parts.append(member_phone)
    return _SEPARATOR.join(part for part in parts if part)


def _batches(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _marks(count: int) -> str:
    """An IN list of ``count`` driver placeholders.

    The index is written with plain driver statements: a SQLAlchemy ``text()`` with
    hundreds of named values is compiled anew for every batch, which cost more than
    running it when a first download or an import indexes tens of thousands of
    households.
    """
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
        (row[0], household_search_text(row[1], row[2], row[3], row[4], members.get(row[0], [])))
        for row in rows
    ]


def write_documents(
    connection: Connection, documents: Sequence[tuple[str, str]], *, fresh: bool = False
) -> None:
    """Store prepared (household id, document) pairs, replacing older ones.

    ``fresh`` skips the delete for households that were never indexed (bulk writers).
    """
    if not documents:
        return
    connection.exec_driver_sql(
        "INSERT OR IGNORE INTO household_search_ids (household_id) VALUES (?)",
        [(household_id,) for household_id, _ in documents],
    )
    for start in range(0, len(documents), BATCH):
        chunk = documents[start : start + BATCH]
        rowids = {
            row[0]: row[1]
            for row in connection.exec_driver_sql(
                "SELECT household_id, rowid FROM household_search_ids "
                f"WHERE household_id IN ({_marks(len(chunk))})",
                tuple(household_id for household_id, _ in chunk),
            )
        }
        if not fresh:
            connection.exec_driver_sql(
                "DELETE FROM household_search WHERE rowid = ?",
                [(rowids[household_id],) for household_id, _ in chunk],
            )
        connection.exec_driver_sql(
            "INSERT INTO household_search (rowid, search_text) VALUES (?, ?)",
            [(rowids[household_id], doc) for household_id, doc in chunk],
        )


def refresh_households(connection: Connection, household_ids: Sequence[str]) -> None:
    """Re-index these households; deleted or merged ones leave the index."""
    unique = list(dict.fromkeys(household_ids))
    for batch in _batches(unique):
        connection.exec_driver_sql(
            "DELETE FROM household_search WHERE rowid IN (SELECT rowid FROM "
            f"household_search_ids WHERE household_id IN ({_marks(len(batch))}))",
            tuple(batch),
        )
        write_documents(connection, _documents(connection, batch), fresh=True)


def refresh_household(connection: Connection, household_id: str) -> None:
    refresh_households(connection, [household_id])


def rebuild_all(connection: Connection) -> None:
    """Index every live household from scratch: what the index must hold (the tests
    compare it with what was kept).  Migration 0002 runs its own frozen copy
    (``migrations/frozen/v0002_search_index.py``): a change of the documents or the
    search keys needs a new revision that redoes the index."""
    connection.execute(text("DELETE FROM household_search"))
    ids = list(connection.execute(text("SELECT id FROM households WHERE deleted = 0")).scalars())
    for batch in _batches(ids):
        write_documents(connection, _documents(connection, batch), fresh=True)


def indexed_documents(connection: Connection) -> dict[str, str]:
    """Household id → indexed document: what search sees (for checks and tests)."""
    rows = connection.execute(
        text(
            "SELECT m.household_id, s.search_text FROM household_search s "
            "JOIN household_search_ids m ON m.rowid = s.rowid"
        )
    )
    return {row[0]: row[1] for row in rows}


def query_tokens(query: str) -> list[str]:
    """Search-key tokens of what was typed; phone punctuation dropped from numbers."""
    tokens = []
    for word in search_key(query).split(" "):
        token = word
        if _PHONE_LIKE.match(word):
            token = re.sub(r"[^\d]", "", word)
            if token.startswith("84") and len(token) >= 11:
                token = "0" + token[2:]
        if token:
            tokens.append(token)
    return tokens


def _like_escape(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_household_ids(connection: Connection, query: str, limit: int) -> list[str]:
    """Ids of households matching every token of ``query``, at most ``limit``.

    Tokens of three or more characters go through the trigram index (substring match);
    shorter ones must start a word ("ng" finds "Nguyễn", not "Hồng").  No ORDER BY: the
    index yields matches in rowid order and stops at ``limit``, so a short query that
    matches thousands of rows costs no more than a precise one.
    """
    tokens = query_tokens(query)
    if not tokens:
        return []
    long_tokens = [t for t in tokens if len(t) >= MIN_TRIGRAM]
    short_tokens = [t for t in tokens if len(t) < MIN_TRIGRAM]
    conditions: list[str] = []
    params: dict[str, object] = {"limit": limit}
    if long_tokens:
        params["match"] = " ".join('"' + t.replace('"', '""') + '"' for t in long_tokens)
        conditions.append("s.search_text MATCH :match")
    for index, token in enumerate(short_tokens):
        params[f"short{index}"] = "% " + _like_escape(token) + "%"
        conditions.append(f"(' ' || s.search_text) LIKE :short{index} ESCAPE '\\'")
    sql = (
        "SELECT m.household_id FROM household_search s "
        "JOIN household_search_ids m ON m.rowid = s.rowid WHERE "
        + " AND ".join(conditions)
        + " LIMIT :limit"
    )
    return list(connection.execute(text(sql), params).scalars())
