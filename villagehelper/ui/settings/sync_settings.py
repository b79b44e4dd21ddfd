"""Settings → Sync: enrol this laptop with the commune server, see where it syncs."""

from __future__ import annotations

import platform
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from villagehelper.errors import UserError
from villagehelper.ui.syncing.sync_controller import SyncController

if TYPE_CHECKING:
    from villagehelper.exchange.update_offer import UpdateOffer
    from villagehelper.store.sync_state import Enrolled
    from villagehelper.sync.status import SyncStatus


class SyncSettings(QGroupBox):
    def __init__(self, controller: SyncController, language: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Đồng bộ với máy chủ xã"))
        self._controller = controller
        self._language = language
        self.where = QLabel(self.tr("Máy này chưa đăng ký với máy chủ xã."), self)
        self.where.setObjectName("syncWhere")
        self.where.setWordWrap(True)
        self.server = QLineEdit(self)
        self.server.setObjectName("syncServer")
        self.server.setPlaceholderText("http://192.168.1.10:8765")
        self.code = QLineEdit(self)
        self.code.setObjectName("syncCode")
        self.code.setPlaceholderText("ABCDE-FGHJK")
        self.device_name = QLineEdit(platform.node(), self)
        self.device_name.setObjectName("syncDeviceName")
        self.enrol_button = QPushButton(self.tr("Đăng ký máy này"), self)
        self.enrol_button.setObjectName("syncEnrol")
        self.enrol_button.clicked.connect(self.enrol)
        self.code.returnPressed.connect(self.enrol)
        self.sync_button = QPushButton(self.tr("Đồng bộ ngay"), self)
        self.sync_button.setObjectName("syncNowSettings")
        self.sync_button.setEnabled(False)
        self.sync_button.clicked.connect(controller.sync_now)
        self.check_update_button = QPushButton(self.tr("Kiểm tra cập nhật"), self)
        self.check_update_button.setObjectName("checkUpdate")
        self.check_update_button.setEnabled(False)
        self.check_update_button.clicked.connect(self.check_update)
        self.message = QLabel(self)
        self.message.setObjectName("syncMessage")
        self.message.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("", self.where)
        form.addRow(self.tr("Địa chỉ máy chủ"), self.server)
        form.addRow(self.tr("Mã đăng ký (tổ trưởng cấp)"), self.code)
        form.addRow(self.tr("Tên máy"), self.device_name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enrol_button)
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.check_update_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        form.addRow("", self.message)
        controller.sig_status.connect(self.show_status)
        if controller.status is not None:
            self.show_status(controller.status)

    def show_status(self, status: SyncStatus) -> None:
        enrolled = status.enrolled
        self.sync_button.setEnabled(enrolled is not None)
        self.check_update_button.setEnabled(enrolled is not None)
        if enrolled is None:
            return
        role = self.tr("tổ trưởng") if enrolled.is_leader else self.tr("thành viên")
        self.where.setText(
            self.tr("Đã đăng ký với %1 (quyền %2). Đăng ký lại chỉ khi tổ trưởng cấp mã mới.")
            .replace("%1", enrolled.server_url)
            .replace("%2", role)
        )
        if not self.server.text():
            self.server.setText(enrolled.server_url)

    def enrol(self) -> None:
        server, code = self.server.text().strip(), self.code.text().strip()
        if not server or not code:
            self.message.setText(self.tr("Hãy nhập địa chỉ máy chủ và mã đăng ký."))
            return
        self.enrol_button.setEnabled(False)
        self.message.setText(self.tr("Đang đăng ký…"))
        self._controller.enrol(server, code, self.device_name.text().strip(), self._enrolled)

    def _enrolled(self, outcome: object) -> None:
        self.enrol_button.setEnabled(True)
        if isinstance(outcome, UserError):
            self.message.setText(outcome.message(self._language))
            return
        if isinstance(outcome, BaseException):
            self.message.setText(self.tr("Đăng ký gặp lỗi ngoài dự kiến; hãy thử lại."))
            return
        enrolled: Enrolled = outcome  # type: ignore[assignment]
        self.code.clear()
        self.message.setText(
            self.tr("Đã đăng ký. Máy đang đồng bộ lần đầu với %1.").replace(
                "%1", enrolled.server_url
            )
        )

    def check_update(self) -> None:
        """Ask the commune server for an update now; the banner shows one if there is."""
        self.check_update_button.setEnabled(False)
        self.message.setText(self.tr("Đang hỏi máy chủ xã về bản cập nhật…"))
        self._controller.check_update(
            ask_now=True, answered=self._update_checked, failed=self._update_check_failed
        )

    def _update_checked(self, offer: UpdateOffer | None) -> None:
        self.check_update_button.setEnabled(True)
        if offer is None:
            self.message.setText(self.tr("Máy này đang dùng phiên bản mới nhất."))
        else:
            self.message.setText(
                self.tr("Có phiên bản mới %1: xem thanh thông báo ở đầu cửa sổ.").replace(
                    "%1", offer.version
                )
            )

    def _update_check_failed(self, error: BaseException) -> None:
        self.check_update_button.setEnabled(True)
        if isinstance(error, UserError):
            self.message.setText(error.message(self._language))
        else:
            self._controller.bugs.report(error)
