"""Upload: the outbox goes up in order, in batches of the push request.

Each acknowledged batch leaves the outbox in one local transaction; the rows with no
change left in flight become clean.  A change the server refuses alone is set aside with
the server's reason (``set_aside.py``) and the rest goes on; a server that finds this
laptop's history diverged from the one it knows (a copied folder) stops the round
(``device_history.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from villagehelper.exchange.feed import Progress
from villagehelper.store import sync_state
from villagehelper.store.changelog import ENTITIES, EVENT_ENTITIES, primary_key_name
from villagehelper.store.engine import Store
from villagehelper.store.kinds import SyncState
from villagehelper.store.models import OutboxEntry
from villagehelper.sync import device_history, set_aside
from villagehelper.sync.http import ServerConnection, ServerRefusedError, SyncError


@dataclass(frozen=True)
class _Pending:
    """An outbox entry as it goes up: its payload stays the JSON text it was stored as."""

    change_id: str
    entity: str
    row_id: str
    op: str
    base_version: int | None
    payload: str


def _outbox_batch(store: Store, limit: int) -> list[_Pending]:
    columns = (
        OutboxEntry.change_id,
        OutboxEntry.entity,
        OutboxEntry.row_id,
        OutboxEntry.op,
        OutboxEntry.base_version,
        OutboxEntry.payload,
    )
    with store.reading() as session:
        rows = session.execute(select(*columns).order_by(OutboxEntry.seq).limit(limit))
        return [_Pending(*row) for row in rows]


def _push_body(
    team_member_id: str | None, cursor: int, batch: list[_Pending], after: str | None = None
) -> bytes:
    """The push request as JSON text, each payload spliced in as stored: decoding a
    thousand payloads only to encode them again cost more than the rest of the body."""
    dumps = json.dumps
    changes = ",".join(
        f'{{"change_id":{dumps(entry.change_id)},"entity":{dumps(entry.entity)},'
        f'"row_id":{dumps(entry.row_id)},"op":{dumps(entry.op)},'
        f'"base_version":{dumps(entry.base_version)},"fields":{entry.payload}}}'
        for entry in batch
    )
    head = f'"team_member_id":{dumps(team_member_id)},"cursor":{int(cursor)}'
    if after is not None:  # this device's last acknowledged change: device_history.py
        head += f',"after":{dumps(after)}'
    return f'{{{head},"changes":[{changes}]}}'.encode()


def push_all(
    store: Store,
    connection: ServerConnection,
    team_member_id: str | None,
    progress: Progress,
    batch_size: int,
) -> tuple[int, int]:
    with store.reading() as session:
        total = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        # Sent with every batch: a server whose feed ends before it (restored from an
        # older backup) refuses the batch instead of taking changes it cannot place.
        cursor = sync_state.cursor(session)
        after = device_history.last_acked(session)
    with store.transaction() as session:  # later changes of a row refused before wait too
        set_aside.sweep(session, set_aside.now_text(store))
    pushed = conflicts = 0
    while batch := _outbox_batch(store, batch_size):
        body = _push_body(team_member_id, cursor, batch, after)
        try:
            answer = connection.post_json("/v1/push", body)
        except ServerRefusedError as exc:
            if (index := set_aside.refused_change(exc, len(batch))) is not None:
                # One change refused: kept aside with the server's reason, the rest goes.
                with store.transaction() as session:
                    reason = (exc.message_vi, exc.message_en, set_aside.now_text(store))
                    set_aside.set_aside(session, batch[index].change_id, *reason)
                continue
            if exc.code != device_history.DIVERGED_CODE:
                raise
            with store.transaction() as session:
                device_history.note_copied(session)
            raise device_history.CopiedFolderError() from exc
        results = answer.get("results", [])
        if len(results) != len(batch):
            raise SyncError(
                "Máy chủ trả lời thiếu kết quả; sẽ gửi lại lần sau.",
                "The server's reply was incomplete; will resend.",
            )
        with store.transaction() as session:
            _acknowledge(session, batch, results)
            after = batch[-1].change_id
            device_history.note_acked(session, after)
        pushed += len(batch)
        conflicts += sum(1 for result in results if result.get("status") == "conflict")
        progress("push", pushed, max(total, pushed))
    return pushed, conflicts


def _acknowledge(session: Session, batch: list[_Pending], results: list[dict[str, Any]]) -> None:
    """Drop acknowledged outbox entries; rows with no change left in flight are clean.

    Plain UPDATE statements, one ``executemany`` per table and kind: loading a
    thousand rows through the ORM to change three columns each cost more than the
    server's whole answer.
    """
    session.execute(
        delete(OutboxEntry).where(OutboxEntry.change_id.in_([entry.change_id for entry in batch]))
    )
    # The rows of the batch with changes still waiting (edited again while this batch
    # was in flight) stay dirty.
    row_ids = sorted({entry.row_id for entry in batch})
    still_pending = {
        (entity, row_id)
        for entity, row_id in session.execute(
            select(OutboxEntry.entity, OutboxEntry.row_id).where(OutboxEntry.row_id.in_(row_ids))
        )
    }
    # entity → (rows whose server version is now the reply's, rows that keep theirs)
    clean: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for entry, result in zip(batch, results, strict=True):
        status = result.get("status")
        if status == "superseded":
            # A household merge the server did not keep (another laptop merged one of
            # the two first): not kept here either.  What it changed here comes back
            # from the server with the download.
            row = session.get(ENTITIES[entry.entity], entry.row_id)
            if row is not None:
                session.delete(row)
            continue
        if (entry.entity, entry.row_id) in still_pending:
            continue
        versioned, kept = clean.setdefault(entry.entity, ([], []))
        if entry.entity in EVENT_ENTITIES and status != "moved":
            # Events never change, so the server's copy is ours: no need to pull it back.
            # Unless the server filed it under the survivor of a merge this laptop had
            # not seen ("moved"): then the download brings the server's copy.
            versioned.append({"key": entry.row_id, "version": result["version"]})
        else:
            # Editable rows keep their old server version: the server's row may hold
            # other laptops' fields too, and the download brings that merged state.
            kept.append({"key": entry.row_id})
    session.flush()
    for entity, (versioned, kept) in clean.items():
        table = ENTITIES[entity].__table__
        assert isinstance(table, Table)
        key = table.c[primary_key_name(ENTITIES[entity])]
        synced = {"sync_state": SyncState.SYNCED.value}
        if versioned:
            session.execute(
                update(table)
                .where(key == bindparam("key"))
                .values(
                    server_version=bindparam("version"), base_version=bindparam("version"), **synced
                ),
                versioned,
            )
        if kept:
            session.execute(
                update(table)
                .where(key == bindparam("key"))
                .values(base_version=table.c.server_version, **synced),
                kept,
            )
