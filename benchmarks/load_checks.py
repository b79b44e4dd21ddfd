"""The count check after a load run: every change the laptops were told was accepted
is on the server exactly once, nothing else is, and every laptop holds what the server holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from benchmarks.load_laptop import RowKey, SimulatedLaptop
from villagehelper.server.database import ServerDB
from villagehelper.server.feed_clock import commune_end
from villagehelper.server.tables import AuditEntry, ReceivedChange, Record


@dataclass(frozen=True)
class CountCheck:
    """The server's database after the run against what the laptops were told."""

    changes_acknowledged: int
    sessions_acknowledged: int
    sessions_on_server: int
    lost_changes: int  # acknowledged change ids the server has no record of receiving
    lost_sessions: int  # acknowledged sessions not among the server's rows
    lost_edits: int  # households not as their laptop's last acknowledged change left them
    doubled: int  # change ids or sessions accepted more than once (audit log)
    extra: int  # sessions or households on the server that no laptop sent
    unseen: int  # rows a laptop, at the feed's end, does not hold at the server's version
    unconfirmed: int  # changes still unacknowledged after the end's uploads

    @property
    def lost(self) -> int:
        return self.lost_changes + self.lost_sessions + self.lost_edits

    @property
    def passed(self) -> bool:
        return not (self.lost or self.doubled or self.extra or self.unseen or self.unconfirmed)


def commune_rows(db: ServerDB, commune: str) -> tuple[int, dict[RowKey, int]]:
    """The feed's end and every row a laptop of ``commune`` downloads, with its version."""
    with db.reading() as session:
        cursor = commune_end(session.connection(), commune)
        rows = session.execute(
            select(Record.entity, Record.row_id, Record.version).where(
                Record.commune_code.in_((commune, ""))
            )
        )
        return cursor, {(entity, row_id): version for entity, row_id, version in rows}


def check_counts(db: ServerDB, laptops: list[SimulatedLaptop]) -> CountCheck:
    """Every acknowledged change on the server exactly once, nothing else, and every
    laptop holding what the server holds."""
    communes = sorted({laptop.identity.commune_code for laptop in laptops})
    acknowledged = set().union(*(laptop.acknowledged_changes for laptop in laptops))
    sessions_acknowledged = set().union(*(laptop.acknowledged_sessions for laptop in laptops))
    sessions_sent = set().union(*(laptop.sent_sessions for laptop in laptops))
    households_sent = set().union(*(laptop.sent_households for laptop in laptops))
    with db.reading() as session:
        received = set(session.scalars(select(ReceivedChange.change_id)))
        on_server = {
            (entity, row_id): (version, fields)
            for entity, row_id, version, fields in session.execute(
                select(Record.entity, Record.row_id, Record.version, Record.fields).where(
                    Record.commune_code.in_(communes)
                )
            )
        }
        audited = select(AuditEntry.change_id).where(AuditEntry.commune_code.in_(communes))
        doubled_changes = session.scalars(
            audited.group_by(AuditEntry.change_id).having(func.count() > 1)
        ).all()
        doubled_sessions = session.scalars(
            select(AuditEntry.row_id)
            .where(AuditEntry.entity == "help_session", AuditEntry.op == "insert")
            .group_by(AuditEntry.row_id)
            .having(func.count() > 1)
        ).all()
        feed = _commune_feeds(db, communes)
    server_sessions = {row_id for entity, row_id in on_server if entity == "help_session"}
    server_households = {row_id for entity, row_id in on_server if entity == "household"}
    return CountCheck(
        changes_acknowledged=len(acknowledged),
        sessions_acknowledged=len(sessions_acknowledged),
        sessions_on_server=len(server_sessions),
        lost_changes=len(acknowledged - received),
        lost_sessions=len(sessions_acknowledged - server_sessions),
        lost_edits=sum(_edits_lost(laptop, on_server) for laptop in laptops),
        doubled=len(doubled_changes) + len(doubled_sessions),
        extra=len(server_sessions - sessions_sent) + len(server_households - households_sent),
        unseen=sum(_unseen(laptop, feed[laptop.identity.commune_code]) for laptop in laptops),
        unconfirmed=sum(len(laptop.outbox) for laptop in laptops),
    )


def _edits_lost(laptop: SimulatedLaptop, on_server: dict[RowKey, tuple[int, str]]) -> int:
    """The laptop's households whose server version, or notes, are not those of the
    last change the server acknowledged for them."""
    lost = 0
    for household, version in laptop.households.items():
        if version is None:
            continue
        stored = on_server.get(("household", household))
        notes = json.loads(stored[1]).get("notes", "") if stored else None
        if stored is None or stored[0] != version or notes != laptop.notes.get(household, ""):
            lost += 1
    return lost


def _commune_feeds(db: ServerDB, communes: list[str]) -> dict[str, dict[RowKey, int]]:
    return {commune: commune_rows(db, commune)[1] for commune in communes}


def _unseen(laptop: SimulatedLaptop, feed: dict[RowKey, int]) -> int:
    held = laptop.held
    return sum(1 for key, version in feed.items() if held.get(key) != version) + len(
        held.keys() - feed.keys()
    )
