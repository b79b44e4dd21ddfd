"""Names on the screens: an emoji is refused at the name field, and renaming the head of a
household on its page renames the head in the member list too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from tests.test_ui_household_page import (
    add_member_dialog,
    edit_household_dialog,
    member_names,
    open_page,
    replace_text,
    type_into,
)
from tests.test_ui_household_page import household_id as household_id  # the fixture
from tests.test_ui_log_visit import _start_new, _view, press
from villagehelper.ops import households as hh
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.household.forms import MemberForm
from villagehelper.ui.shell.context import AppContext


def test_renaming_the_head_on_the_page_renames_the_head_member(
    qtbot: QtBot, app_ctx: AppContext, household_id: str
) -> None:
    page = open_page(qtbot, app_ctx, household_id)
    dialog, form = edit_household_dialog(qtbot, app_ctx, page)
    replace_text(form.head_name_edit, "Đặng Văn Vĩ")
    with qtbot.waitSignal(dialog.sig_saved):
        QTest.keyClick(form.head_name_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        detail = hh.get_household(app_ctx.store, household_id)
    assert detail.head_name == "Đặng Văn Vĩ"
    assert sorted(m.full_name for m in detail.members) == ["Lê Thị Hoà", "Đặng Văn Vĩ"]
    qtbot.waitUntil(lambda: "Đặng Văn Vĩ" in member_names(page))
    assert "Đặng Văn Vỹ" not in member_names(page)


def test_an_emoji_in_the_heads_name_is_refused_at_the_field(
    qtbot: QtBot, app_ctx: AppContext, household_id: str
) -> None:
    dialog, form = edit_household_dialog(qtbot, app_ctx, open_page(qtbot, app_ctx, household_id))
    replace_text(form.head_name_edit, "Đặng Văn Vỹ 😀")
    QTest.keyClick(form.head_name_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert dialog.isVisible()
    assert "«😀»" in form.error_text("head_name")
    assert dialog.focusWidget() is form.head_name_edit
    with allowed_here():
        assert hh.get_household(app_ctx.store, household_id).head_name == "Đặng Văn Vỹ"


def test_an_emoji_in_a_members_name_is_refused_at_the_field(
    qtbot: QtBot, app_ctx: AppContext, household_id: str
) -> None:
    dialog, form = add_member_dialog(open_page(qtbot, app_ctx, household_id))
    type_into(form.name_edit, "Đỗ Thị Lan ❤️")
    QTest.keyClick(form.name_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert "❤" in form.error_text("full_name")
    assert dialog.isVisible()
    with allowed_here():
        assert len(hh.get_household(app_ctx.store, household_id).members) == 2


def test_an_emoji_in_a_new_households_name_is_refused_there(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    view = _view(qtbot, app_ctx)
    _start_new(qtbot, view, "Vàng Seo Dín 👍")
    panel = view.new_household
    press(panel.head_name, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert "«👍»" in panel.message.text()
    assert panel.head_name.hasFocus()
    assert view.stack.currentWidget() is panel
    with allowed_here():
        assert hh.find_households(village_team.store, "Vang Seo Din").hits == ()


def test_renaming_the_head_member_on_the_page_renames_the_head(
    qtbot: QtBot, app_ctx: AppContext, household_id: str
) -> None:
    page = open_page(qtbot, app_ctx, household_id)
    page.members_view.selectRow(member_names(page).index("Đặng Văn Vỹ"))
    dialog = page.edit_member()
    assert dialog is not None
    form = dialog.form
    assert isinstance(form, MemberForm)
    replace_text(form.name_edit, "Đặng Văn Vĩ")
    with qtbot.waitSignal(dialog.sig_saved):
        QTest.keyClick(form.name_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        assert hh.get_household(app_ctx.store, household_id).head_name == "Đặng Văn Vĩ"
    qtbot.waitUntil(lambda: page.head_label.text() == "Đặng Văn Vĩ")
    assert page.windowTitle() == "Hộ Đặng Văn Vĩ"
    assert sorted(member_names(page)) == ["Lê Thị Hoà", "Đặng Văn Vĩ"]
