"""First run on a laptop of a team that already syncs: join the commune server.

Instead of typing the commune, villages and team again (which only a leader's laptop may
upload), the person enters the server's address and a one-time code from the leader; the
laptop enrols, then downloads its commune (a new laptop starts from the commune's
snapshot), and the wizard only asks who is logging.  The work runs on the database
worker the wizard writes with, never on the window's thread (nothing else is asked of
that worker while the wizard waits for the commune); the status line says what is
happening, and
a failure is explained with nothing lost (the code is not used twice: a laptop already
enrolled with that server only syncs again).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from villagehelper.errors import UserError
from villagehelper.ops.team import TeamMemberInfo
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.i18n import current_language
from villagehelper.ui.shell.operations import write_op
from villagehelper.ui.syncing.sync_status import ERROR_STYLE, megabytes, progress_text


@dataclass(frozen=True)
class TeamWritten:
    """The team a first run wrote (joined, or the sample data), to choose who logs."""

    members: list[TeamMemberInfo]
    # Nothing to announce: no screen shows the data before the first run is over.
    changes: Changes


class JoinServerDialog(QDialog):
    """Server address, enrolment code, this laptop's name; then enrol and download."""

    sig_progress = Signal(str, object, object)
    """From the worker: phase, done, total (bytes for the snapshot: may pass 32 bits)."""
    sig_joined = Signal(object)
    """The commune's team members (list of TeamMemberInfo), once everything is in."""

    def __init__(self, store: Store, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._worker = worker  # the database worker
        self._busy = False
        self.setObjectName("joinServerDialog")
        self.setWindowTitle(self.tr("Kết nối với máy chủ xã"))
        intro = QLabel(
            self.tr(
                "Tổ đã dùng VillageHelper trên máy khác? Nhập địa chỉ máy chủ xã và mã đăng "
                "ký do tổ trưởng cấp: máy này sẽ nhận thôn, thành viên tổ và dữ liệu của xã."
            )
        )
        intro.setWordWrap(True)
        self.server = QLineEdit()
        self.server.setObjectName("joinServer")
        self.server.setPlaceholderText("http://192.168.1.10:8765")
        self.code = QLineEdit()
        self.code.setObjectName("joinCode")
        self.code.setPlaceholderText("ABCDE-FGHJK")
        self.device_name = QLineEdit(platform.node())
        self.device_name.setObjectName("joinDeviceName")
        self.status = QLabel()
        self.status.setObjectName("joinStatus")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.connect_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText(self.tr("&Kết nối"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Hủy"))

        form = QFormLayout()
        form.addRow(self.tr("Địa chỉ &máy chủ:"), self.server)
        form.addRow(self.tr("&Mã đăng ký:"), self.code)
        form.addRow(self.tr("&Tên máy này:"), self.device_name)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 80, self.sizeHint().height())

        self.buttons.accepted.connect(self.join)
        self.buttons.rejected.connect(self.reject)
        self.sig_progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)

    def join(self) -> None:
        if self._busy:
            return
        server, code = self.server.text().strip(), self.code.text().strip()
        if not server:
            self._refuse(self.server, self.tr("Hãy nhập địa chỉ máy chủ xã (hỏi tổ trưởng)."))
            return
        if not code:
            self._refuse(self.code, self.tr("Hãy nhập mã đăng ký do tổ trưởng cấp."))
            return
        self._set_busy(True)
        self._say(self.tr("Đang kết nối máy chủ xã…"))
        store, name = self._store, self.device_name.text().strip() or platform.node()

        def work() -> TeamWritten:
            from villagehelper.ops.team import list_team_members
            from villagehelper.sync import client

            client.join_commune(store, server, code, name, progress=self.sig_progress.emit)
            return TeamWritten(list_team_members(store), Changes())

        write_op(self._worker, self, work).success(self._joined).failure(self._failed).run()

    def _refuse(self, field: QLineEdit, message: str) -> None:
        self._say(message, error=True)
        field.setFocus()

    def _show_progress(self, phase: str, done: int, total: int) -> None:
        if phase == "snapshot":
            received, whole = megabytes(done, total)
            self.progress.setRange(0, whole)
            self.progress.setValue(received)
        else:
            self.progress.setRange(0, 0)  # busy, total unknown
        self._say(progress_text(phase, done, total))

    def _joined(self, written: TeamWritten) -> None:
        self._set_busy(False)
        self.sig_joined.emit(written.members)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, UserError):
            self._say(error.message(current_language()), error=True)
        else:
            self._worker.report(error)  # logged already: the window apologises
            self._say(
                self.tr("Gặp lỗi ngoài dự kiến; dữ liệu trên máy vẫn an toàn. Hãy thử lại."),
                error=True,
            )

    def _set_busy(self, busy: bool) -> None:
        # Nothing to cancel half-way: a download stops at its next page by itself
        # when the network goes, and what came in stays (the next sync goes on).
        self._busy = busy
        for widget in (self.server, self.code, self.device_name, self.buttons):
            widget.setEnabled(not busy)
        self.progress.setVisible(busy)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)

    def reject(self) -> None:
        if not self._busy:
            super().reject()
