"""The sync benchmark's first downloads: the server's first snapshot of a commune, first
pulls of ours against the raw chain, and a first pull that follows the whole feed.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.sync_processes import (
    commune_server,
    enrolled_laptop,
    measure_child,
)
from villagehelper.exchange import wire
from villagehelper.store import sync_state
from villagehelper.store.engine import open_store
from villagehelper.store.migrate import HEAD_REVISION
from villagehelper.sync import client


@dataclass(frozen=True)
class DatasetServers:
    """The commune server's database and the raw chain's page server of one dataset."""

    database: Path
    commune: str
    pages_url: str
    pages: int


def warm_replica(url: str, database: Path, commune: str, folder: Path) -> float:
    """The server's first snapshot of the commune: its replica built from the whole feed
    (once per commune on a server; it is kept and catches up from there)."""
    laptop = enrolled_laptop(url, database, commune, folder / "warm-up")
    store = open_store(laptop)
    try:
        with store.reading() as session:
            credentials = sync_state.enrolled(session)
        assert credentials is not None
        connection = client.default_connection(url, credentials.token)
        try:
            started = time.perf_counter()
            got = connection.download(
                "/v1/snapshot",
                {"schema": HEAD_REVISION},
                folder / "warm-up.sqlite3",
                wire.MAX_SNAPSHOT_BYTES,
                lambda _done, _total: None,
            )
            seconds = time.perf_counter() - started
        finally:
            connection.close()
        if not got:
            raise RuntimeError("the server made no snapshot")
    finally:
        store.close()
    shutil.rmtree(laptop)
    (folder / "warm-up.sqlite3").unlink()
    return seconds


def first_pulls(
    servers: DatasetServers, folder: Path, repeat: int, last: Callable[[Path], None] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Alternate raw chain and VillageHelper ``repeat`` times, each of ours against a
    server started anew, so each request makes its snapshot from the (kept) replica as
    when the commune's feed has moved since the last new laptop.  ``last`` gets the
    last laptop while its server still runs."""
    ours, raw = [], []
    for attempt in range(repeat):
        raw_db = folder / f"raw-{attempt}.sqlite3"
        raw.append(measure_child("raw-pull", servers.pages_url, str(servers.pages), str(raw_db)))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{raw_db}{suffix}").unlink(missing_ok=True)
        with commune_server(servers.database, folder) as url:
            laptop = enrolled_laptop(url, servers.database, servers.commune, folder / "laptop")
            ours.append(measure_child("pull", str(laptop)))
            if attempt == repeat - 1 and last is not None:
                last(laptop)
        shutil.rmtree(laptop)
    return ours, raw


def feed_only_pull(servers: DatasetServers, folder: Path) -> dict[str, Any]:
    """A first download that follows the whole feed (a laptop of another version)."""
    with commune_server(servers.database, folder) as url:
        laptop = enrolled_laptop(url, servers.database, servers.commune, folder / "by-feed")
        result = measure_child("pull", str(laptop), "--feed-only")
    shutil.rmtree(laptop)
    return result
