"""Sync in the app: enrol from the settings, the status bar's truth, conflict review."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from tests.sync_support import (
    COMMUNE,
    LoopbackServer,
    enrol_laptop,
    fast_connection,
    open_laptop,
)
from villagehelper.ops import conflicts, households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.server import accounts
from villagehelper.server.database import open_server_db
from villagehelper.store import sync_state
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow


@pytest.fixture
def loopback(tmp_path: Path) -> Iterator[LoopbackServer]:
    db = open_server_db(f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}")
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    server = LoopbackServer(db)
    yield server
    server.stop()
    db.close()


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.sync.connection_factory = fast_connection
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: window.sync.status is not None)
    return window


def _enrol_from_settings(qtbot: QtBot, window: MainWindow, server: LoopbackServer) -> None:
    box = window.settings.sync_box
    assert box is not None
    box.server.setText(server.url)
    box.code.setText(accounts.issue_code(server.db, COMMUNE, "leader"))
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000) as finished:
        box.enrol_button.click()
    assert not isinstance(finished.args[0], Exception), finished.args[0]


def test_enrolling_in_settings_syncs_and_the_status_bar_tells_the_truth(
    qtbot: QtBot, app_ctx: AppContext, loopback: LoopbackServer
) -> None:
    window = _window(qtbot, app_ctx)
    assert window.sync_status.text() == "Đồng bộ: chưa thiết lập"
    assert not window.sync_bar.sync_button.isEnabled()

    _enrol_from_settings(qtbot, window, loopback)
    qtbot.waitUntil(lambda: "Chưa gửi: 0" in window.sync_status.text(), timeout=10_000)
    assert "đồng bộ lần cuối" in window.sync_status.text()
    assert "Đã đăng ký" in window.settings.sync_box.where.text()  # type: ignore[union-attr]
    assert window.sync_bar.sync_button.isEnabled()

    # A save makes the pending count go up and arms the debounced sync.
    with allowed_here():
        saved = households.create_household(
            app_ctx.store, HouseholdInput(_village(app_ctx), "Lê Văn Tám")
        )
    app_ctx.hub.sig_changed.emit(saved.changes)
    qtbot.waitUntil(lambda: "Chưa gửi: 1" in window.sync_status.text(), timeout=10_000)
    assert window.sync._after_save.isActive()

    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000):
        window.sync_bar.sync_button.click()
    qtbot.waitUntil(lambda: "Chưa gửi: 0" in window.sync_status.text(), timeout=10_000)


def test_the_status_bar_shows_a_first_download_in_megabytes(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    window = _window(qtbot, app_ctx)
    megabyte = 1024 * 1024
    for done, total, shown in (
        (0, 48 * megabyte + 5, "0/49 MB"),
        (12 * megabyte + 7, 48 * megabyte + 5, "12/49 MB"),
        (2_000, 30_000, "0/1 MB"),  # a small commune: never "of 0 MB"
        (3 * megabyte, 0, "3/3 MB"),  # size not announced
        (2_500 * megabyte, 2_600 * megabyte, "2.500/2.600 MB"),  # past a 32-bit int
    ):
        window.sync.sig_progress.emit("snapshot", done, total)
        assert window.sync_bar.label.text() == f"Đang tải dữ liệu của xã: {shown}…"
    window.sync.sig_progress.emit("pull", 2_000, 0)
    assert window.sync_bar.label.text() == "Đang nhận 2.000…"


def _village(ctx: AppContext) -> str:
    from villagehelper.ops.team import list_villages

    with allowed_here():
        return list_villages(ctx.store)[0].id


def test_a_failed_sync_is_shown_in_plain_words_and_probing_starts(
    qtbot: QtBot, app_ctx: AppContext, loopback: LoopbackServer
) -> None:
    window = _window(qtbot, app_ctx)
    _enrol_from_settings(qtbot, window, loopback)
    loopback.stop()
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000) as finished:
        window.sync.sync_now()
    assert "Không kết nối được máy chủ xã" in str(finished.args[0])
    qtbot.waitUntil(lambda: "lỗi:" in window.sync_status.text(), timeout=10_000)
    assert "Không kết nối được máy chủ xã" in window.sync_status.text()
    assert window.sync._probe.isActive()


def test_leader_reviews_a_conflict_in_the_app(
    qtbot: QtBot,
    app_ctx: AppContext,
    village_team: Team,
    loopback: LoopbackServer,
    tmp_path: Path,
) -> None:
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    window = _window(qtbot, app_ctx)
    _enrol_from_settings(qtbot, window, loopback)
    with allowed_here():
        saved = households.create_household(
            app_ctx.store, HouseholdInput(village_team.village_id, "Lê Văn Tám")
        )
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000):
        window.sync.sync_now()
    other = enrol_laptop(loopback, open_laptop(tmp_path, "other"))
    other.sync()
    with allowed_here():
        households.update_household(
            app_ctx.store,
            saved.id,
            HouseholdInput(village_team.village_id, "Lê Văn Tám", notes="A"),
        )
    with allowed_here():
        households.update_household(
            other.store, saved.id, HouseholdInput(village_team.village_id, "Lê Văn Tám", notes="B")
        )
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000):
        window.sync.sync_now()
    other.sync()
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000):
        window.sync.sync_now()
    qtbot.waitUntil(lambda: window.sync_bar.conflicts.isVisibleTo(window), timeout=10_000)
    assert "1 xung đột" in window.sync_bar.conflicts.text()

    dialog = window.review_conflicts()
    qtbot.waitUntil(lambda: dialog.conflict_model.rowCount() == 1, timeout=10_000)
    assert dialog.current_value.text() == "A"
    assert dialog.other_value.text() == "B"
    dialog.keep_other.click()
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: dialog.conflict_model.rowCount() == 0, timeout=10_000)
    with allowed_here():
        assert households.get_household(app_ctx.store, saved.id).notes == "B"
    with allowed_here():
        assert conflicts.open_conflicts(app_ctx.store) == []
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000):
        window.sync.sync_now()
    other.sync()
    with allowed_here():
        assert households.get_household(other.store, saved.id).notes == "B"
    with allowed_here(), other.store.reading() as session:
        assert sync_state.enrolled(session) is not None
    with allowed_here():
        assert conflicts.open_conflicts(other.store) == []


def test_a_review_closed_before_its_data_arrives_is_no_error(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    """The database worker was busy (a long save, a sync's page) when the leader opened
    the review and closed it again: its answer then reaches a dialog that is gone."""
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    window = _window(qtbot, app_ctx)
    wait_idle(qtbot, app_ctx)
    release = threading.Event()
    app_ctx.read(None, lambda: release.wait(10)).run()
    dialog = window.review_conflicts()
    dialog.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(dialog)
    release.set()
    wait_idle(qtbot, app_ctx)  # pytest-qt fails the test on an error in the callback
