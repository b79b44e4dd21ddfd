"""The main window: screens on F2–F6, who is logging in view, today's count in the
status bar, household pages opening from any list."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.household.page import HouseholdPage
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, ctx)
    return window


def _window_on_new_household(
    qtbot: QtBot, ctx: AppContext, village_team: Team
) -> tuple[str, MainWindow]:
    """The window with a fresh household chosen on the log-a-visit screen."""
    with allowed_here():
        household_id = hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Đỗ Văn Lâm")
        ).id
    window = _window(qtbot, ctx)
    window.log_visit.choose_household(household_id)
    wait_idle(qtbot, ctx)
    return household_id, window


def test_window_shows_commune_volunteer_and_todays_count(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        household_id = hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Đỗ Văn Lâm")
        ).id
    with allowed_here():
        ss.log_visit(
            village_team.store,
            ss.VisitInput(household_id, village_team.member_id, [ss.ServiceOutcome("VSSID")]),
        )
    window = _window(qtbot, app_ctx)
    assert "Xã Gia Lộc" in window.windowTitle()
    assert "Nguyễn Thị Hệ" in window.volunteer_status.text()
    assert "Hôm nay: 1 lượt" in window.today_status.text()
    # A laptop never joined to a server says so, in words a volunteer reads (not blank,
    # not a "syncing…" that never ends).
    qtbot.waitUntil(lambda: window.sync_status.text() == "Đồng bộ: chưa thiết lập")
    assert not window.grab().isNull()


def test_function_keys_switch_screens(qtbot: QtBot, app_ctx: AppContext) -> None:
    window = _window(qtbot, app_ctx)
    for key, screen in (
        (Qt.Key.Key_F3, window.sessions),
        (Qt.Key.Key_F4, window.households),
        (Qt.Key.Key_F5, window.follow_ups),
        (Qt.Key.Key_F6, window.settings),
        (Qt.Key.Key_F2, window.log_visit),
    ):
        QTest.keyClick(window, key)
        assert window.tabs.currentWidget() is screen
    assert window.log_visit.search.line.hasFocus()


def test_saving_a_visit_updates_the_status_bar(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    _, window = _window_on_new_household(qtbot, app_ctx, village_team)
    window.log_visit.services.button("EHEALTH").setChecked(True)
    with qtbot.waitSignal(window.log_visit.sig_saved, timeout=5000):
        window.log_visit.save()
    wait_idle(qtbot, app_ctx)
    assert "Hôm nay: 1 lượt" in window.today_status.text()


def test_household_page_opens_from_the_log_visit_screen(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    household_id, window = _window_on_new_household(qtbot, app_ctx, village_team)
    window.log_visit.open_page.click()
    wait_idle(qtbot, app_ctx)
    pages = [w for w in QApplication.topLevelWidgets() if isinstance(w, HouseholdPage)]
    assert [page.household_id for page in pages if page.isVisible()] == [household_id]
    for page in pages:
        page.close()


def test_window_takes_typing_before_the_store_has_opened(qtbot: QtBot, village_team: Team) -> None:
    """The everyday start: the window shows at once and the store opens on the worker;
    what is typed meanwhile is searched as soon as it is open."""
    from villagehelper.preferences import Preferences
    from villagehelper.store.engine import Store, open_store
    from villagehelper.ui.shell.executor import Worker
    from villagehelper.ui.shell.operations import read_op

    with allowed_here():
        hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Đỗ Văn Lâm")
        )
    data_dir = village_team.store.data_dir
    executor = Worker()
    ctx = AppContext(
        None, executor, Preferences(volunteer_id=village_team.member_id), data_dir=data_dir
    )
    opened: list[Store] = []

    def open_it() -> Store:
        store = open_store(data_dir)
        ctx.attach_store(store)  # on the worker, as the app does
        opened.append(store)
        return store

    gate = threading.Event()  # holds the worker so the store is surely not open yet
    read_op(executor, None, gate.wait).run()
    read_op(executor, None, open_it).run()
    window = MainWindow(ctx)  # its queries queue behind the opening, as at start-up
    qtbot.addWidget(window)
    window.show()
    assert not ctx.has_store  # the window is up, and was built, before the store
    gate.set()
    line = window.log_visit.search.line
    with qtbot.waitSignal(
        window.log_visit.search.sig_results_shown,
        timeout=10_000,
        check_params_cb=lambda text: text == "do van lam",
    ):
        line.setText("do van lam")
    assert window.log_visit.search.model.rowCount() == 1
    wait_idle(qtbot, ctx)
    assert "Xã Gia Lộc" in window.windowTitle()
    executor.shutdown()
    opened[0].close()


def test_work_asked_for_after_the_worker_stopped_is_dropped_not_raised(qtbot: QtBot) -> None:
    from villagehelper.ui.shell.executor import Worker
    from villagehelper.ui.shell.operations import read_op

    # A search's answer arriving as the window closes asks for the next search: the
    # app must close without an exception in the event loop.
    executor = Worker()
    ran: list[int] = []
    read_op(executor, None, lambda: ran.append(1)).run()
    executor.shutdown()
    read_op(executor, None, lambda: ran.append(2)).run()
    assert ran == [1]
    qtbot.waitUntil(lambda: not executor.busy(), timeout=5000)  # only the first was pending
