"""A store's sync settings, kept in its ``settings`` table: the keys, and reading and
writing them.

Every store that follows the feed keeps its cursor here: a laptop, and the server's
per-commune replicas (``villagehelper.server.replicas``).  A laptop also keeps its
enrolment, its device's history (``villagehelper.sync.device_history``) and the last
round's outcome, which its status bar shows (``villagehelper.sync.status``).

Kept in the database (not a preferences file) so the cursor moves in the same
transaction as the page it covers, and a restored backup brings its own cursor.

Here in the store, below every layer that reads these settings (ops, exchange, sync,
the server): this module imports the store's models only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from villagehelper.store.models import Setting, utc_text

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
# This laptop's history as a device (sync/device_history.py):
DEVICE_HOME = "sync_device_home"  # JSON: install, machine
COPIED_FOLDER = "sync_copied_folder"  # "1" once a copy is detected, until it enrols again
LAST_ACKED = "sync_last_acked_change"  # the change id the server last acknowledged
# App updates offered by the commune server (villagehelper/updates/): the newest version
# its last answer named, and the offer (JSON) fetched for it.
UPDATE_VERSION = "update_offered_version"
UPDATE_OFFER = "update_offer"

# Settings that are this laptop's identity rather than part of the data: a restored
# backup keeps the current store's (ops/restore.py), so it neither claims an old token
# nor restarts a history the server has seen go further.
IDENTITY_KEYS = (
    SERVER_URL,
    DEVICE_ID,
    TOKEN,
    ROLE,
    DEVICE_HOME,
    COPIED_FOLDER,
    LAST_ACKED,
)


@dataclass(frozen=True)
class Enrolled:
    server_url: str
    device_id: str
    token: str
    role: str

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"


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


def volunteer_laptop(session: Session) -> bool:
    """Enrolled with a volunteer's code: the server refuses a leader's rows from it, so
    the operations that write them refuse first (a laptop not enrolled may)."""
    role = get(session, ROLE)
    return role is not None and role != "leader"


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


def note_offered_version(session: Session, version: str) -> None:
    """The newest app version the server's latest answer named; "" when it named none."""
    if version:
        put(session, UPDATE_VERSION, version)
    else:
        clear(session, UPDATE_VERSION)
