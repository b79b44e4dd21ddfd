"""The update in the window: the banner after a sync that saw a newer version, the dialog's
download, and the hand-over only on "Cài đặt ngay"."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import wait_idle
from tests.sync_support import fast_connection
from tests.update_support import INSTALLER, UpdateServer, offer_for, update_server
from villagehelper.store import sync_state
from villagehelper.store.thread_guard import allowed_here
from villagehelper.sync import device_history
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow
from villagehelper.ui.syncing.update_dialog import UpdateDialog
from villagehelper.updates import handover

__all__ = ["update_server"]  # the fixture, used by name


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    monkeypatch.setattr(handover, "start_installer", calls.append)
    return calls


def _window(qtbot: QtBot, ctx: AppContext, server: UpdateServer) -> tuple[MainWindow, list[object]]:
    """The window of a laptop enrolled with ``server``, and what its sync said of updates."""
    with allowed_here(), ctx.store.transaction() as session:
        sync_state.put(session, sync_state.SERVER_URL, server.url)
        sync_state.put(session, sync_state.DEVICE_ID, "device-1")
        sync_state.put(session, sync_state.TOKEN, "token-1")
        sync_state.put(session, sync_state.ROLE, "volunteer")
        device_history.start_new_device(session)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.sync.connection_factory = fast_connection
    told: list[object] = []
    window.sync.sig_update.connect(told.append)  # before any round can end
    qtbot.waitUntil(lambda: bool(told), timeout=20_000)
    return window, told


def test_the_banner_shows_a_newer_version_a_sync_saw(
    qtbot: QtBot, app_ctx: AppContext, update_server: UpdateServer
) -> None:
    update_server.too_old = True  # the round is refused, and the refusal names 9.1.0
    window, told = _window(qtbot, app_ctx, update_server)
    assert told[-1] == update_server.offer
    banner = window.update_banner
    assert not banner.isHidden()
    assert "Có phiên bản mới: 9.1.0" in banner.label.text()


def test_no_banner_for_the_same_or_an_older_version(
    qtbot: QtBot, app_ctx: AppContext, update_server: UpdateServer
) -> None:
    update_server.too_old = True
    update_server.offer = offer_for(INSTALLER, version="0.1.0")
    window, told = _window(qtbot, app_ctx, update_server)
    assert told[-1] is None
    assert window.update_banner.isHidden()


def _dialog(qtbot: QtBot, window: MainWindow) -> UpdateDialog:
    dialog = window.update_banner.open_dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert "Sửa lỗi in báo cáo tuần." in dialog.notes.toPlainText()
    assert "1,0 MB" in dialog.summary.text()
    return dialog


def test_download_then_install_hands_over_the_checked_file_once(
    qtbot: QtBot, app_ctx: AppContext, update_server: UpdateServer, started: list[Path]
) -> None:
    update_server.too_old = True
    window, _told = _window(qtbot, app_ctx, update_server)
    window.show()
    dialog = _dialog(qtbot, window)
    assert not dialog.install_button.isEnabled()  # nothing to install before the download
    dialog.download_button.click()
    qtbot.waitUntil(dialog.install_button.isEnabled, timeout=20_000)
    assert dialog.progress.value() == dialog.progress.maximum()
    installer = app_ctx.data_dir / "updates" / "VillageHelper-9.1.0-setup.exe"
    assert installer.read_bytes() == INSTALLER
    assert started == []  # downloaded, not installed
    with qtbot.waitSignal(window.update_banner.sig_handed_over, timeout=10_000):
        dialog.install_button.click()
    assert started == [installer]
    qtbot.waitUntil(lambda: not window.isVisible())  # the app closes for the installer
    wait_idle(qtbot, app_ctx)


def test_later_and_cancel_never_install(
    qtbot: QtBot, app_ctx: AppContext, update_server: UpdateServer, started: list[Path]
) -> None:
    update_server.too_old = True
    window, _told = _window(qtbot, app_ctx, update_server)
    dialog = _dialog(qtbot, window)
    update_server.gate = threading.Event()  # the file waits: the cancel comes first
    dialog.download_button.click()
    dialog.cancel_button.click()
    update_server.gate.set()
    qtbot.waitUntil(lambda: "Đã dừng tải" in dialog.message.text(), timeout=20_000)
    assert not dialog.install_button.isEnabled()
    dialog.later_button.click()
    assert dialog.result() == UpdateDialog.DialogCode.Rejected
    assert started == []
    assert not (app_ctx.data_dir / "updates" / "VillageHelper-9.1.0-setup.exe").exists()


def test_check_for_updates_in_the_settings_asks_the_server_now(
    qtbot: QtBot, app_ctx: AppContext, update_server: UpdateServer
) -> None:
    offer, update_server.offer = update_server.offer, None
    window, _told = _window(qtbot, app_ctx, update_server)  # the round saw no version
    assert window.update_banner.isHidden()
    update_server.offer = offer  # published since the last round
    box = window.settings.sync_box
    assert box is not None
    qtbot.waitUntil(box.check_update_button.isEnabled)
    box.check_update_button.click()
    qtbot.waitUntil(lambda: "9.1.0" in box.message.text(), timeout=20_000)
    assert "Có phiên bản mới 9.1.0" in box.message.text()
    assert not window.update_banner.isHidden()
    assert update_server.paths()[-1].startswith("/v1/updates/latest?platform=")
    update_server.offer = None  # withdrawn: "check now" says so
    box.check_update_button.click()
    qtbot.waitUntil(lambda: "mới nhất" in box.message.text(), timeout=20_000)
    assert window.update_banner.isHidden()
