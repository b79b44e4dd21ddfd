"""Every answer of the server names the newest app version published for the platform
the laptop names (``exchange/update_offer.py``): the laptop learns of an update in any
sync round, the 426 "please update" refusal included, without a call of its own.

Pushes and pulls are the server's hot path, so the newest versions are kept in memory
and read again from the database at most every few seconds: a publish made by the
``publish-update`` command (another process) shows within that time, without any call
between the two processes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError

from villagehelper.exchange.update_offer import PLATFORM_HEADER, UPDATE_HEADER, UpdateOffer
from villagehelper.server import publishing
from villagehelper.server.answer_headers import Headers, sending_with
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import ASGIApp, Receive, Scope, Send

log = logging.getLogger("villagehelper.server")

REFRESH_SECONDS = 5.0
_PLATFORM = PLATFORM_HEADER.lower().encode("latin-1")
_UPDATE = UPDATE_HEADER.lower().encode("latin-1")


class NewestUpdates:
    """The newest published installer of each platform, read again once it is older
    than ``refresh_seconds`` (0: at every request, for tests that publish and look)."""

    def __init__(
        self,
        db: ServerDB,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self._offers: dict[str, UpdateOffer] = {}
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def stale(self) -> bool:
        read_at = self._read_at
        return read_at is None or self.clock() - read_at >= self.refresh_seconds

    def refresh(self) -> None:
        """Read the newest versions again.  A database out of reach (or a row that is no
        offer) keeps what was known: the answer the laptop waits for matters more than
        the notice riding on it."""
        with self._lock:
            if not self.stale():
                return  # another request read them while this one waited
            try:
                self._offers = publishing.newest(self.db)
            except (SQLAlchemyError, OSError, ValueError) as exc:  # ValueError: a bad row
                log.warning("published updates not read: %s", type(exc).__name__)
            self._read_at = self.clock()

    def known(self, platform: str) -> UpdateOffer | None:
        """The newest offer for ``platform`` as last read (no database call)."""
        return self._offers.get(platform)

    def current(self, platform: str) -> UpdateOffer | None:
        """The newest offer for ``platform``, read again first if the copy is stale."""
        if self.stale():
            self.refresh()
        return self.known(platform)


def requested_platform(scope: Scope) -> str | None:
    """The platform the request's header names, as sent (None without the header)."""
    for key, value in scope["headers"]:
        if key.lower() == _PLATFORM:
            return str(value.decode("latin-1")).strip().lower()
    return None


class UpdateHeader:
    """Adds :data:`UPDATE_HEADER` to every answer to a laptop that names its platform,
    when a version is published for it (plain ASGI, outside the request limits so their
    refusals carry it too)."""

    def __init__(self, app: ASGIApp, newest: NewestUpdates) -> None:
        self.app = app
        self.newest = newest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        platform = requested_platform(scope) if scope["type"] == "http" else None
        if platform is None:
            await self.app(scope, receive, send)
            return
        if self.newest.stale():
            # A database read: in a worker thread, never on the event loop.
            await to_thread.run_sync(self.newest.refresh)
        offer = self.newest.known(platform)
        if offer is None:
            await self.app(scope, receive, send)
            return
        named: Headers = [(_UPDATE, offer.version.encode("latin-1"))]
        await self.app(scope, receive, sending_with(send, lambda: named))
