"""Changes the commune server refused, set aside so the rest of the outbox goes on.

The server takes a batch whole or not at all, and names the change it refused and why
(``server.push``).  Left in the outbox, that change would be sent first at every
sync and refused every time: nothing after it would ever reach the commune.  So the
laptop moves it out of the outbox, keeps it here with the server's reason, and sends
the batch again without it.

Changes that cannot go without it are set aside with it, "depends on …": the later
changes of a row whose insert was refused, and the rows that refer to it (a person or
a session of a refused household, a void of a refused session).  An update or a delete
refused leaves the row's other changes free to go.

What a leader does with one (``villagehelper set-aside``, the status bar counts them):
**send it again** once the row is put right (an insert goes as the row is now, so an
edit made since travels in it; what depended on it goes back into the outbox), or
**discard** it (it and what depended on it are forgotten; the laptop's copy stays as it
is, and a later edit of the row travels as usual).

Kept in the ``settings`` table, one key per change: a few rows, never many, and no
schema change.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from villagehelper.errors import NotFoundError
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.store import sync_state
from villagehelper.store.changelog import ENTITIES, Op, row_payload
from villagehelper.store.engine import Store
from villagehelper.store.models import OutboxEntry, Setting, utc_text
from villagehelper.sync.http import ServerRefusedError

PREFIX = sync_state.SET_ASIDE_PREFIX


@dataclass(frozen=True)
class SetAside:
    change_id: str
    seq: int  # its place in the outbox, to put it and its dependents back in order
    entity: str
    row_id: str
    op: str
    base_version: int | None
    payload: str  # the fields as they were sent (JSON text)
    set_aside_at: str
    reason_vi: str
    reason_en: str
    depends_on: str | None = None  # the set-aside change it cannot go without


def refused_change(exc: ServerRefusedError, batch_size: int) -> int | None:
    """The index, in the batch sent, of the one change the server refused (None when the
    refusal is of the whole request: the laptop then stops as before)."""
    index = exc.details.get("index")
    refused = exc.code == "refused" and 400 <= exc.status < 500
    if refused and isinstance(index, int) and 0 <= index < batch_size:
        return index
    return None


def set_aside(
    session: Session, change_id: str, reason_vi: str, reason_en: str, at: str
) -> list[str]:
    """Move the outbox entry ``change_id`` and what depends on it here; their ids."""
    entry = session.scalar(select(OutboxEntry).where(OutboxEntry.change_id == change_id))
    if entry is None:
        return []
    _keep(session, entry, reason_vi, reason_en, at, depends_on=None)
    return [change_id, *sweep(session, at)]


def sweep(session: Session, at: str) -> list[str]:
    """Set aside the outbox entries that depend on a set-aside insert; their ids."""
    roots = {(k.entity, k.row_id): k for k in listed(session) if k.op == Op.INSERT}
    moved: list[str] = []
    while roots:
        found: dict[tuple[str, str], SetAside] = {}
        for entry in session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)):
            root = _depends_on(entry, roots)
            if root is None:
                continue
            root_id = root.depends_on or root.change_id
            vi = f"Phụ thuộc thay đổi {root.entity} {root.row_id} đã bị từ chối."
            en = f"Depends on the refused change of {root.entity} {root.row_id}."
            kept = _keep(session, entry, vi, en, at, depends_on=root_id)
            moved.append(kept.change_id)
            if kept.op == Op.INSERT:
                found[(kept.entity, kept.row_id)] = kept
        roots = found
    return moved


def listed(session: Session) -> list[SetAside]:
    values = session.scalars(select(Setting.value).where(Setting.key.startswith(PREFIX)))
    return sorted((SetAside(**json.loads(value)) for value in values), key=lambda k: k.seq)


def count(session: Session) -> int:
    return sum(
        1 for _ in session.scalars(select(Setting.key).where(Setting.key.startswith(PREFIX)))
    )


def resend(store: Store, change_id: str) -> None:
    """Put a set-aside change back in the outbox as the row is now, and what depended on
    it after it (the row's own later edits travel inside a resent insert)."""
    with store.transaction() as session:
        kept = _one(session, change_id)
        dependents = [k for k in listed(session) if k.depends_on == change_id]
        row = session.get(ENTITIES[kept.entity], kept.row_id)
        payload: dict[str, Any] = json.loads(kept.payload)
        if row is not None and kept.op == Op.INSERT:
            payload = row_payload(row)
        elif row is not None and kept.op == Op.UPDATE:
            current = row_payload(row)
            payload = {name: current.get(name) for name in payload}
        _requeue(session, kept, new_id(), payload)
        for dependent in dependents:
            same_row = (dependent.entity, dependent.row_id) == (kept.entity, kept.row_id)
            _forget(session, dependent.change_id)
            if not (same_row and kept.op == Op.INSERT):
                _requeue(session, dependent, dependent.change_id, json.loads(dependent.payload))
        _forget(session, change_id)


def discard(store: Store, change_id: str) -> None:
    """Forget a set-aside change and what depended on it."""
    with store.transaction() as session:
        _one(session, change_id)
        for dependent in listed(session):
            if dependent.depends_on == change_id:
                _forget(session, dependent.change_id)
        _forget(session, change_id)


def _one(session: Session, change_id: str) -> SetAside:
    value = session.get(Setting, PREFIX + change_id)
    if value is None:
        raise NotFoundError(
            f"Không có thay đổi bị từ chối nào mã {change_id}.",
            f"No set-aside change {change_id}.",
        )
    return SetAside(**json.loads(value.value))


def _keep(
    session: Session,
    entry: OutboxEntry,
    reason_vi: str,
    reason_en: str,
    at: str,
    *,
    depends_on: str | None,
) -> SetAside:
    kept = SetAside(
        change_id=entry.change_id,
        seq=entry.seq,
        entity=entry.entity,
        row_id=entry.row_id,
        op=entry.op,
        base_version=entry.base_version,
        payload=entry.payload,
        set_aside_at=at,
        reason_vi=reason_vi,
        reason_en=reason_en,
        depends_on=depends_on,
    )
    session.merge(Setting(key=PREFIX + entry.change_id, value=json.dumps(asdict(kept))))
    session.delete(entry)
    session.flush()
    return kept


def _forget(session: Session, change_id: str) -> None:
    session.execute(delete(Setting).where(Setting.key == PREFIX + change_id))


def _requeue(session: Session, kept: SetAside, change_id: str, payload: dict[str, Any]) -> None:
    session.add(
        OutboxEntry(
            change_id=change_id,
            entity=kept.entity,
            row_id=kept.row_id,
            op=kept.op,
            base_version=kept.base_version,
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
            created_at=_parse_time(kept.set_aside_at),
        )
    )
    session.flush()


def _parse_time(text: str) -> Any:
    from villagehelper.store.models import UtcDateTime

    return UtcDateTime().process_result_value(text, None)  # type: ignore[arg-type]


def _depends_on(entry: OutboxEntry, roots: dict[tuple[str, str], SetAside]) -> SetAside | None:
    same_row = roots.get((entry.entity, entry.row_id))
    if same_row is not None:
        return same_row
    if entry.entity not in ENTITIES:
        return None
    fields: dict[str, Any] = json.loads(entry.payload)
    for reference in wire.references(entry.entity):
        target = fields.get(reference.field)
        if isinstance(target, str) and (reference.entity, target) in roots:
            return roots[(reference.entity, target)]
    return None


def now_text(store: Store) -> str:
    return utc_text(store.now())
