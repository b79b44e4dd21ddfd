"""A commune's folder under the replicas folder: its lock, its replicas, its snapshots.

Every server process on one machine shares the replicas folder (``replicas.py``), so what
is in it is written for readers in other processes::

    <replicas>/<commune>/replica.lock           whose turn it is to build (a file lock)
    <replicas>/<commune>/epoch-<key>/           the replica following one epoch's feed
    <replicas>/<commune>/snapshots/<key>-<cursor>.sqlite3.gz   a finished snapshot …
    <replicas>/<commune>/snapshots/<key>-<cursor>.json         … and its meta, written last

A file appears under its final name only when whole: written under a temporary name,
flushed to disk, then renamed (atomic on Linux and Windows).  A file that is no longer
current is left in place for :data:`KEEP_SUPERSEDED_S` seconds after its successor
appeared, then removed: a process that handed it out just before may not have opened it
yet to send it.  Windows refuses to remove a file still open (a slow download); that is
ignored and tried again at the next build.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.exchange import snapshot
from villagehelper.store import folder_lock
from villagehelper.whole_files import flush_folder

LOCK_FILE = "replica.lock"
LOCK_ROLE = "replica"
# A cold build of a district-size commune takes up to a minute on a slow machine; a
# request waits that long for the process building it rather than build it again.
BUILD_WAIT_S = 600.0
KEEP_SUPERSEDED_S = 300.0  # a handed-out file is opened to be sent within this time
_EPOCH_PREFIX = "epoch-"
MADE_MARK = "replica.made"  # its time: when this epoch's replica took over
_SNAPSHOTS = "snapshots"
_PACKED = ".sqlite3.gz"
_META = ".json"
# Files of the layout before one folder per epoch: a replica directly in the commune's
# folder and its snapshots beside it; removed once (rebuilt from the feed).
_OLD_LAYOUT = (
    "villagehelper.sqlite3",
    "villagehelper.sqlite3-wal",
    "villagehelper.sqlite3-shm",
    "villagehelper.opening.lock",
    "snapshot.sqlite3",
)


class CommuneFolder:
    """The files of one commune's replicas and snapshots (no open database)."""

    def __init__(self, folder: Path, keep_superseded_s: float = KEEP_SUPERSEDED_S) -> None:
        self.folder = folder
        self.keep_superseded_s = keep_superseded_s

    @contextmanager
    def builder_turn(self) -> Iterator[None]:
        """This process's turn to catch up or build: one process at a time per commune.

        A file lock in the commune's own folder: that folder is what the processes share
        (a PostgreSQL advisory lock would not cover a SQLite server, nor two servers on
        one database with separate folders, which then need no turn).  The operating
        system releases it when its process dies, so a crash never leaves it held."""
        lock = folder_lock.FolderLock(self.folder, LOCK_ROLE, LOCK_FILE)
        try:
            lock.acquire(BUILD_WAIT_S)
        except folder_lock.FolderBusyError as busy:
            pid = busy.holder.pid if busy.holder else "?"
            raise UserError(
                f"Tiến trình {pid} của máy chủ xã đang dựng dữ liệu của xã "
                f"{self.folder.name} quá lâu. Hãy thử lại sau ít phút; nếu vẫn vậy, hãy "
                "khởi động lại máy chủ.",
                f"Server process {pid} has been building commune {self.folder.name}'s "
                "data for too long. Try again in a few minutes; if it persists, restart "
                "the server.",
            ) from busy
        try:
            yield
        finally:
            lock.release()

    # --- replicas, one folder per epoch ---------------------------------------------------

    def replica_folder(self, epoch: str) -> Path:
        """The folder of the replica following ``epoch`` (short: Windows path limits)."""
        key = hashlib.sha256(epoch.encode()).hexdigest()[:12]
        return self.folder / f"{_EPOCH_PREFIX}{key}"

    def took_over(self, epoch: str) -> None:
        """Mark when ``epoch``'s replica was first made (its predecessors' grace starts)."""
        mark = self.replica_folder(epoch) / MADE_MARK
        if not mark.exists():
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.touch()

    def prune_replicas(self, epoch: str) -> None:
        """Remove the replicas of other epochs once ``epoch``'s has served long enough
        that no process still reads them, and the files of the old layout."""
        for name in _OLD_LAYOUT:
            with contextlib.suppress(OSError):
                (self.folder / name).unlink(missing_ok=True)
        for old in self.folder.glob("snapshot-*.sqlite3.gz"):
            with contextlib.suppress(OSError):
                old.unlink()
        current = self.replica_folder(epoch)
        try:
            since = (current / MADE_MARK).stat().st_mtime
        except OSError:
            return
        if time.time() - since < self.keep_superseded_s:
            return
        for other in self.folder.glob(f"{_EPOCH_PREFIX}*"):
            if other != current and other.is_dir():
                # Windows keeps files still open; what remains goes at a later pass.
                shutil.rmtree(other, ignore_errors=True)

    # --- snapshots ------------------------------------------------------------------------

    def snapshot_path(self, epoch: str, cursor: int) -> Path:
        key = self.replica_folder(epoch).name.removeprefix(_EPOCH_PREFIX)
        return self.folder / _SNAPSHOTS / f"{key}-{cursor}{_PACKED}"

    def finished_snapshot(self, epoch: str, cursor: int) -> snapshot.Meta | None:
        """The meta of the finished snapshot of ``epoch`` at ``cursor`` (``None`` if there
        is none, or it was made by another version of the server)."""
        packed = self.snapshot_path(epoch, cursor)
        try:
            fields = json.loads(_meta_path(packed).read_text(encoding="utf-8"))
            meta = snapshot.Meta(**fields)
        except (OSError, ValueError, TypeError):
            return None
        if meta != snapshot.Meta.current(meta.commune_code, cursor) or not packed.exists():
            return None
        return meta

    def temporary(self, suffix: str) -> Path:
        """A name in the snapshots folder no other process writes to."""
        folder = self.folder / _SNAPSHOTS
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f".building-{os.getpid()}-{time.monotonic_ns()}{suffix}"

    def publish_snapshot(self, built: Path, packed: Path, meta: snapshot.Meta) -> None:
        """Put the finished ``built`` file under its name ``packed``, then its meta: a
        reader that finds the meta finds the whole file."""
        _flush_to_disk(built)
        built.replace(packed)
        meta_file = self.temporary(_META)
        meta_file.write_text(json.dumps(asdict(meta), sort_keys=True), encoding="utf-8")
        _flush_to_disk(meta_file)
        meta_file.replace(_meta_path(packed))
        flush_folder(packed.parent)

    def prune_snapshots(self, current: Path) -> None:
        """Remove the snapshots superseded for longer than the grace, and leftovers of
        builds that died (a temporary name more than the grace old)."""
        folder = self.folder / _SNAPSHOTS
        now = time.time()
        finished = sorted(_mtimes(folder.glob(f"*{_PACKED}")), key=lambda item: item[1])
        for (older, _made), (_newer, superseded_at) in itertools.pairwise(finished):
            if older != current and now - superseded_at >= self.keep_superseded_s:
                _remove(_meta_path(older))
                _remove(older)
        for leftover, made in _mtimes(folder.glob(".building-*")):
            if now - made >= max(self.keep_superseded_s, BUILD_WAIT_S):
                _remove(leftover)


def _meta_path(packed: Path) -> Path:
    return packed.with_name(packed.name.removesuffix(_PACKED) + _META)


def _mtimes(paths: Iterator[Path]) -> list[tuple[Path, float]]:
    found = []
    for path in paths:
        with contextlib.suppress(OSError):  # removed meanwhile by another process
            found.append((path, path.stat().st_mtime))
    return found


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # Windows: still being sent
        path.unlink(missing_ok=True)


def _flush_to_disk(path: Path) -> None:
    with path.open("rb+") as written:
        os.fsync(written.fileno())
