"""When the app syncs, on its own worker thread, and what the status bar is told.

Sync runs at start-up, a few seconds after local saves (debounced, so a burst of visits
is one round), every few minutes, on "Sync now", and when a failed server answers a
short health probe again (the OS's "online" flag says nothing about the commune server).
Network work (a round, enrolment, the probe) runs on the sync worker, a thread of its
own: never on the window's thread, nor on the database worker, as a slow server must
not hold up logging a visit. A round's writes are short transactions that SQLite's
write lock orders against the database worker's; what a round brought in is announced
by its operation like any write. Reading the status is quick and runs on the database
worker (docs/workers.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from villagehelper.errors import UserError
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.operations import Operation, read_op, write_op

if TYPE_CHECKING:
    from villagehelper.exchange.update_offer import UpdateOffer
    from villagehelper.store.changelog import Changes
    from villagehelper.store.sync_state import Enrolled
    from villagehelper.sync.client import ConnectionFactory, SyncReport
    from villagehelper.sync.status import SyncStatus

AFTER_SAVE_MS = 5_000
EVERY_MS = 5 * 60_000
PROBE_EVERY_MS = 30_000
T = TypeVar("T")


class SyncController(QObject):
    sig_status = Signal(object)
    """A fresh :class:`SyncStatus` (pending count, last success, last error)."""
    sig_running = Signal(bool)
    sig_progress = Signal(str, object, object)
    """Phase ("push" / "pull" / "snapshot"), done, total (0 when not known); the
    snapshot's are bytes, which may pass a 32-bit int."""
    sig_finished = Signal(object)
    """The :class:`SyncReport` of a round, or the :class:`UserError` that stopped it."""
    sig_update = Signal(object)
    """The app update waiting for this laptop (an :class:`UpdateOffer`), or None: after
    every round (the server names its newest version on every answer) and every check."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._worker = Worker(self, name="villagehelper-sync", hub=ctx.hub)
        self._worker.folder = ctx.data_dir  # a full or unplugged disk is named as such
        self._running = False
        self._again = False
        # What the last round brought in: announced by its operation, and no reason
        # for another round.
        self._remote_changes: Changes | None = None
        self.status: SyncStatus | None = None
        # How to reach the server; tests swap in quicker retries.
        self.connection_factory: ConnectionFactory | None = None
        self._after_save = self._timer(AFTER_SAVE_MS, single=True, action=self.sync_now)
        self._periodic = self._timer(EVERY_MS, single=False, action=self.sync_now)
        self._probe = self._timer(PROBE_EVERY_MS, single=False, action=self._probe_server)
        ctx.hub.sig_changed.connect(self._local_change)

    def _timer(self, interval: int, *, single: bool, action: Any) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(interval)
        timer.setSingleShot(single)
        timer.timeout.connect(action)
        return timer

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        """First status read and, when enrolled, the start-up round."""
        self._periodic.start()
        self.refresh_status(then_sync=True)

    def stop(self) -> None:
        for timer in (self._after_save, self._periodic, self._probe):
            timer.stop()
        self._worker.shutdown(wait=False)

    def refresh_status(self, *, then_sync: bool = False) -> None:
        ctx = self._ctx

        def read() -> SyncStatus:
            from villagehelper.sync.status import status

            return status(ctx.store)

        def shown(status: SyncStatus) -> None:
            self.status = status
            self.sig_status.emit(status)
            if then_sync and status.enrolled is not None:
                self.sync_now()

        ctx.read(self, read).success(shown).run()

    def _local_change(self, changes: Changes) -> None:
        if changes is self._remote_changes:
            return  # what the last round brought in is not a reason for another round
        if self.status is not None and self.status.enrolled is not None:
            self._after_save.start()
        self.refresh_status()

    def sync_now(self) -> None:
        if self.status is None or self.status.enrolled is None:
            # Not set up (or not known yet): read the status again and sync only if it
            # says enrolled. No "syncing…" for a laptop that has nowhere to sync to.
            self.refresh_status(then_sync=True)
            return
        if self._running:
            self._again = True  # one more round after this one: the new saves ride on it
            return
        self._running = True
        self._after_save.stop()
        self.sig_running.emit(True)
        ctx = self._ctx

        def progress(phase: str, done: int, total: int) -> None:
            self.sig_progress.emit(phase, done, total)  # queued to the window's thread

        def work() -> SyncReport:
            from villagehelper.sync import client

            connect = self.connection_factory or client.default_connection
            return client.sync_once(
                ctx.store, team_member_id=ctx.volunteer_id, progress=progress, connect=connect
            )

        write_op(self._worker, self, work).success(self._synced).failure(self._failed).run()

    def _synced(self, report: SyncReport) -> None:
        self._probe.stop()
        self._remote_changes = report.changes  # announced by the operation after this
        self._round_over(report)

    def _failed(self, error: BaseException) -> None:
        from villagehelper.sync.http import ServerUnreachableError

        if isinstance(error, ServerUnreachableError):
            self._probe.start()  # try again as soon as the server answers
        if not isinstance(error, UserError):
            self._worker.report(error)
            error = UserError(
                "Đồng bộ gặp lỗi ngoài dự kiến; dữ liệu trên máy vẫn an toàn.",
                "Sync failed unexpectedly; the data on this laptop is safe.",
            )
        self._round_over(error)

    def _round_over(self, outcome: object) -> None:
        self._running = False
        self.sig_running.emit(False)
        self.sig_finished.emit(outcome)
        self.refresh_status()
        self.check_update()  # a refused round (426 "too old") names the update too
        if self._again:
            self._again = False
            self.sync_now()

    def enrol(
        self,
        server_url: str,
        code: str,
        device_name: str,
        done: Callable[[object], None],
    ) -> None:
        """Enrol with a leader's code; ``done`` gets the :class:`Enrolled` or the error."""
        ctx = self._ctx

        def work() -> Enrolled:
            from villagehelper.sync import client

            connect = self.connection_factory or client.default_connection
            return client.enrol(ctx.store, server_url, code, device_name, connect=connect)

        def enrolled(result: Enrolled) -> None:
            done(result)
            self.refresh_status(then_sync=True)

        # It writes only this laptop's enrolment (no record a screen shows); the first
        # round after it brings the commune's records, announced as every round's are.
        read_op(self._worker, self, work).success(enrolled).failure(done).run()

    def _probe_server(self) -> None:
        enrolled = self.status.enrolled if self.status else None
        if enrolled is None or self._running:
            return
        url = enrolled.server_url

        def reachable() -> bool:
            from villagehelper.sync.http import probe

            return probe(url)

        def answered(ok: bool) -> None:
            if ok:
                self.sync_now()

        read_op(self._worker, self, reachable).success(answered).run()

    def check_update(
        self,
        *,
        ask_now: bool = False,
        answered: Callable[[UpdateOffer | None], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Whether an update waits (``villagehelper.updates.offers.check``): after a round
        the server is asked only for a version it named and that is not fetched yet;
        ``ask_now`` ("Kiểm tra cập nhật") asks it in any case.  The answer comes as
        :attr:`sig_update` (and to ``answered``); a failure goes to ``failed`` (ignored
        after a round: the status bar already tells why the server was out of reach)."""
        ctx = self._ctx

        def work() -> UpdateOffer | None:
            from villagehelper.sync import client
            from villagehelper.updates.offers import check

            connect = self.connection_factory or client.default_connection
            return check(ctx.store, ask_now=ask_now, connect=connect)

        def told(offer: UpdateOffer | None) -> None:
            self.sig_update.emit(offer)
            if answered is not None:
                answered(offer)

        operation = self.network_op(self, work).success(told)
        operation.failure(failed or self._update_check_failed).run()

    def _update_check_failed(self, error: BaseException) -> None:
        if not isinstance(error, UserError):
            self._worker.report(error)  # a bug, logged; an unreachable server is not

    def network_op(self, owner: QObject | None, work: Callable[[], T]) -> Operation[T]:
        """``work`` on the sync worker (network work: an update's download), after the
        round in progress if one is."""
        return read_op(self._worker, owner, work)

    @property
    def bugs(self) -> Worker:
        """The worker, whose ``sig_bug`` the window shows like the database worker's."""
        return self._worker
