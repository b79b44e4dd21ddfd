"""The first-run wizard driven by the keyboard, on a fresh store; the volunteer picker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QListView, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from tests.sync_support import COMMUNE, LoopbackServer, set_up_commune
from villagehelper.ops import households
from villagehelper.ops import team as tm
from villagehelper.ops.households import find_households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.ops.sessions import count_sessions
from villagehelper.preferences import load_preferences
from villagehelper.server import accounts
from villagehelper.store.engine import Store
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.first_run.commune_page import CommuneListModel
from villagehelper.ui.first_run.wizard import (
    COMMUNE_PAGE,
    MEMBERS_PAGE,
    VILLAGES_PAGE,
    VOLUNTEER_PAGE,
    FirstRunWizard,
)
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.volunteer_picker import VolunteerPicker
from villagehelper.ui.widgets.choice_lists import TeamMemberModel

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def executor() -> Iterator[Worker]:
    worker = Worker()
    yield worker
    worker.shutdown()


@pytest.fixture
def wizard(qtbot: QtBot, store: Store, executor: Worker) -> FirstRunWizard:
    shown = FirstRunWizard(store, executor)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    shown.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return shown


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_text(text: str) -> None:
    """Type into the focused widget one character at a time, as a keyboard would
    (QTest.keyClicks aborts the process on non-ASCII characters)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, focused(), Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def press(key: Qt.Key) -> None:
    QTest.keyClick(focused(), key)


def choose_gia_loc(wizard: FirstRunWizard) -> None:
    assert focused().objectName() == "communeSearch"
    type_text("gia loc")
    press(Qt.Key.Key_Down)  # Phường Gia Lộc (Tây Ninh) is second…
    assert wizard.commune_page.chosen() is not None
    assert wizard.commune_page.chosen().province_name == "Tây Ninh"  # type: ignore[union-attr]
    press(Qt.Key.Key_Up)  # …and the commune of Hải Phòng first.
    chosen = wizard.commune_page.chosen()
    assert chosen is not None
    assert (chosen.code, chosen.name, chosen.province_name) == (
        "10999",
        "Xã Gia Lộc",
        "Thành phố Hải Phòng",
    )
    press(Qt.Key.Key_Return)
    assert wizard.currentId() == VILLAGES_PAGE


def add_villages(wizard: FirstRunWizard, *names: str) -> None:
    for name in names:
        assert focused().objectName() == "villageNameEdit"
        type_text(name)
        press(Qt.Key.Key_Return)
    assert wizard.currentId() == VILLAGES_PAGE  # Enter with a name adds, stays


def test_keyboard_only_setup_writes_the_team_and_emits_the_volunteer(
    qtbot: QtBot, wizard: FirstRunWizard, store: Store, executor: Worker
) -> None:
    choose_gia_loc(wizard)

    add_villages(wizard, "Thôn Khay", "Thôn Hữu Chung")
    type_text("thôn khay")
    press(Qt.Key.Key_Return)
    error = wizard.findChild(QLabel, "villageError")
    assert error is not None and "«Thôn Khay» đã có trong danh sách" in error.text()
    assert wizard.villages_page.villages() == ["Thôn Khay", "Thôn Hữu Chung"]
    QTest.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    press(Qt.Key.Key_Backspace)
    press(Qt.Key.Key_Return)  # empty box: Enter goes on
    assert wizard.currentId() == MEMBERS_PAGE

    assert focused().objectName() == "memberNameEdit"
    assert wizard.members_page.leader_check.isChecked()  # the first one is the leader
    type_text("Phạm Đăng Xuyết")
    press(Qt.Key.Key_Return)
    assert not wizard.members_page.leader_check.isChecked()
    type_text("Nguyễn Thị Hệ")
    press(Qt.Key.Key_Return)
    press(Qt.Key.Key_Return)
    assert wizard.currentId() == VOLUNTEER_PAGE

    volunteers = wizard.findChild(QListView, "volunteerList")
    assert focused() is volunteers
    press(Qt.Key.Key_Down)
    with qtbot.waitSignal(wizard.sig_finished_setup, timeout=10_000) as finished:
        press(Qt.Key.Key_Return)
    wait_idle_executor(qtbot, executor)

    with allowed_here():
        commune = store.commune()
    assert commune is not None and (commune.code, commune.name) == ("10999", "Xã Gia Lộc")
    with allowed_here():
        assert sorted(v.name for v in tm.list_villages(store)) == ["Thôn Hữu Chung", "Thôn Khay"]
    with allowed_here():
        members = {m.full_name: m for m in tm.list_team_members(store)}
    assert {name: m.is_leader for name, m in members.items()} == {
        "Phạm Đăng Xuyết": True,
        "Nguyễn Thị Hệ": False,
    }
    assert finished.args == [members["Nguyễn Thị Hệ"].id]
    assert wizard.volunteer_id == members["Nguyễn Thị Hệ"].id
    assert wizard.setup is not None and wizard.setup.changes
    assert not wizard.isVisible()


def wait_idle_executor(qtbot: QtBot, executor: Worker) -> None:
    qtbot.waitUntil(lambda: not executor.busy(), timeout=60_000)


def test_no_village_no_going_on(wizard: FirstRunWizard) -> None:
    choose_gia_loc(wizard)
    next_button = wizard.button(wizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    hint = wizard.findChild(QLabel, "villageHint")
    assert hint is not None and hint.isVisible()
    press(Qt.Key.Key_Return)
    assert wizard.currentId() == VILLAGES_PAGE

    add_villages(wizard, "Thôn Khay")
    assert next_button.isEnabled() and not hint.isVisible()
    wizard.villages_page.list_view.setFocus()
    press(Qt.Key.Key_Delete)
    assert wizard.villages_page.villages() == []
    assert not next_button.isEnabled()


def test_no_leader_no_going_on(wizard: FirstRunWizard) -> None:
    choose_gia_loc(wizard)
    add_villages(wizard, "Thôn Khay")
    press(Qt.Key.Key_Return)
    assert wizard.currentId() == MEMBERS_PAGE
    next_button = wizard.button(wizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # nobody yet

    page = wizard.members_page
    page.leader_check.setChecked(False)
    type_text("Nguyễn Thị Hệ")
    press(Qt.Key.Key_Return)
    hint = wizard.findChild(QLabel, "memberHint")
    assert hint is not None and hint.isVisible() and "tổ trưởng" in hint.text()
    assert not next_button.isEnabled()
    press(Qt.Key.Key_Return)
    assert wizard.currentId() == MEMBERS_PAGE

    page.list_view.setFocus()
    press(Qt.Key.Key_Down)
    page.toggle_button.click()
    assert page.members()[0].is_leader
    assert next_button.isEnabled() and not hint.isVisible()


def test_search_without_diacritics_and_province_filter(wizard: FirstRunWizard) -> None:
    page = wizard.commune_page
    type_text("GIA LOC")
    names = {page.model.row(row).province_name for row in range(page.model.rowCount())}
    assert {"Thành phố Hải Phòng", "Tây Ninh"} <= names
    page.province_combo.setCurrentIndex(page.province_combo.findText("Tây Ninh"))
    chosen = page.chosen()
    assert chosen is not None and chosen.name == "Phường Gia Lộc"
    assert page.model.rowCount() == 1
    page.search_edit.setText("khong co xa nao nhu the")
    assert page.chosen() is None
    assert not wizard.button(wizard.WizardButton.NextButton).isEnabled()
    assert "Không tìm thấy" in page.count_label.text()


def test_sample_data_path_fills_the_store(
    qtbot: QtBot, wizard: FirstRunWizard, store: Store, executor: Worker
) -> None:
    wizard.commune_page.demo_button.setFocus()
    press(Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: wizard.currentId() == VOLUNTEER_PAGE, timeout=120_000)
    assert not wizard.button(wizard.WizardButton.BackButton).isVisible()
    with allowed_here():
        team_ids = {m.id for m in tm.list_team_members(store)}
    assert wizard.volunteer_page.model.rowCount() == len(team_ids) > 0

    with qtbot.waitSignal(wizard.sig_finished_setup) as finished:
        press(Qt.Key.Key_Return)
    assert finished.args[0] in team_ids
    with allowed_here():
        assert count_sessions(store) > 1000  # the sample year of visits is there
    with allowed_here():
        assert find_households(store, "nguyen").hits
    with allowed_here():
        commune = store.commune()
    assert commune is not None and commune.name == "Xã Gia Lộc"
    assert wizard.setup is None


def test_a_refused_setup_keeps_the_wizard_open(
    qtbot: QtBot, wizard: FirstRunWizard, store: Store, executor: Worker
) -> None:
    with allowed_here():
        tm.set_commune(store, "06577")  # this data folder already belongs to another commune
    choose_gia_loc(wizard)
    add_villages(wizard, "Thôn Khay")
    press(Qt.Key.Key_Return)
    type_text("Phạm Đăng Xuyết")
    press(Qt.Key.Key_Return)
    press(Qt.Key.Key_Return)
    assert wizard.currentId() == VOLUNTEER_PAGE
    emitted: list[str] = []
    wizard.sig_finished_setup.connect(emitted.append)

    press(Qt.Key.Key_Return)
    wait_idle_executor(qtbot, executor)
    qtbot.waitUntil(lambda: wizard.findChild(QMessageBox, "userErrorBox") is not None)
    box = wizard.findChild(QMessageBox, "userErrorBox")
    assert box is not None and "đã gắn với" in box.text()
    box.close()
    assert wizard.isVisible() and wizard.isEnabled() and emitted == []
    with allowed_here():
        assert tm.list_team_members(store) == []


def test_models_pass_the_model_tester(qtmodeltester: object, wizard: FirstRunWizard) -> None:
    type_text("gia")
    for model in (wizard.commune_page.model, wizard.members_page.model):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert isinstance(wizard.commune_page.model, CommuneListModel)
    assert isinstance(wizard.members_page.model, TeamMemberModel)


def test_wizard_screens_render(wizard: FirstRunWizard) -> None:
    assert wizard.currentId() == COMMUNE_PAGE
    type_text("gia loc")
    image = wizard.grab()
    assert not image.isNull() and image.width() > 500


# --- volunteer picker ----------------------------------------------------------------


def test_picker_remembers_who_is_logging(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, qtmodeltester: object
) -> None:
    picker = VolunteerPicker(app_ctx)
    qtbot.addWidget(picker)
    picker.show()
    wait_idle(qtbot, app_ctx)
    qtmodeltester.check(picker.model)  # type: ignore[attr-defined]
    rows = [picker.model.index(r, 0).data() for r in range(picker.model.rowCount())]
    # Vietnamese order (by given name): Hệ before Xuyết; the leader is marked.
    assert rows == ["Nguyễn Thị Hệ", "Phạm Đăng Xuyết (tổ trưởng)"]
    chosen = picker.chosen()
    assert chosen is not None and chosen.id == village_team.member_id  # the current one

    QTest.keyClick(picker.list_view, Qt.Key.Key_Down)
    with (
        qtbot.waitSignal(picker.sig_volunteer_chosen) as picked,
        qtbot.waitSignal(app_ctx.hub.sig_volunteer_changed),
    ):
        QTest.keyClick(picker.list_view, Qt.Key.Key_Return)
    assert picked.args == [village_team.leader_id]
    assert app_ctx.volunteer_id == village_team.leader_id
    assert load_preferences(app_ctx.data_dir).volunteer_id == village_team.leader_id
    assert not picker.isVisible()


def test_picker_escape_changes_nothing(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    picker = VolunteerPicker(app_ctx)
    qtbot.addWidget(picker)
    picker.show()
    wait_idle(qtbot, app_ctx)
    QTest.keyClick(picker.list_view, Qt.Key.Key_Down)
    QTest.keyClick(picker.list_view, Qt.Key.Key_Escape)
    assert not picker.isVisible()
    assert app_ctx.volunteer_id == village_team.member_id
    assert load_preferences(app_ctx.data_dir).volunteer_id is None  # nothing was written


def test_joining_the_commune_server_takes_its_team_and_data(
    qtbot: QtBot, wizard: FirstRunWizard, store: Store, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)  # a leader's laptop, synced
    with allowed_here():
        households.create_household(
            commune.leader.store, HouseholdInput(commune.village_id, "Lê Văn Tám")
        )
    commune.leader.sync()
    wizard.commune_page.join_button.click()
    dialog = wizard.join_dialog
    assert dialog is not None and dialog.isVisible()

    # What is missing is said before anything is sent.
    dialog.connect_button.click()
    assert dialog.status.text() == "Hãy nhập địa chỉ máy chủ xã (hỏi tổ trưởng)."
    dialog.server.setText(sync_server.url)
    dialog.connect_button.click()
    assert dialog.status.text() == "Hãy nhập mã đăng ký do tổ trưởng cấp."

    # A wrong code: the server's words, nothing written, the form ready again.
    dialog.code.setText("ABCDE-FGHJK")
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: "Mã đăng ký không đúng" in dialog.status.text(), timeout=20_000)
    assert dialog.code.isEnabled()
    with allowed_here():
        assert store.commune() is None

    dialog.code.setText(accounts.issue_code(sync_server.db, COMMUNE, "volunteer"))
    with qtbot.waitSignal(dialog.sig_joined, timeout=30_000):
        dialog.connect_button.click()
    qtbot.waitUntil(lambda: wizard.currentId() == VOLUNTEER_PAGE)
    with allowed_here():
        team_ids = {member.id for member in tm.list_team_members(store)}
    assert team_ids == {commune.leader_id, commune.member_id}
    assert wizard.volunteer_page.model.rowCount() == 2
    with qtbot.waitSignal(wizard.sig_finished_setup) as finished:
        press(Qt.Key.Key_Return)
    assert finished.args[0] in team_ids
    with allowed_here():
        joined = store.commune()
    assert joined is not None and joined.code == COMMUNE
    with allowed_here():
        assert find_households(store, "le van tam").hits  # the commune's data came with it
