"""The line under a screen's buttons that says what was just saved, or why it was not,
with a button that opens the saved file in the laptop's own program (a PDF reader, to
look at it or print it).  Nothing shows until there is something to say."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class SavedFileNotice(QWidget):
    def __init__(self, object_prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saved_path: Path | None = None
        self.message = QLabel(self)
        self.message.setObjectName(f"{object_prefix}Message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(self.tr("&Mở tệp"), self)
        self.open_button.setObjectName(f"open{object_prefix[:1].upper()}{object_prefix[1:]}")
        self.open_button.clicked.connect(self.open_saved)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.open_button)
        self.message.hide()
        self.open_button.hide()  # until a file is saved

    def show_message(self, text: str, success: bool) -> None:
        self.message.setStyleSheet("" if success else "color: #a01414;")
        self.message.setText(text)
        self.message.show()
        if not success:
            self.open_button.hide()

    def offer_to_open(self, path: Path) -> None:
        self.saved_path = path
        self.open_button.setToolTip(str(path))
        self.open_button.show()

    def open_saved(self) -> None:
        path = self.saved_path
        if path is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.show_message(
                self.tr("Không mở được tệp. Hãy mở thư mục «%1» rồi mở tệp «%2».")
                .replace("%1", str(path.parent))
                .replace("%2", path.name),
                False,
            )
