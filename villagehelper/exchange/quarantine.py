"""Rows of the server's feed this store cannot hold: set aside, never fatal.

The commune server may hold a row the laptops' schema refuses (a help session whose
outcome is unknown, a follow-up with no date, a failure with no reason, a time no tally
can place): stored by an older server before it checked what it took, or judged by rules
that differ from this version's.  Applying it fails, and a failure that stopped the page
would stop the whole download for good — every laptop of the commune, and the server's
own replica behind the tally and the snapshots, stuck behind one row.

So a page is applied as one bulk step, as fast as before; only a page that fails is
applied again, in a new transaction, row by row, each row in its own savepoint, and a row
that cannot be applied is *quarantined*: left out, recorded in the ``settings`` table (its
entity, id, version and why — ids and the kind of failure only, never a value, which
may be a resident's note or name: :mod:`villagehelper.store.quarantine_rows` keeps the
record), counted in the sync summary and listed for a leader
(:mod:`villagehelper.ops.quarantined`).  The download goes on past it.

"Cannot apply" is the actual failure, not a rule of its own: a constraint the row
breaks, a value the column cannot take.  A database that is locked, full or failing is
not a row's fault: that error stops the download as before, and nothing is set aside.

A quarantined row leaves the list when a later version of it applies (repaired on the
server: it comes down the feed again, being newer than every cursor) or, for a help
session, when a void of it is held (a leader settled it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlalchemy.orm import Session

from villagehelper.exchange.apply import apply_page
from villagehelper.store import quarantine_rows
from villagehelper.store.changelog import Changes
from villagehelper.store.models import SessionVoid
from villagehelper.store.quarantine_rows import Quarantined

log = logging.getLogger(__name__)

# The fields of a row kept with its record: ids (what a leader's repair needs to make
# its replacement), never text a person typed.
_ID_FIELDS = frozenset(
    {"visit_id", "household_id", "member_id", "volunteer_id", "service_code", "session_id"}
)
# SQLite names the constraint or the column, never the value.
_SQLITE_CONSTRAINT = re.compile(
    r"^(CHECK|NOT NULL|UNIQUE|FOREIGN KEY) constraint failed(?:: (.*))?$"
)
# What an id looks like (uuids, service codes): anything else is not written to a log or
# kept among a row's ids, in case a server put someone's name or phone where an id goes.
_ID = re.compile(r"[0-9A-Za-z._:-]{1,40}")
_ROW_ERRORS = (ValueError, TypeError, KeyError, OverflowError, IntegrityError, DataError)


@dataclass(frozen=True)
class PageResult:
    applied: int
    quarantined: tuple[Quarantined, ...] = ()


def reason_of(exc: BaseException) -> str | None:
    """Why a row cannot be applied, in words that hold no value; None when the error is
    not the row's (a locked, full or failing database: the caller lets it through)."""
    if isinstance(exc, IntegrityError | DataError):
        original = exc.orig
        found = _SQLITE_CONSTRAINT.match(str(original)) if original is not None else None
        if found is not None:
            kind = found.group(1).lower().replace(" ", "_")
            return f"{kind}:{found.group(2)}" if found.group(2) else kind
        # PostgreSQL-free here (a laptop store is SQLite); another driver: the kind only.
        return type(original or exc).__name__
    if isinstance(exc, StatementError) and not isinstance(exc, IntegrityError | DataError):
        # A value the column's binding refused (an impossible date): wrapped by SQLAlchemy.
        wrapped: BaseException | None = exc.orig
        if isinstance(wrapped, ValueError | TypeError | OverflowError):
            return type(wrapped).__name__
        return None
    if isinstance(exc, ValueError | TypeError | KeyError | OverflowError):
        return type(exc).__name__
    return None


PageApplier = Callable[[Session, Sequence[Mapping[str, Any]], Changes], object]
T = TypeVar("T")


def bulk_then_row_by_row(take: Callable[[PageApplier], T]) -> T:
    """Run ``take`` (one page's transaction, applying the page with the applier given)
    with the bulk applier; if a row cannot be applied, the transaction is gone (rolled
    back) and ``take`` runs again with the careful one, which sets such rows aside.

    No savepoint on the fast path: SQLite keeps a copy of every database page a
    savepoint's work first touches, which a first download would pay on every page."""
    try:
        return take(_bulk)
    except (*_ROW_ERRORS, StatementError) as exc:
        if reason_of(exc) is None:
            raise
    return take(_row_by_row)


def _bulk(session: Session, items: Sequence[Mapping[str, Any]], changes: Changes) -> int:
    page_changes = Changes()
    applied = apply_page(session, items, page_changes)
    _settle(session, items, ())
    changes.merge(page_changes)
    return applied


def _row_by_row(
    session: Session, items: Sequence[Mapping[str, Any]], changes: Changes
) -> PageResult:
    applied = 0
    set_aside: list[Quarantined] = []
    for item in items:
        row_changes = Changes()
        try:
            with session.begin_nested():
                applied += apply_page(session, [item], row_changes)
        except (*_ROW_ERRORS, StatementError) as exc:
            reason = reason_of(exc)
            if reason is None:
                raise
            set_aside.append(_record_of(item, reason))
            continue
        changes.merge(row_changes)
    for row in set_aside:
        # Ids and the kind of failure only: the error's text may quote values.
        log.warning(
            "row set aside, cannot be applied: entity=%s id=%s version=%s reason=%s",
            row.entity,
            row.row_id if _ID.fullmatch(row.row_id) else "(not an id)",
            row.version,
            row.reason,
        )
    _settle(session, items, set_aside)
    return PageResult(applied, tuple(set_aside))


def _record_of(item: Mapping[str, Any], reason: str) -> Quarantined:
    fields = item.get("fields")
    ids = (
        {
            name: value
            for name, value in fields.items()
            if name in _ID_FIELDS and isinstance(value, str) and _ID.fullmatch(value)
        }
        if isinstance(fields, Mapping)
        else {}
    )
    version = item.get("version")
    entity = str(item.get("entity"))
    return Quarantined(
        entity if _ID.fullmatch(entity) else "(unknown)",
        str(item.get("id"))[:40],
        version if isinstance(version, int) else 0,
        reason[:120],
        ids,
    )


def _settle(
    session: Session, items: Sequence[Mapping[str, Any]], set_aside: Iterable[Quarantined]
) -> None:
    """Keep the record: the page's new failures in, rows applied (or voided) out."""
    new = {row.key: row for row in set_aside}
    held = {row.key: row for row in quarantine_rows.listed(session)}
    if not new and not held:
        return  # the usual page: one settings read, no write
    kept = dict(held)
    for item in items:
        key = (str(item.get("entity")), str(item.get("id")))
        if key in new:
            continue
        version = item.get("version")
        if key in kept and isinstance(version, int) and version >= kept[key].version:
            del kept[key]  # a later version applied: repaired
        if item.get("entity") == "session_void":
            fields = item.get("fields") or {}
            kept.pop(("help_session", str(fields.get("session_id"))), None)  # settled by a void
    kept.update(new)
    for key in _voided_here(session, [key for key in new if key[0] == "help_session"]):
        del kept[key]  # voided already (before this version came, or later in this page)
    if kept != held:
        quarantine_rows.write(session, kept.values())


def _voided_here(session: Session, keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Those of these help sessions a void stored here names: settled, not faulty."""
    if not keys:
        return []
    voided = session.scalars(
        select(SessionVoid.session_id).where(SessionVoid.session_id.in_([k[1] for k in keys]))
    )
    return [("help_session", session_id) for session_id in set(voided)]
