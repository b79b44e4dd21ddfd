"""A store's sync settings and status, kept in its ``settings`` table.

Every store that follows the feed keeps its cursor here: a laptop, and the server's
per-commune replicas (``villagehelper.server.replicas``).  A laptop also keeps its
enrolment and the last round's outcome, which its status bar shows.

Kept in the database (not a preferences file) so the cursor moves in the same
transaction as the page it covers, and a restored backup brings its own cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from villagehelper.ops import implausible
from villagehelper.store.engine import Store
from villagehelper.store.models import OutboxEntry, Setting, SyncConflict, UtcDateTime, utc_text

SERVER_URL = "sync_server_url"
DEVICE_ID = "sync_device_id"
TOKEN = "sync_token"
ROLE = "sync_role"
CURSOR = "sync_cursor"
LAST_SUCCESS = "sync_last_success"
LAST_ERROR = "sync_last_error"
LAST_ERROR_EN = "sync_last_error_en"
DEMO_DATA = "demo_data"
ENROL_ATTEMPT = "sync_enrol_attempt"  # JSON: server, code digest, attempt id
SET_ASIDE_PREFIX = "sync_set_aside:"  # + change id: a change the server refused (sync/set_aside.py)

_TIME = UtcDateTime()


@dataclass(frozen=True)
class Enrolled:
    server_url: str
    device_id: str
    token: str
    role: str

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"


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
    # Rows of the server set aside as faulty (exchange/quarantine.py): a leader settles them.
    faulty_rows: int = 0
    # Changes the server refused, kept aside for a leader (sync/set_aside.py).
    set_aside: int = 0


def get(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return None if row is None else row.value


def put(session: Session, key: str, value: str) -> None:
    session.merge(Setting(key=key, value=value))


def clear(session: Session, key: str) -> None:
    session.execute(delete(Setting).where(Setting.key == key))


def enrolled(session: Session) -> Enrolled | None:
    values = [get(session, key) for key in (SERVER_URL, DEVICE_ID, TOKEN, ROLE)]
    if any(value is None for value in values):
        return None
    url, device, token, role = (str(value) for value in values)
    return Enrolled(url, device, token, role)


def cursor(session: Session) -> int:
    return int(get(session, CURSOR) or 0)


def is_demo(session: Session) -> bool:
    return get(session, DEMO_DATA) == "1"


def note_success(session: Session, moment: datetime) -> None:
    put(session, LAST_SUCCESS, utc_text(moment))
    clear(session, LAST_ERROR)
    clear(session, LAST_ERROR_EN)


def note_failure(session: Session, message_vi: str, message_en: str) -> None:
    put(session, LAST_ERROR, message_vi)
    put(session, LAST_ERROR_EN, message_en)


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
            faulty_rows=_faulty_rows(session),
            set_aside=session.scalar(
                select(func.count())
                .select_from(Setting)
                .where(Setting.key.startswith(SET_ASIDE_PREFIX))
            )
            or 0,
        )


def _faulty_rows(session: Session) -> int:
    from villagehelper.exchange import quarantine  # it reads and writes through this module

    return quarantine.count(session)
