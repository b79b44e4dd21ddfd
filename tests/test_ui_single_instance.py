"""One app per data folder: a second start brings the first window forward and says the
app is already open; a start while a command changes the data says so too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from villagehelper.store.folder_lock import FolderLock
from villagehelper.ui.shell.app import run_gui
from villagehelper.ui.shell.single_instance import SingleInstance, bring_forward, server_name

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


def answer_the_message(seen: list[str]) -> QTimer:
    """Read and close the message box the second start shows (modal, so found from a
    timer running inside its own event loop)."""
    timer = QTimer()
    timer.setInterval(10)

    def look() -> None:
        # Any modal window is answered: an app that opened anyway (its first-run wizard)
        # is closed too, and the test fails on what it saw rather than hanging.
        box = QApplication.activeModalWidget()
        if isinstance(box, QDialog):
            seen.append(box.text() if isinstance(box, QMessageBox) else type(box).__name__)
            box.reject()

    timer.timeout.connect(look)
    timer.start()
    return timer


@pytest.fixture
def first(tmp_path: Path, qapp: QApplication) -> Iterator[SingleInstance]:
    instance = SingleInstance(tmp_path / "Dữ liệu #1")
    assert instance.claim()
    yield instance
    instance.release()


# The offscreen platform has no window stacking to raise a window in (a desktop has).
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_second_start_says_the_app_is_open_and_brings_the_first_window_forward(
    first: SingleInstance, qtbot: QtBot
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.setWindowTitle("VillageHelper")
    window.showMinimized()
    assert window.isMinimized()
    first.sig_show_requested.connect(bring_forward)

    seen: list[str] = []
    timer = answer_the_message(seen)
    with qtbot.waitSignal(first.sig_show_requested, timeout=10_000):
        code = run_gui(first.data_dir)
    timer.stop()

    assert code == 0
    assert len(seen) == 1 and "đã đang mở với thư mục dữ liệu này" in seen[0]
    assert "đưa lên trước" in seen[0]
    assert not window.isMinimized() and window.isVisible()
    # The second start touched nothing: no database was made in the folder.
    assert not (first.data_dir / "villagehelper.sqlite3").exists()


def test_a_start_while_a_command_changes_the_data_says_to_wait(
    tmp_path: Path, qtbot: QtBot
) -> None:
    data_dir = tmp_path / "data"
    command = FolderLock(data_dir, "sync")
    assert command.try_acquire()
    try:
        seen: list[str] = []
        timer = answer_the_message(seen)
        assert run_gui(data_dir) == 0
        timer.stop()
    finally:
        command.release()
    assert len(seen) == 1 and "villagehelper sync" in seen[0] and "chờ" in seen[0]


def test_each_data_folder_has_its_own_app(tmp_path: Path, qapp: QApplication) -> None:
    one = SingleInstance(tmp_path / "xã A")
    other = SingleInstance(tmp_path / "xã B")
    try:
        assert one.claim() and other.claim()
        assert one.name != other.name
        assert server_name(tmp_path / "xã A" / ".." / "xã A") == one.name
    finally:
        one.release()
        other.release()
