"""The console's audit log: who did what, when, from where.

Officers' names and commune or province codes only; never a resident's name (no page of
this frame handles one, and the pages that come later record ids, not names).

A line has no commune column: :func:`commune_lines` finds a commune's lines by who acted
(an officer of the commune, by name: names are unique) or by what was tried on it (a
refused look at the commune, its code the target).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from villagehelper.server.database import ServerDB
from villagehelper.server.tables import ConsoleAuditEntry, Officer

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


def commune_lines(db: ServerDB, code: str, skip: int, count: int) -> list[AuditLine]:
    """Up to ``count`` lines of commune ``code``, newest first, after the ``skip`` newest:
    what its officers did (their sign-ins, failed ones too), and the refused looks at the
    commune by officers of elsewhere."""
    officers_of_commune = select(Officer.name).where(Officer.commune_code == code)
    with db.reading() as session:
        rows = session.scalars(
            select(ConsoleAuditEntry)
            .where(
                or_(
                    ConsoleAuditEntry.officer_name.in_(officers_of_commune),
                    (ConsoleAuditEntry.action == "refused_commune")
                    & (ConsoleAuditEntry.target == code),
                )
            )
            .order_by(ConsoleAuditEntry.id.desc())
            .offset(skip)
            .limit(count)
        ).all()
        return [AuditLine(r.at, r.officer_name, r.action, r.target, r.address) for r in rows]
