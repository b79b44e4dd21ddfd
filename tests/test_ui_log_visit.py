"""The log-a-visit screen driven from the keyboard, as a volunteer at the cultural house."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from tests.test_ui_keyboard_flow import undo_question
from villagehelper.clock import vietnam_today
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.log_visit.screen import LogVisitView
from villagehelper.ui.shell.context import AppContext


def type_text(widget: QWidget, text: str) -> None:
    """Type character by character; non-ASCII through sendKeyEvent (keyClicks aborts)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def press(widget: QWidget, key: Qt.Key) -> None:
    QTest.keyClick(widget, key)


def _view(qtbot: QtBot, ctx: AppContext) -> LogVisitView:
    view = LogVisitView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    wait_idle(qtbot, ctx)
    return view


def _search(qtbot: QtBot, view: LogVisitView, text: str) -> None:
    line = view.search.line
    line.setFocus()
    with qtbot.waitSignal(
        view.search.sig_results_shown,
        timeout=5000,
        check_params_cb=lambda shown: shown == line.text(),
    ):
        type_text(line, text)


def _open(qtbot: QtBot, view: LogVisitView, ctx: AppContext, query: str) -> None:
    """Search, Enter on the first result, wait for the visit form and its data."""
    _search(qtbot, view, query)
    press(view.search.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.visit_form)
    wait_idle(qtbot, ctx)


def _start_new(qtbot: QtBot, view: LogVisitView, query: str) -> None:
    """Search for nobody, Enter: the new-household panel opens."""
    _search(qtbot, view, query)
    press(view.search.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.new_household)


def test_new_household_and_visit_by_keyboard_alone(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    view = _view(qtbot, app_ctx)
    _search(qtbot, view, "Đặng Văn Vỹ")
    assert view.search.model.rowCount() == 0
    press(view.search.line, Qt.Key.Key_Return)  # nobody found: add the household
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.new_household)
    assert view.new_household.head_name.text() == "Đặng Văn Vỹ"
    assert view.new_household.head_name.hasFocus()

    view.new_household.phone.setFocus()
    type_text(view.new_household.phone, "0912 345 678")
    view.new_household.birth_year.setFocus()
    type_text(view.new_household.birth_year, "1965")
    press(view.new_household.birth_year, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.visit_form)
    wait_idle(qtbot, app_ctx)

    # Focus is on the first service button: Space toggles, → moves to the next one (Tab
    # leaves the services for the note: the list is one Tab stop).
    first = view.services.buttons()[0]
    assert first.hasFocus()
    press(first, Qt.Key.Key_Space)
    press(first, Qt.Key.Key_Right)
    second = view.services.buttons()[1]
    assert second.hasFocus()
    press(second, Qt.Key.Key_Space)
    row = view.services.row("VNEID_L2")
    assert row is not None
    row.follow_up.setChecked(True)  # radio buttons: arrow keys; the date defaults to +7 days
    view.note.setFocus()
    type_text(view.note, "Chờ công an duyệt")
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        press(view.note, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)

    # Saved, cleared, cursor back in the search box for the next resident.
    assert view.search.line.hasFocus()
    assert view.search.line.text() == ""
    with allowed_here():
        sessions = ss.list_sessions(village_team.store)
    assert {(r.head_name, r.service_code, r.outcome) for r in sessions} == {
        ("Đặng Văn Vỹ", "VNEID_L1", "done"),
        ("Đặng Văn Vỹ", "VNEID_L2", "follow_up"),
    }
    follow_up = next(r for r in sessions if r.outcome == "follow_up")
    assert follow_up.follow_up_date == vietnam_today(village_team.store.now()) + timedelta(days=7)
    assert follow_up.member_name == "Đặng Văn Vỹ"
    assert follow_up.note == "Chờ công an duyệt"
    assert follow_up.volunteer_id == village_team.member_id
    with allowed_here():
        household = hh.get_household(village_team.store, follow_up.household_id)
    assert household.phone == "0912345678"
    assert view.today_model.rowCount() == 2


def test_search_without_diacritics_then_enter_opens_the_household(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        household_id = hh.create_household(
            village_team.store,
            hh.HouseholdInput(village_team.village_id, "Nguyễn Thị Hệ"),
            [hh.MemberInput("Lê Văn Hòa", 1950)],
        ).id
    with allowed_here():
        hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Trần Văn Ba")
        )
    view = _view(qtbot, app_ctx)
    _search(qtbot, view, "le van hoa")
    assert view.search.model.rowCount() == 1
    press(view.search.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.visit_form)
    wait_idle(qtbot, app_ctx)
    assert "Nguyễn Thị Hệ" in view.household_title.text()
    members = [view.member.itemText(i) for i in range(view.member.count())]
    assert "Lê Văn Hòa (1950)" in members
    del household_id


def test_returning_resident_sees_previous_services(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        household_id = hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Bùi Thị Ngọc")
        ).id
    with allowed_here():
        ss.log_visit(
            village_team.store,
            ss.VisitInput(household_id, village_team.member_id, [ss.ServiceOutcome("VSSID")]),
        )
    view = _view(qtbot, app_ctx)
    _open(qtbot, view, app_ctx, "bui thi ngoc")
    assert "VssID" in view.previous.text()
    assert view.services.button("VSSID").text().startswith("✓")
    assert not view.services.button("EHEALTH").text().startswith("✓")


def test_failed_without_reason_is_refused_and_focus_goes_to_the_reason(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Hồ Văn Tư")
        )
    view = _view(qtbot, app_ctx)
    _open(qtbot, view, app_ctx, "ho van tu")
    view.services.button("EHEALTH").setChecked(True)
    row = view.services.row("EHEALTH")
    assert row is not None
    row.failed.setChecked(True)
    view.save()
    wait_idle(qtbot, app_ctx)
    message = view.findChild(QLabel, "visitMessage")
    assert message is not None and "lý do" in message.text()
    assert row.reason.hasFocus()
    with allowed_here():
        assert ss.list_sessions(village_team.store) == []
    type_text(row.reason, "Máy không có NFC")
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        press(row.reason, Qt.Key.Key_Return)
    with allowed_here():
        assert ss.list_sessions(village_team.store)[0].failure_reason == "Máy không có NFC"


def test_one_click_undo_voids_the_visit_just_saved(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Lý Thị Nga")
        )
    view = _view(qtbot, app_ctx)
    _open(qtbot, view, app_ctx, "ly thi nga")
    view.services.button("BANK_ACCOUNT").setChecked(True)
    view.services.button("CASHLESS_WELFARE").setChecked(True)
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        view.save()
    wait_idle(qtbot, app_ctx)
    undo = view.findChild(QPushButton, "undoLast")
    assert undo is not None and undo.isEnabled()
    QTest.mouseClick(undo, Qt.MouseButton.LeftButton)
    # It asks first, naming the household and the services; Enter confirms.
    box = undo_question(qtbot, view)
    assert "Lý Thị Nga" in box.informativeText()
    assert "Mở tài khoản ngân hàng" in box.informativeText()
    with allowed_here():
        assert len(ss.list_sessions(village_team.store)) == 2
    press(box, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        assert ss.list_sessions(village_team.store) == []
    assert "Đã hoàn tác: Lý Thị Nga" in view.undo_feedback.text()
    with allowed_here():
        history = ss.household_history(
            village_team.store,
            ss.list_sessions(village_team.store, ss.SessionFilter(include_voided=True))[
                0
            ].household_id,
        )
    assert all(row.voided for row in history)
    assert not undo.isEnabled()
    assert "0 lượt" in view.today_title.text()


def test_possible_duplicate_is_offered_before_creating(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        existing = hh.create_household(
            village_team.store,
            hh.HouseholdInput(village_team.village_id, "Phạm Văn Hùng", phone="0977000111"),
        ).id
    view = _view(qtbot, app_ctx)
    _start_new(qtbot, view, "pham van hungg")  # a typo: the search finds nobody
    panel = view.new_household
    panel.head_name.setText("Phạm Văn Hưng")
    press(panel.head_name, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert panel.duplicates.isVisible()
    assert panel.duplicates.count() == 1
    with qtbot.waitSignal(panel.sig_use_existing, timeout=5000) as chosen:
        panel.duplicates.itemActivated.emit(panel.duplicates.item(0))
    assert chosen.args == [existing]
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        assert len(hh.find_households(village_team.store, "pham van").hits) == 1


def test_bad_phone_on_new_household_keeps_the_form_and_says_why(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    view = _view(qtbot, app_ctx)
    _start_new(qtbot, view, "Mai Anh")
    panel = view.new_household
    panel.phone.setText("12345")
    press(panel.phone, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    press(panel.phone, Qt.Key.Key_Return)  # past the duplicate check: really create
    wait_idle(qtbot, app_ctx)
    assert view.stack.currentWidget() is panel
    assert "12345" in panel.message.text()
    assert panel.phone.hasFocus()
    assert isinstance(panel.phone, QLineEdit)
    with allowed_here():
        assert hh.find_households(village_team.store, "mai anh").hits == ()


def test_add_the_resident_helped_from_the_visit_form(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    from villagehelper.ui.household.forms import EditDialog

    with allowed_here():
        hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Lý Thị Nga")
        )
    view = _view(qtbot, app_ctx)
    _open(qtbot, view, app_ctx, "ly thi nga")
    QTest.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = view.findChild(EditDialog)
    assert dialog is not None
    name = dialog.form.field_widget("full_name")
    assert isinstance(name, QLineEdit)
    name.setFocus()
    type_text(name, "Trần Văn Được")
    with qtbot.waitSignal(dialog.sig_saved, timeout=5000):
        dialog.save()
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: view.member.currentText().startswith("Trần Văn Được"))
    view.services.button("VNEID_L1").setChecked(True)
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        view.save()
    with allowed_here():
        assert ss.list_sessions(village_team.store)[0].member_name == "Trần Văn Được"


def test_result_and_today_models_pass_the_model_tester(
    qtbot: QtBot, qtmodeltester: object, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        household_id = hh.create_household(
            village_team.store,
            hh.HouseholdInput(village_team.village_id, "Nguyễn Văn An", phone="0912345678"),
            [hh.MemberInput("Lê Thị Bé", 1990)],
        ).id
    with allowed_here():
        ss.log_visit(
            village_team.store,
            ss.VisitInput(
                household_id,
                village_team.member_id,
                [
                    ss.ServiceOutcome("VSSID"),
                    ss.ServiceOutcome("EHEALTH", "failed", failure_reason="Mất sóng"),
                ],
            ),
        )
    view = _view(qtbot, app_ctx)
    _search(qtbot, view, "nguyen")
    assert view.search.model.rowCount() == 1
    assert view.today_model.rowCount() == 2
    qtmodeltester.check(view.search.model)  # type: ignore[attr-defined]
    qtmodeltester.check(view.today_model)  # type: ignore[attr-defined]
