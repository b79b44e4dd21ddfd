"""What the server notes of each laptop's calls, for the console's laptops page: the
last time it synced (downloads too, not only uploads), the app version and platform it
said it runs and how many changes it said it still holds unsent (the
``X-VillageHelper-App``, ``-Platform`` and ``-Waiting`` headers every sync call carries).

A laptop downloading pulls page after page, and a laptop with nothing to send still asks
for changes every few minutes: one write per call would make every pull a write.  So a
call is written at most once a :data:`NOTE_EVERY` per device, unless what the laptop
says has changed since.  An updated app shows at once; so does a changed count of
changes waiting, or the page would show a round's last batch still waiting for up to
a minute after it arrived, and a laptop that then stays away, for days.  A count changes
at most once per call that changes the laptop's outbox (an uploaded batch), never from
page to page of a download, so this adds a write per upload batch at most, next to the
push's own.  What was written last is remembered per process; another process (or a
restart) writes once more, no harm.  An upload moves ``last_seen_at`` itself, in its own
transaction (push.py).

A count the laptop did not send (an app older than the header), or sent unreadable
(not plain decimal digits, or more than :data:`WAITING_DIGITS` of them), is stored as
not known: a note for the console is never a reason to refuse a sync.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Device

log = logging.getLogger("villagehelper.server")
NOTE_EVERY = timedelta(minutes=1)
VERSION_LENGTH = 32
PLATFORM_LENGTH = 10
# A billion changes waiting is far beyond any laptop's outbox, and nine digits fit the
# column's 32-bit integer on every database.
WAITING_DIGITS = 9
_WAITING = re.compile(rf"[0-9]{{1,{WAITING_DIGITS}}}")
# Versions and platforms are the app's own words ("1.4.0", "windows"): anything else a
# client sends is cut to these characters, never stored as it came.
_NOT_PLAIN = re.compile(r"[^0-9A-Za-z.+_-]")


@dataclass(frozen=True)
class _Noted:
    version: str | None
    platform: str | None
    waiting: int | None
    at: datetime


def plain_word(value: str | None, length: int) -> str | None:
    """A header's value as it may be stored: plain characters, cut to ``length``."""
    if value is None:
        return None
    cleaned = _NOT_PLAIN.sub("", value)[:length]
    return cleaned or None


def waiting_count(value: str | None) -> int | None:
    """The changes waiting a header says, or None if it says nothing readable."""
    if value is None or not _WAITING.fullmatch(value.strip()):
        return None
    return int(value)


class LaptopCalls:
    """The per-process memory of what was last written for each device."""

    def __init__(self, db: ServerDB) -> None:
        self.db = db
        self._noted: dict[str, _Noted] = {}
        self._lock = threading.Lock()

    def note(
        self,
        device_id: str,
        app_version: str | None,
        platform: str | None,
        waiting: str | None = None,
    ) -> None:
        """A call of ``device_id`` with its token: written if a minute has passed since
        the last written one, or if the laptop says something else now (its app, its
        platform, its changes waiting)."""
        version = plain_word(app_version, VERSION_LENGTH)
        system = plain_word(platform, PLATFORM_LENGTH)
        count = waiting_count(waiting)
        now = self.db.clock()
        with self._lock:
            last = self._noted.get(device_id)
            said_now = (version, system, count)
            same = last is not None and (last.version, last.platform, last.waiting) == said_now
            if last is not None and same and now - last.at < NOTE_EVERY:
                return
            self._noted[device_id] = _Noted(version, system, count, now)
        said: dict[str, str | int | None] = {"waiting_changes": count}
        if version is not None:
            said["app_version"] = version
        if system is not None:
            said["platform"] = system
        try:
            with self.db.transaction() as session:
                session.execute(
                    update(Device).where(Device.id == device_id).values(last_seen_at=now, **said)
                )
        except SQLAlchemyError:
            # A note for the console is not worth a laptop's failed download: the next
            # call tries again.
            log.warning("could not note a call of device %s", device_id, exc_info=True)
            with self._lock:
                self._noted.pop(device_id, None)
