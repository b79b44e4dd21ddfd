"""The console's audit log: who did what, when, from where.

Officers' names and commune or province codes only; never a resident's name (no page of
this frame handles one, and the pages that come later record ids, not names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from villagehelper.server.database import ServerDB
from villagehelper.server.tables import ConsoleAuditEntry

COMMAND_LINE = "command line"  # the "address" of what the server's own commands did


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    officer_name: str
    action: str
    target: str
    address: str


def record(db: ServerDB, officer_name: str, action: str, target: str, address: str) -> None:
    with db.transaction() as session:
        session.add(
            ConsoleAuditEntry(
                at=db.clock(),
                officer_name=officer_name[:80],
                action=action[:40],
                target=target[:80],
                address=address[:45],
            )
        )


def recent(db: ServerDB, limit: int = 200) -> list[AuditLine]:
    """The newest entries first."""
    with db.reading() as session:
        rows = session.scalars(
            select(ConsoleAuditEntry).order_by(ConsoleAuditEntry.id.desc()).limit(limit)
        ).all()
        return [AuditLine(r.at, r.officer_name, r.action, r.target, r.address) for r in rows]
