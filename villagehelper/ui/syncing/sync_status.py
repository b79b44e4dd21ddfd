"""The sync corner of the status bar: the truth about sync, and "Sync now".

It shows what is not yet sent, when the last sync succeeded and the last error in plain
words; while a round runs, its progress.  Leaders also see open conflicts, one click
from the review screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from villagehelper.clock import to_vietnam
from villagehelper.errors import UserError
from villagehelper.text import format_number
from villagehelper.ui.syncing.sync_controller import SyncController

if TYPE_CHECKING:
    from villagehelper.sync.status import SyncStatus

ERROR_STYLE = "color: #b00020;"
_MB = 1024 * 1024


def megabytes(done: int, total: int) -> tuple[int, int]:
    """Bytes received and expected as whole MB, the total rounded up (never "of 0")."""
    whole = -(-max(total, done, 1) // _MB)
    return min(done // _MB, whole), whole


def progress_text(phase: str, done: int, total: int) -> str:
    """What a running sync is doing, as the status bar and the join dialog say it."""
    translate = QCoreApplication.translate
    if phase == "push":
        text = translate("SyncStatusBar", "Đang gửi %1/%2…").replace("%1", format_number(done))
        return text.replace("%2", format_number(total))
    if phase == "snapshot":  # a new laptop's first download: bytes of the file
        received, whole = megabytes(done, total)
        text = translate("SyncStatusBar", "Đang tải dữ liệu của xã: %1/%2 MB…")
        return text.replace("%1", format_number(received)).replace("%2", format_number(whole))
    return translate("SyncStatusBar", "Đang nhận %1…").replace("%1", format_number(done))


class SyncStatusBar(QWidget):
    sig_review_conflicts = Signal()
    sig_review_set_aside = Signal()  # changes the server refused (sync/set_aside.py)

    def __init__(self, controller: SyncController, language: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._controller = controller
        self._language = language
        self.label = QLabel(self.tr("Đồng bộ: chưa thiết lập"), self)
        self.label.setObjectName("syncStatus")
        self.conflicts = QPushButton(self)
        self.conflicts.setObjectName("reviewConflicts")
        self.conflicts.setFlat(True)
        self.conflicts.setVisible(False)
        self.conflicts.clicked.connect(self.sig_review_conflicts.emit)
        self.set_aside = QPushButton(self)
        self.set_aside.setObjectName("reviewSetAside")
        self.set_aside.setFlat(True)
        self.set_aside.setVisible(False)
        self.set_aside.clicked.connect(self.sig_review_set_aside.emit)
        self.sync_button = QPushButton(self.tr("Đồng bộ ngay"), self)
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setToolTip(self.tr("Gửi và nhận dữ liệu với máy chủ xã (Ctrl+Shift+S)"))
        self.sync_button.setEnabled(False)
        self.sync_button.clicked.connect(controller.sync_now)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.conflicts)
        layout.addWidget(self.set_aside)
        layout.addWidget(self.sync_button)
        controller.sig_status.connect(self.show_status)
        controller.sig_running.connect(self._running)
        controller.sig_progress.connect(self._progress)
        controller.sig_finished.connect(self._finished)

    def show_status(self, status: SyncStatus) -> None:
        if status.enrolled is None:
            self.label.setText(self.tr("Đồng bộ: chưa thiết lập"))
            self.label.setStyleSheet("")
            self.sync_button.setEnabled(False)
            self.conflicts.setVisible(False)
            self.set_aside.setVisible(False)
            return
        self.sync_button.setEnabled(not self._controller.running)
        parts = [self.tr("Chưa gửi: %1").replace("%1", format_number(status.pending))]
        if status.last_success is None:
            parts.append(self.tr("chưa đồng bộ lần nào"))
        else:
            # The year too: the last sync may have been last year.
            when = to_vietnam(status.last_success).strftime("%H:%M %d/%m/%Y")
            parts.append(self.tr("đồng bộ lần cuối %1").replace("%1", when))
        # Refused by the server, kept aside: everyone sees it, a leader opens the list.
        self.set_aside.setVisible(bool(status.set_aside))
        self.set_aside.setText(
            self.tr("%1 thay đổi bị từ chối").replace("%1", format_number(status.set_aside))
        )
        error = status.last_error_en if self._language == "en" else status.last_error
        if error and not self._controller.running:
            parts.append(self.tr("lỗi: %1").replace("%1", error))
            self.label.setStyleSheet(ERROR_STYLE)
            self.label.setToolTip(error)
        else:
            self.label.setStyleSheet("")
            self.label.setToolTip("")
        if not self._controller.running:
            self.label.setText(self.tr("Đồng bộ: ") + " · ".join(parts))
        leader = status.enrolled.is_leader
        waiting = [
            self.tr("%1 xung đột").replace("%1", format_number(status.open_conflicts))
            if status.open_conflicts
            else "",
            # Held back by the server for an impossible date: the leader corrects them.
            self.tr("%1 lượt sai ngày").replace("%1", format_number(status.implausible_sessions))
            if status.implausible_sessions
            else "",
            # Server rows no laptop can hold (exchange/quarantine.py): a leader settles them.
            self.tr("%1 dòng dữ liệu lỗi").replace("%1", format_number(status.faulty_rows))
            if status.faulty_rows
            else "",
        ]
        self.conflicts.setVisible(leader and any(waiting))
        self.conflicts.setText(
            self.tr("⚠ %1 cần xem").replace("%1", ", ".join(part for part in waiting if part))
        )

    def _running(self, running: bool) -> None:
        self.sync_button.setEnabled(not running)
        if running:
            self.label.setStyleSheet("")
            self.label.setText(self.tr("Đang đồng bộ…"))

    def _progress(self, phase: str, done: int, total: int) -> None:
        self.label.setText(progress_text(phase, done, total))

    def _finished(self, outcome: object) -> None:
        if isinstance(outcome, UserError):
            # The status refresh that follows shows the error; say it now already.
            self.label.setText(
                self.tr("Đồng bộ chưa xong: %1").replace("%1", outcome.message(self._language))
            )
            self.label.setStyleSheet(ERROR_STYLE)
