"""Who may state a row again (``op: restate``), and when it is held to the insert's rules.

After the server is put back from a backup, every laptop that synced before states
again the rows it holds past the epoch's common point (sync/epoch.py): its own work and
everything it downloaded — a session another laptop logged, a void a leader made.  The
rules of an insert would refuse those from a volunteer's device (another laptop's
signature, a void of another laptop's session) and the commune would lose them.

A restatement is no loophole, though.  What it may carry, by case:

- **a row the server holds**: an event changes nothing (the server's copy stands,
  restate.py); any other row is merged as an edit, under the edit's rules (a volunteer's
  device still cannot delete a household);
- **a row the server lacks, from a device healing** — one refused in this epoch because
  it synced in an earlier one, so it may well hold rows the restore lost: taken whoever
  signed it, as long as the signature is not another commune's device's; it claims no
  signature (the laptop that signed it keeps it);
- **a row the server lacks, from any other device**: exactly an insert (signature and
  void rules, and the signature claimed when nobody holds it).

The rules of the row itself (enumerations, years, references within the commune) hold
for every restatement alike (push.py, push_rules.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Device, HealingDevice, ServerEpoch
from villagehelper.store.changelog import EVENT_ENTITIES

if TYPE_CHECKING:
    from villagehelper.server.batch import Batch, IncomingChange

# How a restatement from a volunteer's device is judged (push_rules.check).
AS_EDIT, AS_INSERT, AS_HEALING, NOTHING_CHANGES = "edit", "insert", "healing", "nothing"


def note_healing(db: ServerDB, device_id: str, epoch_id: str) -> None:
    """``device_id`` synced in an earlier epoch: in ``epoch_id`` it heals."""
    with db.transaction() as session:
        known = session.get(HealingDevice, device_id)
        if known is None:
            session.add(HealingDevice(device_id=device_id, epoch_id=epoch_id))
        else:
            known.epoch_id = epoch_id


def judged_as(batch: Batch, change: IncomingChange) -> str:
    """Which rules a volunteer's restatement of ``change`` answers to."""
    if batch.peek(change.entity, change.row_id) is not None:
        return NOTHING_CHANGES if change.entity in EVENT_ENTITIES else AS_EDIT
    return AS_HEALING if healing(batch) else AS_INSERT


def foreign_signature(batch: Batch, owner: str | None) -> tuple[str, str] | None:
    """A healing device's restatement signed by another commune's device: refused."""
    if owner is None:
        return None
    device = batch.session.get(Device, owner)
    if device is None or device.commune_code == batch.scope.commune_code:
        return None
    return (
        "Lượt này ghi là của một máy không thuộc xã này.",
        "This change is signed by a laptop of another commune.",
    )


def healing(batch: Batch) -> bool:
    """Is the pushing device healing in the current epoch (it synced in an earlier one)?"""
    cached: bool | None = batch.session.info.get("device_healing")
    if cached is None:
        session = batch.session
        healing = session.get(HealingDevice, batch.scope.device_id)
        latest = session.scalars(
            select(ServerEpoch.epoch_id).order_by(ServerEpoch.seq.desc()).limit(1)
        ).first()
        cached = healing is not None and healing.epoch_id == latest
        batch.session.info["device_healing"] = cached
    return cached
