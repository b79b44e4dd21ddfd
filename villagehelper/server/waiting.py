"""Restatements that wait for the row they name, instead of being refused.

After a restore, a volunteer's laptop states again what it holds (sync/epoch.py), but not
the villages and team members: only a leader's laptop may write those, so only it states
them again.  A village or team member a leader added after the backup is then missing
until the leader's laptop syncs, and the volunteer's laptop that syncs first states rows
naming it — a household in the new village, a session the new member logged, the people
and sessions of that household.  Refused, they would be set aside on that laptop until a
leader sent them again by hand.

So a healing device's restatement (restate_rules.py) that names a row of its commune the
server lacks is kept here, with the one row it waits for, and answered "moved": the laptop
takes the server's copy from a later download, as for any row the server filed otherwise.
At the end of every push of the commune, what waits for a row that is now here is applied
as the laptop that sent it would have had it (its device, its team member), a row naming
another missing row waiting again for that one.  A row another commune holds is refused as
ever: only a row nobody holds may be waited for.  Each wait is logged, ids only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from villagehelper.exchange import wire
from villagehelper.server import not_yours, restate_rules, waiting_upkeep
from villagehelper.server.batch import IncomingChange
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import WaitingRestatement

if TYPE_CHECKING:
    from villagehelper.server.batch import Batch

log = logging.getLogger("villagehelper.server")


class WaitsError(Exception):
    """The change names ``(entity, row_id)``, which it may wait for."""

    def __init__(self, entity: str, row_id: str) -> None:
        super().__init__(entity, row_id)
        self.entity = entity
        self.row_id = row_id


def may_wait(batch: Batch, change: IncomingChange, entity: str, row_id: object) -> bool:
    """May ``change``, naming ``(entity, row_id)`` that nobody holds, wait for it?"""
    return (
        change.op == wire.RESTATE
        and not_yours.looked_up(entity, row_id)
        and restate_rules.healing(batch)
    )


def hold(batch: Batch, change: IncomingChange, waits: WaitsError) -> dict[str, Any]:
    """Keep ``change`` until ``waits`` names a row here; the answer the laptop gets."""
    batch.session.add(
        WaitingRestatement(
            change_id=change.change_id,
            commune_code=batch.scope.commune_code,
            device_id=batch.scope.device_id,
            team_member_id=batch.team_member_id,
            entity=change.entity,
            row_id=change.row_id,
            base_version=change.base_version,
            fields=wire.canonical_json(change.fields),
            waits_entity=waits.entity,
            waits_id=waits.row_id,
            held_at=batch.now,
        )
    )
    log.info(
        "restatement waits: %s %s for %s %s", change.entity, change.row_id, *vars(waits).values()
    )
    # "moved": the laptop keeps its copy unsynced-as-the-server's and downloads the
    # server's once it is applied (push.py's results).
    return {"status": "moved", "version": batch.versions.current}


def release(batch: Batch) -> None:
    """Apply what waits for a row that is here now (the end of a push)."""
    from villagehelper.server import push

    waiting_upkeep.drop_expired(batch.session, batch.now)  # nothing waits forever
    waiting = list(
        batch.session.scalars(
            select(WaitingRestatement)
            .where(WaitingRestatement.commune_code == batch.scope.commune_code)
            .order_by(WaitingRestatement.held_at, WaitingRestatement.change_id)
        )
    )
    progress = bool(waiting)
    while progress:
        progress = False
        for held in list(waiting):
            if batch.peek(held.waits_entity, held.waits_id) is None:
                continue
            waiting.remove(held)
            progress = True
            change = IncomingChange(
                held.change_id,
                held.entity,
                held.row_id,
                wire.RESTATE,
                held.base_version,
                json.loads(held.fields),
            )
            sender, member = batch.scope, batch.team_member_id
            batch.scope = replace(sender, device_id=held.device_id)
            batch.team_member_id = held.team_member_id
            try:
                push.apply_waiting(batch, change)
            except WaitsError as waits:
                held.waits_entity, held.waits_id = waits.entity, waits.row_id
                waiting.append(held)
                continue
            except push.PushRefusedError:
                log.warning("restatement %s %s refused once its row came", held.entity, held.row_id)
            finally:
                batch.scope, batch.team_member_id = sender, member
            batch.session.delete(held)


def waiting_count(db: ServerDB) -> int:
    """How many restatements wait for a row."""
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(WaitingRestatement)) or 0)
