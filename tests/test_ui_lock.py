"""PINs in the app: the lock at start-up and after inactivity, the leader's permission,
the PIN settings."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from villagehelper.keys.key_file import Keyring
from villagehelper.keys.wrapping import ScryptCost
from villagehelper.ops import households as hh
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.preferences import Preferences, load_preferences
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.household.page import HouseholdPage
from villagehelper.ui.lock.leader_gate import LeaderPermission, when_leader, when_leader_allows
from villagehelper.ui.lock.lock_screen import LockDialog, unlock_at_start
from villagehelper.ui.lock.pin_prompt import Unlocked
from villagehelper.ui.settings.pin_settings import SetPinDialog
from villagehelper.ui.shell import app as app_module
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.main_window import MainWindow

# PINs set by the tests are wrapped cheaply; the app checks them with the stored cost.
CHEAP = ScryptCost(n=16, r=1, p=1)
LEADER_PIN = "258036"
MEMBER_PIN = "917264"
RESIDENT = "Đỗ Văn Lâm"


def _give_pin(
    data_dir: Path, key: bytes, member_id: str, name: str, pin: str, *, leader: bool
) -> None:
    Keyring.load(data_dir, cost=CHEAP).set_pin(member_id, name, pin, key, is_leader=leader)


@pytest.fixture
def pins(app_ctx: AppContext, village_team: Team) -> Iterator[AppContext]:
    """The app context after the leader and the member set their PINs; the member is
    logging, as an app unlocked by nobody yet."""
    data_dir = app_ctx.data_dir
    key = app_ctx.data_key = Keyring.load(data_dir).data_key()
    _give_pin(data_dir, key, village_team.leader_id, "Phạm Đăng Xuyết", LEADER_PIN, leader=True)
    _give_pin(data_dir, key, village_team.member_id, "Nguyễn Thị Hệ", MEMBER_PIN, leader=False)
    yield app_ctx
    app_ctx.shutdown_key_worker()


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, ctx)
    return window


def _visible_texts(window: QWidget) -> list[str]:
    """Every text a person could read in the window right now (labels, fields, lists)."""
    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel | QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    texts.append(str(model.index(row, column).data()))
    return texts


def _type_pin(qtbot: QtBot, field: QLineEdit, pin: str) -> None:
    field.setFocus()
    QTest.keyClicks(field, pin)
    QTest.keyClick(field, Qt.Key.Key_Return)


def _lock(qtbot: QtBot, window: MainWindow) -> None:
    window.lock_action.trigger()
    qtbot.waitUntil(lambda: window.window_lock.is_locked, timeout=5000)


def _open_dialogs(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


# --- start-up ---------------------------------------------------------------------------


def test_without_pins_the_app_opens_without_asking(tmp_path: Path, qapp: object) -> None:
    executor = Worker()
    unlocked = unlock_at_start(tmp_path, executor, "vi", None)
    executor.shutdown()
    assert unlocked is not None and unlocked.member_id is None
    assert unlocked.data_key == Keyring.load(tmp_path).data_key()  # the laptop's key, kept


def test_with_pins_the_app_asks_before_any_data_and_who_unlocks_logs(
    qtbot: QtBot, village_team: Team
) -> None:
    data_dir = village_team.store.data_dir
    with allowed_here():
        hh.create_household(village_team.store, HouseholdInput(village_team.village_id, RESIDENT))
    key = Keyring.load(data_dir).data_key()
    _give_pin(data_dir, key, village_team.leader_id, "Phạm Đăng Xuyết", LEADER_PIN, leader=True)
    _give_pin(data_dir, key, village_team.member_id, "Nguyễn Thị Hệ", MEMBER_PIN, leader=False)
    seen: list[str] = []
    focus_in_pin: list[bool] = []
    refused: list[str] = []

    def answer_the_lock_screen() -> None:
        # Only records what it sees: the test asserts once the lock screen is gone.
        dialogs = _open_dialogs(LockDialog)
        if not dialogs or not dialogs[0].isActiveWindow():
            QTimer.singleShot(20, answer_the_lock_screen)
            return
        dialog = dialogs[0]
        assert isinstance(dialog, LockDialog)
        prompt = dialog.screen_widget.prompt
        if not seen:
            if QApplication.focusWidget() is None:
                # Activated, its focus-in event not yet delivered: where focus lands
                # is what the test checks.
                QTimer.singleShot(20, answer_the_lock_screen)
                return
            focus_in_pin.append(QApplication.focusWidget() is prompt.pin)
            seen.extend(_visible_texts(dialogs[0]))
            _type_pin(qtbot, prompt.pin, "111111")
        elif not prompt.submit_button.isEnabled():
            QTimer.singleShot(20, answer_the_lock_screen)
            return
        else:
            refused.append(prompt.message.text())
            _type_pin(qtbot, prompt.pin, MEMBER_PIN)
            return
        QTimer.singleShot(20, answer_the_lock_screen)

    QTimer.singleShot(0, answer_the_lock_screen)
    executor = Worker()
    unlocked = unlock_at_start(data_dir, executor, "vi", village_team.member_id)
    executor.shutdown()
    assert unlocked is not None
    assert unlocked.member_id == village_team.member_id  # preferred: the last one logging
    assert unlocked.data_key == key
    assert focus_in_pin == [True]
    assert any("Phạm Đăng Xuyết" in text for text in seen)
    assert not any(RESIDENT in text for text in seen)
    assert "Mã PIN không đúng" in refused[0]


def test_start_up_hands_the_key_and_who_unlocked_to_the_opening(
    tmp_path: Path, qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "new"  # no database yet: the careful opening (_prepare)
    key = Keyring.load(data_dir).data_key()
    handed: list[tuple[object, ...]] = []

    def unlock(*_args: object) -> Unlocked:
        assert not handed and not _open_dialogs(MainWindow)  # the PIN comes first
        return Unlocked("leader-1", key)

    monkeypatch.setattr(app_module, "_unlock", unlock)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the app installs its own
    monkeypatch.setattr(app_module, "_prepare", lambda *args: handed.append(args))
    assert app_module._run_once(QApplication.instance(), data_dir, []) == 1
    _executor, preferences, folder, given_key = handed[0]
    assert isinstance(preferences, Preferences) and preferences.volunteer_id == "leader-1"
    assert (folder, given_key) == (data_dir, key)


# --- the lock over a running window -----------------------------------------------------


def test_inactivity_locks_the_window_and_hides_the_residents_data(
    qtbot: QtBot, pins: AppContext, village_team: Team
) -> None:
    with allowed_here():
        household_id = hh.create_household(
            village_team.store, HouseholdInput(village_team.village_id, RESIDENT)
        ).id
    window = _window(qtbot, pins)
    window.log_visit.choose_household(household_id)
    window.open_household(household_id)
    wait_idle(qtbot, pins)
    assert any(RESIDENT in text for text in _visible_texts(window))
    page = _open_dialogs(HouseholdPage)[0]

    window.window_lock.idle.timer.start(30)  # as if the minutes had passed
    qtbot.waitUntil(lambda: window.window_lock.is_locked, timeout=5000)
    assert not any(RESIDENT in text for text in _visible_texts(window))
    assert not page.isVisible()
    qtbot.waitUntil(window.window_lock.screen.prompt.pin.hasFocus, timeout=5000)

    _type_pin(qtbot, window.window_lock.screen.prompt.pin, MEMBER_PIN)
    qtbot.waitUntil(lambda: not window.window_lock.is_locked, timeout=5000)
    assert page.isVisible()  # back as it was
    assert any(RESIDENT in text for text in _visible_texts(window))
    page.close()


def test_input_restarts_the_countdown_and_zero_minutes_never_locks(
    qtbot: QtBot, pins: AppContext
) -> None:
    window = _window(qtbot, pins)
    idle = window.window_lock.idle
    assert idle.timer.isActive() and idle.timer.interval() == 5 * 60_000
    idle.timer.stop()
    QTest.keyClick(window.log_visit.search.line, Qt.Key.Key_A)
    assert idle.timer.isActive()
    window.window_lock.set_minutes(0)
    QTest.keyClick(window.log_visit.search.line, Qt.Key.Key_B)
    assert not idle.timer.isActive()


def test_a_wrong_pin_is_refused_and_five_bring_a_wait_kept_in_the_key_file(
    qtbot: QtBot, pins: AppContext, village_team: Team
) -> None:
    window = _window(qtbot, pins)
    _lock(qtbot, window)
    prompt = window.window_lock.screen.prompt
    for attempt in range(5):
        _type_pin(qtbot, prompt.pin, "000000")
        qtbot.waitUntil(prompt.submit_button.isEnabled, timeout=5000)
        assert "Mã PIN không đúng" in prompt.message.text(), attempt
        assert window.window_lock.is_locked
    assert "Lần thử tiếp theo sau 30 giây" in prompt.message.text()
    _type_pin(qtbot, prompt.pin, MEMBER_PIN)
    qtbot.waitUntil(prompt.submit_button.isEnabled, timeout=5000)
    assert "Hãy đợi" in prompt.message.text()
    assert window.window_lock.is_locked
    assert Keyring.load(pins.data_dir).wait_remaining().total_seconds() > 0


def test_unlocking_makes_that_member_the_one_logging(
    qtbot: QtBot, pins: AppContext, village_team: Team
) -> None:
    window = _window(qtbot, pins)
    _lock(qtbot, window)
    prompt = window.window_lock.screen.prompt
    names = [prompt.model.row(r).full_name for r in range(prompt.model.rowCount())]
    assert sorted(names) == ["Nguyễn Thị Hệ", "Phạm Đăng Xuyết"]
    first = prompt.chosen()
    assert first is not None and first.member_id == village_team.member_id  # was logging
    QTest.keyClick(prompt.pin, Qt.Key.Key_Down if names[0] == "Nguyễn Thị Hệ" else Qt.Key.Key_Up)
    moved = prompt.chosen()
    assert moved is not None and moved.full_name == "Phạm Đăng Xuyết"
    _type_pin(qtbot, prompt.pin, LEADER_PIN)
    qtbot.waitUntil(lambda: not window.window_lock.is_locked, timeout=5000)
    assert pins.volunteer_id == village_team.leader_id
    assert pins.unlocked_by == village_team.leader_id
    assert "Phạm Đăng Xuyết" in window.volunteer_status.text()
    assert load_preferences(pins.data_dir).volunteer_id == village_team.leader_id


def test_lock_now_without_any_pin_says_why_it_does_not_lock(
    qtbot: QtBot, app_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    window = _window(qtbot, app_ctx)
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(told), timeout=5000)
    assert "Chưa thành viên nào đặt mã PIN" in told[0]
    assert not window.window_lock.is_locked


# --- the leader's permission ------------------------------------------------------------


def _permission(qtbot: QtBot) -> LeaderPermission:
    qtbot.waitUntil(lambda: bool(_open_dialogs(LeaderPermission)), timeout=5000)
    dialog = _open_dialogs(LeaderPermission)[0]
    assert isinstance(dialog, LeaderPermission)
    return dialog


def test_a_leaders_pin_allows_one_action_and_a_volunteers_does_not(
    qtbot: QtBot, pins: AppContext, village_team: Team
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    done: list[str] = []
    when_leader(parent, pins, "Xuất danh sách hộ", lambda: done.append("exported"))
    dialog = _permission(qtbot)
    prompt = dialog.prompt
    holders = [prompt.model.row(r) for r in range(prompt.model.rowCount())]
    assert [h.member_id for h in holders] == [village_team.leader_id]  # leaders only
    _type_pin(qtbot, prompt.pin, MEMBER_PIN)  # the volunteer's own PIN
    qtbot.waitUntil(prompt.submit_button.isEnabled, timeout=5000)
    assert "Mã PIN không đúng" in prompt.message.text()
    assert done == []
    _type_pin(qtbot, prompt.pin, LEADER_PIN)
    qtbot.waitUntil(lambda: done == ["exported"], timeout=5000)
    assert not _open_dialogs(LeaderPermission)
    assert pins.volunteer_id == village_team.member_id  # the one logging stays

    when_leader(parent, pins, "Xuất danh sách hộ", lambda: done.append("again"))
    _permission(qtbot).reject()  # allowed once: the next time asks again
    wait_idle(qtbot, pins)
    assert done == ["exported"]


def test_the_action_a_leader_allowed_is_done_in_the_leaders_name(
    qtbot: QtBot, pins: AppContext, village_team: Team
) -> None:
    """An erasure a leader allowed with their PIN on a volunteer's session is recorded
    as the leader's: the volunteer logging may not erase."""
    parent = QWidget()
    qtbot.addWidget(parent)
    allowed: list[str] = []
    when_leader_allows(parent, pins, "Xóa dữ liệu theo yêu cầu", allowed.append)
    _type_pin(qtbot, _permission(qtbot).prompt.pin, LEADER_PIN)
    qtbot.waitUntil(lambda: allowed == [village_team.leader_id], timeout=5000)
    assert pins.volunteer_id == village_team.member_id


def test_a_leader_chosen_by_name_is_asked_and_one_who_unlocked_goes_on(
    qtbot: QtBot, pins: AppContext, village_team: Team
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    done: list[int] = []
    pins.update_preferences(volunteer_id=village_team.leader_id)  # F9, no PIN typed
    when_leader(parent, pins, "Xem xung đột", lambda: done.append(1))
    _permission(qtbot).reject()
    pins.unlocked_by = village_team.leader_id  # as after the lock screen
    when_leader(parent, pins, "Xem xung đột", lambda: done.append(2))
    qtbot.waitUntil(lambda: done == [2], timeout=5000)
    assert not _open_dialogs(LeaderPermission)


def test_without_a_leaders_pin_the_gate_keeps_its_old_rule(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    parent = QWidget()
    qtbot.addWidget(parent)
    done: list[int] = []
    when_leader(parent, app_ctx, "Xóa dữ liệu", lambda: done.append(1))
    qtbot.waitUntil(lambda: bool(told), timeout=5000)
    assert "“Xóa dữ liệu” chỉ tổ trưởng làm được" in told[0]
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    when_leader(parent, app_ctx, "Xóa dữ liệu", lambda: done.append(2))
    qtbot.waitUntil(lambda: done == [2], timeout=5000)


def test_conflicts_from_the_status_bar_open_only_with_a_leaders_pin(
    qtbot: QtBot, pins: AppContext
) -> None:
    from villagehelper.ui.review.conflicts_dialog import ConflictsDialog

    window = _window(qtbot, pins)
    window.sync_bar.sig_review_conflicts.emit()
    dialog = _permission(qtbot)
    assert not _open_dialogs(ConflictsDialog)
    _type_pin(qtbot, dialog.prompt.pin, LEADER_PIN)
    qtbot.waitUntil(lambda: bool(_open_dialogs(ConflictsDialog)), timeout=5000)
    wait_idle(qtbot, pins)  # its lists have arrived before it closes
    for opened in _open_dialogs(ConflictsDialog):
        opened.close()


# --- settings ---------------------------------------------------------------------------


def test_settings_say_plainly_that_data_without_pins_is_open_then_set_my_pin(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    app_ctx.data_key = Keyring.load(app_ctx.data_dir).data_key()
    window = _window(qtbot, app_ctx)
    window._show_screen(4)
    pins_box = window.settings.pins
    qtbot.waitUntil(lambda: bool(pins_box.protection.text()), timeout=5000)
    assert pins_box.protection.text() == "Chưa đặt mã PIN: ai mở máy cũng xem được dữ liệu."
    dialog = pins_box.edit_my_pin()
    assert isinstance(dialog, SetPinDialog)
    dialog.new_pin.setText("123456")
    dialog.repeat.setText("123456")
    dialog.save()
    assert "dãy số liền nhau" in dialog.message.text()
    dialog.new_pin.setText("739152")
    dialog.repeat.setText("739051")
    dialog.save()
    assert "không giống nhau" in dialog.message.text()
    dialog.repeat.setText("739152")
    QTest.keyClick(dialog.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: "1 thành viên đã đặt mã PIN" in pins_box.protection.text(), timeout=5000
    )
    assert Keyring.load(app_ctx.data_dir).unlock(village_team.member_id, "739152") == (
        app_ctx.data_key
    )
    assert pins_box.my_pin.text() == "Đổi mã PIN của tôi…"

    change = pins_box.edit_my_pin()
    assert isinstance(change, SetPinDialog) and change.current.isVisible()
    change.current.setText("000000")
    change.new_pin.setText("482615")
    change.repeat.setText("482615")
    change.save()
    qtbot.waitUntil(change.save_button.isEnabled, timeout=5000)
    assert "Mã PIN không đúng" in change.message.text()
    change.close()


def test_leader_parts_of_settings_wait_for_a_leaders_pin(
    qtbot: QtBot, pins: AppContext, village_team: Team
) -> None:
    window = _window(qtbot, pins)
    window._show_screen(4)
    settings = window.settings
    guard = settings.leader_guard
    qtbot.waitUntil(lambda: guard.closed, timeout=5000)
    assert guard.banner.isVisible()
    assert not settings.restore_button.isEnabled()
    assert not settings.pins.lock_minutes.isEnabled()
    assert settings.sync_box is not None and not settings.sync_box.enrol_button.isEnabled()
    assert settings.language.isEnabled() and settings.large_text.isEnabled()
    assert settings.backup_button.isEnabled() and settings.pins.my_pin.isEnabled()

    guard.allow_button.click()
    _type_pin(qtbot, _permission(qtbot).prompt.pin, LEADER_PIN)
    qtbot.waitUntil(lambda: not guard.closed, timeout=5000)
    assert settings.restore_button.isEnabled() and settings.pins.lock_minutes.isEnabled()
    settings.pins.lock_minutes.setValue(15)
    assert load_preferences(pins.data_dir).lock_after_minutes == 15
    assert window.window_lock.idle.timer.interval() == 15 * 60_000


def test_a_leader_resets_a_forgotten_pin(
    qtbot: QtBot, pins: AppContext, village_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    pins.update_preferences(volunteer_id=village_team.leader_id)
    pins.unlocked_by = village_team.leader_id
    window = _window(qtbot, pins)
    window._show_screen(4)
    box = window.settings.pins
    qtbot.waitUntil(lambda: box.reset_choice.count() == 1, timeout=5000)
    assert box.reset_choice.currentText() == "Nguyễn Thị Hệ"
    box.reset_button.click()
    qtbot.waitUntil(lambda: box.reset_choice.count() == 0, timeout=5000)
    holders = Keyring.load(pins.data_dir).members_with_pin()
    assert [h.member_id for h in holders] == [village_team.leader_id]
