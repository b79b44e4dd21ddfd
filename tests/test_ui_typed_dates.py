"""Dates and birth years typed on the screens as volunteers type them.

Before: ``20/12/2026`` typed into the follow-up date became another day and saved, and
``31022026`` silently became 31/12/2026 (Qt's date editor reads keys section by section);
Enter in an empty optional "Năm sinh" did nothing and said nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCalendarWidget, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import FakeClock, Team, wait_idle
from tests.test_ui_log_visit import _open, _start_new, _view, press, type_text
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.lists.follow_ups_view import FollowUpsView
from villagehelper.ui.log_visit.screen import LogVisitView
from villagehelper.ui.log_visit.service_picker import OutcomeRow
from villagehelper.ui.shell.context import AppContext

TODAY = date(2026, 11, 23)  # the FakeClock's day in Vietnam
HEAD = "Lò Văn Pấng"


@pytest.fixture
def household_id(village_team: Team) -> str:
    return hh.create_household(
        village_team.store,
        hh.HouseholdInput(village_team.village_id, HEAD),
        [hh.MemberInput(HEAD, 1960)],
    ).id


def _follow_up_row(qtbot: QtBot, ctx: AppContext) -> tuple[LogVisitView, OutcomeRow]:
    """The visit form of the household (the ``household_id`` fixture), first service
    chosen as "Hẹn lại" by keys."""
    view = _view(qtbot, ctx)
    _open(qtbot, view, ctx, "Lo Van Pang")
    first = view.services.buttons()[0]
    assert first.hasFocus()
    press(first, Qt.Key.Key_Space)
    row = view.services.row("VNEID_L1")
    assert row is not None
    qtbot.waitUntil(row.isVisible)
    row.follow_up.setFocus(Qt.FocusReason.TabFocusReason)
    press(row.follow_up, Qt.Key.Key_Space)
    assert row.follow_up.isChecked()
    return view, row


def _type_date(row: OutcomeRow, typed: str) -> QWidget:
    """Tab into the follow-up date and type ``typed`` there, as a person would."""
    row.date.setFocus(Qt.FocusReason.TabFocusReason)
    field = QApplication.focusWidget()
    assert field is not None
    QTest.keyClicks(field, typed)
    return field


def _stored_follow_ups(team: Team) -> list[date | None]:
    with allowed_here():
        return [r.follow_up_date for r in ss.list_sessions(team.store) if r.outcome == "follow_up"]


@pytest.mark.parametrize("typed", ["20/12/2026", "20/12/26", "20122026", "20/12", "20-12-2026"])
def test_a_follow_up_date_typed_as_written_on_paper_is_saved_as_that_day(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str, typed: str
) -> None:
    view, row = _follow_up_row(qtbot, app_ctx)
    field = _type_date(row, typed)
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        QTest.keyClick(field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, app_ctx)
    assert _stored_follow_ups(village_team) == [date(2026, 12, 20)]
    # Every list shows the year: a follow-up can be in another year than today.
    outcome = view.today_model.index(0, view.today_model.COLUMNS.index("outcome")).data()
    assert outcome == "Hẹn lại 20/12/2026"


def test_an_impossible_date_is_refused_at_the_field_and_nothing_is_saved(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    view, row = _follow_up_row(qtbot, app_ctx)
    field = _type_date(row, "31022026")
    QTest.keyClick(field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        assert ss.list_sessions(village_team.store) == []
    error = view.findChild(QWidget, "followUpDate_VNEID_L1Error")
    assert error is not None and error.isVisible()
    assert "31/02/2026" in error.text() and "28 ngày" in error.text()  # type: ignore[attr-defined]
    assert "31/02/2026" in view.message.text()
    assert QApplication.focusWidget() is field  # the cursor is where the fix goes
    assert view.stack.currentWidget() is view.visit_form  # nothing typed was lost

    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, "28022027")
    assert not error.isVisible()  # typing clears the message
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        QTest.keyClick(field, Qt.Key.Key_Return)  # Enter in the date saves, as in the note
    wait_idle(qtbot, app_ctx)
    assert _stored_follow_ups(village_team) == [date(2027, 2, 28)]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("20/12/2202", "xa quá"),  # what Qt's editor made of 20/12/2026
        ("22/11/2026", "đã qua"),  # yesterday
        ("2o/12/2026", "Không đọc được"),
    ],
)
@pytest.mark.usefixtures("household_id")
def test_an_implausible_or_unreadable_follow_up_is_refused_at_the_field(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, typed: str, words: str
) -> None:
    view, row = _follow_up_row(qtbot, app_ctx)
    field = _type_date(row, typed)
    press(field, Qt.Key.Key_Tab)  # leaving the field reads it
    assert words in row.date.problem()
    QTest.keyClick(view.note, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    with allowed_here():
        assert ss.list_sessions(village_team.store) == []
    assert words in view.message.text()


def test_the_field_shows_the_day_it_read_in_full(
    qtbot: QtBot, app_ctx: AppContext, household_id: str
) -> None:
    view, row = _follow_up_row(qtbot, app_ctx)
    assert view.isVisible()
    assert row.date.text() == "30/11/2026"  # a week from today to start with
    field = _type_date(row, "5/1")
    press(field, Qt.Key.Key_Tab)
    assert row.date.text() == "05/01/2027"  # 5/1 this year has passed: next January
    assert row.date.problem() == ""


# A popup on the offscreen platform (only there) cannot raise itself or grab the keyboard.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")
def test_the_calendar_picks_a_day_by_keys(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    view, row = _follow_up_row(qtbot, app_ctx)
    row.date.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(row.date, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = row.date.calendar
    assert isinstance(calendar, QCalendarWidget)
    qtbot.waitUntil(calendar.isVisible)
    # The calendar offers only the days a follow-up may have.
    assert calendar.minimumDate().toPython() == TODAY
    assert calendar.maximumDate().toPython() == date(2027, 11, 23)
    assert calendar.selectedDate().toPython() == date(2026, 11, 30)
    view_in_calendar = calendar.focusWidget() or calendar
    QTest.keyClick(view_in_calendar, Qt.Key.Key_Right)  # the day after
    QTest.keyClick(view_in_calendar, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    assert row.date.text() == "01/12/2026"
    assert row.date.hasFocus()
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        QTest.keyClick(row.date, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert _stored_follow_ups(village_team) == [date(2026, 12, 1)]


def test_a_follow_up_typed_for_next_month_is_listed_on_f5_when_due(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str, clock: FakeClock
) -> None:
    view, row = _follow_up_row(qtbot, app_ctx)
    field = _type_date(row, "20/12/2026")
    with qtbot.waitSignal(view.sig_saved, timeout=5000):
        QTest.keyClick(field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, app_ctx)

    clock.advance(days=20)  # Sunday 13/12: due within the coming week
    follow_ups = FollowUpsView(app_ctx)
    qtbot.addWidget(follow_ups)
    follow_ups.show()
    wait_idle(qtbot, app_ctx)
    assert follow_ups.model.rowCount() == 0  # due or overdue only: not yet
    follow_ups.upcoming.setChecked(True)
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: follow_ups.model.rowCount() == 1)
    due = follow_ups.model.index(0, follow_ups.model.COLUMNS.index("due")).data()
    assert due == "20/12/2026"

    clock.advance(days=7)  # 20/12: due today
    follow_ups.reload(force=True)
    wait_idle(qtbot, app_ctx)
    follow_ups.upcoming.setChecked(False)
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: follow_ups.model.rowCount() == 1)
    assert follow_ups.model.index(0, 0).data() == "Hôm nay"


# --- birth years -----------------------------------------------------------------------


def test_enter_in_an_empty_optional_birth_year_creates_the_household(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    view = _view(qtbot, app_ctx)
    _start_new(qtbot, view, "Vàng Seo Dín")
    panel = view.new_household
    panel.birth_year.setFocus(Qt.FocusReason.TabFocusReason)
    assert panel.birth_year.text() == ""
    press(panel.birth_year, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.visit_form)
    with allowed_here():
        hits = hh.find_households(village_team.store, "Vang Seo Din").hits
    assert [hit.head_name for hit in hits] == ["Vàng Seo Dín"]
    with allowed_here():
        head = hh.get_household(village_team.store, hits[0].id).members[0]
    assert (head.full_name, head.birth_year) == ("Vàng Seo Dín", None)


@pytest.mark.parametrize("typed", ["1850", "2050", "196"])
def test_a_birth_year_out_of_range_is_said_at_the_field(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, typed: str
) -> None:
    view = _view(qtbot, app_ctx)
    _start_new(qtbot, view, "Vàng Seo Dín")
    panel = view.new_household
    panel.birth_year.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClicks(panel.birth_year, typed)
    press(panel.birth_year, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    error = panel.birth_year.error
    assert error.isVisible()  # under the field, not far below
    assert "Năm sinh" in error.text()
    assert ("1900" in error.text()) or ("bốn chữ số" in error.text())
    assert panel.birth_year.hasFocus()
    assert view.stack.currentWidget() is panel
    with allowed_here():
        assert hh.find_households(village_team.store, "Vang Seo Din").hits == ()


def test_letters_cannot_be_typed_into_a_birth_year(qtbot: QtBot, app_ctx: AppContext) -> None:
    view = _view(qtbot, app_ctx)
    _start_new(qtbot, view, "Vàng Seo Dín")
    field: QLineEdit = view.new_household.birth_year
    field.setFocus()
    QTest.keyClicks(field, "19a6x5")
    assert field.text() == "1965"


def test_a_birth_year_far_off_is_refused_by_the_member_form(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    from villagehelper.ui.household.forms import EditDialog, MemberForm

    view = _view(qtbot, app_ctx)
    _open(qtbot, view, app_ctx, "Lo Van Pang")
    view.add_member()
    dialog = view.findChild(EditDialog)
    assert dialog is not None
    form = dialog.form
    assert isinstance(form, MemberForm)
    type_text(form.name_edit, "Lò Thị Ả")
    QTest.keyClicks(form.birth_year_edit, "2027")  # next year
    QTest.keyClick(form.birth_year_edit, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert "2027" in form.error_text("birth_year") and "2026" in form.error_text("birth_year")
    assert dialog.isVisible()
    with allowed_here():
        assert len(hh.get_household(village_team.store, household_id).members) == 1


def test_another_day_for_a_follow_up_on_f5_must_be_one_that_exists(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, household_id: str
) -> None:
    from tests.test_ui_lists import _not_done_dialog, follow_ups_view

    with allowed_here():
        ss.log_visit(
            village_team.store,
            ss.VisitInput(
                household_id,
                village_team.member_id,
                (ss.ServiceOutcome("VNEID_L1", "follow_up", TODAY),),
            ),
        )
    view = follow_ups_view(qtbot, app_ctx)
    wait_idle(qtbot, app_ctx)
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Down)
    assert view.current_follow_up() is not None
    dialog = _not_done_dialog(qtbot, view)
    dialog.later.setChecked(True)
    dialog.new_date.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(dialog.new_date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(dialog.new_date, "31/02/2027")
    QTest.keyClick(dialog.new_date, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert dialog.isVisible()
    assert "31/02/2027" in dialog.new_date.problem()
    assert dialog.new_date.error.isVisible()
    with allowed_here():
        assert len(ss.list_sessions(village_team.store)) == 1  # nothing more logged

    QTest.keyClick(dialog.new_date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(dialog.new_date, "28/02/2027")
    with qtbot.waitSignal(view.model.sig_loaded, timeout=5000):
        QTest.keyClick(dialog.new_date, Qt.Key.Key_Return)
    with allowed_here():
        newest = ss.list_sessions(village_team.store)[0]
    assert (newest.outcome, newest.follow_up_date) == ("follow_up", date(2027, 2, 28))
