"""What the laptop's status bar and sync settings show about syncing: one summary
(:class:`SyncStatus`) read from the store — enrolment, changes waiting to go up, the last
round's outcome, and what waits for a person (open conflicts, sessions held back for an
impossible date, rows set aside as faulty, changes the server refused).

The settings it reads are kept by :mod:`villagehelper.store.sync_state`; this summary is
the laptop's alone (the server never shows it), so it lives with the sync client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from villagehelper.ops import implausible
from villagehelper.store import quarantine_rows
from villagehelper.store.engine import Store
from villagehelper.store.models import OutboxEntry, Setting, SyncConflict, UtcDateTime
from villagehelper.store.sync_state import (
    LAST_ERROR,
    LAST_ERROR_EN,
    LAST_SUCCESS,
    SET_ASIDE_PREFIX,
    Enrolled,
    enrolled,
    get,
)

_TIME = UtcDateTime()


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows: the truth, from the database."""

    enrolled: Enrolled | None
    pending: int
    last_success: datetime | None
    last_error: str
    last_error_en: str
    open_conflicts: int
    # Sessions the server held back for an impossible date (ops/implausible.py).
    implausible_sessions: int = 0
    # Rows of the server set aside as faulty (store/quarantine_rows.py): a leader settles them.
    faulty_rows: int = 0
    # Changes the server refused, kept aside for a leader (sync/set_aside.py).
    set_aside: int = 0


def status(store: Store) -> SyncStatus:
    with store.reading() as session:
        success = get(session, LAST_SUCCESS)
        return SyncStatus(
            enrolled=enrolled(session),
            pending=session.scalar(select(func.count()).select_from(OutboxEntry)) or 0,
            last_success=_TIME.process_result_value(success, None) if success else None,  # type: ignore[arg-type]
            last_error=get(session, LAST_ERROR) or "",
            last_error_en=get(session, LAST_ERROR_EN) or "",
            open_conflicts=session.scalar(
                select(func.count())
                .select_from(SyncConflict)
                .where(SyncConflict.resolved.is_(False), SyncConflict.deleted.is_(False))
            )
            or 0,
            implausible_sessions=implausible.count_in(session),
            faulty_rows=quarantine_rows.count(session),
            set_aside=session.scalar(
                select(func.count())
                .select_from(Setting)
                .where(Setting.key.startswith(SET_ASIDE_PREFIX))
            )
            or 0,
        )
