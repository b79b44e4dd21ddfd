"""A "Có phiên bản mới" banner over the screens while the commune server offers a newer
version of the app: the version, and a button to the dialog that downloads and installs
it (``update_dialog.py``).

The sync controller says what is offered after every round and every check
(:attr:`SyncController.sig_update`); the banner only shows it.  Nothing is downloaded or
installed from here: only from the dialog, on the person's clicks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from villagehelper import __version__
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.syncing.sync_controller import SyncController

if TYPE_CHECKING:
    from pathlib import Path

    from villagehelper.exchange.update_offer import UpdateOffer
    from villagehelper.ui.syncing.update_dialog import UpdateDialog


class UpdateBanner(QFrame):
    sig_handed_over = Signal(object)
    """The installer (a Path) was started with the person's consent: the app closes."""

    def __init__(self, ctx: AppContext, sync: SyncController, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._sync = sync
        self.offer: UpdateOffer | None = None
        self.setObjectName("updateBanner")
        self.setStyleSheet(
            "QFrame#updateBanner { background: #e3f2fd; border: 1px solid #1e88e5; }"
            "QFrame#updateBanner QLabel { color: #0d3c61; }"
        )
        self.label = QLabel(self)
        self.label.setObjectName("updateBannerText")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.open_button = QPushButton(self.tr("Xem và cài đặt…"), self)
        self.open_button.setObjectName("updateOpen")
        self.open_button.clicked.connect(self.open_dialog)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button)
        self.hide()
        sync.sig_update.connect(self.show_offer)

    def show_offer(self, offer: UpdateOffer | None) -> None:
        self.offer = offer
        if offer is not None:
            title = self.tr("Có phiên bản mới: %1").replace("%1", offer.version)
            mine = self.tr("(máy này đang dùng phiên bản %1)").replace("%1", __version__)
            self.label.setText(f"<b>{title}</b> {mine}")
        self.setVisible(offer is not None)

    def open_dialog(self) -> UpdateDialog | None:
        from villagehelper.ui.syncing.update_dialog import UpdateDialog

        if self.offer is None:
            return None
        dialog = UpdateDialog(self._ctx, self._sync, self.offer, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_handed_over.connect(self._handed_over)
        dialog.open()
        return dialog

    def _handed_over(self, installer: Path) -> None:
        self.sig_handed_over.emit(installer)
