"""A household's history as the household page shows it: visits, newest first, each
with its services; voided sessions keep their place, with who voided them and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from villagehelper.ops.households import live_household
from villagehelper.ops.session_queries import SessionRow, household_history
from villagehelper.session_times import QUARANTINE_DEVICE
from villagehelper.store.engine import Store
from villagehelper.store.models import SessionVoid, TeamMember

SERVER_NAME = "Máy chủ xã"


@dataclass(frozen=True)
class VoidInfo:
    reason: str
    volunteer_name: str
    voided_at: datetime


@dataclass(frozen=True)
class TimelineEntry:
    session: SessionRow
    void: VoidInfo | None  # set when the session was voided (undone or corrected)


@dataclass(frozen=True)
class TimelineVisit:
    """The services given at one visit (one save of the log-a-visit screen)."""

    visit_id: str
    occurred_at: datetime
    volunteer_name: str
    member_name: str | None
    note: str
    entries: tuple[TimelineEntry, ...]

    @property
    def all_voided(self) -> bool:
        return all(entry.void is not None for entry in self.entries)


def household_timeline(store: Store, household_id: str) -> list[TimelineVisit]:
    """Every visit of a live household, newest first (NotFoundError once merged away)."""
    with store.reading() as session:
        live_household(session, household_id)
    rows = household_history(store, household_id)
    voids = _voids(store, [row.id for row in rows if row.voided])
    by_visit: dict[str, list[TimelineEntry]] = {}
    for row in rows:  # newest first: a visit's place is that of its newest session
        by_visit.setdefault(row.visit_id, []).append(TimelineEntry(row, voids.get(row.id)))
    return [_visit(entries) for entries in by_visit.values()]


def _visit(entries: list[TimelineEntry]) -> TimelineVisit:
    # A correction is logged by whoever corrected it; the visit is shown as first logged.
    first = min(entries, key=lambda entry: entry.session.occurred_at).session
    ordered = sorted(entries, key=lambda entry: (entry.void is not None, entry.session.id))
    return TimelineVisit(
        visit_id=first.visit_id,
        occurred_at=first.occurred_at,
        volunteer_name=first.volunteer_name,
        member_name=first.member_name,
        note=first.note,
        entries=tuple(ordered),
    )


def _voids(store: Store, session_ids: Sequence[str]) -> dict[str, VoidInfo]:
    if not session_ids:
        return {}
    query = (
        select(SessionVoid, TeamMember.full_name)
        .join(TeamMember, TeamMember.id == SessionVoid.volunteer_id)
        .where(SessionVoid.session_id.in_(session_ids), SessionVoid.deleted.is_(False))
        .order_by(SessionVoid.voided_at.desc())
    )
    found: dict[str, VoidInfo] = {}
    with store.reading() as session:
        for void, volunteer_name in session.execute(query):
            # Two laptops may void the same session offline: the earlier void counts,
            # and it is the last one written here (newest first).
            # The commune server's void of a session with an impossible date names the
            # session's own volunteer (ops/implausible.py): say who really voided it.
            by = SERVER_NAME if void.device_id == QUARANTINE_DEVICE else volunteer_name
            found[void.session_id] = VoidInfo(void.reason, by, void.voided_at)
    return found
