"""The household page: members, timeline, edits with validation, merging a duplicate."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops.households import find_households, get_household
from villagehelper.ops.sessions import household_history
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.household.forms import EditDialog, HouseholdForm, MemberForm
from villagehelper.ui.household.page import HouseholdPage
from villagehelper.ui.household.timeline_model import DETAILS, RESULT, WHEN
from villagehelper.ui.shell.context import AppContext

TODAY = date(2026, 11, 23)  # the FakeClock's day in Vietnam


def type_into(widget: QWidget, text: str) -> None:
    """Type character by character (QTest.keyClicks aborts on non-ASCII characters)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def replace_text(widget: QWidget, text: str) -> None:
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Backspace)
    type_into(widget, text)


@pytest.fixture
def household_id(village_team: Team) -> str:
    t = village_team
    return hh.create_household(
        t.store,
        hh.HouseholdInput(t.village_id, "Đặng Văn Vỹ", "Xóm 2", "0912345678", "Nhà cạnh đình"),
        [
            hh.MemberInput("Đặng Văn Vỹ", 1955, consent=True),
            hh.MemberInput("Lê Thị Hoà", 1958, "0987654321"),
        ],
    ).id


def open_page(qtbot: QtBot, ctx: AppContext, household_id: str) -> HouseholdPage:
    page = HouseholdPage(ctx, household_id)
    qtbot.addWidget(page)
    page.show()
    # The page's shortcuts (Ctrl+E…) reach it only once its window is the active one;
    # on a busy machine the window manager can take a moment after show().
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    wait_idle(qtbot, ctx)
    assert page.snapshot is not None
    return page


def edit_household_dialog(
    qtbot: QtBot, ctx: AppContext, page: HouseholdPage
) -> tuple[EditDialog, HouseholdForm]:
    """Ctrl+E on the page: the household's edit dialog, its village list loaded."""
    QTest.keyClick(page, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = page.findChild(EditDialog)
    assert dialog is not None
    wait_idle(qtbot, ctx)  # the village list
    form = dialog.form
    assert isinstance(form, HouseholdForm)
    return dialog, form


def add_member_dialog(page: HouseholdPage) -> tuple[EditDialog, MemberForm]:
    page.add_member_button.click()
    dialog = page.findChild(EditDialog)
    assert dialog is not None
    form = dialog.form
    assert isinstance(form, MemberForm)
    return dialog, form


def member_names(page: HouseholdPage) -> list[str]:
    model = page.members_model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_page_shows_household_members_and_timeline(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str, qtmodeltester: object
) -> None:
    t = village_team
    with allowed_here():
        visit = ss.log_visit(
            t.store,
            ss.VisitInput(
                household_id,
                t.member_id,
                [
                    ss.ServiceOutcome("VNEID_L1"),
                    ss.ServiceOutcome("VNEID_L2", "follow_up", follow_up_date=date(2026, 11, 30)),
                ],
            ),
        )
    with allowed_here():
        ss.void_session(t.store, visit.session_ids[0], t.leader_id, "Ghi nhầm hộ")
    page = open_page(qtbot, app_ctx, household_id)

    assert page.head_label.text() == "Đặng Văn Vỹ"
    assert page.village_label.text() == "Thôn Khay"
    assert page.phone_label.text() == "0912 345 678"  # in full, on this page only
    assert page.notes_label.text() == "Nhà cạnh đình"
    assert member_names(page) == ["Lê Thị Hoà", "Đặng Văn Vỹ"]
    consent = page.members_model.index(1, 3).data()
    assert consent.startswith("✓ ") and consent.endswith(TODAY.strftime("%d/%m/%Y"))
    assert page.members_model.index(0, 2).data() == "0987 654 321"

    history = page.history_model
    assert history.rowCount() == 1
    visit_row = history.index(0, WHEN)
    assert visit_row.data() == "23/11/2026 14:00"
    assert history.index(0, DETAILS).data() == "Người ghi: Nguyễn Thị Hệ"
    live, voided = (history.index(row, 0, visit_row) for row in range(2))
    assert live.data() == "Kích hoạt tài khoản định danh điện tử mức 2"
    assert live.siblingAtColumn(RESULT).data() == "Hẹn lại ngày 30/11/2026"
    strike = voided.data(Qt.ItemDataRole.FontRole)
    assert isinstance(strike, QFont) and strike.strikeOut()
    assert voided.siblingAtColumn(DETAILS).data() == (
        "Đã hủy: Ghi nhầm hộ (Phạm Đăng Xuyết, 23/11/2026)"
    )
    assert "2 lượt" in page.history_box.title()
    assert page.history_empty.isHidden()

    for model in (page.members_model, history):
        qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_page_follows_visits_logged_elsewhere(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    page = open_page(qtbot, app_ctx, household_id)
    assert page.history_model.rowCount() == 0 and not page.history_empty.isHidden()

    with allowed_here():
        logged = ss.log_visit(
            village_team.store,
            ss.VisitInput(household_id, village_team.member_id, [ss.ServiceOutcome("EHEALTH")]),
        )
    app_ctx.hub.sig_changed.emit(logged.changes)  # as the log-a-visit screen does
    wait_idle(qtbot, app_ctx)
    assert page.history_model.rowCount() == 1


def test_invalid_phone_is_shown_by_its_field_and_nothing_is_saved(
    qtbot: QtBot, app_ctx: AppContext, household_id: str
) -> None:
    page = open_page(qtbot, app_ctx, household_id)
    dialog, form = edit_household_dialog(qtbot, app_ctx, page)
    assert form.village_combo.currentText() == "Thôn Khay"
    assert form.phone_edit.text() == "0912 345 678"

    replace_text(form.head_name_edit, "Đặng Văn Vĩ")
    replace_text(form.phone_edit, "12345")
    QTest.keyClick(form.phone_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)

    assert dialog.isVisible()
    assert "«12345» không phải số điện thoại Việt Nam" in form.error_text("phone")
    assert form.error_text("head_name") == ""
    assert dialog.focusWidget() is form.phone_edit  # the cursor is where the fix goes
    with allowed_here():
        assert get_household(app_ctx.store, household_id).head_name == "Đặng Văn Vỹ"

    type_into(form.phone_edit, "x")  # typing clears the message
    assert form.error_text("phone") == ""
    replace_text(form.phone_edit, "0987 111 222")
    with qtbot.waitSignal(dialog.sig_saved):
        QTest.keyClick(form.phone_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        saved = get_household(app_ctx.store, household_id)
    assert (saved.head_name, saved.phone) == ("Đặng Văn Vĩ", "0987111222")
    assert page.head_label.text() == "Đặng Văn Vĩ"
    assert page.phone_label.text() == "0987 111 222"


def test_add_member_with_consent_records_today(
    qtbot: QtBot, app_ctx: AppContext, household_id: str
) -> None:
    page = open_page(qtbot, app_ctx, household_id)
    dialog, form = add_member_dialog(page)

    type_into(form.name_edit, "Đỗ Thị Lan")
    type_into(form.birth_year_edit, "1850")
    dialog.save()
    wait_idle(qtbot, app_ctx)
    assert "Năm sinh 1850 không hợp lệ" in form.error_text("birth_year")
    with allowed_here():
        assert len(get_household(app_ctx.store, household_id).members) == 2

    replace_text(form.birth_year_edit, "1950")
    form.consent_check.setFocus()
    QTest.keyClick(form.consent_check, Qt.Key.Key_Space)
    assert form.consent_check.isChecked()
    assert form.consent_label.text() == "Ngày đồng ý: 23/11/2026"
    with qtbot.waitSignal(dialog.sig_saved):
        QTest.keyClick(form.birth_year_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)

    with allowed_here():
        lan = next(
            m
            for m in get_household(app_ctx.store, household_id).members
            if m.full_name == "Đỗ Thị Lan"
        )
    assert (lan.birth_year, lan.consent, lan.consent_date) == (1950, True, TODAY)
    assert "Đỗ Thị Lan" in member_names(page)
    assert "3" in page.members_box.title()


def test_edit_and_remove_a_member(qtbot: QtBot, app_ctx: AppContext, household_id: str) -> None:
    page = open_page(qtbot, app_ctx, household_id)
    page.members_view.setFocus()
    page.members_view.selectRow(0)  # Lê Thị Hoà
    QTest.keyClick(page.members_view, Qt.Key.Key_F2)
    dialog = page.findChild(EditDialog)
    assert dialog is not None and isinstance(dialog.form, MemberForm)
    assert dialog.form.name_edit.text() == "Lê Thị Hoà"
    assert dialog.form.phone_edit.text() == "0987 654 321"
    replace_text(dialog.form.phone_edit, "0987")
    dialog.save()
    wait_idle(qtbot, app_ctx)
    assert "phải có 10 chữ số" in dialog.form.error_text("member_phone")
    dialog.reject()

    page.activateWindow()  # a window manager gives the page back the keyboard
    qtbot.waitUntil(page.isActiveWindow)
    page.members_view.setFocus()
    page.members_view.selectRow(0)
    QTest.keyClick(page.members_view, Qt.Key.Key_Delete)
    box = page.findChild(QMessageBox, "confirmRemoveMember")
    assert box is not None and "Lê Thị Hoà" in box.text()
    yes = box.button(QMessageBox.StandardButton.Yes)
    yes.click()
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        assert [m.full_name for m in get_household(app_ctx.store, household_id).members] == [
            "Đặng Văn Vỹ"
        ]
    qtbot.waitUntil(lambda: member_names(page) == ["Đặng Văn Vỹ"])


def _duplicate_with_visits(t: Team) -> str:
    with allowed_here():
        loser = hh.create_household(
            t.store,
            hh.HouseholdInput(t.village_id, "Dang Van Vy", "Xóm 2"),
            [hh.MemberInput("Đặng Thị Mơ", 1990)],
        ).id
    for code in ("VNEID_L1", "VSSID"):
        with allowed_here():
            ss.log_visit(t.store, ss.VisitInput(loser, t.member_id, [ss.ServiceOutcome(code)]))
    return loser


def test_merge_a_duplicate_with_preview_and_confirmation(
    qtbot: QtBot,
    app_ctx: AppContext,
    village_team: Team,
    household_id: str,
    qtmodeltester: object,
) -> None:
    loser = _duplicate_with_visits(village_team)
    page = open_page(qtbot, app_ctx, household_id)
    dialog = page.merge_duplicate()
    assert dialog is not None
    wait_idle(qtbot, app_ctx)
    # The probable duplicate is offered before anything is typed.
    assert dialog.model.rowCount() == 1
    assert dialog.model.row(0).household.id == loser
    assert "Dang Van Vy — Thôn Khay, Xóm 2" in dialog.model.index(0, 0).data()
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]

    type_into(dialog.search_edit, "mo")  # search every household: finds the member's name
    wait_idle(qtbot, app_ctx)
    assert [dialog.model.row(r).household.id for r in range(dialog.model.rowCount())] == [loser]
    assert dialog.chosen() is None  # nothing is chosen for the volunteer
    QTest.keyClick(dialog.search_edit, Qt.Key.Key_Down)  # arrows move in the list
    chosen = dialog.chosen()
    assert chosen is not None and chosen.household.id == loser
    wait_idle(qtbot, app_ctx)
    preview = dialog.preview_label.text()
    assert "Hộ «Dang Van Vy» (Thôn Khay) sẽ được gộp vào hộ «Đặng Văn Vỹ» (Thôn Khay)" in preview
    assert "2 lượt hỗ trợ và 1 nhân khẩu" in preview
    assert not dialog.merge_button.isEnabled()  # not before the explicit confirmation

    dialog.confirm_check.setFocus()
    QTest.keyClick(dialog.confirm_check, Qt.Key.Key_Space)
    assert dialog.merge_button.isEnabled()
    with qtbot.waitSignal(dialog.sig_merged):
        dialog.merge_button.click()
    wait_idle(qtbot, app_ctx)

    with allowed_here():
        history = household_history(app_ctx.store, household_id)
    assert {row.service_code for row in history} == {"VNEID_L1", "VSSID"}
    with allowed_here():
        assert loser not in {hit.id for hit in find_households(app_ctx.store, "dang van vy").hits}
    with allowed_here():
        assert household_id in {
            hit.id for hit in find_households(app_ctx.store, "dang thi mo").hits
        }
    qtbot.waitUntil(lambda: page.history_model.rowCount() == 2)
    assert "Đặng Thị Mơ" in member_names(page)


def test_merge_needs_the_logging_volunteer(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    _duplicate_with_visits(village_team)
    app_ctx.update_preferences(volunteer_id=None)
    page = open_page(qtbot, app_ctx, household_id)
    dialog = page.merge_duplicate()
    assert dialog is not None
    wait_idle(qtbot, app_ctx)
    dialog.select_candidate(0)
    wait_idle(qtbot, app_ctx)
    dialog.confirm_check.setChecked(True)
    assert not dialog.merge_button.isEnabled()
    assert dialog.volunteer_label.isVisible()


def test_page_of_a_merged_household_says_so(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    from villagehelper.ops.duplicates import merge_households

    loser = _duplicate_with_visits(village_team)
    page = open_page(qtbot, app_ctx, loser)
    with allowed_here():
        merged = merge_households(app_ctx.store, household_id, loser, village_team.leader_id)
    app_ctx.hub.sig_changed.emit(merged.changes)
    wait_idle(qtbot, app_ctx)
    assert page.snapshot is None
    assert "đã được gộp vào một hộ khác" in page.head_label.text()
    assert not page.edit_button.isEnabled() and not page.merge_button.isEnabled()
    assert page.history_model.rowCount() == 0


def test_household_form_for_reuse(qtbot: QtBot, app_ctx: AppContext, village_team: Team) -> None:
    form = HouseholdForm(app_ctx)
    qtbot.addWidget(form)
    form.set_village(village_team.other_village_id)  # before the list has loaded
    wait_idle(qtbot, app_ctx)
    assert form.village_combo.currentText() == "Thôn Hữu Chung"
    type_into(form.head_name_edit, "Trần Văn Bình")
    data = form.household_input()
    assert (data.village_id, data.head_name, data.phone) == (
        village_team.other_village_id,
        "Trần Văn Bình",
        None,
    )
    edited: list[None] = []
    form.sig_edited.connect(lambda: edited.append(None))
    type_into(form.address_edit, "X")
    assert edited

    from villagehelper.errors import ValidationError

    assert form.show_error(ValidationError("head_name", "Chưa nhập họ tên chủ hộ."))
    assert form.error_text("head_name") == "⚠ Chưa nhập họ tên chủ hộ."
    assert not form.show_error(ValidationError("services", "Chưa chọn loại hỗ trợ nào."))
    form.clear()
    assert form.household_input().head_name == ""
    assert form.error_text("head_name") == ""
    assert form.village_combo.currentText() == "Thôn Hữu Chung"  # kept for the next one
    assert form.field_widget("phone") is form.phone_edit
