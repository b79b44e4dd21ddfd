"""What a second server process does with the commune replicas, for
``test_replica_locks.py``: run in processes of their own (the spawn start method, as on
Windows), each opening its own ServerDB on the test's database and its own
CommuneReplicas on the shared replicas folder, starting together at a barrier.

To make the two meet for certain, the first to reach the step under test (a feed page,
a snapshot build) waits there until the other either waits for the commune's lock (the
design) or reaches the same step too (two builders: the test then fails)."""

from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

from villagehelper.exchange import snapshot
from villagehelper.server import feed
from villagehelper.server import replicas as replicas_module
from villagehelper.server.database import open_server_db
from villagehelper.server.replica_files import LOCK_ROLE
from villagehelper.server.replicas import Built, CommuneReplicas
from villagehelper.store import folder_lock
from villagehelper.store.folder_lock import FolderLock, Waiting

START_WAIT_S = 120.0  # a bound on the barrier, should the other process die


def recording_builds(builds: Path) -> replicas_module.BuildObserver:
    """An observer appending one line per build to ``builds``, from any process."""

    def record(commune_code: str, what: Built, _seconds: float) -> None:
        with builds.open("a", encoding="ascii") as lines:
            lines.write(f"{os.getpid()} {commune_code} {what}\n")

    return record


def _recording_pages(page: Callable[..., Any], builds: Path) -> Callable[..., Any]:
    """``feed.page`` noting, beside the builds, the cursor each page was asked after."""

    def recorded_page(db: Any, reader: Any, since: int, limit: int) -> Any:
        with builds.open("a", encoding="ascii") as lines:
            lines.write(f"{os.getpid()} {reader.commune_code} page-after {since}\n")
        return page(db, reader, since, limit)

    return recorded_page


def builds_recorded(builds: Path) -> list[tuple[str, ...]]:
    """What each process recorded, in order, without its process id."""
    if not builds.exists():
        return []
    return [tuple(line.split()[1:]) for line in builds.read_text("ascii").splitlines()]


@dataclass(frozen=True)
class Meeting:
    """Shared by the two processes: who reached the step, and the signal to go on."""

    start: Barrier
    arrived: Synchronized[int]
    go: Event


def _meeting_at(step: Callable[..., Any], meeting: Meeting) -> Callable[..., Any]:
    first_call = [True]

    def step_after_meeting(*args: Any) -> Any:
        if first_call[0]:
            first_call[0] = False
            with meeting.arrived.get_lock():
                meeting.arrived.value += 1
                if meeting.arrived.value >= 2:
                    meeting.go.set()
            meeting.go.wait(START_WAIT_S)
        return step(*args)

    return step_after_meeting


def _lock_telling(meeting: Meeting) -> type[FolderLock]:
    class TellingLock(FolderLock):
        def acquire(self, wait_s: float, on_wait: Waiting | None = None) -> None:
            # Only the commune's turn: the store's own opening lock is another matter.
            told = (lambda _holder: meeting.go.set()) if self.role == LOCK_ROLE else on_wait
            super().acquire(wait_s, told)

    return TellingLock


@dataclass(frozen=True)
class Ask:
    """What one process is asked: ``action`` ("snapshot" or "catch_up") for a commune."""

    action: str
    db_url: str
    folder: str
    commune_code: str
    builds: str  # the file both append their builds to
    page: int  # changes per feed page


def ask_together(ask: Ask, meeting: Meeting, answers: Queue[dict[str, Any]]) -> None:
    """Do ``ask`` once every process is ready; what it got, or the error's text, put
    on ``answers``."""
    try:
        # Small feed pages: a catch-up of many pages, which two processes could interleave.
        replicas_module._PAGE = ask.page
        folder_lock.FolderLock = _lock_telling(meeting)  # type: ignore[misc]
        if ask.action == "snapshot":
            snapshot.build = _meeting_at(snapshot.build, meeting)
        else:
            feed.page = _recording_pages(_meeting_at(feed.page, meeting), Path(ask.builds))
        db = open_server_db(ask.db_url)
        replicas = CommuneReplicas(
            db, Path(ask.folder), on_build=recording_builds(Path(ask.builds))
        )
        try:
            meeting.start.wait(START_WAIT_S)
            if ask.action == "snapshot":
                made = replicas.snapshot(ask.commune_code)
                answers.put(
                    {
                        "path": str(made.path),
                        "cursor": made.meta.cursor,
                        "sha256": hashlib.sha256(made.path.read_bytes()).hexdigest(),
                        "inode": made.path.stat().st_ino,
                    }
                )
            else:
                store = replicas.caught_up(ask.commune_code)
                answers.put({"path": str(store.path)})
        finally:
            replicas.close()
            db.close()
    except BaseException:  # the test shows it, rather than waiting for an answer
        answers.put({"error": traceback.format_exc()})
        raise
