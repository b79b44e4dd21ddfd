"""What the server checks of each pushed change beyond its shape: the rules every
synced row keeps (``villagehelper.entity_rules``, the laptop's own), and the writes a
volunteer's device may not make.

A change refused here is refused before anything of its batch is stored, with a plain
message; the laptop sets it aside and sends the rest (``sync.set_aside``).

Who may write what, following the app's own rules:

- **Deleting a household** is never done by the app (a duplicate is merged, which
  tombstones it through the merge every laptop replays): a volunteer's device may
  neither delete one nor mark one deleted.
- **Merging households** is open to every team member in the app (the household page),
  so a volunteer's merge is accepted; it is an event in the audit log like any other.
- **Events are signed by the laptop that logged them** (``device_id``, the id the laptop
  made for itself): the first enrolled device to send a stamp owns it, and a volunteer's
  device may not send sessions, voids or merges under another device's stamp.  A laptop
  names its stamp when it enrols (a leader's code allows it), so a laptop enrolled
  again as a new device (the server moved to another address) keeps signing its work.
- **Voids**: a volunteer's device may void only a session logged on that laptop; a
  leader voids any session of the commune.
- ``volunteer_id`` must name a team member of the commune (the reference check in
  ``push._check``); a laptop is shared by the team, so who of them logged is the
  laptop's word, kept in the audit log with the device that sent it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from villagehelper import entity_rules
from villagehelper.clock import vietnam_today
from villagehelper.exchange import wire
from villagehelper.server import device_history, restate_rules
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Device, DeviceStamp
from villagehelper.store.changelog import Op

if TYPE_CHECKING:
    from villagehelper.server.batch import Batch, IncomingChange

# Events that carry the stamp of the laptop that logged them.
STAMPED = frozenset({"help_session", "session_void", "household_merge"})


def check(batch: Batch, index: int, change: IncomingChange) -> None:
    """Refuse ``change`` (:class:`push.PushRefusedError`) if it breaks a rule."""
    from villagehelper.server.push import PushRefusedError

    whole_row = change.op in (Op.INSERT, wire.RESTATE)
    broken = entity_rules.change_problems(change.entity, whole_row, change.fields)
    if change.fields.get("birth_year") is not None:  # "this year" by the server's clock
        this_year = vietnam_today(batch.now).year
        born = entity_rules.birth_year_problem(change.entity, change.fields, this_year)
        broken.extend([born] if born is not None else [])
    if broken:
        raise PushRefusedError(
            400,
            index,
            f"Dữ liệu gửi lên không hợp lệ ({change.entity}): "
            + " ".join(b.message_vi for b in broken[:3]),
            f"Invalid change ({change.entity}): " + " ".join(b.message_en for b in broken[:3]),
        )
    if change.op == wire.RESTATE and not batch.scope.is_leader:
        refused = _restate_refused(batch, change)
    elif change.op != Op.INSERT or change.entity not in STAMPED:
        refused = None if batch.scope.is_leader else _volunteer_edit_refused(change)
    else:
        refused = _stamp_refused(batch, change)
    if refused is not None:
        raise PushRefusedError(403, index, *refused)


def leaders_only(entity: str) -> tuple[str, str]:
    """Why a volunteer's device may not write a row of ``entity`` (a leader's)."""
    if entity in wire.CAMPAIGN_ENTITIES:
        return (
            "Chỉ tổ trưởng được tạo và sửa chiến dịch và danh sách của nó.",
            "Only a team leader may create or edit a campaign and its list.",
        )
    return (
        "Chỉ tổ trưởng được sửa thôn, thành viên tổ và xử lý xung đột.",
        "Only a team leader may edit villages, the team and conflicts.",
    )


def _restate_refused(batch: Batch, change: IncomingChange) -> tuple[str, str] | None:
    # A volunteer's restatement: an edit, an insert, or a healing laptop's (restate_rules.py).
    judged = restate_rules.judged_as(batch, change)
    if judged == restate_rules.NOTHING_CHANGES:
        return None
    if judged == restate_rules.AS_EDIT or change.entity not in STAMPED:
        return _volunteer_edit_refused(change)
    if judged == restate_rules.AS_INSERT:
        return _stamp_refused(batch, change)
    stamp = change.fields.get("device_id")
    return (
        restate_rules.foreign_signature(batch, _owner(batch, stamp))
        if isinstance(stamp, str)
        else None
    )


def _volunteer_edit_refused(change: IncomingChange) -> tuple[str, str] | None:
    # A household merged away is tombstoned too, naming its survivor: a laptop restating
    # it after a server restore (sync/epoch.py) sends it so, and merges are every member's.
    merged = change.fields.get("merged_into") is not None
    deleting = change.op == Op.DELETE or (change.fields.get("deleted") is True and not merged)
    if change.entity == "household" and deleting:
        return (
            "Chỉ tổ trưởng được xóa hộ. Hộ trùng thì hãy gộp vào hộ kia.",
            "Only a team leader may delete a household. Merge a duplicate instead.",
        )
    return None


def _stamp_refused(batch: Batch, change: IncomingChange) -> tuple[str, str] | None:
    stamp = change.fields.get("device_id")
    if not isinstance(stamp, str):
        return None  # the shape check refuses it
    owner = _owner(batch, stamp)
    if owner is None:
        owner = _claim(batch, stamp)
    if not batch.scope.is_leader and owner not in _line(batch):
        return (
            "Lượt này ghi là của một máy khác trong tổ; máy này không được gửi thay.",
            "This change is signed with another laptop's id; this laptop may not send it.",
        )
    if batch.scope.is_leader or change.entity != "session_void":
        return None
    voided = batch.peek("help_session", str(change.fields.get("session_id")))
    logged_by = wire.stored_field(voided.fields, "device_id") if voided is not None else None
    if logged_by is not None and logged_by != stamp:
        return (
            "Chỉ tổ trưởng, hoặc máy đã ghi lượt này, được hủy lượt của máy khác.",
            "Only a team leader, or the laptop that logged it, may void this session.",
        )
    return None


def bind_stamp(db: ServerDB, device_id: str, commune_code: str, stamp: str | None) -> None:
    """At enrolment: ``stamp`` is now ``device_id``'s, unless another commune's device
    holds it (a laptop enrolled again keeps its work's signature; a laptop of an older
    version names none, and claims its stamp with its first push)."""
    if stamp is None:
        return
    with db.transaction() as session:
        held = session.get(DeviceStamp, stamp)
        if held is None:
            session.add(DeviceStamp(stamp=stamp, device_id=device_id))
            return
        owner = session.get(Device, held.device_id)
        if owner is None or owner.commune_code == commune_code:
            held.device_id = device_id


def _stamps(batch: Batch) -> dict[str, str | None]:
    # Per batch: a batch of a thousand sessions carries one stamp, looked up once.
    cache: dict[str, str | None] = batch.session.info.setdefault("device_stamps", {})
    return cache


def _owner(batch: Batch, stamp: str) -> str | None:
    known = _stamps(batch)
    if stamp not in known:
        found = batch.session.get(DeviceStamp, stamp)
        known[stamp] = found.device_id if found is not None else None
    return known[stamp]


def _claim(batch: Batch, stamp: str) -> str:
    owner = claim_stamp(batch.session, batch.scope.device_id, stamp)
    _stamps(batch)[stamp] = owner
    return owner


def claim_stamp(session: Session, device_id: str, stamp: str) -> str:
    """The stamp's owner once ``device_id`` has claimed it: that device, or the one whose
    claim came first (a push of another commune, which does not wait for this one's
    feed, may claim the same stamp at the same moment: a folder copied across)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(DeviceStamp)
        .values(stamp=stamp, device_id=device_id)
        .on_conflict_do_nothing()
    )
    return session.scalars(select(DeviceStamp.device_id).where(DeviceStamp.stamp == stamp)).one()


def _line(batch: Batch) -> frozenset[str]:
    return device_history.lineage(batch.session, batch.scope.device_id)
