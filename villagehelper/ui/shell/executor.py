"""The worker threads of the desktop app, and how a finished job comes back to the window.

The window's thread never touches the database. Three kinds of worker exist, each one
:class:`Worker` (one thread, jobs run in the order they were asked for):

- **the database worker** (``AppContext.executor``, one per window): every store call of
  every screen, the daily backup and joining a commune server at first run. One thread
  means one writer for SQLite and "save, then refresh" in that order;
- **the sync worker** (``SyncController``): a sync round talks to the commune server for
  up to minutes; logging a visit must not wait for it. Its writes are short transactions
  that SQLite's write lock orders against the database worker's;
- **the key worker** (``AppContext.key_worker``): a PIN check derives a key with scrypt,
  slow by design; it reads and writes the key file, never the database.

``docs/workers.md`` tells why and how to write an operation. Operations themselves (the
owner widget, read or write, announcing changes) are :mod:`villagehelper.ui.shell.operations`;
this module runs them: results come back to the GUI thread by a queued signal, and a slow
job shows a progress dialog only after a short delay, so fast work never flashes a window
(Anki's lesson: 600 ms).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from villagehelper.disk_errors import folder_problem
from villagehelper.errors import UserError

if TYPE_CHECKING:
    from villagehelper.ui.shell.context import ChangeHub
    from villagehelper.ui.shell.operations import Operation

log = logging.getLogger("villagehelper.ui")

PROGRESS_DELAY_MS = 500


class _Superseded:
    """What a latest-only job returns when a newer one with its key was asked for first."""


SUPERSEDED = _Superseded()


@dataclass
class _Done:
    ticket: int
    result: Any = None
    error: BaseException | None = None
    trace: str = ""


class _Bridge(QObject):
    """Carries a finished job from the worker thread to the GUI thread."""

    sig_done = Signal(object)


class Worker(QObject):
    """One worker thread; the GUI thread submits :class:`Operation` s and gets them back."""

    sig_user_error = Signal(object)
    """A :class:`UserError` nobody handled: the window shows it in plain words."""
    sig_bug = Signal(str)
    """An unexpected exception (already logged); the argument is a short description."""
    sig_idle = Signal()
    """Every submitted operation has finished."""

    def __init__(
        self,
        parent: QObject | None = None,
        name: str = "villagehelper-db",
        *,
        hub: ChangeHub | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._bridge = _Bridge()
        self._bridge.sig_done.connect(self._finish)
        self._pending: dict[int, tuple[Operation[Any], QTimer | None]] = {}
        self._progress: dict[int, QProgressDialog] = {}
        # Latest-only operations: (owner, key) → the newest ticket asked for.
        self._latest: dict[tuple[int, Hashable], int] = {}
        self._next_ticket = 0
        self._stopped = False
        # The data folder: named when a full, read-only or unplugged disk fails an
        # operation, which is then told as such (villagehelper.disk_errors), not as a bug.
        self.folder: Path | None = None
        # Where write operations announce what they changed (AppContext sets it).
        self.hub = hub

    def busy(self) -> bool:
        return bool(self._pending)

    def submit(self, operation: Operation[Any]) -> None:
        if self._stopped:
            # The window is closing: an answer delivered after the worker stopped (a
            # search's result) may ask for more work (the text typed meanwhile). All
            # work queued before the stop was finished by shutdown().
            log.info("work asked for after the worker stopped: not run")
            return
        self._next_ticket += 1
        ticket = self._next_ticket
        timer = None
        if operation.progress_label is not None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self._show_progress(ticket))
            timer.start(PROGRESS_DELAY_MS)
        self._pending[ticket] = (operation, timer)
        slot = self._latest_slot(operation)
        if slot is not None:
            self._latest[slot] = ticket
        future = self._pool.submit(self._run, ticket, operation)
        future.add_done_callback(
            lambda f: self._bridge.sig_done.emit(_collect(ticket, f, self.folder))
        )

    def _run(self, ticket: int, operation: Operation[Any]) -> Any:
        """On the worker thread: a latest-only job overtaken while it waited is skipped."""
        if self._superseded(ticket, operation):
            return SUPERSEDED
        return operation.work()

    @staticmethod
    def _latest_slot(operation: Operation[Any]) -> tuple[int, Hashable] | None:
        if operation.latest_key is None:
            return None
        return (id(operation.owner), operation.latest_key)

    def _superseded(self, ticket: int, operation: Operation[Any]) -> bool:
        slot = self._latest_slot(operation)
        return slot is not None and self._latest.get(slot, ticket) != ticket

    def _show_progress(self, ticket: int) -> None:
        entry = self._pending.get(ticket)
        if entry is None:
            return
        operation = entry[0]
        owner = operation.owner
        parent = owner if isinstance(owner, QWidget) and shiboken6.isValid(owner) else None
        dialog = QProgressDialog(operation.progress_label or "", "", 0, 0, parent)
        dialog.setCancelButton(None)
        dialog.setMinimumDuration(0)
        dialog.setWindowTitle("VillageHelper")
        dialog.show()
        self._progress[ticket] = dialog

    @Slot(object)
    def _finish(self, done: _Done) -> None:
        operation, timer = self._pending.pop(done.ticket)
        if timer is not None:
            timer.stop()
            timer.deleteLater()
        dialog = self._progress.pop(done.ticket, None)
        if dialog is not None and shiboken6.isValid(dialog):  # gone with its owner?
            dialog.close()
            dialog.deleteLater()
        superseded = self._superseded(done.ticket, operation)
        slot = self._latest_slot(operation)
        if slot is not None and not superseded:
            del self._latest[slot]
        try:
            if done.error is not None and not isinstance(done.error, UserError):
                log.error("operation failed:\n%s", done.trace)  # bugs always reach the log
            if superseded or done.result is SUPERSEDED:
                return  # a newer answer to the same question is on its way
            if done.error is None:
                operation.deliver(done.result)
            elif not operation.deliver_failure(done.error):
                self.report(done.error)
        finally:
            if not self._pending:
                self.sig_idle.emit()

    def report(self, error: BaseException) -> None:
        """The window's own feedback for a failure no operation took: plain words for a
        :class:`UserError`, an apology for a bug (logged already)."""
        if isinstance(error, UserError):
            self.sig_user_error.emit(error)
        else:
            self.sig_bug.emit(type(error).__name__)

    def shutdown(self, *, wait: bool = True) -> None:
        """Finish queued work (a save must not be lost on close), then stop the thread.

        ``wait=False`` is for network work: a sync cut short loses nothing (each page is
        one transaction) and closing the window must not wait for a slow server.
        """
        self._stopped = True
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def _collect(ticket: int, future: Future[Any], folder: Path | None) -> _Done:
    error = future.exception()
    if error is None:
        return _Done(ticket, result=future.result())
    if folder is not None:
        error = folder_problem(error, folder) or error
    trace = "".join(traceback.format_exception(error))
    return _Done(ticket, error=error, trace=trace)
