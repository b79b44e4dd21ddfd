"""The main window (a first shell: the volunteer screens come with the UI feature)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from villagehelper.store.engine import Store


class MainWindow(QMainWindow):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.setWindowTitle("VillageHelper — Tổ công nghệ số cộng đồng")
        commune = store.commune()
        where = (
            f"{commune.name}, {commune.province_name}"
            if commune
            else "Chưa chọn xã/phường — chạy «villagehelper demo» để dùng thử"
        )
        heading = QLabel(f"<h2>VillageHelper</h2><p>{where}</p>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        folder = QLabel(f"Thư mục dữ liệu: {store.data_dir}")
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout()
        layout.addWidget(heading)
        layout.addWidget(folder)
        layout.addStretch(1)
        body = QWidget()
        body.setLayout(layout)
        self.setCentralWidget(body)
        self.resize(900, 600)
        self.statusBar().showMessage("Sẵn sàng")
