"""Start-up of the desktop app: display check, language, store, first run, main window."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import TracebackType

from villagehelper.errors import UserError

log = logging.getLogger("villagehelper.ui")

RESTART = 1000  # exit code of the event loop that asks run_gui to open the app again
# Set by the start-up benchmark: quit as soon as the window is shown and its first data
# has arrived, so the time of the whole process is the time to a usable window.
EXIT_WHEN_READY_ENV = "VILLAGEHELPER_EXIT_WHEN_READY"
BASE_POINT_SIZE = 11
LARGE_POINT_SIZE = 15


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


def apply_text_size(large: bool) -> None:
    from PySide6.QtWidgets import QApplication

    font = QApplication.font()
    font.setPointSize(LARGE_POINT_SIZE if large else BASE_POINT_SIZE)
    QApplication.setFont(font)


def run_gui(data_dir: Path) -> int:
    ensure_display()
    _load_core_before_qt()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("VillageHelper")
    app.setApplicationVersion(_version())
    while True:
        code = _run_once(app, data_dir)
        if code != RESTART:
            return code


def _load_core_before_qt() -> None:
    """PySide6 installs an import hook that inspects the source of every module imported
    after it; loading SQLAlchemy and the core first keeps start-up faster."""
    import villagehelper.ops.lists
    import villagehelper.ops.setup
    import villagehelper.store.engine  # noqa: F401


def _version() -> str:
    from villagehelper import __version__

    return __version__


def _run_once(app: object, data_dir: Path) -> int:
    """One life of the main window; returns the event loop's exit code."""
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

    from villagehelper.logs import log_path
    from villagehelper.preferences import load_preferences
    from villagehelper.store.engine import open_store
    from villagehelper.ui.context import AppContext
    from villagehelper.ui.executor import DbExecutor
    from villagehelper.ui.i18n import install_language
    from villagehelper.ui.main_window import MainWindow
    from villagehelper.ui.volunteer_picker import VolunteerPicker

    assert isinstance(app, QApplication)
    preferences = load_preferences(data_dir)
    translators = install_language(app, preferences.language)
    apply_text_size(preferences.large_text)
    _install_excepthook(log_path(data_dir))
    try:
        store = open_store(data_dir)
    except UserError as error:
        QMessageBox.critical(None, "VillageHelper", error.message(preferences.language))
        return 1
    executor = DbExecutor()
    try:
        if store.commune() is None:
            from villagehelper.ui.wizard import FirstRunWizard

            wizard = FirstRunWizard(store, executor)
            if wizard.exec() != QDialog.DialogCode.Accepted:
                return 0
            preferences = preferences.with_changes(volunteer_id=wizard.volunteer_id)
        ctx = AppContext(store, executor, preferences)
        ctx.update_preferences()  # persist what the wizard chose
        if ctx.volunteer_id is None:
            VolunteerPicker(ctx).exec()
        window = MainWindow(ctx)
        window.settings.sig_large_text_changed.connect(apply_text_size)
        window.sig_restart.connect(lambda: app.exit(RESTART))
        window.show()
        window.log_visit.search.line.setFocus()
        if os.environ.get(EXIT_WHEN_READY_ENV):
            _quit_when_idle(app, executor)
        return app.exec()
    finally:
        executor.shutdown()
        store.close()
        for translator in translators:
            app.removeTranslator(translator)


def _quit_when_idle(app: object, executor: object) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from villagehelper.ui.executor import DbExecutor

    assert isinstance(app, QApplication) and isinstance(executor, DbExecutor)

    def check() -> None:
        if executor.busy():
            executor.sig_idle.connect(app.quit)
        else:
            app.quit()

    QTimer.singleShot(0, check)


def _install_excepthook(log_file: Path) -> None:
    """An exception escaping a Qt slot is a bug: log it, apologise, keep running."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.error("unhandled exception", exc_info=(kind, error, trace))
        from villagehelper.ui.feedback import show_bug

        show_bug(None, log_file)

    sys.excepthook = hook
