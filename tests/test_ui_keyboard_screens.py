"""Keys and words beyond the log-a-visit form: the households list (F4) and the sync
corner of a laptop that does not sync."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops.team import list_services
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.lists.households_view import HouseholdsView
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow


def _households(qtbot: QtBot, ctx: AppContext) -> HouseholdsView:
    view = HouseholdsView(ctx)
    qtbot.addWidget(view)
    view.resize(1366, 600)
    with qtbot.waitSignal(view.model.sig_loaded, timeout=10_000):
        view.show()
    view.activateWindow()
    wait_idle(qtbot, ctx)
    return view


def test_enter_in_the_households_search_opens_the_household_found(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        wanted = hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Nguyễn Thị Hòa")
        ).id
    with allowed_here():
        hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Trần Văn Ba")
        )
    view = _households(qtbot, app_ctx)
    view.search.setFocus()
    # Enter straight after typing: the household opens once the list has found it.
    QTest.keyClicks(view.search, "nguyen thi hoa")
    with qtbot.waitSignal(view.sig_open_household, timeout=5000) as opened:
        QTest.keyClick(view.search, Qt.Key.Key_Return)
    assert opened.args == [wanted]
    assert view.model.rowCount() == 1
    # Enter again once the list has settled opens it again, at once.
    with qtbot.waitSignal(view.sig_open_household, timeout=5000) as again:
        QTest.keyClick(view.search, Qt.Key.Key_Return)
    assert again.args == [wanted]


def test_enter_with_nothing_found_opens_nothing(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Trần Văn Ba")
        )
    view = _households(qtbot, app_ctx)
    view.search.setFocus()
    QTest.keyClicks(view.search, "khong co ai")
    with (
        qtbot.assertNotEmitted(view.sig_open_household),
        qtbot.waitSignal(view.model.sig_loaded, timeout=5000),
    ):
        QTest.keyClick(view.search, Qt.Key.Key_Return)
    assert view.count_label.text() == "Không có hộ nào khớp tìm kiếm."


def test_households_list_names_the_services_done(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        household = hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Lê Văn Tám")
        ).id
    with allowed_here():
        ss.log_visit(
            village_team.store,
            ss.VisitInput(
                household,
                village_team.member_id,
                [ss.ServiceOutcome("VNEID_L1"), ss.ServiceOutcome("DVC_DOSSIER")],
            ),
        )
    with allowed_here():
        names = {s.code: s.label_vi for s in list_services(village_team.store)}
    view = _households(qtbot, app_ctx)
    qtbot.waitUntil(lambda: "VNEID_L1" not in str(view.model.index(0, 5).data()))
    shown = str(view.model.index(0, 5).data())
    assert shown == f"{names['VNEID_L1']}; {names['DVC_DOSSIER']}"
    assert "DVC_DOSSIER" not in shown


def test_a_laptop_without_sync_never_says_it_is_syncing(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: window.sync.status is not None)
    assert window.sync_status.text() == "Đồng bộ: chưa thiết lập"
    with qtbot.assertNotEmitted(window.sync.sig_running):
        # Ctrl+Shift+S, and the five-minute timer, on a laptop not enrolled: the status
        # is read again, nothing else.
        with qtbot.waitSignal(window.sync.sig_status, timeout=5000):
            QTest.keySequence(window, QKeySequence("Ctrl+Shift+S"))
        with qtbot.waitSignal(window.sync.sig_status, timeout=5000):
            window.sync._periodic.timeout.emit()
    assert window.sync_status.text() == "Đồng bộ: chưa thiết lập"
    del village_team
