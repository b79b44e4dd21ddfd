"""Per-commune replicas in the laptop's schema, kept on the server.

A replica is a local store that follows its commune's feed exactly as an enrolled
laptop does, caught up on demand (only what changed since the last request).  It
serves the commune-wide tally (``tallies.py``: the laptops' own engine, so a leader's
printout and the commune's figures never disagree on a definition) and the snapshots
new laptops start from (``villagehelper.exchange.snapshot``).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from villagehelper import geography
from villagehelper.errors import UserError
from villagehelper.exchange import snapshot
from villagehelper.exchange.feed import follow_feed
from villagehelper.server import feed
from villagehelper.server import quarantine as server_quarantine
from villagehelper.server.accounts import DeviceRole, DeviceScope
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import ServerCommune
from villagehelper.store import quarantine_rows, sync_state
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import Commune

_PAGE = 2000
# Level 1: a snapshot of a district-size commune (some 90 MB) packs to about a third
# in a second or two; higher levels save a few percent for several times the wait.
_SNAPSHOT_LEVEL = 1
_CHUNK = 1 << 20


CACHE_ENV = "VILLAGEHELPER_SERVER_CACHE"
REPLICA_EPOCH = "replica_server_epoch"  # settings key: the epoch a replica follows


def default_replicas_folder(db_url: str) -> Path:
    """Kept between restarts (a replica catches up from where it was), one folder per
    server database so two servers on one PC never share a replica.  Under the user's
    cache folder, or ``VILLAGEHELPER_SERVER_CACHE``."""
    key = hashlib.sha256(db_url.encode()).hexdigest()[:16]
    configured = os.environ.get(CACHE_ENV)
    cache = (
        Path(configured)
        if configured
        else Path(platformdirs.user_cache_dir("villagehelper-server", appauthor=False))
    )
    return cache / "replicas" / key


@dataclass(frozen=True)
class SnapshotFile:
    path: Path  # gzip of the snapshot's SQLite file
    meta: snapshot.Meta


class CommuneReplicas:
    """One laptop-schema replica per commune, under ``folder``, caught up on demand."""

    def __init__(self, db: ServerDB, folder: Path) -> None:
        self.db = db
        self.folder = folder
        self._stores: dict[str, Store] = {}
        self._snapshots: dict[str, SnapshotFile] = {}
        # What each replica set aside, as last written to the server's table.
        self._set_aside: dict[str, list[quarantine_rows.Quarantined]] = {}
        # One replica update at a time: two requests at once share the catch-up.
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for store in self._stores.values():
                store.close()
            self._stores.clear()

    def caught_up(self, commune_code: str) -> Store:
        """The commune's replica, holding its feed up to now."""
        with self._lock:
            return self._caught_up(commune_code)

    def snapshot(self, commune_code: str) -> SnapshotFile:
        """A gzipped snapshot of the commune as it is now; the last one again while the
        feed has not moved."""
        with self._lock:
            store = self._caught_up(commune_code)
            with store.reading() as session:
                cursor = sync_state.cursor(session)
            made = self._snapshots.get(commune_code)
            if made is not None and made.meta.cursor == cursor and made.path.exists():
                return made
            folder = self.folder / commune_code
            plain = folder / "snapshot.sqlite3"
            packed = folder / f"snapshot-{cursor}.sqlite3.gz"
            try:
                meta = snapshot.build(store, plain, commune_code)
                partial = packed.with_suffix(".partial")
                with (
                    plain.open("rb") as source,
                    gzip.open(partial, "wb", compresslevel=_SNAPSHOT_LEVEL) as target,
                ):
                    shutil.copyfileobj(source, target, _CHUNK)
                partial.replace(packed)
            finally:
                plain.unlink(missing_ok=True)
            if made is not None and made.path != packed:
                with contextlib.suppress(OSError):  # Windows keeps a file being sent
                    made.path.unlink(missing_ok=True)
            made = self._snapshots[commune_code] = SnapshotFile(packed, meta)
            return made

    def _caught_up(self, commune_code: str) -> Store:
        store = self._of_this_epoch(commune_code)
        reader = DeviceScope("server-replica", commune_code, DeviceRole.LEADER)
        follow_feed(store, lambda since: feed.page(self.db, reader, since, _PAGE))
        with store.reading() as session:
            set_aside = quarantine_rows.listed(session)
        if self._set_aside.get(commune_code) != set_aside:
            # Rows the replica cannot apply, listed for the administrator.
            server_quarantine.mirror(self.db, commune_code, set_aside)
            self._set_aside[commune_code] = set_aside
        return store

    def _of_this_epoch(self, commune_code: str) -> Store:
        """The replica, built again from the start if it followed another epoch of the
        database (restored from a backup: its versions now name other rows)."""
        store = self._replica(commune_code)
        current = self.db.epochs.current(self.db)
        with store.reading() as session:
            followed = sync_state.get(session, REPLICA_EPOCH)
        if followed is not None and followed != current:
            store.close()
            del self._stores[commune_code]
            self._snapshots.pop(commune_code, None)
            self._set_aside.pop(commune_code, None)
            shutil.rmtree(self.folder / commune_code, ignore_errors=True)
            store = self._replica(commune_code)
        if followed != current:
            with store.transaction() as session:
                sync_state.put(session, REPLICA_EPOCH, current)
        return store

    def _replica(self, commune_code: str) -> Store:
        store = self._stores.get(commune_code)
        if store is not None:
            return store
        with self.db.reading() as session:
            commune = session.get(ServerCommune, commune_code)
        if commune is None:
            raise UserError(f"Không có xã {commune_code}.", f"No commune {commune_code}.")
        store = open_store(self.folder / commune_code)
        with store.transaction() as session:
            if session.get(Commune, commune_code) is None:
                official = geography.commune_by_code(commune_code)
                session.add(
                    Commune(
                        code=commune_code,
                        name=commune.name,
                        province_code=official.province_code if official else "",
                        province_name=official.province_name if official else "",
                    )
                )
        self._stores[commune_code] = store
        return store
