"""Residents' personal data: the record of every export of it.

Exporting households (names, birth years, phones) or sessions (with the names of the
people helped) to a file is a deliberate act under the Personal Data Protection Law
(91/2025/QH15): each one is written down here — when, what, how many rows, to which file
(its name, not its folder), by which team member when known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from villagehelper.store.engine import Store
from villagehelper.store.models import PersonalDataExport


@dataclass(frozen=True)
class ExportRecord:
    at: datetime
    what: str
    rows: int
    file_name: str
    team_member_id: str | None


def note_export(store: Store, what: str, rows: int, path: Path, by: str | None) -> None:
    with store.transaction() as session:
        session.add(
            PersonalDataExport(
                at=store.now(), what=what, rows=rows, file_name=path.name, team_member_id=by
            )
        )


def list_exports(store: Store) -> list[ExportRecord]:
    """Every export of personal data, oldest first."""
    with store.reading() as session:
        found = session.scalars(select(PersonalDataExport).order_by(PersonalDataExport.id))
        return [
            ExportRecord(row.at, row.what, row.rows, row.file_name, row.team_member_id)
            for row in found
        ]
