"""A wrong clock shown in the app: a banner over the screens saying what to do, and the
follow-up lists that follow the commune server's date instead of listing wrong items."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import FakeClock, Team, wait_idle
from villagehelper.clock import utc_now, vietnam_today
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.ops.trusted_time import note_server_time
from villagehelper.store.kinds import Outcome
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.lists.follow_ups_view import FollowUpsView
from villagehelper.ui.settings.purge_dialog import PurgeDialog
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow

FIVE_YEARS = timedelta(days=5 * 365)


def _clock_set_five_years_ahead_after_a_sync(village_team: Team, clock: FakeClock) -> None:
    """The laptop's clock jumps to 2031; its next sync measures the true time."""
    true_now = clock.now
    clock.advance(days=5 * 365)
    with allowed_here(), village_team.store.transaction() as session:
        note_server_time(session, true_now, clock.now)


def _follow_up_due_in(village_team: Team, days: int, clock: FakeClock) -> str:
    with allowed_here():
        household_id = hh.create_household(
            village_team.store, HouseholdInput(village_team.village_id, "Đỗ Văn Lâm")
        ).id
    due = vietnam_today(clock.now) + timedelta(days=days)
    service = ServiceOutcome("VNEID_L1", Outcome.FOLLOW_UP, follow_up_date=due)
    with allowed_here():
        ss.log_visit(
            village_team.store, VisitInput(household_id, village_team.member_id, [service])
        )
    return household_id


def test_the_window_shows_a_wrong_clock_and_what_to_do(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock, tmp_path: Path
) -> None:
    _clock_set_five_years_ahead_after_a_sync(village_team, clock)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.resize(1366, 697)
    window.show()
    qtbot.waitUntil(window.clock_banner.isVisible, timeout=5000)
    text = window.clock_banner.text()
    assert "Đồng hồ của máy này có vẻ sai" in text and "nhanh 1825 ngày" in text
    assert "Hãy chỉnh ngày giờ trong Windows" in text
    window.grab().save(str(tmp_path / "clock-banner.png"))
    window.close()


def test_a_right_clock_shows_no_banner(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: window.clock_banner.verdict is not None, timeout=5000)
    wait_idle(qtbot, app_ctx)
    assert not window.clock_banner.isVisible()
    window.close()


def test_follow_ups_follow_the_servers_date_when_the_clock_is_years_ahead(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock
) -> None:
    _follow_up_due_in(village_team, 5, clock)  # due in five days, truly
    _clock_set_five_years_ahead_after_a_sync(village_team, clock)
    view = FollowUpsView(app_ctx)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitUntil(view.clock_day.note.isVisible, timeout=5000)
    wait_idle(qtbot, app_ctx)
    # By the laptop's 2031 clock it would be five years overdue; it is not due yet.
    assert view.model.rowCount() == 0
    assert "theo ngày của máy chủ xã" in view.clock_day.note.text()
    view.upcoming.setChecked(True)
    wait_idle(qtbot, app_ctx)
    assert view.model.rowCount() == 1  # within the coming week of the server's date


def test_a_clock_behind_what_is_stored_says_the_list_may_be_wrong(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock
) -> None:
    _follow_up_due_in(village_team, 3, clock)
    clock.now -= timedelta(days=800)  # the CMOS battery died: no server ever measured it
    view = FollowUpsView(app_ctx)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(view.clock_day.note.isVisible, timeout=5000)
    assert "có thể sai" in view.clock_day.note.text()


def test_the_daily_purge_is_offered_to_the_leader_with_the_list_and_erases_on_confirmation(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock, tmp_path: Path
) -> None:
    from villagehelper.personal_fields import ERASED_NAME

    with allowed_here():
        old = hh.create_household(
            village_team.store, HouseholdInput(village_team.other_village_id, "Lê Thị Quyên")
        ).id
    clock.advance(days=800)
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app_ctx)
    with qtbot.waitSignal(window.retention.sig_purge_due, timeout=5000) as due:
        window.retention.run_now()
    dialog = window.findChild(PurgeDialog, "purgeDialog")
    assert isinstance(dialog, PurgeDialog) and dialog.isVisible()
    assert dialog.table.rowCount() == 1
    cells = [dialog.table.item(0, column) for column in range(4)]
    assert [cell.text() if cell else None for cell in cells[:2]] == [
        "Thôn Hữu Chung",
        "Lê Thị Quyên",
    ]
    dialog.grab().save(str(tmp_path / "purge-dialog.png"))
    assert due.args is not None
    with allowed_here():
        assert hh.get_household(app_ctx.store, old).head_name == "Lê Thị Quyên"  # not yet
    with qtbot.waitSignal(window.retention.sig_purged, timeout=5000):
        dialog.purge_button.click()  # a leader logging, no PINs: the gate lets them on
    with allowed_here():
        assert hh.get_household(app_ctx.store, old).head_name == ERASED_NAME
    window.close()


def test_the_daily_job_offers_nothing_on_a_wrong_clock(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock
) -> None:
    from villagehelper.ui.settings.retention_job import DailyRetention

    with allowed_here():
        hh.create_household(village_team.store, HouseholdInput(village_team.village_id, "Lê Văn A"))
    _clock_set_five_years_ahead_after_a_sync(village_team, clock)
    job = DailyRetention(app_ctx)
    offered: list[object] = []
    job.sig_purge_due.connect(offered.append)
    job.run_now()
    wait_idle(qtbot, app_ctx)
    assert offered == []
    job.stop()


def test_the_banner_follows_each_sync_round(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock, tmp_path: Path
) -> None:
    from tests.sync_support import COMMUNE, LoopbackServer, fast_connection
    from villagehelper.server import accounts
    from villagehelper.server.database import open_server_db

    db = open_server_db(f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}")
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    server = LoopbackServer(db)
    try:
        clock.now = utc_now() + FIVE_YEARS
        window = MainWindow(app_ctx)
        qtbot.addWidget(window)
        window.sync.connection_factory = fast_connection
        window.show()
        wait_idle(qtbot, app_ctx)
        assert not window.clock_banner.isVisible()  # nothing to compare with yet
        code = accounts.issue_code(db, COMMUNE, "leader")
        with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000):
            window.sync.enrol(server.url, code, "laptop", lambda _result: None)
        qtbot.waitUntil(window.clock_banner.isVisible, timeout=10_000)
        assert "nhanh 1825 ngày" in window.clock_banner.text()
        clock.now = utc_now()  # set right in Windows, then "Sync now"
        qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
        with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000):
            window.sync.sync_now()
        qtbot.waitUntil(lambda: not window.clock_banner.isVisible(), timeout=10_000)
        window.close()
    finally:
        server.stop()
        db.close()


def test_a_leader_confirms_the_date_of_a_laptop_whose_data_was_stamped_ahead(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock
) -> None:
    """No server to ask: data stamped while the clock read 2031 makes the corrected
    clock look behind; a leader who sees today's date is right says so, once."""
    clock.advance(days=5 * 365)
    with allowed_here():
        hh.create_household(village_team.store, HouseholdInput(village_team.village_id, "Lê A"))
    clock.advance(days=-5 * 365)
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.clock_banner.isVisible, timeout=5000)
    assert "sớm hơn dữ liệu máy đã lưu" in window.clock_banner.text()
    assert window.clock_banner.confirm_button.isVisible()
    window.clock_banner.confirm_button.click()  # a leader logging, no PINs: straight on
    qtbot.waitUntil(lambda: not window.clock_banner.isVisible(), timeout=5000)
    clock.advance(days=-3)  # set back behind the confirmation: wrong again
    window.clock_banner.refresh()
    qtbot.waitUntil(window.clock_banner.isVisible, timeout=5000)
    window.close()
