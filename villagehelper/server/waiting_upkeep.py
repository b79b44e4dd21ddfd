"""Restatements that wait (waiting.py) do not wait forever, nor outlive an erasure.

A waiting row holds a resident's row as a laptop sent it (names, notes).  Three ways out
besides the row it waits for arriving:

* an erasure of a household or a person (a leader's, or the retention purge, which is an
  erasure with no leader named) reaches what waits carrying that household's or person's
  data, in the same transaction as the erasure: a waiting session keeps only what counts
  (its note goes), a waiting person is erased, anything else carrying it is dropped;
  nothing erased stays readable here;
* a waiting row older than ``LONGEST_WAIT`` is dropped at the next push of any commune,
  logged with a count only;
* the commune's operator lists them and drops the old ones by hand
  (``villagehelper-server waiting``, waiting_cli.py).

Why 90 days: the row waited for is one only a leader's laptop brings back (a village or a
team member added after the backup), and a leader syncs every week or two.  90 days
covers a leader's laptop sent away for repair, or lost and replaced and enrolled again,
with room to spare; past it, that row is not coming, and keeping a resident's data here
any longer serves nothing: the volunteer's laptop that sent it still holds its own copy
(the purge and erasures reach it there), and the retention purge, whose shortest period
is a month, works on laptops' copies, not on this table.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from villagehelper import personal_fields
from villagehelper.exchange import wire
from villagehelper.server.database import ServerDB, overwrite_what_is_freed
from villagehelper.server.tables import WaitingRestatement

if TYPE_CHECKING:
    from villagehelper.server.batch import Batch, IncomingChange

log = logging.getLogger("villagehelper.server")

LONGEST_WAIT = timedelta(days=90)

# The field of a row that names the household or person an erasure is about.
_NAMING_FIELD = {"household": "household_id", "member": "member_id"}


def carries(held: WaitingRestatement, entity: str, row_id: str) -> bool:
    """Whether ``held`` holds data of the household or person ``(entity, row_id)``."""
    if (held.entity, held.row_id) == (entity, row_id):
        return True
    fields = json.loads(held.fields)
    if not isinstance(fields, dict):
        return False
    if fields.get(_NAMING_FIELD[entity]) == row_id:
        return True
    # A conflict over the erased row's fields quotes its values.
    return (fields.get("entity"), fields.get("row_id")) == (entity, row_id)


def settle_erased(batch: Batch, change: IncomingChange) -> None:
    """An erasure of ``change``'s household or person: what waits carrying it holds its
    erased values from now on, as the rows already here do (erasure.settle_erasure) —
    a session still counts, a person arrives erased — and anything else carrying it
    (a conflict quoting its values) is dropped."""
    if change.entity not in _NAMING_FIELD:
        return
    held_rows = batch.session.scalars(
        select(WaitingRestatement).where(
            WaitingRestatement.commune_code == batch.scope.commune_code
        )
    ).all()
    marks = {name: change.fields.get(name) for name in personal_fields.ERASURE_MARKS}
    settled = 0
    for held in held_rows:
        if not carries(held, change.entity, change.row_id):
            continue
        settled += 1
        fields = json.loads(held.fields)
        if held.entity == "help_session":
            held.fields = wire.canonical_json(personal_fields.scrubbed_session(fields))
        elif held.entity in _NAMING_FIELD:
            erased = {**personal_fields.neutralised(held.entity, fields), **marks}
            held.fields = wire.canonical_json(erased)
        else:
            batch.session.delete(held)
    if settled:
        log.info("erasure reached %d waiting restatement(s) of %s", settled, change.row_id)


def drop_older_than(
    session: Session, age: timedelta, now: datetime, commune_code: str | None = None
) -> int:
    """Drop waiting rows held for longer than ``age``; how many went."""
    old = select(WaitingRestatement.change_id).where(WaitingRestatement.held_at < now - age)
    if commune_code is not None:
        old = old.where(WaitingRestatement.commune_code == commune_code)
    # Counted, then dropped, in one transaction (no RETURNING: SQLite before 3.35 lacks it).
    change_ids = list(session.scalars(old))
    if change_ids:
        overwrite_what_is_freed(session)  # their residents' data must not stay in the file
        session.execute(
            delete(WaitingRestatement).where(WaitingRestatement.change_id.in_(change_ids))
        )
    return len(change_ids)


def drop_expired(session: Session, now: datetime) -> None:
    """Drop what waited past ``LONGEST_WAIT`` (every push; logged with a count only)."""
    dropped = drop_older_than(session, LONGEST_WAIT, now)
    if dropped:
        log.warning(
            "dropped %d restatement(s) that waited more than %d days for their row",
            dropped,
            LONGEST_WAIT.days,
        )


@dataclass(frozen=True)
class Waiting:
    """One waiting row as the operator sees it: ids and kinds, never a value."""

    commune_code: str
    device_id: str
    entity: str
    row_id: str
    waits_entity: str
    waits_id: str
    held_at: datetime


def listed(db: ServerDB, commune_code: str | None = None) -> list[Waiting]:
    query = select(WaitingRestatement).order_by(
        WaitingRestatement.held_at, WaitingRestatement.change_id
    )
    if commune_code is not None:
        query = query.where(WaitingRestatement.commune_code == commune_code)
    with db.reading() as session:
        return [
            Waiting(
                held.commune_code,
                held.device_id,
                held.entity,
                held.row_id,
                held.waits_entity,
                held.waits_id,
                held.held_at,
            )
            for held in session.scalars(query)
        ]
