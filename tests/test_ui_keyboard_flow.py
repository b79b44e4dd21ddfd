"""The log-a-visit screen by keys alone, as the screen and the README describe it.

Every key goes to whichever widget has the focus at that moment (never to a widget the
test picks), so a key that lands in the wrong place fails the test the way it would
fail a volunteer.  What was saved is read back from the SQLite store.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from villagehelper.clock import vietnam_today
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.log_visit.screen import LogVisitView
from villagehelper.ui.log_visit.service_keys import grid_step
from villagehelper.ui.log_visit.service_picker import OutcomeRow
from villagehelper.ui.shell.context import AppContext

NO_MOD = Qt.KeyboardModifier.NoModifier


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(name: Qt.Key, modifier: Qt.KeyboardModifier = NO_MOD) -> None:
    """One key press, to the widget with the focus."""
    QTest.keyClick(focus(), name, modifier)


def type_text(text: str) -> None:
    """Typed one character at a time into the focused widget (Vietnamese included:
    ``keyClicks`` aborts on non-ASCII, see docs/TESTING.md)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, focus(), Qt.Key.Key_unknown, ch, NO_MOD)


def _view(qtbot: QtBot, ctx: AppContext) -> LogVisitView:
    view = LogVisitView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    view.show()
    view.activateWindow()
    wait_idle(qtbot, ctx)
    view.search.line.setFocus()  # where the app puts the cursor at start (ui/app.py)
    return view


def _search_and_enter(qtbot: QtBot, view: LogVisitView, ctx: AppContext, text: str) -> None:
    assert focus() is view.search.line
    with qtbot.waitSignal(
        view.search.sig_results_shown,
        timeout=5000,
        check_params_cb=lambda shown: shown == view.search.line.text(),
    ):
        type_text(text)
    key(Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)


def _visit_form_ready(qtbot: QtBot, view: LogVisitView, ctx: AppContext) -> None:
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.visit_form)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: focus() is view.services.buttons()[0])


def _household_opened(
    qtbot: QtBot, ctx: AppContext, team: Team, head_name: str, typed: str
) -> LogVisitView:
    """A household recorded, the screen shown, ``typed`` searched and Enter pressed."""
    with allowed_here():
        hh.create_household(team.store, hh.HouseholdInput(team.village_id, head_name))
    view = _view(qtbot, ctx)
    _search_and_enter(qtbot, view, ctx, typed)
    _visit_form_ready(qtbot, view, ctx)
    return view


def _service_with_focus(view: LogVisitView) -> str:
    button = focus()
    codes = [code for code in _codes(view) if view.services.button(code) is button]
    assert codes, f"the focus is on {button!r}, not on a service"
    return codes[0]


def _result_key(view: LogVisitView, result: Qt.Key) -> OutcomeRow:
    """2 or 3 on the focused service: its row appears and its date / reason has the focus."""
    code = _service_with_focus(view)
    key(result)
    row = view.services.row(code)
    assert row is not None
    assert focus() is (row.date if result == Qt.Key.Key_2 else row.reason)
    return row


def _codes(view: LogVisitView) -> list[str]:
    return [button.objectName().removeprefix("service_") for button in view.services.buttons()]


def undo_question(qtbot: QtBot, view: LogVisitView) -> QMessageBox:
    """The undo question, on screen with the keyboard focus."""
    qtbot.waitUntil(lambda: isinstance(view.findChild(QMessageBox, "confirmUndo"), QMessageBox))
    box = view.findChild(QMessageBox, "confirmUndo")
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(lambda: box.isVisible() and box.isAncestorOf(focus()))
    return box


def _live(team: Team) -> list[ss.SessionRow]:
    with allowed_here():
        return ss.list_sessions(team.store)


def test_whole_flow_by_keys_new_and_existing_household_then_undo(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        existing = hh.create_household(
            village_team.store,
            hh.HouseholdInput(village_team.village_id, "Nguyễn Thị Hòa"),
            [hh.MemberInput("Nguyễn Thị Hòa", 1958)],
        ).id
    view = _view(qtbot, app_ctx)
    new_household = _new_household_three_services(qtbot, view, app_ctx, village_team)
    _existing_household_two_services(qtbot, view, app_ctx, village_team, existing)
    _undo_the_last_visit(
        qtbot, view, app_ctx, village_team, existing=existing, new_household=new_household
    )


def _new_household_three_services(
    qtbot: QtBot, view: LogVisitView, app_ctx: AppContext, village_team: Team
) -> str:
    """Nobody found, Enter adds the household; three services, three results."""
    _search_and_enter(qtbot, view, app_ctx, "Đặng Văn Vỹ")
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.new_household)
    assert focus() is view.new_household.head_name
    for _ in range(3):  # name → village → address → phone
        key(Qt.Key.Key_Tab)
    assert focus() is view.new_household.phone
    type_text("0912345678")
    key(Qt.Key.Key_Return)  # checks for look-alikes (none), then creates
    _visit_form_ready(qtbot, view, app_ctx)
    # The hint that offered to add the household is gone now that it exists.
    qtbot.waitUntil(lambda: "Không tìm thấy" not in view.search.hint.text())

    # VNeID level 2, one to the right: 2 = Hẹn lại, the date takes the focus.
    key(Qt.Key.Key_Right)
    assert _service_with_focus(view) == "VNEID_L2"
    _result_key(view, Qt.Key.Key_2)
    # Typed as written on paper; the field's default text is selected, so it is replaced.
    type_text("20/12/2026")
    key(Qt.Key.Key_Tab)  # back to the service
    assert _service_with_focus(view) == "VNEID_L2"
    # Two rows down: e-health; 3 = Chưa thành công, the reason takes the focus.
    key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Down)
    assert _service_with_focus(view) == "EHEALTH"
    _result_key(view, Qt.Key.Key_3)
    type_text("Máy không có NFC")
    key(Qt.Key.Key_Tab)
    assert _service_with_focus(view) == "EHEALTH"
    # Home: the first service, Space chooses it (Thành công by default).
    key(Qt.Key.Key_Home)
    key(Qt.Key.Key_Space)
    assert _service_with_focus(view) == "VNEID_L1"
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        key(Qt.Key.Key_Return)  # Enter on a service button saves the visit
    wait_idle(qtbot, app_ctx)
    assert focus() is view.search.line and view.search.line.text() == ""

    first_visit = {(r.head_name, r.service_code): r for r in _live(village_team)}
    assert set(first_visit) == {
        ("Đặng Văn Vỹ", "VNEID_L1"),
        ("Đặng Văn Vỹ", "VNEID_L2"),
        ("Đặng Văn Vỹ", "EHEALTH"),
    }
    assert first_visit["Đặng Văn Vỹ", "VNEID_L1"].outcome == "done"
    follow_up = first_visit["Đặng Văn Vỹ", "VNEID_L2"]
    assert (follow_up.outcome, follow_up.follow_up_date) == ("follow_up", date(2026, 12, 20))
    failed = first_visit["Đặng Văn Vỹ", "EHEALTH"]
    assert (failed.outcome, failed.failure_reason) == ("failed", "Máy không có NFC")
    with allowed_here():
        assert hh.get_household(village_team.store, follow_up.household_id).phone == "0912345678"
    return follow_up.household_id


def _existing_household_two_services(
    qtbot: QtBot, view: LogVisitView, app_ctx: AppContext, village_team: Team, existing: str
) -> None:
    """Typed without diacritics; one service done, one to follow up on the date offered."""
    today = vietnam_today(village_team.store.now())
    _search_and_enter(qtbot, view, app_ctx, "nguyen thi hoa")
    _visit_form_ready(qtbot, view, app_ctx)
    assert "Nguyễn Thị Hòa" in view.household_title.text()
    key(Qt.Key.Key_Down)  # the National Public Service Portal account
    assert _service_with_focus(view) == "DVC_ACCOUNT"
    key(Qt.Key.Key_1)  # 1 = chosen, Thành công; the focus stays on the service
    assert _service_with_focus(view) == "DVC_ACCOUNT"
    key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Down)
    assert _service_with_focus(view) == "VSSID"
    key(Qt.Key.Key_2)  # Hẹn lại on the date offered (a week on)
    key(Qt.Key.Key_Tab)
    assert _service_with_focus(view) == "VSSID"
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        key(Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    second = {r.service_code: r for r in _live(village_team) if r.household_id == existing}
    assert set(second) == {"DVC_ACCOUNT", "VSSID"}
    assert second["DVC_ACCOUNT"].outcome == "done"
    assert second["VSSID"].outcome == "follow_up"
    assert second["VSSID"].follow_up_date == today + timedelta(days=7)


def _undo_the_last_visit(
    qtbot: QtBot,
    view: LogVisitView,
    app_ctx: AppContext,
    village_team: Team,
    *,
    existing: str,
    new_household: str,
) -> None:
    """Ctrl+Z says what it will undo, Enter confirms, and it says what it undid."""
    assert focus() is view.search.line
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    box = undo_question(qtbot, view)
    question = box.informativeText()
    assert "Nguyễn Thị Hòa" in question and "VssID" in question and "Hẹn lại" in question
    assert "Đặng Văn Vỹ" not in question
    assert len(_live(village_team)) == 5  # nothing undone before the answer
    key(Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert {r.household_id for r in _live(village_team)} == {new_household}
    with allowed_here():
        voided = ss.household_history(village_team.store, existing)
    assert len(voided) == 2 and all(row.voided for row in voided)
    assert "Đã hoàn tác: Nguyễn Thị Hòa" in view.undo_feedback.text()
    assert "VssID" in view.undo_feedback.text()
    assert not view.undo_last.isEnabled()


def test_escape_keeps_the_visit_when_undo_asks(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    view = _household_opened(qtbot, app_ctx, village_team, "Lò Văn Ba", "lo van ba")
    key(Qt.Key.Key_Space)
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        key(Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    key(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Lò Văn Ba" in undo_question(qtbot, view).informativeText()
    key(Qt.Key.Key_Escape)
    wait_idle(qtbot, app_ctx)
    assert len(_live(village_team)) == 1
    assert view.undo_feedback.text() == ""
    assert view.undo_last.isEnabled()


ENTER_FROM = ("member", "service", "choice", "date", "reason", "note", "consent")


@pytest.mark.parametrize("where", ENTER_FROM)
def test_enter_saves_from_anywhere_in_the_form(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, where: str
) -> None:
    view = _household_opened(qtbot, app_ctx, village_team, "Hà Văn Sơn", "ha van son")
    key(Qt.Key.Key_Space)  # VNeID level 1, Thành công
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_3)  # VNeID level 2, Chưa thành công: the reason has the focus
    type_text("Chưa có CCCD gắn chip")
    row = view.services.row("VNEID_L2")
    assert row is not None
    targets: dict[str, QWidget] = {
        "member": view.member,
        "service": view.services.button("VNEID_L1"),
        "choice": row.failed,
        "date": row.date,
        "reason": row.reason,
        "note": view.note,
        "consent": view.consent,
    }
    if where == "date":
        row.follow_up.setChecked(True)
    targets[where].setFocus()
    assert focus() is targets[where]
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        key(Qt.Key.Key_Enter if where == "note" else Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    saved = {r.service_code: r.outcome for r in _live(village_team)}
    expected = "follow_up" if where == "date" else "failed"
    assert saved == {"VNEID_L1": "done", "VNEID_L2": expected}  # saved once, not twice


def _tab_walk(start: QWidget, steps: int, backwards: bool = False) -> list[QWidget]:
    seen = []
    for _ in range(steps):
        key(Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab)
        seen.append(focus())
        if seen[-1] is start:
            break
    return seen


def test_tab_order_is_deliberate_and_no_widget_keeps_tab(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        household = hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Vi Thị Mai")
        ).id
    for code in ("VSSID", "EHEALTH"):  # rows in today's list: a table that could keep Tab
        with allowed_here():
            ss.log_visit(
                village_team.store,
                ss.VisitInput(household, village_team.member_id, [ss.ServiceOutcome(code)]),
            )
    view = _view(qtbot, app_ctx)
    _search_and_enter(qtbot, view, app_ctx, "vi thi mai")
    _visit_form_ready(qtbot, view, app_ctx)
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_2)  # an outcome row with a date: reached from its service, not by Tab
    key(Qt.Key.Key_Tab)
    start = view.services.button("VNEID_L2")
    assert focus() is start
    forward = _tab_walk(start, 40)
    assert forward[-1] is start, "Tab never came back to the services"
    expected = [
        view.note,
        view.consent,
        view.save_button,
        view.open_page,
        view.today,
        view.undo_selected,
        view.search.line,
        view.member,
        view.add_member_button,
        start,  # the services are one stop: the one last used
    ]
    assert forward == expected
    backward = _tab_walk(start, 40, backwards=True)
    assert backward == [*reversed(expected[:-1]), start]

    # Inside a service's result: choice → date → back to the service; Shift+Tab reverses.
    row = view.services.row("VNEID_L2")
    assert row is not None
    key(Qt.Key.Key_2)
    assert focus() is row.date
    key(Qt.Key.Key_Backtab)
    assert focus() is row.follow_up
    key(Qt.Key.Key_Tab)
    assert focus() is row.date


def test_outcome_keys_on_the_choice_itself(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    view = _household_opened(qtbot, app_ctx, village_team, "Tô Văn Hải", "to van hai")
    row = _result_key(view, Qt.Key.Key_2)
    key(Qt.Key.Key_Backtab)
    assert focus() is row.follow_up
    key(Qt.Key.Key_3)  # from the choice too: Chưa thành công, the reason takes the focus
    assert row.failed.isChecked() and focus() is row.reason
    key(Qt.Key.Key_Backtab)
    key(Qt.Key.Key_Up)  # arrows move the choice
    assert row.follow_up.isChecked()
    for label, text in ((row.done, "1"), (row.follow_up, "2"), (row.failed, "3")):
        assert label.text().startswith(text)  # the key is shown on screen


@pytest.mark.parametrize(
    ("index", "key_name", "expected"),
    [
        (0, Qt.Key.Key_Left, 0),
        (0, Qt.Key.Key_Right, 1),
        (1, Qt.Key.Key_Right, 2),
        (2, Qt.Key.Key_Left, 1),
        (1, Qt.Key.Key_Down, 3),
        (12, Qt.Key.Key_Down, 12),
        (13, Qt.Key.Key_Right, 13),
        (3, Qt.Key.Key_Up, 1),
        (1, Qt.Key.Key_Up, 1),
        (7, Qt.Key.Key_Home, 0),
        (7, Qt.Key.Key_End, 13),
        (7, Qt.Key.Key_Space, None),
    ],
)
def test_grid_steps(index: int, key_name: Qt.Key, expected: int | None) -> None:
    assert grid_step(index, key_name, 14, 2) == expected


ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
OPPOSITE = dict(
    zip(ARROWS, (Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_Down, Qt.Key.Key_Up), strict=True)
)


@given(
    count=st.integers(1, 60),
    columns=st.integers(1, 4),
    start=st.integers(0, 59),
    keys=st.lists(st.sampled_from(ARROWS), max_size=30),
)
def test_arrows_never_leave_the_list_and_undo_each_other(
    count: int, columns: int, start: int, keys: list[Qt.Key]
) -> None:
    index = start % count
    for arrow in keys:
        moved = grid_step(index, arrow, count, columns)
        assert moved is not None and 0 <= moved < count
        if moved != index:  # a move, not a stop at the edge: the opposite arrow comes back
            assert grid_step(moved, OPPOSITE[arrow], count, columns) == index
        index = moved


# --- what the eye needs ----------------------------------------------------------------


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _pixel(image: QImage, x: int, y: int) -> QColor:
    return image.pixelColor(x, y)


def _fill(image: QImage) -> QColor:
    """The button's face: the colour at the middle of its left edge, inside the border."""
    return _pixel(image, 6, image.height() // 2)


def _text_colour(image: QImage, fill: QColor) -> QColor:
    """The colour farthest from the fill inside the button (the label's glyphs)."""
    best, best_ratio = fill, 1.0
    for y in range(6, image.height() - 6):
        for x in range(6, image.width() - 6):
            colour = _pixel(image, x, y)
            ratio = contrast(colour, fill)
            if ratio > best_ratio:
                best, best_ratio = colour, ratio
    return best


def test_focus_ring_and_chosen_state_are_plain_to_see(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    view = _household_opened(qtbot, app_ctx, village_team, "Mã Thị Ly", "ma thi ly")
    first, second = view.services.button("VNEID_L1"), view.services.button("VNEID_L2")
    assert first.hasFocus()
    focused = first.grab().toImage()
    plain = second.grab().toImage()
    # The focus ring: the edge of the focused button against the unfocused one's edge,
    # at least 2 px thick and at 3:1 (WCAG's figure for parts of a control).
    for inset in (0, 1):
        ring = _pixel(focused, first.width() // 2, inset)
        assert contrast(ring, _pixel(plain, second.width() // 2, inset)) >= 3, inset
        assert contrast(ring, _fill(plain)) >= 3, inset
    # Chosen: a fill that stands out from an unchosen button, and a label readable on it.
    key(Qt.Key.Key_Right)
    key(Qt.Key.Key_Space)
    key(Qt.Key.Key_Left)  # the focus ring off the chosen one
    assert second.isChecked() and not second.hasFocus()
    chosen = second.grab().toImage()
    chosen_fill = _fill(chosen)
    assert contrast(chosen_fill, _fill(plain)) >= 3
    assert contrast(_text_colour(chosen, chosen_fill), chosen_fill) >= 4.5
    assert contrast(_text_colour(plain, _fill(plain)), _fill(plain)) >= 4.5
    # A chosen button with the focus still shows its ring.
    key(Qt.Key.Key_Right)
    chosen_focused = second.grab().toImage()
    for inset in (0, 1):
        ring = _pixel(chosen_focused, second.width() // 2, inset)
        assert contrast(ring, _pixel(chosen, second.width() // 2, inset)) >= 3, inset


def test_a_new_household_starts_at_the_top_of_the_services(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    for name in ("Lục Văn Một", "Lục Văn Hai"):
        with allowed_here():
            hh.create_household(
                village_team.store, hh.HouseholdInput(village_team.village_id, name)
            )
    view = _view(qtbot, app_ctx)
    view.resize(1000, 560)  # a short window: the services scroll
    _search_and_enter(qtbot, view, app_ctx, "luc van mot")
    _visit_form_ready(qtbot, view, app_ctx)
    bar = view.services_scroll.verticalScrollBar()
    assert bar.maximum() > 0
    key(Qt.Key.Key_End)  # the last service: scrolled into view
    last = view.services.buttons()[-1]
    assert focus() is last
    qtbot.waitUntil(lambda: bar.value() > 0)
    assert last.visibleRegion().boundingRect().height() == last.height()
    key(Qt.Key.Key_Escape)
    _search_and_enter(qtbot, view, app_ctx, "luc van hai")
    _visit_form_ready(qtbot, view, app_ctx)
    assert bar.value() == 0
    key(Qt.Key.Key_Tab)  # the list's Tab stop is the first service again
    key(Qt.Key.Key_Backtab)
    assert focus() is view.services.buttons()[0]


def test_delete_in_todays_list_asks_then_cancels_that_session(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    with allowed_here():
        household = hh.create_household(
            village_team.store, hh.HouseholdInput(village_team.village_id, "Hầu Văn Dế")
        ).id
    for code in ("VSSID", "EHEALTH"):
        with allowed_here():
            ss.log_visit(
                village_team.store,
                ss.VisitInput(household, village_team.member_id, [ss.ServiceOutcome(code)]),
            )
    view = _view(qtbot, app_ctx)
    qtbot.waitUntil(lambda: view.today_model.rowCount() == 2)
    for _ in range(3):  # search → "Hủy lượt đang chọn" … → today's list
        key(Qt.Key.Key_Backtab)
        if focus() is view.today:
            break
    assert focus() is view.today
    key(Qt.Key.Key_Down)
    session = view.today_model.session(view.today.currentIndex().row())
    assert session is not None
    key(Qt.Key.Key_Delete)
    box = undo_question(qtbot, view)
    assert session.service_label in box.informativeText()
    key(Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert len(_live(village_team)) == 1 and session.id not in {r.id for r in _live(village_team)}
    assert session.service_label in view.undo_feedback.text()


def test_the_add_household_hint_goes_once_the_household_exists(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    view = _view(qtbot, app_ctx)
    _search_and_enter(qtbot, view, app_ctx, "Bế Văn Đàn")
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.new_household)
    assert "Không tìm thấy hộ nào" in view.search.hint.text()
    key(Qt.Key.Key_Return)  # name only: check, then create
    _visit_form_ready(qtbot, view, app_ctx)
    qtbot.waitUntil(lambda: view.search.model.rowCount() == 1)
    assert "Không tìm thấy" not in view.search.hint.text()
    assert "Enter" in view.search.hint.text()
