"""The update dialog: what changed, the size, "Tải về" with progress and cancel, then
"Cài đặt ngay" or "Để sau".

The download runs on the sync worker (``SyncController.network_op``), never on the
window's thread; cancelling keeps what arrived, so the next "Tải về" resumes.  The
installer is started (``villagehelper.updates.handover``) only by "Cài đặt ngay" — the
person's consent — and only a downloaded file whose SHA-256 matches the offer; the app
then closes so the installer can replace it.  "Để sau" and closing do nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from villagehelper import __version__
from villagehelper.errors import UserError
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.syncing.sync_controller import SyncController

if TYPE_CHECKING:
    from villagehelper.exchange.update_offer import UpdateOffer


class UpdateDialog(QDialog):
    sig_handed_over = Signal(object)
    """The installer (a Path) was started with the person's consent."""
    sig_progress = Signal(object, object)
    """Bytes downloaded and the installer's size (from the sync worker, queued)."""
    sig_downloaded = Signal(object)
    """The checked installer (a Path), or the error that stopped the download."""

    def __init__(
        self, ctx: AppContext, sync: SyncController, offer: UpdateOffer, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._sync = sync
        self.offer = offer
        self.installer: Path | None = None
        self._cancel = threading.Event()
        self.setObjectName("updateDialog")
        self.setWindowTitle(self.tr("Có phiên bản mới"))
        summary = (
            self.tr("Phiên bản %1 (máy này: %2) — %3 MB, phát hành ngày %4.")
            .replace("%1", offer.version)
            .replace("%2", __version__)
            .replace("%3", f"{offer.size / 1_000_000:.1f}".replace(".", ","))
            .replace("%4", f"{offer.published_at:%d/%m/%Y}")
        )
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        self.notes = QPlainTextEdit(offer.notes or self.tr("(Không có ghi chú.)"), self)
        self.notes.setObjectName("updateNotes")
        self.notes.setReadOnly(True)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("updateProgress")
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.message = QLabel(self)
        self.message.setObjectName("updateMessage")
        self.message.setWordWrap(True)
        self.download_button = self._button(self.tr("Tải về"), "updateDownload", self.download)
        self.cancel_button = self._button(self.tr("Dừng tải"), "updateCancel", self._stop)
        self.cancel_button.hide()
        self.install_button = self._button(self.tr("Cài đặt ngay"), "updateInstall", self.install)
        self.install_button.setEnabled(False)
        self.later_button = self._button(self.tr("Để sau"), "updateLater", self.reject)
        buttons = QHBoxLayout()
        for button in (self.download_button, self.cancel_button, self.install_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(self.tr("Những thay đổi:"), self))
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(560, 420)
        self.sig_progress.connect(self._show_progress)
        self.sig_downloaded.connect(self._downloaded)

    def _button(self, text: str, name: str, action: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(action)
        return button

    def download(self) -> None:
        ctx, offer, cancel = self._ctx, self.offer, self._cancel
        cancel.clear()
        self.download_button.setEnabled(False)
        self.cancel_button.show()
        self.progress.show()
        self.message.setText(self.tr("Đang tải về…"))

        def progress(done: int, total: int) -> None:
            if cancel.is_set():
                return  # the dialog may be gone ("Để sau" while downloading)
            try:
                self.sig_progress.emit(done, total)
            except RuntimeError:
                cancel.set()  # it went between the check and the signal

        def work() -> Path:
            from villagehelper.sync import client
            from villagehelper.updates.download import download_installer

            return download_installer(
                ctx.store,
                offer,
                connect=self._sync.connection_factory or client.default_connection,
                progress=progress,
                cancelled=cancel.is_set,
            )

        operation = self._sync.network_op(self, work).success(self.sig_downloaded.emit)
        operation.failure(self.sig_downloaded.emit).run()

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setValue(done * 1000 // total if total else 0)

    def _stop(self) -> None:
        self._cancel.set()

    def _downloaded(self, outcome: object) -> None:
        from villagehelper.updates.download import DownloadCancelledError

        self.cancel_button.hide()
        self.download_button.setEnabled(True)
        if isinstance(outcome, Path):
            self.installer = outcome
            self.install_button.setEnabled(True)
            self.download_button.setEnabled(False)
            self.message.setText(
                self.tr(
                    "Đã tải về và kiểm tra xong. Bấm «Cài đặt ngay» để cài (ứng dụng sẽ đóng lại)."
                )
            )
        elif isinstance(outcome, DownloadCancelledError):
            self.message.setText(self.tr("Đã dừng tải; lần sau sẽ tải tiếp từ chỗ đã dừng."))
        elif isinstance(outcome, UserError):
            self.message.setText(outcome.message(self._ctx.preferences.language))
        else:
            self._sync.bugs.report(outcome)  # type: ignore[arg-type]
            self.message.setText(self.tr("Tải về gặp lỗi ngoài dự kiến; hãy thử lại."))

    def install(self) -> None:
        """The person's consent: hand the checked installer over, then the app closes."""
        data_dir, offer = self._ctx.data_dir, self.offer
        self.install_button.setEnabled(False)

        def work() -> Path:
            from villagehelper.updates.handover import hand_over

            return hand_over(data_dir, offer, consented=True)

        def failed(error: BaseException) -> None:
            self.install_button.setEnabled(True)
            if isinstance(error, UserError):
                self.message.setText(error.message(self._ctx.preferences.language))
            else:
                self._sync.bugs.report(error)

        self._sync.network_op(self, work).success(self._handed_over).failure(failed).run()

    def _handed_over(self, installer: Path) -> None:
        self.sig_handed_over.emit(installer)
        self.accept()

    def reject(self) -> None:
        self._cancel.set()  # "Để sau" while downloading: stop; what arrived stays
        super().reject()
