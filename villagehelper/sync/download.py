"""Download: an empty laptop starts from the commune's snapshot, then every laptop
follows the feed to its end (``villagehelper.exchange.feed``)."""

from __future__ import annotations

import logging
from typing import Any

from villagehelper.exchange import snapshot, wire
from villagehelper.exchange.feed import Progress, follow_feed
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.store.migrate import HEAD_REVISION
from villagehelper.sync.http import ServerConnection

log = logging.getLogger(__name__)


def pull_all(
    store: Store,
    connection: ServerConnection,
    progress: Progress,
    page_size: int,
    use_snapshot: bool,
) -> tuple[int, Changes]:
    def fetch(since: int) -> dict[str, Any]:
        return connection.get("/v1/changes", {"since": since, "limit": page_size})

    adopted = _start_from_snapshot(store, connection, progress) if use_snapshot else None
    pulled, changes = follow_feed(store, fetch, progress)
    if adopted is None:
        return pulled, changes
    adopted.changes.merge(changes)
    return adopted.rows + pulled, adopted.changes


def _start_from_snapshot(
    store: Store, connection: ServerConnection, progress: Progress
) -> snapshot.Adopted | None:
    """An empty laptop takes the commune's snapshot, then follows the feed from there;
    None when it is not empty, or the server has none for this version."""
    with store.reading() as session:
        if not snapshot.holds_nothing(session):
            return None
    with snapshot.scratch(store.path.parent, "commune-snapshot.sqlite3") as path:
        got = connection.download(
            "/v1/snapshot",
            {"schema": HEAD_REVISION},
            path,
            wire.MAX_SNAPSHOT_BYTES,
            lambda done, total: progress("snapshot", done, total),
        )
        if not got:
            return None
        try:
            return snapshot.adopt(store, path)
        except snapshot.SnapshotUnusableError as exc:
            log.warning("commune snapshot not used: %s", exc.message_en)
            return None
