"""The retention rule, looked at once a day in the app (``villagehelper.ops.retention``).

A little after start-up and then once a day, on the database worker (never the GUI
thread): the households whose last contact is older than the preference
``retention_months`` are listed, with the campaigns' list rows linked to nobody whose
campaign ended before then.  Nothing is erased here: the list is offered to the leader
(``sig_purge_due``) whenever either part has something, who reads it and confirms
(:meth:`DailyRetention.confirm`), and only then do those households and rows lose their
personal details, which sync as erasures.
On a clock found wrong (``villagehelper.ops.trusted_time``), or on a laptop that syncs but
whose clock the server has not confirmed lately, nothing is even offered: by a clock
set years ahead every household looks expired.  The months are read from the
preferences at each run, so a change in the settings applies from the next run.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from villagehelper.clock import vietnam_today
from villagehelper.ui.shell.context import AppContext

if TYPE_CHECKING:  # the database layer loads on the worker, not with the window
    from villagehelper.ops.retention import Purged, PurgePlan

log = logging.getLogger(__name__)

FIRST_RUN_MS = 45_000  # after start-up (and after the first backup): the person first
EVERY_MS = 60 * 60_000  # look each hour whether the day has turned


class DailyRetention(QObject):
    """Lists what is past the retention period once a Vietnam day; erases only what a
    leader confirms."""

    sig_purge_due = Signal(object)
    """A :class:`~villagehelper.ops.retention.PurgePlan` with households or list rows to
    offer the leader (the clock not found wrong, a leader's laptop)."""
    sig_purged = Signal(object)
    """The :class:`~villagehelper.ops.retention.Purged` of a confirmed purge."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._last_day: date | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_if_due)

    def start(self, first_ms: int = FIRST_RUN_MS) -> None:
        self._timer.start(first_ms)

    def stop(self) -> None:
        self._timer.stop()

    def run_if_due(self) -> None:
        today = vietnam_today(self._ctx.store.now())  # the store's clock: no SQL
        if self._last_day == today:
            self._timer.start(EVERY_MS)
            return
        self._last_day = today
        self.run_now()

    def run_now(self) -> None:
        ctx = self._ctx
        months = ctx.preferences.retention_months

        def work() -> PurgePlan:
            from villagehelper.ops.retention import plan_purge

            return plan_purge(ctx.store, months)

        ctx.read(self, work).success(self._planned).failure(self._failed).run()

    def confirm(self, plan: PurgePlan) -> None:
        """A leader read ``plan`` and confirmed it: erase those households and rows (the
        clock is judged again first; a wrong one is refused with its message)."""
        ctx = self._ctx

        def work() -> Purged:
            from villagehelper.ops.retention import carry_out_purge

            return carry_out_purge(ctx.store, plan)

        ctx.write(self, work).success(self._done).run()

    def _failed(self, error: BaseException) -> None:
        # The executor has logged a bug; a locked file or the like is tried again the
        # next day.  The person is not interrupted for a job they did not ask for.
        log.warning("daily retention check did not run: %s", type(error).__name__)
        self._timer.start(EVERY_MS)

    def _planned(self, plan: PurgePlan) -> None:
        self._timer.start(EVERY_MS)
        if plan.skipped_not_leader or not plan.due:
            return
        if plan.refusal() is not None:
            log.warning(
                "retention: %d households and %d list rows not offered, the clock is not "
                "vouched for (%s)",
                len(plan.households),
                len(plan.list_rows),
                plan.clock.reason,
            )
            return
        self.sig_purge_due.emit(plan)

    def _done(self, purged: Purged) -> None:
        if purged.households or purged.list_rows:  # what was erased is announced by the operation
            self.sig_purged.emit(purged)
