"""Each device's upload history on the server: one history per device, never two.

A laptop uploads its changes in order and names, with each push, the last of its changes
the server acknowledged (``after``; "" before the first).  The server keeps the last
change it accepted from each device.  A data folder copied to a second laptop carries the
device's id and token: both copies then continue the same history, and the second to
push names a change the first has already gone past.  That push is refused
(:class:`DeviceHistoryDivergedError`, HTTP 409) and the laptop asks to be enrolled as a
new device (villagehelper/sync/device_history.py), so no edit of one copy silently
replaces the other's under the "same device, no conflict" rule of the merge.

Not a divergence:
- a repeated push after a lost reply: the batch then contains the server's last change;
- a batch of changes all received already (a slow first try of a push whose retry went
  first): it changes nothing;
- an ``after`` the server never received: the server was restored from an older backup
  and lost the end of the history (a copy can only name a change the server has);
- a push that does not say (an older VillageHelper).

A copy that enrols again proves with the old token's digest which device it was
(:func:`adopt_lineage`); the devices of one line may then send each other's change ids
again (the server answers with the original result instead of "sent with other
content"), as both folders hold the changes made before the copy.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.server.batch import IncomingChange
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Device, DeviceHistory, ReceivedChange

DIVERGED_CODE = wire.DEVICE_HISTORY_DIVERGED


class DeviceHistoryDivergedError(UserError):
    def __init__(self) -> None:
        super().__init__(
            "Máy chủ xã đã nhận dữ liệu của máy này từ một thư mục dữ liệu khác (thư mục đã "
            "bị sao chép sang máy khác). Hãy xin tổ trưởng mã đăng ký mới và đăng ký máy "
            "này như một máy mới; dữ liệu chưa gửi vẫn được giữ.",
            "The commune server has received this laptop's data from another data folder "
            "(the folder was copied to another laptop). Ask the leader for a new code and "
            "enrol this laptop as a new one; unsent work is kept.",
        )


def lineage(session: Session, device_id: str) -> frozenset[str]:
    """The devices of ``device_id``'s line: its origin and every copy enrolled from it.

    Read once per transaction (kept in ``session.info``): a push asks before it locks
    the commune's feed and its rules ask again for each change, and a line changes only
    at an enrolment, in a transaction of its own."""
    known: dict[str, frozenset[str]] = session.info.setdefault("device_lineage", {})
    line = known.get(device_id)
    if line is None:
        line = known[device_id] = _read_lineage(session, device_id)
    return line


def _read_lineage(session: Session, device_id: str) -> frozenset[str]:
    origin = lineage_origin(session, device_id)
    copies = session.scalars(
        select(DeviceHistory.device_id).where(
            or_(DeviceHistory.origin_id == origin, DeviceHistory.device_id == origin)
        )
    )
    return frozenset({device_id, origin, *copies})


def check_continuation(
    session: Session,
    device_id: str,
    after: str | None,
    changes: Sequence[IncomingChange],
    received: frozenset[str],
) -> None:
    """Refuse a batch that continues this device's history from another point than the
    server's (call with the device's row locked: pushes of one device are serialised)."""
    if after is None:
        return
    history = session.get(DeviceHistory, device_id)
    last = history.last_change_id if history is not None else None
    if last is None or after == last:
        return
    ids = [change.change_id for change in changes]
    if all(i in received for i in ids):
        return  # only repeats (a late retry overtaken by its own second try): writes nothing
    if last in ids and all(i in received for i in ids[: ids.index(last) + 1]):
        return  # the reply to the last push was lost: this batch repeats it, then goes on
    if not after or session.get(ReceivedChange, after) is not None:
        raise DeviceHistoryDivergedError()
    # ``after`` is unknown here: this server lost it (restored from a backup).


def advance(
    session: Session,
    device_id: str,
    after: str | None,
    changes: Sequence[IncomingChange],
    received: frozenset[str],
) -> None:
    """After an accepted batch: its last change is the device's history's end, unless
    the batch only repeated changes already received (a late retry must not rewind it).
    Only for laptops that state ``after``: an older one's history, untracked, must not
    be held against it once it is updated."""
    if after is None or all(change.change_id in received for change in changes):
        return
    history = session.get(DeviceHistory, device_id)
    if history is None:
        session.add(
            DeviceHistory(device_id=device_id, last_change_id=changes[-1].change_id, origin_id=None)
        )
    else:
        history.last_change_id = changes[-1].change_id


def adopt_lineage(db: ServerDB, device_id: str, previous_device: str | None) -> None:
    """A device enrolled with the proof of the device its folder was (its id and its
    token's digest): note the line (only for a proof that is right, of a device of the
    same commune)."""
    if not previous_device:
        return
    with db.transaction() as session:
        previous = _device_of_proof(session, previous_device)
        device = session.get(Device, device_id)
        if previous is None or device is None or previous.id == device_id:
            return
        if previous.commune_code != device.commune_code:
            return
        origin = lineage_origin(session, previous.id)
        history = session.get(DeviceHistory, device_id)
        if history is None:
            session.add(DeviceHistory(device_id=device_id, last_change_id=None, origin_id=origin))
        else:
            history.origin_id = origin


def lineage_origin(session: Session, device_id: str) -> str:
    own = session.get(DeviceHistory, device_id)
    return own.origin_id if own is not None and own.origin_id else device_id


def _device_of_proof(session: Session, proof: str) -> Device | None:
    """The device whose id and token digest these are, revoked or not (only a folder
    that held the token can know the digest: the server never sends it)."""
    device_id, _, digest = proof.partition(".")
    if not digest or len(device_id) > 36:
        return None
    device = session.get(Device, device_id)
    if device is None or not hmac.compare_digest(digest, device.token_hash):
        return None
    return device
