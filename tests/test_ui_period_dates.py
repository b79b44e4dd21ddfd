"""Report periods and the day of a session, typed as volunteers write dates on paper.

Before: Qt's date editor read keys section by section.  On 23/11/2026, ``20/12/2026``
typed as the start of a period became 20/11/1220 on screen (20/11 underneath),
``5/1/2027`` and ``20/12/26`` became 01/01/2000 and ``31022026`` became 28/02/2026 — the
list and the tally then showed another period without a word.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCalendarWidget, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from tests.test_ui_implausible import held_back as held_back
from tests.test_ui_implausible import loopback as loopback
from tests.test_ui_lists import sessions_view
from tests.test_ui_tally import shown, tally_view, vn
from villagehelper.clock import to_vietnam
from villagehelper.ops import households as hh
from villagehelper.ops import implausible
from villagehelper.ops import sessions as ss
from villagehelper.ops.lists import Period
from villagehelper.ops.quarantined import FaultyRow
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.lists.sessions_view import SessionsView
from villagehelper.ui.review.faulty_page import FaultyModel, FaultyPage
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow
from villagehelper.ui.tally.period import PeriodMode
from villagehelper.ui.tally.view import TallyView
from villagehelper.ui.widgets.date_edit import TypedDateEdit
from villagehelper.ui.widgets.fields import list_table

TODAY = date(2026, 11, 23)  # the FakeClock's day in Vietnam
VISIT_DAYS = (date(2026, 10, 19), date(2026, 10, 20), date(2026, 11, 16))

# (typed start, typed end, the end they mean): every form the README lists, the
# separators - and . too; the start always means 20/10/2026.
PERIODS = [
    ("20/10/2026", "20/12/2026", date(2026, 12, 20)),
    ("20/10/26", "20/12/26", date(2026, 12, 20)),
    ("20102026", "20122026", date(2026, 12, 20)),
    ("20/10", "20/12", date(2026, 12, 20)),
    ("20-10-2026", "5-1-2027", date(2027, 1, 5)),
    ("20.10.2026", "5.1.2027", date(2027, 1, 5)),
    ("20/10/2026", "5/1/2027", date(2027, 1, 5)),
]


@pytest.fixture
def visits(village_team: Team) -> None:
    """One visit on each of :data:`VISIT_DAYS`."""
    home = hh.create_household(
        village_team.store, hh.HouseholdInput(village_team.village_id, "Lò Văn Pấng")
    ).id
    for day in VISIT_DAYS:
        outcome = ss.ServiceOutcome("VNEID_L1")
        visit = ss.VisitInput(home, village_team.member_id, [outcome], occurred_at=vn(day))
        ss.log_visit(village_team.store, visit)


def type_into(field: QLineEdit, typed: str, *, enter: bool = True) -> None:
    """Tab into ``field`` (its day is selected), type ``typed`` and press Enter."""
    field.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(field, Qt.Key.Key_Delete)
    QTest.keyClicks(field, typed)
    if enter:
        QTest.keyClick(field, Qt.Key.Key_Return)


def error_at(view: QWidget, name: str) -> str:
    """The message said under the field ``name`` ("" when none is shown)."""
    label = view.findChild(QLabel, f"{name}Error")
    return label.text() if label is not None and label.isVisibleTo(view) else ""


# --- F3: the sessions list's custom period -------------------------------------------


def _sessions_view(qtbot: QtBot, ctx: AppContext) -> SessionsView:
    """The sessions list (F3) on "Tùy chọn…" (a custom period)."""
    view = sessions_view(qtbot, ctx)
    combo = view.period.combo
    combo.setCurrentIndex(combo.findData(Period.CUSTOM.value))
    wait_idle(qtbot, ctx)
    return view


def _listed_days(view: SessionsView) -> list[date]:
    rows = (view.model.session(row) for row in range(view.model.rowCount()))
    return sorted(row.occurred_at.date() for row in rows if row is not None)


@pytest.mark.usefixtures("visits")
@pytest.mark.parametrize(("start_typed", "end_typed", "end"), PERIODS)
def test_a_period_typed_as_on_paper_filters_the_sessions_list(
    qtbot: QtBot, app_ctx: AppContext, start_typed: str, end_typed: str, end: date
) -> None:
    view = _sessions_view(qtbot, app_ctx)
    type_into(view.period.start, start_typed)
    type_into(view.period.end, end_typed)
    wait_idle(qtbot, app_ctx)
    start = date(2026, 10, 20)
    assert view.period.days() == (start, end)
    assert (view.period.start.text(), view.period.end.text()) == (
        "20/10/2026",
        f"{end:%d/%m/%Y}",
    )
    with allowed_here():
        expected = ss.count_sessions(app_ctx.store, ss.SessionFilter(start=start, end=end))
    assert expected == 2  # 19/10 is left out
    qtbot.waitUntil(lambda: view.model.rowCount() == expected, timeout=5000)
    assert _listed_days(view) == [date(2026, 10, 20), date(2026, 11, 16)]


@pytest.mark.usefixtures("visits")
@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("31022026", "Không có ngày 31/02/2026"),
        ("31/02/2026", "chỉ có 28 ngày"),
        ("20/12/2062", "xa quá"),
        ("2o/10/2026", "Không đọc được"),
    ],
)
def test_an_impossible_period_day_is_said_at_the_field_and_the_list_keeps_its_period(
    qtbot: QtBot, app_ctx: AppContext, typed: str, words: str
) -> None:
    view = _sessions_view(qtbot, app_ctx)
    before = view.period.days()
    assert before == (date(2026, 11, 1), date(2026, 11, 30))  # "Tùy chọn" starts as this month
    rows = view.model.rowCount()
    type_into(view.period.start, typed)
    wait_idle(qtbot, app_ctx)
    assert words in error_at(view, "periodFrom")
    assert view.period.start.text() == typed  # nothing typed is lost
    assert view.period.days() == before
    assert view.model.rowCount() == rows == 1

    type_into(view.period.start, "20/10/2026")
    wait_idle(qtbot, app_ctx)
    assert error_at(view, "periodFrom") == ""
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=5000)


@pytest.mark.usefixtures("visits")
def test_all_shows_dashes_and_an_emptied_start_means_from_the_beginning(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    view = _sessions_view(qtbot, app_ctx)
    type_into(view.period.end, "16/11/2026")
    type_into(view.period.start, "")
    wait_idle(qtbot, app_ctx)
    assert view.period.start.text() == "—"
    assert error_at(view, "periodFrom") == ""
    qtbot.waitUntil(lambda: view.model.rowCount() == len(VISIT_DAYS), timeout=5000)

    combo = view.period.combo
    combo.setCurrentIndex(combo.findData(Period.ALL.value))
    wait_idle(qtbot, app_ctx)
    assert (view.period.start.text(), view.period.end.text()) == ("—", "—")
    assert view.period.days() == (None, None)


# --- F7: the tally's report period -----------------------------------------------------


def _tally(qtbot: QtBot, ctx: AppContext, mode: PeriodMode) -> TallyView:
    return tally_view(qtbot, ctx, mode)


@pytest.mark.usefixtures("visits")
@pytest.mark.parametrize(
    "typed", ["20/10/2026", "20/10/26", "20102026", "20/10", "20-10-2026", "20.10.2026"]
)
def test_a_day_typed_as_on_paper_picks_its_week_in_the_tally(
    qtbot: QtBot, app_ctx: AppContext, typed: str
) -> None:
    view = _tally(qtbot, app_ctx, PeriodMode.WEEK)
    with qtbot.waitSignal(view.sig_loaded, timeout=10_000):
        type_into(view.period.start, typed)
    assert view.period.summary.text() == "Tuần 43/2026: 19/10/2026 – 25/10/2026"
    assert shown(view)["total"]["sessions"] == 2  # 19/10 and 20/10


@pytest.mark.usefixtures("visits")
def test_a_day_next_year_picks_its_week_and_its_month(qtbot: QtBot, app_ctx: AppContext) -> None:
    view = _tally(qtbot, app_ctx, PeriodMode.WEEK)
    type_into(view.period.start, "5/1/2027")
    wait_idle(qtbot, app_ctx)
    assert view.period.summary.text() == "Tuần 1/2027: 04/01/2027 – 10/01/2027"
    view.period.set_mode(PeriodMode.MONTH)
    type_into(view.period.start, "20/12/26")
    wait_idle(qtbot, app_ctx)
    assert view.period.summary.text() == "Tháng 12/2026: 01/12/2026 – 31/12/2026"


@pytest.mark.usefixtures("visits")
@pytest.mark.parametrize(("start_typed", "end_typed", "end"), PERIODS)
def test_a_custom_period_typed_as_on_paper_is_the_tallys_period(
    qtbot: QtBot, app_ctx: AppContext, start_typed: str, end_typed: str, end: date
) -> None:
    view = _tally(qtbot, app_ctx, PeriodMode.CUSTOM)
    type_into(view.period.end, end_typed)
    type_into(view.period.start, start_typed)
    wait_idle(qtbot, app_ctx)
    days = (end - date(2026, 10, 20)).days + 1
    assert view.period.summary.text() == f"{days} ngày: 20/10/2026 – {end:%d/%m/%Y}"
    assert shown(view)["total"]["sessions"] == 2  # 20/10 and 16/11


@pytest.mark.usefixtures("visits")
@pytest.mark.parametrize(
    ("typed", "words"),
    [("31022026", "Không có ngày 31/02/2026"), ("20/12/2062", "xa quá"), ("", "Chưa nhập ngày")],
)
def test_an_impossible_day_is_said_at_the_tallys_field_and_the_period_stays(
    qtbot: QtBot, app_ctx: AppContext, typed: str, words: str
) -> None:
    view = _tally(qtbot, app_ctx, PeriodMode.WEEK)
    before = view.period.summary.text()
    assert before == "Tuần 48/2026: 23/11/2026 – 29/11/2026"
    type_into(view.period.start, typed)
    wait_idle(qtbot, app_ctx)
    assert words in error_at(view, "tallyPeriodFrom")
    assert view.period.start.text() == typed
    assert view.period.summary.text() == before
    assert shown(view)["total"]["sessions"] == 0

    with qtbot.waitSignal(view.sig_loaded, timeout=10_000):
        type_into(view.period.start, "16/11/2026")
    assert error_at(view, "tallyPeriodFrom") == ""
    assert view.period.summary.text() == "Tuần 47/2026: 16/11/2026 – 22/11/2026"
    assert shown(view)["total"]["sessions"] == 1


def _calendar_by_keys(qtbot: QtBot, field: TypedDateEdit) -> QCalendarWidget:
    """Alt+↓ in ``field``: its calendar, open."""
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert field.calendar is not None
    qtbot.waitUntil(field.calendar.isVisible)
    return field.calendar


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")
def test_the_calendar_still_picks_a_day(qtbot: QtBot, app_ctx: AppContext) -> None:
    view = _tally(qtbot, app_ctx, PeriodMode.WEEK)
    calendar = _calendar_by_keys(qtbot, view.period.start)
    # The calendar offers the days a report period may have.
    assert (calendar.minimumDate().toPython(), calendar.maximumDate().toPython()) == (
        date(2000, 1, 1),
        date(2027, 11, 23),
    )
    for key in (Qt.Key.Key_Up, Qt.Key.Key_Return):  # a week earlier, chosen
        QTest.keyClick(calendar.focusWidget() or calendar, key)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    wait_idle(qtbot, app_ctx)
    assert view.period.summary.text() == "Tuần 47/2026: 16/11/2026 – 22/11/2026"


# --- the day a held-back session really took place -------------------------------------


def test_the_right_day_of_a_held_back_session_is_typed_as_on_paper(
    qtbot: QtBot, app_ctx: AppContext, held_back: MainWindow
) -> None:
    page = held_back.review_conflicts().implausible
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    for typed, words in (
        ("31022026", "Không có ngày 31/02/2026"),
        ("20/12/2026", "chưa tới"),  # a session cannot have taken place in the future
        ("20/12/2024", "trước khi có ứng dụng"),
    ):
        type_into(page.day, typed, enter=False)
        page.correct.click()
        wait_idle(qtbot, app_ctx)
        assert words in error_at(page, "implausibleDay")
        assert page.day.text() == typed
        assert page.model.rowCount() == 1
        with allowed_here():
            assert implausible.count_implausible(app_ctx.store) == 1

    type_into(page.day, "22/11/26", enter=False)
    with qtbot.waitSignal(page.sig_corrected, timeout=10_000):
        page.correct.click()
    assert error_at(page, "implausibleDay") == ""
    with allowed_here():
        assert implausible.count_implausible(app_ctx.store) == 0
    with allowed_here():
        live = ss.list_sessions(app_ctx.store)
    assert [to_vietnam(row.occurred_at).date() for row in live] == [date(2026, 11, 22)]


# --- the day a faulty session is logged again ------------------------------------------


def test_the_day_a_faulty_session_is_logged_again_is_typed_as_on_paper(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    model = FaultyModel("vi")
    host = QWidget()
    qtbot.addWidget(host)
    table = list_table(host, "faultyTable")
    table.setModel(model)  # as the review dialog does
    page = FaultyPage(app_ctx, model, table, host)
    page.set_rows([FaultyRow("help_session", "faulty-1", 1, "unknown_outcome", None, "")])
    host.show()
    assert page.day.text() == "23/11/2026"  # today, to start with
    assert page.message.text() == ""  # not "no faulty rows left" while one is listed
    for typed, words in (
        ("31022026", "Không có ngày 31/02/2026"),
        ("20/12/2026", "chưa tới"),
        ("5/1/2024", "trước khi có ứng dụng"),
    ):
        type_into(page.day, typed, enter=False)
        page.log_again.click()
        wait_idle(qtbot, app_ctx)
        assert words in error_at(page, "faultyDay")
        assert page.message.text() == ""  # nothing was asked of the database
        assert page.day.text() == typed

    type_into(page.day, "22/11/26", enter=False)
    assert page.day.settled()
    assert page.day.text() == "22/11/2026"
    assert to_vietnam(page.moment()).date() == date(2026, 11, 22)
