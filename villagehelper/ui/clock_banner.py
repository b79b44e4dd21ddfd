"""A banner over the screens while the laptop's clock is found wrong
(``villagehelper.trusted_time``): what is wrong and what to do, in the person's language.

Judged on the database worker at start-up, after every sync round (a sync measures
the server's time) and every hour; hidden while the clock is trusted or unconfirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from villagehelper.ui.context import AppContext

if TYPE_CHECKING:
    from villagehelper.trusted_time import ClockVerdict

EVERY_MS = 60 * 60_000


class ClockBanner(QLabel):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.verdict: ClockVerdict | None = None
        self.setObjectName("clockBanner")
        self.setWordWrap(True)
        self.setStyleSheet(
            "QLabel#clockBanner { background: #fff3cd; color: #5c3c00; "
            "border: 1px solid #d39e00; padding: 6px; }"
        )
        self.hide()
        self._timer = QTimer(self)
        self._timer.setInterval(EVERY_MS)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def refresh(self, _outcome: object = None) -> None:
        ctx = self._ctx

        def judge() -> ClockVerdict:
            from villagehelper.trusted_time import judge_clock

            return judge_clock(ctx.store)

        ctx.executor.op(judge).success(self._show).run()

    def _show(self, verdict: ClockVerdict) -> None:
        self.verdict = verdict
        if verdict.wrong:
            title = self.tr("Đồng hồ của máy này có vẻ sai.")
            self.setText(f"<b>{title}</b> {verdict.message(self._ctx.preferences.language)}")
        self.setVisible(verdict.wrong)
