"""Start-up of the desktop app: display check, store, main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from villagehelper.errors import UserError


def ensure_display() -> None:
    """On Linux without a desktop session Qt aborts the process; say why instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise UserError(
        "Không tìm thấy màn hình: hãy mở VillageHelper trong phiên làm việc có giao diện "
        "(hoặc đặt QT_QPA_PLATFORM=offscreen để chạy không hiển thị). Các lệnh dòng lệnh "
        "(villagehelper demo, import, export, backup…) vẫn dùng được.",
        "No display found: run VillageHelper in a desktop session (or set "
        "QT_QPA_PLATFORM=offscreen). Command-line commands work without one.",
    )


def run_gui(data_dir: Path) -> int:
    ensure_display()
    from PySide6.QtWidgets import QApplication

    from villagehelper.store.engine import open_store
    from villagehelper.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("VillageHelper")
    store = open_store(data_dir)
    try:
        window = MainWindow(store)
        window.show()
        return app.exec()
    finally:
        store.close()
