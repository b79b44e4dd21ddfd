"""The household search index (FTS5 trigram over diacritic-free keys).

Kept up to date by the core operations in the same transaction as the change, so a
household is findable the moment it is saved.  Works on any SQLAlchemy connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Connection, text

from villagehelper.text import search_key

_SEPARATOR = " | "
_PHONE_LIKE = re.compile(r"^[+\d][\d.\-()/]*$")
MIN_TRIGRAM = 3


def household_search_text(
    head_name: str,
    address_detail: str,
    phone: str | None,
    village_name: str,
    members: Iterable[tuple[str, str | None]],
) -> str:
    """Everything a volunteer may type to find the household, as search keys."""
    parts = [search_key(head_name), search_key(village_name), search_key(address_detail)]
    if phone:
        parts.append(phone)
    for full_name, member_phone in members:
        parts.append(search_key(full_name))
        if member_phone:
            parts.append(member_phone)
    return _SEPARATOR.join(part for part in parts if part)


_HOUSEHOLD_SOURCE = text(
    "SELECT h.head_name, h.address_detail, h.phone, v.name "
    "FROM households h JOIN villages v ON v.id = h.village_id "
    "WHERE h.id = :id AND h.deleted = 0"
)
_MEMBERS_SOURCE = text(
    "SELECT full_name, phone FROM members WHERE household_id = :id AND deleted = 0 ORDER BY id"
)


def refresh_household(connection: Connection, household_id: str) -> None:
    """Re-index one household (or drop it from the index when deleted/merged)."""
    connection.execute(
        text("DELETE FROM household_search WHERE household_id = :id"), {"id": household_id}
    )
    row = connection.execute(_HOUSEHOLD_SOURCE, {"id": household_id}).first()
    if row is None:
        return
    members = connection.execute(_MEMBERS_SOURCE, {"id": household_id}).all()
    document = household_search_text(
        row[0], row[1], row[2], row[3], [(m[0], m[1]) for m in members]
    )
    connection.execute(
        text("INSERT INTO household_search (household_id, search_text) VALUES (:id, :doc)"),
        {"id": household_id, "doc": document},
    )


def rebuild_all(connection: Connection) -> None:
    connection.execute(text("DELETE FROM household_search"))
    ids = connection.execute(text("SELECT id FROM households WHERE deleted = 0")).scalars()
    for household_id in list(ids):
        refresh_household(connection, household_id)


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
    index yields matches in insertion order and stops at ``limit``, so a short query
    that matches thousands of rows costs no more than a precise one.
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
        conditions.append("search_text MATCH :match")
    for index, token in enumerate(short_tokens):
        params[f"short{index}"] = "% " + _like_escape(token) + "%"
        conditions.append(f"(' ' || search_text) LIKE :short{index} ESCAPE '\\'")
    sql = (
        "SELECT household_id FROM household_search WHERE "
        + " AND ".join(conditions)
        + " LIMIT :limit"
    )
    return list(connection.execute(text(sql), params).scalars())
