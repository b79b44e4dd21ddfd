"""Rows the push path hands straight to the driver read back as SQLAlchemy wrote them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from tests.sync_support import COMMUNE
from villagehelper.server.bulk import insert_rows
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import AuditEntry, Record, ServerBase

_AUDIT = ServerBase.metadata.tables[AuditEntry.__tablename__]
_RECORDS = ServerBase.metadata.tables[Record.__tablename__]


def _audit_row(change_id: str, at: datetime) -> dict[str, object]:
    return {
        "at": at,
        "commune_code": COMMUNE,
        "device_id": "device-1",
        "team_member_id": None,
        "change_id": change_id,
        "entity": "help_session",
        "row_id": f"row-{change_id}",
        "op": "insert",
        "outcome": "applied",
    }


def test_driver_rows_read_back_like_sqlalchemy_rows(server_db: ServerDB) -> None:
    at = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
    with server_db.transaction() as session:
        session.execute(insert(_AUDIT), [_audit_row("by-sqlalchemy", at)])
        insert_rows(session.connection(), _AUDIT, [_audit_row("by-driver", at)])
        record = {
            "entity": "household",
            "row_id": "h-1",
            "commune_code": COMMUNE,
            "version": 10**12,
            "fields": '{"head_name":"Đỗ Thị Ánh"}',
            "field_versions": "{}",
            "deleted": True,
            "household_id": None,
        }
        second = {**record, "row_id": "h-2", "version": 10**12 + 1}
        insert_rows(session.connection(), _RECORDS, [record, second])
    with server_db.reading() as session:
        entries = {e.change_id: e for e in session.scalars(select(AuditEntry))}
        stored = session.get(Record, ("household", "h-2"))
    assert entries["by-driver"].at == entries["by-sqlalchemy"].at == at
    assert entries["by-driver"].team_member_id is None
    assert stored is not None
    assert (stored.deleted, stored.household_id, stored.fields) == (True, None, record["fields"])
