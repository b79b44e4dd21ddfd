"""What every screenshot needs: the fixed moment and window size, the demo store, the
language, waiting for the app to settle and saving a window (or a modal question) as a PNG.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from villagehelper.demo.generate import generate_demo
from villagehelper.ops.team import list_team_members
from villagehelper.preferences import DEFAULT_RETENTION_MONTHS, Preferences
from villagehelper.store.engine import Store, open_store
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.i18n import install_language

if TYPE_CHECKING:
    from villagehelper.ui.first_run.wizard import FirstRunWizard
    from villagehelper.ui.shell.main_window import MainWindow as MainWindowType


# A fixed Thursday afternoon, so the pictures do not change from run to run.
MOMENT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
SIZE = (1366, 768)


def settle(app: QApplication, executor: Worker, rounds: int = 4) -> None:
    """Let queued database work finish and its results reach the widgets."""
    for _ in range(rounds):
        while executor.busy():
            app.processEvents()
        app.processEvents()


def save(widget: QWidget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


def save_modal(
    app: QApplication, out: Path, name: str, dialog_name: str, start: Callable[[], None]
) -> None:
    """Call ``start``, which leads to the modal dialog whose objectName is ``dialog_name``
    (run with exec()); grab it once it is up, then close it as "No" / "Cancel"."""
    import time

    seen: list[QDialog] = []

    def look() -> None:
        for widget in app.topLevelWidgets():
            if seen or not isinstance(widget, QDialog) or not widget.isVisible():
                continue
            if widget.objectName() == dialog_name:
                seen.append(widget)
                save(widget, out, name)
                widget.reject()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(look)
    timer.start()
    start()
    deadline = time.monotonic() + 60
    while not seen:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{dialog_name} did not open: {name}.png not made")
        app.processEvents()
    timer.stop()


def demo_store(folder: Path) -> Store:
    store = open_store(folder, clock=lambda: MOMENT)
    generate_demo(store, households=400, sessions=2500, seed=2025)
    return store


def with_language(app: QApplication, language: str) -> list[QTranslator]:
    for translator in app.findChildren(QTranslator):
        QCoreApplication.removeTranslator(translator)
    return install_language(app, language)


def choose_services(
    app: QApplication,
    executor: Worker,
    window: MainWindowType,
    household_id: str,
    codes: tuple[str, ...],
) -> None:
    """Open the household on log a visit and tick ``codes``; the first one is a
    follow-up (its date shows)."""
    view = window.log_visit
    view.choose_household(household_id)
    settle(app, executor)
    for code in codes:
        view.services.button(code).setChecked(True)
    row = view.services.row(codes[0])
    if row is not None:
        row.follow_up.setChecked(True)
    settle(app, executor)


def leader_window(
    app: QApplication, store: Store, retention_months: int = DEFAULT_RETENTION_MONTHS
) -> tuple[MainWindowType, Worker]:
    """The main window as the demo commune's leader would have it (no PINs)."""
    from villagehelper.ui.shell.main_window import MainWindow

    executor = Worker()
    leader = next(m for m in list_team_members(store) if m.is_leader)
    ctx = AppContext(
        store, executor, Preferences(volunteer_id=leader.id, retention_months=retention_months)
    )
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    settle(app, executor)
    return window, executor


@contextmanager
def first_run_wizard(app: QApplication, folder: Path) -> Iterator[tuple[FirstRunWizard, Worker]]:
    """The first-run wizard on a new, empty data folder, shown and settled, with its worker;
    all closed, with the store, when the block ends."""
    from villagehelper.ui.first_run.wizard import FirstRunWizard

    store = open_store(folder, clock=lambda: MOMENT)
    executor = Worker()
    wizard = FirstRunWizard(store, executor)
    wizard.resize(900, 620)
    wizard.show()
    settle(app, executor)
    try:
        yield wizard, executor
    finally:
        wizard.close()
        executor.shutdown()
        store.close()


def first_page_png(pdf: Path, target: Path) -> None:
    """The PDF's first page as ``target``.png at 80 dpi (poppler's pdftoppm)."""
    import subprocess

    pages = ["-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(["pdftoppm", "-png", "-r", "80", *pages, str(pdf), str(target)], check=True)
