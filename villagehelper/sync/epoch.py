"""The laptop's side of a server restored from a backup: heal, with nothing lost and
nothing doubled (the server's side is server/epochs.py).

The laptop keeps the epoch of the server's database it last synced with and names it
on every call.  A server put back from a backup has a new epoch and refuses the call
with the epoch's *common point*: the last feed version both histories share.  Then, in
one local transaction:

- every row this laptop holds in a state the server gave or took after that point (its
  ``server_version`` is past it) goes into the outbox, ahead of the changes already
  waiting, as a *restatement*: the row in full, merged by the server from the common
  point (inserted if the server lacks it, a field another laptop changed since is a
  conflict, an event already there changes nothing).  Edits, deletions, voids and merges
  are rows like any other here, so they come back too, and whoever made them: a laptop
  that never syncs again still has its work carried back by the laptops that downloaded it;
- versions past the common point, which the restored server hands out again to other
  rows, are forgotten (a row's ``server_version``/``base_version``, the changes waiting),
  and the download cursor goes back to the common point, so the download brings every
  row the server holds past it, other laptops' restatements included;
- the new epoch is kept.

Nothing waiting is dropped and no dirty field is overwritten (downloads never overwrite
them).  A server older than this (no epochs) that finds the laptop's cursor past its
feed's end is healed the same way from version 0.  A volunteer's laptop does not state
again what only a leader may write (villages, the team, conflict verdicts, erasures): the
leader's laptop does; the conflicts it downloaded past the common point are dropped instead
(the download brings back those the server holds again), never kept on this laptop alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from villagehelper import personal_fields
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.store import sync_state
from villagehelper.store.changelog import ENTITIES, primary_key_name, row_payload
from villagehelper.store.engine import Store
from villagehelper.store.models import OutboxEntry, SyncConflict, utc_text
from villagehelper.sync.http import ServerConnection, ServerRefusedError

log = logging.getLogger(__name__)

EPOCH = "sync_server_epoch"  # settings key: the server epoch this laptop synced with
LAST_HEAL = "sync_last_heal"  # settings key, JSON: when, epoch, common point, rows restated
_HEAL_CODES = frozenset({"epoch_changed", "feed_behind"})

T = TypeVar("T")


def run_round(
    store: Store, connection: ServerConnection, is_leader: bool, one_round: Callable[[], T]
) -> T:
    """``one_round`` (upload then download) naming this laptop's epoch; refused because the
    server was restored, heal and run it once more.  A laptop that knows no epoch yet
    takes the server's."""
    with store.reading() as session:
        known = sync_state.get(session, EPOCH)
    connection.state_epoch(known)
    try:
        result = one_round()
    except ServerRefusedError as exc:
        if exc.status != 409 or exc.code not in _HEAL_CODES:
            raise
        epoch = exc.details.get("epoch") or connection.server_epoch
        common = int(exc.details.get("common") or 0) if exc.code == "epoch_changed" else 0
        heal(store, epoch if isinstance(epoch, str) else None, common, is_leader, known)
        connection.state_epoch(epoch if isinstance(epoch, str) else None)
        result = one_round()
    if connection.server_epoch and known is None:
        with store.transaction() as session:
            if sync_state.get(session, EPOCH) is None:
                sync_state.put(session, EPOCH, connection.server_epoch)
    return result


def adopt_at_enrolment(session: Session, epoch: str | None) -> None:
    """Enrolled: the server's epoch is this laptop's, unless it already has one.  A
    laptop enrolled again (its device lost with a restore, or the server moved to a new
    PC and address) keeps the epoch it synced in: its first sync then heals from the
    point that epoch shares with the server's history (from 0 if none: a server of
    another history gets everything this laptop holds)."""
    if epoch is not None and sync_state.get(session, EPOCH) is None:
        sync_state.put(session, EPOCH, epoch)


def heal(store: Store, epoch: str | None, common: int, is_leader: bool, known: str | None) -> int:
    """Prepare the next round after a restore (see the module's text); returns the
    number of rows stated again.  ``known`` is the epoch the refused round stated: if
    another sync healed meanwhile, there is nothing left to do."""
    with store.transaction() as session:
        if sync_state.get(session, EPOCH) != known:
            return 0
        restated = _restatements(session, common, is_leader)
        _put_first_in_outbox(session, restated, common)
        if not is_leader:
            _drop_conflicts_after(session, common)
        _forget_versions_after(session, common)
        if sync_state.cursor(session) > common:
            sync_state.put(session, sync_state.CURSOR, str(common))
        if epoch is not None:
            sync_state.put(session, EPOCH, epoch)
        record = {
            "at": utc_text(session.info["clock"]()),
            "epoch": epoch,
            "common": common,
            "restated": len(restated),
        }
        sync_state.put(session, LAST_HEAL, json.dumps(record))
    log.warning(
        "server restored (epoch %s): %d rows stated again from version %d",
        epoch,
        len(restated),
        common,
    )
    return len(restated)


def _restatements(
    session: Session, common: int, is_leader: bool
) -> list[tuple[str, str, dict[str, Any]]]:
    """(entity, row id, full payload) of the rows held in a state past ``common``,
    parents before children (the order of ``ENTITIES``)."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for entity, model in ENTITIES.items():
        if entity in wire.SERVER_ENTITIES:
            continue
        if entity in wire.LEADER_ENTITIES and not is_leader:
            continue
        version: Any = model.server_version  # type: ignore[attr-defined]
        key = primary_key_name(model)
        for row in session.scalars(select(model).where(version > common).order_by(version)):
            payload = row_payload(row)
            if not is_leader and personal_fields.is_erasure(entity, payload):
                continue  # the server takes an erasure from a leader only
            found.append((entity, str(getattr(row, key)), payload))
    return found


def _drop_conflicts_after(session: Session, common: int) -> None:
    """A volunteer's copies of conflicts the server recorded after ``common``: lost with
    the restore, and this laptop may not state them again (only a leader's may).  Kept,
    they would stay on this laptop alone for good, as a download never removes a row;
    dropped, the download from the common point brings back those the restored server
    holds again (stated again by the leader's laptop, or raised again by a
    restatement), so every copy shows the same conflicts."""
    session.execute(
        delete(SyncConflict)
        .where(SyncConflict.server_version > common)
        .execution_options(synchronize_session=False)
    )


def _put_first_in_outbox(
    session: Session, restated: list[tuple[str, str, dict[str, Any]]], common: int
) -> None:
    """The restatements go up before the changes already waiting, which may edit a row
    the restored server lacks until its restatement arrives."""
    if not restated:
        return
    last = session.scalar(select(func.max(OutboxEntry.seq))) or 0
    if last:
        # Past every number in use and every number given below: no two rows ever
        # share one during the statement.
        session.execute(
            update(OutboxEntry).values(seq=OutboxEntry.seq + last + len(restated)),
            execution_options={"synchronize_session": False},
        )
    now = session.info["clock"]()
    for place, (entity, row_id, payload) in enumerate(restated, start=last + 1):
        session.add(
            OutboxEntry(
                seq=place,
                change_id=new_id(),
                entity=entity,
                row_id=row_id,
                op=wire.RESTATE,
                base_version=common,
                payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
                created_at=now,
            )
        )
    session.flush()


def _forget_versions_after(session: Session, common: int) -> None:
    """Versions past ``common`` name other rows on the restored server: a row's copy
    counts as of the common point, and a change waiting is merged from it."""
    for model in ENTITIES.values():
        table = model.__table__
        assert isinstance(table, Table)
        for column in (table.c.server_version, table.c.base_version):
            session.execute(update(table).where(column > common).values({column.name: common}))
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.base_version > common)
        .values(base_version=common)
        .execution_options(synchronize_session=False)
    )
