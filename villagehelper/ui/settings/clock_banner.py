"""A banner over the screens while the laptop's clock is found wrong
(``villagehelper.ops.trusted_time``): what is wrong and what to do, in the person's language.

Judged on the database worker at start-up, after every sync round (a sync measures
the server's time) and every hour; hidden while the clock is trusted or unconfirmed.
When only the stored data contradicts the clock (no server to ask: a laptop that does
not sync, whose data was stamped while its clock was ahead), a leader who sees that
the date shown is right can say so ("Ngày giờ này đúng"), through the leader gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from villagehelper.ui.shell.context import AppContext

if TYPE_CHECKING:
    from villagehelper.ops.trusted_time import ClockVerdict
    from villagehelper.store.changelog import Changes

EVERY_MS = 60 * 60_000


class ClockBanner(QFrame):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.verdict: ClockVerdict | None = None
        self.setObjectName("clockBanner")
        self.setStyleSheet(
            "QFrame#clockBanner { background: #fff3cd; border: 1px solid #d39e00; }"
            "QFrame#clockBanner QLabel { color: #5c3c00; }"
        )
        self.label = QLabel(self)
        self.label.setObjectName("clockBannerText")
        self.label.setWordWrap(True)
        self.confirm_button = QPushButton(self.tr("Ngày giờ này đúng"), self)
        self.confirm_button.setObjectName("clockConfirmDate")
        self.confirm_button.clicked.connect(self._ask_leader)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.confirm_button)
        self.hide()
        self._timer = QTimer(self)
        self._timer.setInterval(EVERY_MS)
        self._timer.timeout.connect(self.refresh)

    def text(self) -> str:
        return self.label.text()

    def start(self) -> None:
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def refresh(self, _outcome: object = None) -> None:
        ctx = self._ctx

        def judge() -> ClockVerdict:
            from villagehelper.ops.trusted_time import judge_clock

            return judge_clock(ctx.store)

        ctx.read(self, judge).success(self._show).run()

    def _show(self, verdict: ClockVerdict) -> None:
        self.verdict = verdict
        if verdict.wrong:
            title = self.tr("Đồng hồ của máy này có vẻ sai.")
            message = verdict.message(self._ctx.preferences.language)
            self.label.setText(f"<b>{title}</b> {message}")
        # Only the stored data says so, no server: a leader's eyes may overrule it.
        self.confirm_button.setVisible(verdict.reason == "behind_stored")
        self.setVisible(verdict.wrong)

    def _ask_leader(self) -> None:
        from villagehelper.ui.lock.leader_gate import when_leader

        when_leader(self, self._ctx, self.tr("Xác nhận ngày giờ của máy"), self._confirm)

    def _confirm(self) -> None:
        ctx = self._ctx

        def confirm() -> Changes:
            from villagehelper.ops.trusted_time import confirm_date_by_leader
            from villagehelper.store.changelog import Changes

            confirm_date_by_leader(ctx.store)
            return Changes()  # a setting of this laptop: no record any screen shows

        ctx.write(self, confirm).success(lambda _none: self.refresh()).run()
