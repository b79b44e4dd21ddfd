"""The record of rows of the server's feed this store set aside because they cannot be
applied (``villagehelper.exchange.quarantine`` decides which): kept in the ``settings``
table, listed, counted and rewritten.

Ids and the kind of failure only, never a value (which may be a resident's note or
name).  Here in the store, below the feed that writes the record and the layers that read
it (a leader's settling in ``villagehelper.ops.quarantined``, the sync summary, the
server's replicas and tally, the commune snapshot).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from villagehelper.store import sync_state

log = logging.getLogger(__name__)

KEY = "sync_quarantined_rows"  # settings key: JSON list of Quarantined


@dataclass(frozen=True)
class Quarantined:
    entity: str
    row_id: str
    version: int
    reason: str  # "check:session_outcome_known", "not_null:tally_days.day", "ValueError"
    ids: dict[str, str]

    @property
    def key(self) -> tuple[str, str]:
        return (self.entity, self.row_id)


def listed(session: Session) -> list[Quarantined]:
    """The rows this store holds set aside, as recorded."""
    text = sync_state.get(session, KEY)
    if not text:
        return []
    return [Quarantined(**row) for row in json.loads(text)]


def count(session: Session) -> int:
    return len(listed(session))


def write(session: Session, rows: Iterable[Quarantined]) -> None:
    ordered = sorted(rows, key=lambda row: (row.version, row.entity, row.row_id))
    if ordered:
        sync_state.put(session, KEY, json.dumps([asdict(row) for row in ordered], sort_keys=True))
    else:
        sync_state.clear(session, KEY)


def adopt_text(session: Session, text: str | None) -> None:
    """Take a snapshot's record (validated: a damaged one is dropped, not fatal)."""
    if not text:
        return
    try:
        rows = [Quarantined(**row) for row in json.loads(text)]
    except (ValueError, TypeError):
        log.warning("the snapshot's list of rows set aside is unreadable: ignored")
        return
    write(session, rows)
