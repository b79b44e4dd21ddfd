"""In the app: a leader is told of sessions the server held back for an impossible date
(status bar, tally screen), finds them beside conflicts with why, and corrects the date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.conftest import START, FakeClock, Team, wait_idle
from tests.sync_support import COMMUNE, LoopbackServer, enrol_laptop, fast_connection
from tests.test_sync_session_times import AHEAD, WEEK, _tally_json
from villagehelper.ops import households, implausible, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.database import open_server_db
from villagehelper.store.engine import open_store
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow
from villagehelper.ui.tally.view import TallyView


@pytest.fixture
def loopback(tmp_path: Path) -> Iterator[LoopbackServer]:
    db = open_server_db(f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}")
    db.clock = FakeClock(START + timedelta(hours=1))
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    server = LoopbackServer(db)
    yield server
    server.stop()
    db.close()


def _sync(qtbot: QtBot, window: MainWindow) -> None:
    """One whole round that starts now: a round the window began on its own earlier
    (after enrolling, after the last round's changes) may predate what the other laptop
    just pushed, and its end must not be taken for this one's."""
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000) as finished:
        window.sync.sync_now()
    assert not isinstance(finished.args[0], Exception), finished.args[0]


@pytest.fixture
def held_back(
    qtbot: QtBot,
    app_ctx: AppContext,
    village_team: Team,
    loopback: LoopbackServer,
    tmp_path: Path,
) -> MainWindow:
    """The leader's window once the server has held back one session of Lê Văn Tám's,
    logged on a laptop whose clock ran years ahead."""
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    with allowed_here():
        home = households.create_household(
            app_ctx.store, HouseholdInput(village_team.village_id, "Lê Văn Tám")
        )
    with allowed_here():
        enrol_laptop(loopback, app_ctx.store, "leader")
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.sync.connection_factory = fast_connection
    wait_idle(qtbot, app_ctx)
    _sync(qtbot, window)
    ahead = enrol_laptop(loopback, open_store(tmp_path / "ahead", clock=FakeClock(AHEAD)))
    ahead.sync()
    with allowed_here():
        sessions.log_visit(
            ahead.store, VisitInput(home.id, village_team.member_id, [ServiceOutcome("VNEID_L1")])
        )
    ahead.sync()
    _sync(qtbot, window)
    return window


def test_the_leader_sees_and_corrects_sessions_with_an_impossible_date(
    qtbot: QtBot, app_ctx: AppContext, loopback: LoopbackServer, held_back: MainWindow
) -> None:
    window = held_back
    qtbot.waitUntil(lambda: window.sync_bar.conflicts.isVisibleTo(window), timeout=10_000)
    assert "1 lượt sai ngày" in window.sync_bar.conflicts.text()
    view = TallyView(app_ctx)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.sig_loaded, timeout=10_000):
        view.show()
    assert "1 lượt hỗ trợ có ngày không hợp lý" in view.message.text()

    dialog = window.review_conflicts()
    page = dialog.implausible
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    why = page.model.index(0, 3).data(Qt.ItemDataRole.DisplayRole)
    assert "12/03/2031" in why and "sửa lại ngày" in why
    assert page.model.index(0, 2).data(Qt.ItemDataRole.DisplayRole).startswith("12/03/2031")
    assert page.reason.text() == why and page.message.text() == ""
    page.set_right_moment(START - timedelta(hours=3))
    page.correct.click()
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    assert "Đã sửa ngày" in page.message.text()
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: view.message.text() == "", timeout=10_000)

    _sync(qtbot, window)
    qtbot.waitUntil(lambda: not window.sync_bar.conflicts.isVisibleTo(window), timeout=10_000)
    with allowed_here():
        assert implausible.count_implausible(app_ctx.store) == 0
    with allowed_here():
        assert _tally_json(loopback, app_ctx.store, WEEK)["totals"]["sessions"] == 1


def test_the_printed_report_says_how_many_sessions_are_held_back(
    qapp: object, village_team: Team
) -> None:
    from villagehelper.reports.weekly import build_weekly_document
    from villagehelper.tally.engine import compute_tally
    from villagehelper.tally.periods import parse_week

    with allowed_here():
        tally = compute_tally(village_team.store, parse_week(WEEK, START.date()))

    def note(held_back: int) -> str:
        document = build_weekly_document(
            tally,
            commune_name="Xã Gia Lộc",
            village_name=None,
            prepared_by="Nguyễn Thị Hệ",
            leader_name="Phạm Đăng Xuyết",
            printed_on=START.date(),
            held_back=held_back,
        )
        return document.toPlainText()

    assert "Chưa tính 2 lượt hỗ trợ có ngày không hợp lý" in note(2)
    assert "không hợp lý" not in note(0)
