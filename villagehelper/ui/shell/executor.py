"""Running core operations off the GUI thread.

One single-worker pool serialises every database operation (SQLite has one writer, and
ordering keeps "save then refresh" correct); results come back to the GUI thread by a
queued signal.  A slow operation shows a progress dialog only after a short delay, so
fast work never flashes a window (Anki's lesson: 600 ms).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from villagehelper.disk_errors import folder_problem
from villagehelper.errors import UserError

log = logging.getLogger("villagehelper.ui")

T = TypeVar("T")
PROGRESS_DELAY_MS = 500


@dataclass
class _Done:
    ticket: int
    result: Any = None
    error: BaseException | None = None
    trace: str = ""


class _Bridge(QObject):
    """Carries a finished job from the worker thread to the GUI thread."""

    sig_done = Signal(object)


class Operation(Generic[T]):
    """A core call plus what to do with its result on the GUI thread (fluent style)."""

    def __init__(self, executor: DbExecutor, work: Callable[[], T]) -> None:
        self._executor = executor
        self._work = work
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._progress_label: str | None = None
        self._parent: QWidget | None = None

    def success(self, callback: Callable[[T], None]) -> Operation[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Operation[T]:
        self._on_failure = callback
        return self

    def with_progress(self, label: str, parent: QWidget | None = None) -> Operation[T]:
        self._progress_label = label
        self._parent = parent
        return self

    def run(self) -> None:
        self._executor.submit(self)


class DbExecutor(QObject):
    """The single worker for database work; also usable inline for unit tests."""

    sig_user_error = Signal(object)
    """A :class:`UserError` nobody handled: the window shows it in plain words."""
    sig_bug = Signal(str)
    """An unexpected exception (already logged); the argument is a short description."""
    sig_idle = Signal()
    """Every submitted operation has finished."""

    def __init__(self, parent: QObject | None = None, name: str = "villagehelper-db") -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._bridge = _Bridge()
        self._bridge.sig_done.connect(self._finish)
        self._pending: dict[int, tuple[Operation[Any], QTimer | None]] = {}
        self._progress: dict[int, QProgressDialog] = {}
        self._next_ticket = 0
        self._stopped = False
        # The data folder: named when a full, read-only or unplugged disk fails an
        # operation, which is then told as such (villagehelper.disk_errors), not as a bug.
        self.folder: Path | None = None

    def op(self, work: Callable[[], T]) -> Operation[T]:
        return Operation(self, work)

    def busy(self) -> bool:
        return bool(self._pending)

    def submit(self, operation: Operation[Any]) -> None:
        if self._stopped:
            # The window is closing: an answer delivered after the worker stopped (a
            # search's result) may ask for more work (the text typed meanwhile). All
            # work queued before the stop was finished by shutdown().
            log.info("work asked for after the database worker stopped: not run")
            return
        self._next_ticket += 1
        ticket = self._next_ticket
        timer = None
        if operation._progress_label is not None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self._show_progress(ticket))
            timer.start(PROGRESS_DELAY_MS)
        self._pending[ticket] = (operation, timer)
        future = self._pool.submit(operation._work)
        future.add_done_callback(
            lambda f: self._bridge.sig_done.emit(_collect(ticket, f, self.folder))
        )

    def _show_progress(self, ticket: int) -> None:
        entry = self._pending.get(ticket)
        if entry is None:
            return
        operation = entry[0]
        dialog = QProgressDialog(operation._progress_label or "", "", 0, 0, operation._parent)
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
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        try:
            if done.error is not None and not isinstance(done.error, UserError):
                log.error("operation failed:\n%s", done.trace)  # bugs always reach the log
            if done.error is None:
                if operation._on_success is not None:
                    operation._on_success(done.result)
            elif operation._on_failure is not None:
                operation._on_failure(done.error)
            elif isinstance(done.error, UserError):
                self.sig_user_error.emit(done.error)
            else:
                self.sig_bug.emit(type(done.error).__name__)
        finally:
            if not self._pending:
                self.sig_idle.emit()

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


def when_alive(widget: QWidget, callback: Callable[..., None]) -> Callable[..., None]:
    """``callback`` that does nothing once ``widget`` is gone: a result can arrive from
    the database worker after its dialog was closed."""

    def call(*args: object) -> None:
        if shiboken6.isValid(widget):
            callback(*args)

    return call
