"""Start-up of the desktop app: display check, language, store, first run, main window."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, cast

from villagehelper.errors import UserError

if TYPE_CHECKING:  # Qt and the database layer load inside the functions, when needed
    from villagehelper.backups.copies import BackupCheck
    from villagehelper.preferences import Preferences
    from villagehelper.store.engine import Store
    from villagehelper.ui.lock.pin_prompt import Unlocked
    from villagehelper.ui.shell.context import AppContext
    from villagehelper.ui.shell.executor import Worker

log = logging.getLogger("villagehelper.ui")

RESTART = 1000  # exit code of the event loop that asks run_gui to open the app again
RESTORE = 1001  # … after restoring the backup the window asked for (its store closed)
# Set by the start-up benchmark: quit as soon as the window is on screen ("window") or
# once its first data has arrived (any other value), so that the time of the whole
# process is the time to a usable window.  "stay": say so on stdout and keep running,
# for tests that need the open app beside them.
EXIT_WHEN_READY_ENV = "VILLAGEHELPER_EXIT_WHEN_READY"
ANNOUNCE_AND_STAY = "stay"
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
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("VillageHelper")
    app.setApplicationVersion(_version())
    from villagehelper.reports.fonts import register_report_fonts
    from villagehelper.ui.shell.screen_fit import install_screen_fit

    register_report_fonts()  # the printout's own font, as the command line registers it
    install_screen_fit(app)  # every window and dialog sized and placed inside the screen
    from villagehelper.ui.shell.collector import SafeCollector
    from villagehelper.ui.shell.single_instance import (
        SingleInstance,
        bring_forward,
        refuse_second_start,
    )

    instance = SingleInstance(data_dir)  # one app per data folder
    refused = refuse_second_start(app, instance)
    if refused is not None:
        return refused
    instance.sig_show_requested.connect(bring_forward)
    collector = SafeCollector(app)
    collector.start()
    try:
        while True:
            wanted: list[tuple[BackupCheck, bytes | None]] = []
            code = _run_once(app, data_dir, wanted)
            if code == RESTORE:
                from villagehelper.ui.settings.recovery import restore

                restore(data_dir, *wanted[-1])
            elif code != RESTART:
                return code
    finally:
        collector.stop()
        instance.release()


def _version() -> str:
    from villagehelper import __version__

    return __version__


def _run_once(
    app: object, data_dir: Path, restore_wanted: list[tuple[BackupCheck, bytes | None]]
) -> int:
    """One life of the main window; returns the event loop's exit code.  A backup the
    window asks to restore is appended to ``restore_wanted`` with the data key (restored
    after the store is closed)."""
    from PySide6.QtWidgets import QApplication

    from villagehelper.logs import log_path
    from villagehelper.paths import DATABASE_FILE
    from villagehelper.preferences import load_preferences
    from villagehelper.store.peek import peek_commune
    from villagehelper.ui.shell.context import AppContext
    from villagehelper.ui.shell.executor import Worker
    from villagehelper.ui.shell.i18n import install_language
    from villagehelper.ui.shell.main_window import MainWindow

    assert isinstance(app, QApplication)
    preferences = load_preferences(data_dir)
    translators = install_language(app, preferences.language)
    apply_text_size(preferences.large_text)
    _install_excepthook(log_path(data_dir))
    executor = Worker()
    ctx: AppContext | None = None
    try:
        unlocked = _unlock(executor, preferences, data_dir)
        if unlocked is None:
            return 0
        if unlocked.member_id is not None:
            preferences = preferences.with_changes(volunteer_id=unlocked.member_id)
        commune = peek_commune(data_dir / DATABASE_FILE, unlocked.data_key)
        if commune is not None and preferences.volunteer_id is not None:
            # The everyday start: the window shows at once while the database worker
            # loads the database layer and opens the store; every query the window
            # makes waits behind that on the same worker.
            ctx = AppContext(
                None, executor, preferences, data_dir=data_dir, data_key=unlocked.data_key
            )
            _open_in_background(app, ctx, data_dir)
        else:
            # First run, an upgrade, a damaged file or nobody chosen yet: open first,
            # carefully, then ask what is missing.
            ctx = _prepare(executor, preferences, data_dir, unlocked.data_key)
            if ctx is None:
                return 1 if not (data_dir / DATABASE_FILE).exists() else 0
        _remember_unlock(ctx, unlocked)
        window = MainWindow(ctx, commune)
        window.sig_large_text_changed.connect(apply_text_size)
        window.sig_restart.connect(lambda: app.exit(RESTART))

        def restore_then_restart(good: object) -> None:
            restore_wanted.append((cast("BackupCheck", good), unlocked.data_key))
            app.exit(RESTORE)

        window.sig_restore.connect(restore_then_restart)
        window.show()
        window.log_visit.search.line.setFocus()
        ready = os.environ.get(EXIT_WHEN_READY_ENV)
        if ready:
            _quit_when_ready(
                app, executor, wait_for_data=ready != "window", stay=ready == ANNOUNCE_AND_STAY
            )
        return app.exec()
    finally:
        executor.shutdown()
        if ctx is not None:
            ctx.shutdown_key_worker()
        if ctx is not None and ctx.has_store:
            ctx.store.close()
        for translator in translators:
            app.removeTranslator(translator)


def _unlock(executor: Worker, preferences: Preferences, data_dir: Path) -> Unlocked | None:
    """The data key, before anything of the data is read: from the PIN of a member when
    any member has one (the lock screen), else at once.  ``None``: the person closed the
    lock screen, or the key file cannot be read (said in a message)."""
    from PySide6.QtWidgets import QMessageBox

    from villagehelper.ui.lock.lock_screen import unlock_at_start

    try:
        # Nothing else is queued yet: the database worker is free to check the PIN.
        return unlock_at_start(data_dir, executor, preferences.language, preferences.volunteer_id)
    except UserError as error:
        QMessageBox.critical(None, "VillageHelper", error.message(preferences.language))
        return None


def _remember_unlock(ctx: AppContext, unlocked: Unlocked) -> None:
    ctx.unlocked_by = unlocked.member_id
    if unlocked.member_id is not None:
        ctx.update_preferences()  # who unlocked is the one logging, next time too


def _open_in_background(app: object, ctx: AppContext, data_dir: Path) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    assert isinstance(app, QApplication)

    def open_it() -> Store:
        from villagehelper.store.engine import open_store

        # Attached here, on the worker: the next queued operation runs right after this
        # one, before a success callback could reach the GUI thread.
        store = open_store(data_dir, key=ctx.data_key)
        ctx.attach_store(store)
        return store

    def failed(error: BaseException) -> None:
        from villagehelper.store.migrate import DamagedDatabaseError
        from villagehelper.ui.settings.recovery import recover_at_start

        if isinstance(error, DamagedDatabaseError):
            # Nothing is open: the good backup can go in place now, then a new start.
            app.exit(RESTART if recover_at_start(None, data_dir, ctx.data_key) else 1)
            return
        if isinstance(error, UserError):
            message = error.message(ctx.preferences.language)
        else:
            message = "VillageHelper không mở được dữ liệu. Chi tiết: " + str(ctx.log_file)
        QMessageBox.critical(None, "VillageHelper", message)
        app.exit(1)

    # Owned by the app (no widget): opening is what every later operation waits behind.
    ctx.read(None, open_it).failure(failed).run()


def _prepare(
    executor: Worker, preferences: Preferences, data_dir: Path, data_key: bytes
) -> AppContext | None:
    """Open the store on this thread, run the first-run wizard or the "who is logging?"
    question when needed; ``None`` when the person cancelled or the data can't open.

    The one place the GUI thread uses the store (opening it, asking for its commune):
    no window is up yet, only modal questions, so nothing waits. The store refuses this
    thread from the moment the :class:`AppContext` is made (docs/workers.md)."""
    from PySide6.QtWidgets import QDialog, QMessageBox

    from villagehelper.disk_errors import folder_problem
    from villagehelper.store.engine import open_store
    from villagehelper.store.migrate import DamagedDatabaseError
    from villagehelper.ui.settings.recovery import recover_at_start
    from villagehelper.ui.shell.context import AppContext
    from villagehelper.ui.shell.volunteer_picker import VolunteerPicker

    try:
        try:
            store = open_store(data_dir, key=data_key)
        except DamagedDatabaseError:
            if not recover_at_start(None, data_dir, data_key):
                return None
            store = open_store(data_dir, key=data_key)
    except Exception as error:
        # A full or unplugged disk is told as such (villagehelper.disk_errors), not as a bug.
        shown = error if isinstance(error, UserError) else folder_problem(error, data_dir)
        if shown is None:
            raise
        QMessageBox.critical(None, "VillageHelper", shown.message(preferences.language))
        return None
    if store.commune() is None:
        from villagehelper.ui.first_run.wizard import FirstRunWizard

        wizard = FirstRunWizard(store, executor)
        if wizard.exec() != QDialog.DialogCode.Accepted:
            store.close()
            return None
        preferences = preferences.with_changes(volunteer_id=wizard.volunteer_id)
    ctx = AppContext(store, executor, preferences, data_key=data_key)
    ctx.update_preferences()  # persist what the wizard chose
    if ctx.volunteer_id is None:
        VolunteerPicker(ctx).exec()
    return ctx


def _quit_when_ready(
    app: object, executor: object, *, wait_for_data: bool, stay: bool = False
) -> None:
    """Print the wall-clock moment the window became ready, then quit (benchmarks) or,
    with ``stay``, keep running (tests)."""
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from villagehelper.ui.shell.executor import Worker

    assert isinstance(app, QApplication) and isinstance(executor, Worker)

    def ready() -> None:
        print(f"ready {time.time():.6f}", flush=True)
        if not stay:
            app.quit()

    def check() -> None:
        if wait_for_data and executor.busy():
            executor.sig_idle.connect(ready)
        else:
            ready()

    QTimer.singleShot(0, check)


def _install_excepthook(log_file: Path) -> None:
    """An exception escaping a Qt slot is a bug: log it, apologise, keep running."""

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.error("unhandled exception", exc_info=(kind, error, trace))
        from villagehelper.ui.shell.feedback import show_bug

        show_bug(None, log_file)

    sys.excepthook = hook
