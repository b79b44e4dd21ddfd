"""The server's side of rows set aside (villagehelper.exchange.quarantine): listed, repaired.

The commune's replica applies the feed as a laptop does; what it sets aside is mirrored
into the ``quarantined_rows`` table after each catch-up, so the administrator can list it
(``villagehelper-server quarantine list``) without reading a replica's settings.

When no leader's laptop can settle a row (``ops/quarantined.py``), the administrator
repairs it here: ``repair`` writes a new version of the row with the given fields,
``void`` writes a void of a help session in the server's name.  Either goes down the
feed like any change, newer than every cursor, so the replica and every laptop take it
at their next pass; the command then catches the replica up and says whether the row
now applies.  Ids only in the audit log and in what is printed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.server.database import ServerDB
from villagehelper.server.feed_clock import VersionClock
from villagehelper.server.tables import AuditEntry, QuarantinedRow, Record
from villagehelper.store.changelog import ENTITIES
from villagehelper.store.models import utc_text
from villagehelper.store.quarantine_rows import Quarantined

ADMIN_DEVICE = "server-administrator"  # device id of the administrator's writes
_VOID_NAMESPACE = uuid.UUID("6d1f0c2a-58e4-4b8e-9a51-2f7c3e9b0d17")


@dataclass(frozen=True)
class Listed:
    commune_code: str
    entity: str
    row_id: str
    version: int
    reason: str


def mirror(db: ServerDB, commune_code: str, rows: Sequence[Quarantined]) -> None:
    """Make the table's rows of ``commune_code`` what the replica holds set aside."""
    wanted = {(row.entity, row.row_id): row for row in rows}
    with db.transaction() as session:
        stored = {
            (row.entity, row.row_id): row
            for row in session.scalars(
                select(QuarantinedRow).where(QuarantinedRow.commune_code == commune_code)
            )
        }
        for key, row in stored.items():
            if key not in wanted or wanted[key].version != row.version:
                session.delete(row)
        session.flush()
        for key, found in wanted.items():
            if key in stored and stored[key].version == found.version:
                continue
            session.add(
                QuarantinedRow(
                    commune_code=commune_code,
                    entity=found.entity,
                    row_id=found.row_id,
                    version=found.version,
                    reason=found.reason,
                    found_at=db.clock(),
                )
            )


def listed(db: ServerDB, commune_code: str | None = None) -> list[Listed]:
    query = select(QuarantinedRow).order_by(QuarantinedRow.commune_code, QuarantinedRow.version)
    if commune_code is not None:
        query = query.where(QuarantinedRow.commune_code == commune_code)
    with db.reading() as session:
        return [
            Listed(row.commune_code, row.entity, row.row_id, row.version, row.reason)
            for row in session.scalars(query)
        ]


def forget_commune(db: ServerDB, commune_code: str) -> None:
    with db.transaction() as session:
        session.execute(delete(QuarantinedRow).where(QuarantinedRow.commune_code == commune_code))


def _not_found(entity: str, row_id: str) -> UserError:
    return UserError(
        f"Máy chủ không có dòng {entity} {row_id}: hãy chép mã từ "
        "'villagehelper-server quarantine list'.",
        f"No {entity} {row_id} on the server: copy the id from 'quarantine list'.",
    )


def parse_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """``field=value`` pairs (``field=`` for empty text, ``field=null`` for none)."""
    fields: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name:
            raise UserError(
                f"Không hiểu '{assignment}': hãy viết TÊN_TRƯỜNG=GIÁ_TRỊ, ví dụ outcome=done.",
                f"Cannot read '{assignment}': write FIELD=VALUE, e.g. outcome=done.",
            )
        fields[name] = None if value == "null" else value
    return fields


def repair(db: ServerDB, entity: str, row_id: str, changed: dict[str, Any]) -> Listed:
    """A new version of a row with ``changed`` fields; the row as it now stands."""
    if entity not in ENTITIES:
        raise _not_found(entity, row_id)
    with db.transaction() as session:
        record = session.get(Record, (entity, row_id))
        if record is None or not record.commune_code:
            raise _not_found(entity, row_id)
        versions = VersionClock(session, record.commune_code)
        # Read again under the commune's lock: a push may have changed it meanwhile.
        session.refresh(record)
        fields = json.loads(record.fields)
        fields.update(changed)
        # The whole row as it will stand, as a push would check a new one.
        problems = wire.change_problems(entity, "insert", fields)
        if problems:
            raise UserError(
                "Giá trị sửa không hợp lệ: " + "; ".join(problems),
                "The repaired values are not valid: " + "; ".join(problems),
            )
        version = versions.next()
        field_versions = json.loads(record.field_versions)
        for name in changed:
            field_versions[name] = [version, ADMIN_DEVICE]
        record.fields = wire.canonical_json(fields)
        record.field_versions = wire.canonical_json(field_versions)
        record.version = version
        record.household_id = fields.get("household_id")
        _audit(session, db, record.commune_code, entity, row_id, op="update")
        return Listed(record.commune_code, entity, row_id, version, "")


def void_session(db: ServerDB, session_id: str) -> Listed:
    """A void of help session ``session_id`` in the server's name: it counts nowhere and
    leaves every list of rows set aside."""
    with db.transaction() as session:
        record = session.get(Record, ("help_session", session_id))
        if record is None or not record.commune_code:
            raise _not_found("help_session", session_id)
        volunteer_id = json.loads(record.fields).get("volunteer_id")
        void_id = str(uuid.uuid5(_VOID_NAMESPACE, session_id))
        if session.get(Record, ("session_void", void_id)) is not None:
            raise UserError("Lượt hỗ trợ này đã được hủy.", "This session is already voided.")
        version = VersionClock(session, record.commune_code).next()
        now = db.clock()
        fields = {
            "session_id": session_id,
            "reason": "Dữ liệu lỗi, quản trị máy chủ hủy / faulty row voided by the server",
            "volunteer_id": volunteer_id,
            "voided_at": utc_text(now),
            "device_id": ADMIN_DEVICE,
        }
        session.add(
            Record(
                entity="session_void",
                row_id=void_id,
                commune_code=record.commune_code,
                version=version,
                fields=wire.canonical_json(fields),
                field_versions=wire.canonical_json(
                    {name: [version, ADMIN_DEVICE] for name in fields}
                ),
                deleted=False,
                household_id=None,
            )
        )
        _audit(session, db, record.commune_code, "session_void", void_id, op="insert")
        return Listed(record.commune_code, "session_void", void_id, version, "")


def _audit(
    session: Any, db: ServerDB, commune_code: str, entity: str, row_id: str, *, op: str
) -> None:
    session.add(
        AuditEntry(
            at=db.clock(),
            commune_code=commune_code,
            device_id=ADMIN_DEVICE,
            team_member_id=None,
            change_id=str(uuid.uuid4()),
            entity=entity,
            row_id=row_id,
            op=op,
            outcome="applied",
        )
    )
