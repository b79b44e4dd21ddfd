"""Per-commune replicas in the laptop's schema, kept on the server.

A replica is a local store that follows its commune's feed exactly as an enrolled
laptop does, caught up on demand (only what changed since the last request).  It
serves the commune-wide tally (``tallies.py``: the laptops' own engine, so a leader's
printout and the commune's figures never disagree on a definition) and the snapshots
new laptops start from (``villagehelper.exchange.snapshot``).

Several server processes on one machine share the replicas folder (``serve --workers``),
and one process serves many communes at once.  Hence (files: ``replica_files.py``):

- **Communes never wait on each other.**  A commune's catch-up and snapshot build run under
  that commune's own lock: a thread lock in the process, then a file lock in the commune's
  folder across processes.  One builder per commune at a time; a second request waits for
  the first and then finds the work done (a catch-up with nothing left to take, or the
  finished snapshot).  Reading a caught-up replica needs no lock: SQLite lets readers in
  any process read beside the one writer.
- **Catch-up by two processes** cannot apply a page twice or skip one: they take turns,
  and each page is applied only if the replica's cursor is still the one it was fetched
  after (``exchange/feed.py``).  What the replica set aside is mirrored into the server's
  table by the process that caught up, and what was mirrored is recorded in the replica
  itself, so every process knows it.
- **Snapshots are built once**: named by epoch and cursor, written under a temporary
  name, flushed and renamed, their meta beside them written last.  A process finding the
  meta for the current cursor serves that file.
- **A restore** (a new epoch of the database) never pulls a replica from under a
  reader: the new epoch's replica is built in a folder of its own, and each process
  switches to it at its next request for that commune; the old epoch's folder is removed
  only once the new one has served for ``KEEP_SUPERSEDED_S`` (a reader that started
  before the switch has long finished).  A restore is made with the server stopped; a
  process that meets one while running sees it within a second (``epochs.py``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import platformdirs

from villagehelper import geography
from villagehelper.errors import UserError
from villagehelper.exchange import snapshot
from villagehelper.exchange.feed import follow_feed
from villagehelper.exchange.snapshot import Meta as SnapshotMeta
from villagehelper.server import feed
from villagehelper.server import quarantine as server_quarantine
from villagehelper.server.accounts import DeviceRole, DeviceScope
from villagehelper.server.database import ServerDB
from villagehelper.server.replica_files import KEEP_SUPERSEDED_S, CommuneFolder
from villagehelper.server.tables import ServerCommune
from villagehelper.store import quarantine_rows, sync_state
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import Commune

log = logging.getLogger("villagehelper.server")

_PAGE = 2000
# Level 1: a snapshot of a district-size commune (some 90 MB) packs to about a third
# in a second or two; higher levels save a few percent for several times the wait.
_SNAPSHOT_LEVEL = 1
_CHUNK = 1 << 20


CACHE_ENV = "VILLAGEHELPER_SERVER_CACHE"
REPLICA_EPOCH = "replica_server_epoch"  # settings key: the epoch a replica follows
# Settings key: the rows set aside as last mirrored into the server's table.
MIRRORED = "replica_mirrored_set_aside"

Built = Literal["replica", "snapshot"]
# Told after each build: the commune, what was built, how long it took in seconds.  A
# replica is "built" by a catch-up that took something from the feed.
BuildObserver = Callable[[str, Built, float], None]


def no_observer(_commune_code: str, _what: Built, _seconds: float) -> None:
    pass


def default_replicas_folder(db_url: str) -> Path:
    """Kept between restarts (a replica catches up from where it was), one folder per
    server database so two servers on one PC never share a replica, while the processes
    of one server do.  Under the user's cache folder, or ``VILLAGEHELPER_SERVER_CACHE``."""
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
    meta: SnapshotMeta


@dataclass
class _Replica:
    """This process's open replica of one commune, and the epoch it follows."""

    epoch: str
    store: Store


class CommuneReplicas:
    """One laptop-schema replica per commune, under ``folder``, caught up on demand.

    ``on_build`` is told how long each build took (for the server's metrics); it may be
    set after construction.  ``keep_superseded_s``: how long a superseded snapshot or
    replica stays for a reader that was handed it (see ``replica_files.py``)."""

    def __init__(
        self,
        db: ServerDB,
        folder: Path,
        *,
        on_build: BuildObserver = no_observer,
        keep_superseded_s: float = KEEP_SUPERSEDED_S,
    ) -> None:
        self.db = db
        self.folder = folder
        self.on_build = on_build
        self.keep_superseded_s = keep_superseded_s
        self._replicas: dict[str, _Replica] = {}
        self._communes: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()  # the two dicts above

    def close(self) -> None:
        with self._guard:
            replicas = list(self._replicas.values())
            self._replicas.clear()
        for replica in replicas:
            replica.store.close()

    def caught_up(self, commune_code: str) -> Store:
        """The commune's replica, holding its feed up to now."""
        with self._turn(commune_code) as files:
            return self._caught_up(commune_code, files).store

    def snapshot(self, commune_code: str) -> SnapshotFile:
        """A gzipped snapshot of the commune as it is now; the same file again (built
        by this process or another) while the feed has not moved."""
        with self._turn(commune_code) as files:
            replica = self._caught_up(commune_code, files)
            with replica.store.reading() as session:
                cursor = sync_state.cursor(session)
            packed = files.snapshot_path(replica.epoch, cursor)
            found = files.finished_snapshot(replica.epoch, cursor)
            if found is not None:
                return SnapshotFile(packed, found)
            started = time.monotonic()
            meta = self._build_snapshot(replica.store, files, commune_code, packed)
            self._built(commune_code, "snapshot", started)
            files.prune_snapshots(packed)
            return SnapshotFile(packed, meta)

    def _built(self, commune_code: str, what: Built, started: float) -> None:
        try:
            self.on_build(commune_code, what, time.monotonic() - started)
        except Exception:  # a metrics hook never fails the request it measures
            log.exception("replica build observer failed")

    @contextmanager
    def _turn(self, commune_code: str) -> Iterator[CommuneFolder]:
        """The commune's turn: its thread lock here, then its file lock for every process."""
        with self._guard:
            known = commune_code in self._replicas
            lock = self._communes.setdefault(commune_code, threading.Lock())
        if not known:
            self._known_commune(commune_code)  # no folder made for a code that names none
        files = CommuneFolder(self.folder / commune_code, self.keep_superseded_s)
        with lock, files.builder_turn():
            yield files

    @staticmethod
    def _build_snapshot(
        store: Store, files: CommuneFolder, commune_code: str, packed: Path
    ) -> SnapshotMeta:
        plain = files.temporary(".sqlite3")
        built = files.temporary(".gz")
        try:
            meta = snapshot.build(store, plain, commune_code)
            with (
                plain.open("rb") as source,
                gzip.open(built, "wb", compresslevel=_SNAPSHOT_LEVEL) as target,
            ):
                shutil.copyfileobj(source, target, _CHUNK)
            files.publish_snapshot(built, packed, meta)
        finally:
            plain.unlink(missing_ok=True)
            built.unlink(missing_ok=True)
        return meta

    def _caught_up(self, commune_code: str, files: CommuneFolder) -> _Replica:
        replica = self._of_this_epoch(commune_code, files)
        reader = DeviceScope("server-replica", commune_code, DeviceRole.LEADER)
        started = time.monotonic()
        pulled, _changes = follow_feed(
            replica.store, lambda since: feed.page(self.db, reader, since, _PAGE)
        )
        if pulled:
            self._built(commune_code, "replica", started)
            files.prune_replicas(replica.epoch)  # an old epoch's, once its grace is over
        self._mirror_set_aside(commune_code, replica.store)
        return replica

    def _mirror_set_aside(self, commune_code: str, store: Store) -> None:
        """Rows the replica cannot apply, listed for the administrator in the server's
        table whenever they changed (recorded in the replica: every process knows)."""
        with store.reading() as session:
            set_aside = quarantine_rows.listed(session)
            mirrored = sync_state.get(session, MIRRORED)
        listing = json.dumps([asdict(row) for row in set_aside], sort_keys=True)
        if mirrored == listing:
            return
        server_quarantine.mirror(self.db, commune_code, set_aside)
        with store.transaction() as session:
            sync_state.put(session, MIRRORED, listing)

    def _of_this_epoch(self, commune_code: str, files: CommuneFolder) -> _Replica:
        """The replica following the database's current epoch: after a restore, a new one
        in a folder of its own (its versions now name other rows), built from the start."""
        current = self.db.epochs.current(self.db)
        with self._guard:
            replica = self._replicas.get(commune_code)
        if replica is not None and replica.epoch == current:
            return replica
        if replica is not None:
            # Requests of this process still reading it finish on their connections.
            replica.store.close()
        replica = _Replica(current, self._open(commune_code, files.replica_folder(current)))
        files.took_over(current)
        with replica.store.transaction() as session:
            sync_state.put(session, REPLICA_EPOCH, current)
        files.prune_replicas(current)
        with self._guard:
            self._replicas[commune_code] = replica
        return replica

    def _known_commune(self, commune_code: str) -> ServerCommune:
        with self.db.reading() as session:
            commune = session.get(ServerCommune, commune_code)
        if commune is None:
            raise UserError(f"Không có xã {commune_code}.", f"No commune {commune_code}.")
        return commune

    def _open(self, commune_code: str, data_dir: Path) -> Store:
        commune = self._known_commune(commune_code)
        store = open_store(data_dir)
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
        return store
