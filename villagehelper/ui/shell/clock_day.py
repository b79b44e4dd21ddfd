"""Today's date for the follow-up lists, when the laptop's clock may be wrong.

Which follow-ups are due or overdue follows "today".  On a clock found wrong
(``villagehelper.ops.trusted_time``) the list must not silently show the wrong ones: when a
sync measured how far off the clock is, the list follows the commune server's date and
says so; otherwise it says that its date comes from a clock that looks wrong.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from villagehelper.clock import format_vn_date, vietnam_today
from villagehelper.ui.shell.context import AppContext

if TYPE_CHECKING:
    from villagehelper.ops.trusted_time import ClockVerdict


class ClockDay(QObject):
    sig_changed = Signal()
    """The date the list follows changed (the clock was judged again)."""

    def __init__(self, ctx: AppContext, note: QLabel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.note = note
        self._server_day: date | None = None
        note.setObjectName("clockDayNote")
        note.setWordWrap(True)
        note.setStyleSheet("QLabel#clockDayNote { background: #fff3cd; padding: 4px; }")
        note.hide()

    def today(self) -> date:
        if self._server_day is not None:
            return self._server_day
        return vietnam_today(self._ctx.store.now())

    def check(self) -> None:
        """Judge the clock again on the database worker."""
        ctx = self._ctx

        def judge() -> ClockVerdict:
            from villagehelper.ops.trusted_time import judge_clock

            return judge_clock(ctx.store)

        ctx.read(self, judge).success(self._judged).run()

    def _judged(self, verdict: ClockVerdict) -> None:
        before = self._server_day
        known = verdict.wrong and verdict.reason == "server_differs" and verdict.reference
        self._server_day = vietnam_today(verdict.reference) if known and verdict.reference else None
        message = verdict.message(self._ctx.preferences.language)
        if self._server_day is not None:
            self.note.setText(
                self.tr(
                    "Đồng hồ máy này sai, nên lịch hẹn được tính theo ngày của máy chủ xã: %1."
                ).replace("%1", format_vn_date(self._server_day))
                + " "
                + message
            )
        elif verdict.wrong:
            laptop_day = format_vn_date(vietnam_today(verdict.laptop_now))
            self.note.setText(
                self.tr(
                    "Đồng hồ máy này có vẻ sai: lịch hẹn dưới đây tính theo ngày %1 của máy "
                    "nên có thể sai."
                ).replace("%1", laptop_day)
                + " "
                + message
            )
        self.note.setVisible(verdict.wrong)
        if before != self._server_day:
            self.sig_changed.emit()
