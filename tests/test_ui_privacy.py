"""The household page's privacy row: consent with its day and who recorded it, the
buttons to record / withdraw it, the export of what is held and the erasure (both the
leader's), with a confirmation that says what goes and what stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QMessageBox
from pytestqt.qtbot import QtBot

from tests.conftest import FakeClock, Team, wait_idle
from villagehelper.ops import households as hh
from villagehelper.ops import privacy, sessions
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.personal_fields import ERASED_NAME
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.household.page import HouseholdPage
from villagehelper.ui.shell.context import AppContext


@pytest.fixture
def household_id(village_team: Team) -> str:
    t = village_team
    saved = hh.create_household(
        t.store,
        hh.HouseholdInput(t.village_id, "Đặng Văn Vỹ", "Xóm 2", "0912345678"),
        [hh.MemberInput("Đặng Văn Vỹ", 1955), hh.MemberInput("Lê Thị Hoà", 1958)],
    )
    sessions.log_visit(
        t.store,
        VisitInput(saved.id, t.member_id, [ServiceOutcome("VNEID_L1")], note="Ông cần kính"),
    )
    return saved.id


def _page(qtbot: QtBot, ctx: AppContext, household_id: str, name: str) -> HouseholdPage:
    page = HouseholdPage(ctx, household_id)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, ctx)
    assert page.snapshot is not None
    names = [page.members_model.row(r).full_name for r in range(page.members_model.rowCount())]
    page.members_view.selectRow(names.index(name))
    return page


def test_consent_is_recorded_then_withdrawn_with_who_did_it(
    qtbot: QtBot, app_ctx: AppContext, household_id: str
) -> None:
    page = _page(qtbot, app_ctx, household_id, "Lê Thị Hoà")
    panel = page.privacy_panel
    assert panel.consent_label.text() == "Lê Thị Hoà chưa đồng ý cho lưu thông tin."
    assert panel.consent_button.text() == "Ghi nhận đồng ý"

    panel.consent_button.click()
    qtbot.waitUntil(lambda: "ghi nhận bởi" in panel.consent_label.text(), timeout=5000)
    assert panel.consent_label.text() == (
        "Đồng ý cho lưu thông tin ngày 23/11/2026, ghi nhận bởi Nguyễn Thị Hệ"
    )
    assert panel.consent_button.text() == "Rút lại đồng ý"

    panel.consent_button.click()
    qtbot.waitUntil(lambda: "Đã rút lại" in panel.consent_label.text(), timeout=5000)
    assert "Đã rút lại đồng ý ngày 23/11/2026, ghi nhận bởi Nguyễn Thị Hệ" in (
        panel.consent_label.text()
    )
    column = page.members_model.index(page.members_view.currentIndex().row(), 3)
    assert page.members_model.data(column) == "Đã rút lại 23/11/2026"


def test_a_volunteer_is_told_erasure_and_export_are_the_leaders(
    qtbot: QtBot, app_ctx: AppContext, household_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    page = _page(qtbot, app_ctx, household_id, "Lê Thị Hoà")
    page.privacy_panel.erase_button.click()
    page.privacy_panel.export_button.click()
    qtbot.waitUntil(lambda: len(told) == 2, timeout=5000)
    assert "Xóa dữ liệu theo yêu cầu" in told[0] and "chỉ tổ trưởng" in told[0]
    assert "Xuất dữ liệu của người này" in told[1]
    with allowed_here():
        assert hh.get_household(app_ctx.store, household_id).head_name == "Đặng Văn Vỹ"


def _confirmation(qtbot: QtBot) -> QMessageBox:
    from PySide6.QtWidgets import QApplication

    def found() -> list[QMessageBox]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "confirmErasure" and w.isVisible()
        ]

    qtbot.waitUntil(lambda: bool(found()), timeout=5000)
    return found()[0]


def test_a_leader_erases_the_household_after_a_plain_confirmation(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    page = _page(qtbot, app_ctx, household_id, "Lê Thị Hoà")
    page.privacy_panel.erase_button.click()
    box = _confirmation(qtbot)
    assert "họ tên, số điện thoại, năm sinh" in box.text()
    assert "Vẫn giữ lại: số lượt hỗ trợ" in box.text()
    whole = box.findChild(QAbstractButton, "eraseHouseholdButton")
    assert whole is not None and whole.text() == "Xóa dữ liệu của cả hộ (2 người)"
    whole.click()
    qtbot.waitUntil(lambda: page.head_label.text() == ERASED_NAME, timeout=5000)
    wait_idle(qtbot, app_ctx)
    assert page.privacy_panel.status_label.text() == (
        "Đã xóa thông tin cá nhân của 2 người; 1 lượt hỗ trợ vẫn được tính (không còn tên)."
    )
    assert page.history_box.title() == "Lịch sử hỗ trợ (1 lượt)"
    assert not page.edit_button.isEnabled()
    assert not page.privacy_panel.erase_button.isEnabled()


def test_keeping_the_data_at_the_confirmation_erases_nothing(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    page = _page(qtbot, app_ctx, household_id, "Lê Thị Hoà")
    page.privacy_panel.erase_button.click()
    box = _confirmation(qtbot)
    person = box.findChild(QAbstractButton, "erasePersonButton")
    assert person is not None and person.text() == "Xóa dữ liệu của Lê Thị Hoà"
    box.reject()
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        names = sorted(m.full_name for m in hh.get_household(app_ctx.store, household_id).members)
    assert names == ["Lê Thị Hoà", "Đặng Văn Vỹ"]


@pytest.fixture
def leader_logging(app_ctx: AppContext, village_team: Team) -> AppContext:
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    return app_ctx


def test_a_leader_exports_what_is_held_about_the_person(
    qtbot: QtBot,
    leader_logging: AppContext,
    village_team: Team,
    household_id: str,
    tmp_path: Path,
) -> None:
    app_ctx = leader_logging
    page = _page(qtbot, app_ctx, household_id, "Đặng Văn Vỹ")
    target = tmp_path / "vy.txt"
    page.privacy_panel.ask_path = lambda *_args: target  # type: ignore[method-assign]
    page.privacy_panel.export_button.click()
    qtbot.waitUntil(
        lambda: "Đã lưu dữ liệu" in page.privacy_panel.status_label.text(), timeout=5000
    )
    assert "ĐẶNG VĂN VỸ" in target.read_text(encoding="utf-8-sig")
    with allowed_here():
        [record] = privacy.list_exports(app_ctx.store)
    assert (record.what, record.team_member_id) == ("person", village_team.leader_id)


def test_the_retention_period_is_a_setting_and_the_daily_job_applies_it(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str, clock: FakeClock
) -> None:
    from villagehelper.preferences import load_preferences
    from villagehelper.ui.settings.retention_job import DailyRetention
    from villagehelper.ui.settings.settings_view import SettingsView

    settings = SettingsView(app_ctx)
    qtbot.addWidget(settings)
    assert settings.retention_months.value() == 24
    settings.retention_months.setValue(6)
    assert load_preferences(app_ctx.data_dir).retention_months == 6

    job = DailyRetention(app_ctx)
    clock.advance(days=200)
    # The daily run erases nothing by itself: it offers the list to a leader.
    with qtbot.waitSignal(job.sig_purge_due, timeout=5000) as due:
        job.run_if_due()
    assert due.args is not None and [h.id for h in due.args[0].households] == [household_id]
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        assert hh.get_household(app_ctx.store, household_id).head_name != ERASED_NAME
    with qtbot.waitSignal(job.sig_purged, timeout=5000) as purged:
        job.confirm(due.args[0])
    assert purged.args is not None and purged.args[0].households == 1
    with allowed_here():
        assert hh.get_household(app_ctx.store, household_id).head_name == ERASED_NAME
    # Once a day: the same day does not run it again.
    job.run_if_due()
    assert not app_ctx.executor.busy()
    job.stop()
