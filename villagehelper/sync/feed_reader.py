"""Downloading the feed one page ahead of the laptop applying it.

The commune server reads, encodes and compresses a page in its own process; the laptop
then decodes and writes it.  Done in turn, each waits for the other, and on a first
download (hundreds of pages) the server's share is a third of the time.  So while the
laptop writes one page, the next one is already asked for, in a background thread: the
server works on another core meanwhile.

Pages are still applied strictly in order, each with its cursor in one transaction; a
page read ahead is used only if the stored cursor is where it was asked from (another
sync may have moved it), otherwise it is dropped and asked for again.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from villagehelper.sync.http import ServerConnection


class _Fetch:
    """One page request running in a daemon thread.

    A daemon thread, not an executor: if applying a page fails, the sync stops at once
    and a request still waiting on a slow server just ends on its own (its answer is
    dropped) instead of holding the sync or the app's exit until its timeout.
    """

    def __init__(self, connection: ServerConnection, since: int, page_size: int) -> None:
        self.since = since
        self._answer: dict[str, Any] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(connection, page_size), name="feed-read-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, connection: ServerConnection, page_size: int) -> None:
        try:
            self._answer = fetch_page(connection, self.since, page_size)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> dict[str, Any]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._answer is not None
        return self._answer


def fetch_page(connection: ServerConnection, since: int, page_size: int) -> dict[str, Any]:
    return connection.get("/v1/changes", {"since": since, "limit": page_size})


class FeedReader:
    """Pages of the feed for one sync round, the next one requested ahead."""

    def __init__(self, connection: ServerConnection, page_size: int) -> None:
        self._connection = connection
        self._page_size = page_size
        self._ahead: _Fetch | None = None

    def page(self, since: int) -> dict[str, Any]:
        """The page after ``since``: the one read ahead if it was asked from there."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead.since == since:
            return ahead.result()
        if ahead is not None:
            # Asked from another cursor: wait for it anyway, so that two requests never
            # share the connection at once; its answer (or error) is not wanted.
            with contextlib.suppress(Exception):
                ahead.result()
        return fetch_page(self._connection, since, self._page_size)

    def read_ahead(self, since: int) -> None:
        """Start asking for the page after ``since`` while the caller works."""
        self._ahead = _Fetch(self._connection, since, self._page_size)
