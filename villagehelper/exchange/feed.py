"""The feed loop: a laptop-schema store follows the server's feed to its end.

Both sides run it: a laptop over HTTP (``villagehelper.sync.client``), the server's
per-commune replicas in-process (``villagehelper.server.replicas``).  ``fetch`` gives
the page after a cursor; each page and the cursor after it are applied in one
transaction, so an interrupted download resumes where it stopped and never applies a
page twice or skips one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from villagehelper.exchange import quarantine
from villagehelper.store import sync_state
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.tally import summaries

Progress = Callable[[str, int, int], None]  # phase ("push"/"pull"), done, total (0 = unknown)


def no_progress(_phase: str, _done: int, _total: int) -> None:
    pass


def _take_page(
    store: Store,
    since: int,
    page: dict[str, Any],
    changes: Changes,
    apply: quarantine.PageApplier,
) -> bool:
    """One page and the cursor after it, in one transaction; False if the cursor moved."""
    with store.feed_transaction() as session:
        if sync_state.cursor(session) != since:
            return False
        if since == 0 and page["more"]:
            summaries.suspend(session.connection())
        apply(session, page["changes"], changes)
        sync_state.put(session, sync_state.CURSOR, str(page["cursor"]))
        if not page["more"]:
            summaries.resume(session.connection())
    return True


def follow_feed(
    store: Store, fetch: Callable[[int], dict[str, Any]], progress: Progress = no_progress
) -> tuple[int, Changes]:
    """Apply feed pages from the store's cursor to the end of the feed, each page and the
    cursor after it in one transaction (laptops, and the server's tally replicas).

    A download of the whole feed (from cursor 0, more than a page) suspends the tally
    summaries and refills them once with the last page: kept row by row by their
    triggers, a commune's sessions would cost most of the download's time.  A download
    cut short leaves them suspended (tallies then count over the sessions, exactly)
    until a later one reaches the end.
    """
    pulled = 0
    changes = Changes()
    while True:
        with store.reading() as session:
            since = sync_state.cursor(session)
        page = fetch(since)
        # A row this store cannot hold is set aside, not fatal (quarantine.py).
        taken = quarantine.bulk_then_row_by_row(partial(_take_page, store, since, page, changes))
        if not taken:
            continue  # another sync moved the cursor meanwhile: ask again from there
        pulled += len(page["changes"])
        progress("pull", pulled, 0)
        if not page["more"]:
            return pulled, changes
