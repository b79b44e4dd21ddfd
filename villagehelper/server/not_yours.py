"""Another commune's rows answer like rows that do not exist.

A device may only read and write its own commune.  When a change names a row of another
commune (to edit it, to refer to it, as the session a new one replaces, as the row a
conflict record is about), the refusal must not tell a stranger that the id is in use
elsewhere: it is the same answer, status and words, as for an id the server has never
seen.  (Only an insert under an id already taken cannot pretend: it gets the answer of
an id taken in one's own commune, which names no commune either.)
"""

from __future__ import annotations

from collections.abc import Iterator

from villagehelper.exchange import wire
from villagehelper.server.batch import IncomingChange, has_nul
from villagehelper.store.changelog import ENTITIES

# Rows a change points at that no foreign key declares (wire.references covers those).
_REPLACED_SESSION = ("help_session", "replaces_id")


def referred_rows(change: IncomingChange) -> Iterator[tuple[str, str]]:
    """(entity, id) of every row ``change`` points at, to be found in its commune."""
    for reference in wire.references(change.entity):
        value = change.fields.get(reference.field)
        if value is not None:
            yield reference.entity, value
    entity, field = _REPLACED_SESSION
    if change.entity == entity and change.fields.get(field) is not None:
        yield entity, change.fields[field]
    if change.entity == "sync_conflict" and "row_id" in change.fields:
        # The row a conflict is about; an entity no laptop knows names no row at all.
        about = change.fields.get("entity")
        yield (
            (about if isinstance(about, str) and about in ENTITIES else ""),
            change.fields["row_id"],
        )


def looked_up(entity: str, row_id: object) -> bool:
    """Can this (entity, id) be looked up at all (else it is unknown, not an error)?"""
    return bool(entity) and isinstance(row_id, str) and len(row_id) <= 40 and not has_nul(row_id)


def unknown_reference(entity: str, row_id: object) -> tuple[str, str]:
    shown = str(row_id)[:40]
    return (
        f"Dữ liệu nhắc tới {entity or 'bản ghi'} {shown} mà máy chủ chưa có.",
        f"The change refers to {entity or 'a record'} {shown}, unknown to the server.",
    )


def missing_row(entity: str, row_id: str) -> tuple[str, str]:
    return (
        f"Máy chủ không có bản ghi {entity} {row_id} để sửa.",
        f"No {entity} {row_id} on the server to change.",
    )


def taken_id(row_id: str) -> tuple[str, str]:
    return (
        f"Mã {row_id} đã có trên máy chủ với nội dung khác.",
        f"Id {row_id} already exists on the server with other content.",
    )
