"""A row a laptop states again in full after the server was restored from a backup.

The laptop (sync/epoch.py) sends every row it holds in a state newer than the epoch's
common point: the restored server may lack the row, or hold an older state of it, or
(another laptop stated it first) hold it already.  So a restatement is an insert when the
row is missing here, and otherwise an update merged from the common point (its
``base_version``): a field another laptop changed since that point is a conflict the
leader sees, never silently overwritten; an event already here changes nothing.  Sent
under a fresh change id and deduplicated on it like any change, so nothing is doubled.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from villagehelper.store.changelog import EVENT_ENTITIES, Op

if TYPE_CHECKING:
    from villagehelper.server.batch import Batch, IncomingChange


def restated(batch: Batch, index: int, change: IncomingChange) -> dict[str, Any]:
    from villagehelper.server import push

    record = batch.record(change.entity, change.row_id)
    if record is not None and change.entity in EVENT_ENTITIES:
        # Events never change: the server's copy stands (it may differ only where the
        # server moved or scrubbed it since), and the laptop downloads it.
        return {"status": "unchanged", "version": record.version}
    if record is not None:
        return push._update(batch, change, record)
    fields = dict(change.fields)
    deleted = bool(fields.pop("deleted", False))
    as_insert = replace(change, op=Op.INSERT, fields=fields)
    if change.entity == "household_merge" and _already_merged(batch, fields):
        # The households were stated again merged (merged_into), people and sessions
        # under the survivor: the merge only needs its own record, not a replay.
        record = batch.new_record(change.entity, change.row_id)
        push._write(batch, record, fields)
        return {"status": "applied", "version": record.version}
    result = push._insert(batch, index, as_insert, None)
    if deleted:
        record = batch.record(change.entity, change.row_id)
        if record is not None:
            push._write(batch, record, {}, deleted=True)
            result["version"] = record.version
    return result


def _already_merged(batch: Batch, fields: dict[str, Any]) -> bool:
    from villagehelper.server import push

    survivor, loser = fields.get("survivor_id"), fields.get("loser_id")
    if not isinstance(survivor, str) or not isinstance(loser, str):
        return False
    return push._survivor(batch, loser) == push._survivor(batch, survivor)
