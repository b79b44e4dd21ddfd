"""The three list screens driven like a team member would, on a demo commune.

Expected answers come from the core operations (``list_sessions``, ``count_sessions``,
``follow_ups``…) or from Python over their rows, never from the view's own query.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QBrush, QFont
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import FakeClock, wait_idle
from villagehelper.clock import to_vietnam, vietnam_today
from villagehelper.demo.generate import generate_demo
from villagehelper.ops import sessions as ss
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.ops.lists.date_presets import DateRangePreset
from villagehelper.ops.lists.households import count_households
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import (
    FollowUp,
    FollowUpStatus,
    SessionRow,
    count_sessions,
    follow_ups,
    list_sessions,
)
from villagehelper.ops.team import add_team_member, list_services, list_team_members
from villagehelper.paths import DATABASE_FILE
from villagehelper.preferences import Preferences
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import open_store
from villagehelper.store.kinds import Outcome
from villagehelper.store.thread_guard import allowed_here
from villagehelper.text import name_sort_key, search_key
from villagehelper.ui.lists.follow_ups_view import FollowUpsView, NotDoneDialog
from villagehelper.ui.lists.households_view import HouseholdsView
from villagehelper.ui.lists.session_model import BLOCK_SIZE, HOUSEHOLD_ID_ROLE, PLACEHOLDER
from villagehelper.ui.lists.sessions_view import SessionsView
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker

TODAY = date(2026, 11, 23)  # conftest START: Monday 23/11/2026, 14:00 in Vietnam
SESSIONS = 5_000


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo commune generated once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("lists-ui-demo")
    store = open_store(folder, clock=FakeClock())
    generate_demo(store, households=1_500, sessions=SESSIONS)
    store.close()
    return folder / DATABASE_FILE


def _context(template: Path, folder: Path, *, volunteer: bool = True) -> Iterator[AppContext]:
    folder.mkdir()
    shutil.copy(template, folder / DATABASE_FILE)
    store = open_store(folder, clock=FakeClock())
    with allowed_here():
        volunteer_id = list_team_members(store)[0].id if volunteer else None
    executor = Worker()
    yield AppContext(store, executor, Preferences(volunteer_id=volunteer_id))
    executor.shutdown()
    store.close()


@pytest.fixture
def ctx(demo_template: Path, tmp_path: Path, qapp: object) -> Iterator[AppContext]:
    yield from _context(demo_template, tmp_path / "data")


@pytest.fixture
def ctx_nobody_logging(demo_template: Path, tmp_path: Path, qapp: object) -> Iterator[AppContext]:
    yield from _context(demo_template, tmp_path / "data", volunteer=False)


def type_text(widget: QWidget, text: str) -> None:
    """Type character by character; non-ASCII through sendKeyEvent (keyClicks aborts)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def _show(qtbot: QtBot, view: QWidget) -> None:
    qtbot.addWidget(view)
    view.resize(1366, 700)
    loaded = view.model.sig_loaded  # type: ignore[attr-defined]
    with qtbot.waitSignal(loaded, timeout=10_000):
        view.show()


def sessions_view(qtbot: QtBot, ctx: AppContext) -> SessionsView:
    view = SessionsView(ctx)
    _show(qtbot, view)
    return view


def _live_rows(ctx: AppContext, flt: SessionFilter | None = None) -> list[SessionRow]:
    with allowed_here():
        return list_sessions(ctx.store, flt or SessionFilter())


def _loaded_rows(view: SessionsView) -> list[SessionRow]:
    rows = (view.model.session(row) for row in range(view.model.rowCount()))
    return [row for row in rows if row is not None]


# --- the virtual sessions model -----------------------------------------------------


def test_sessions_open_newest_first_with_count_and_vietnamese_columns(
    qtbot: QtBot, ctx: AppContext
) -> None:
    view = sessions_view(qtbot, ctx)
    expected = _live_rows(ctx)
    model = view.model
    with allowed_here():
        assert model.rowCount() == len(expected) == count_sessions(ctx.store)
    assert view.count_label.text() == f"{len(expected):,} lượt hỗ trợ".replace(",", ".")
    assert model.loaded_blocks() == {0}
    first = expected[0]
    texts = [model.index(0, c).data() for c in range(model.columnCount())]
    assert texts[0] == to_vietnam(first.occurred_at).strftime("%d/%m/%Y %H:%M")
    assert texts[1:5] == [
        first.head_name,
        first.village_name,
        first.member_name or "",
        first.service_label,
    ]
    assert texts[6] == first.volunteer_name
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert titles == [
        "Thời gian",
        "Chủ hộ",
        "Thôn",
        "Người được hỗ trợ",
        "Loại hỗ trợ",
        "Kết quả",
        "Người ghi",
    ]
    outcomes = {row.outcome: row for row in expected[:BLOCK_SIZE]}
    for number, row in enumerate(expected[:BLOCK_SIZE]):
        shown = model.index(number, 5).data()
        if row.outcome == Outcome.DONE:
            assert shown == "Thành công"
        elif row.outcome == Outcome.FOLLOW_UP:
            assert row.follow_up_date is not None
            assert shown == f"Hẹn lại {row.follow_up_date:%d/%m/%Y}"  # the year too
        else:
            assert shown == f"Chưa thành công: {row.failure_reason}"
    assert Outcome.FOLLOW_UP in outcomes


def test_scrolling_to_the_end_loads_only_the_blocks_looked_at(
    qtbot: QtBot, ctx: AppContext, qtmodeltester: object
) -> None:
    view = sessions_view(qtbot, ctx)
    model = view.model
    total = model.rowCount()
    assert total > 20 * BLOCK_SIZE
    assert model.loaded_blocks() == {0}
    assert model.index(3 * BLOCK_SIZE, 0).data() == PLACEHOLDER  # not loaded yet…
    qtbot.waitUntil(lambda: model.is_loaded(3 * BLOCK_SIZE))  # …so it was asked for
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: model.is_loaded(total - 1), timeout=10_000)
    wait_idle(qtbot, ctx)
    blocks = model.loaded_blocks()
    assert len(blocks) <= 5, blocks  # 0, 3 and the end: nothing in between was read
    assert (total - 1) // BLOCK_SIZE in blocks
    oldest = _live_rows(ctx)[-1]
    last = model.session(total - 1)
    assert last is not None and last.id == oldest.id
    assert model.index(total - 1, 1).data() == oldest.head_name
    assert view.table.currentIndex().row() == total - 1
    qtmodeltester.check(model)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("period", "days"),
    [
        (DateRangePreset.TODAY, (TODAY, TODAY)),
        (DateRangePreset.THIS_WEEK, (date(2026, 11, 23), date(2026, 11, 29))),
        (DateRangePreset.LAST_WEEK, (date(2026, 11, 16), date(2026, 11, 22))),
        (DateRangePreset.THIS_MONTH, (date(2026, 11, 1), date(2026, 11, 30))),
    ],
)
def test_period_presets_narrow_the_list(
    qtbot: QtBot, ctx: AppContext, period: DateRangePreset, days: tuple[date, date]
) -> None:
    # The demo's year ends yesterday: today's visits are logged here.
    households = {r.household_id for r in _live_rows(ctx)[:10]}
    assert ctx.volunteer_id is not None
    for household in households:
        visit = VisitInput(household, ctx.volunteer_id, [ServiceOutcome("VSSID")])
        with allowed_here():
            ss.log_visit(ctx.store, visit)
    view = sessions_view(qtbot, ctx)
    everything = view.model.rowCount()
    combo = view.period.combo
    with qtbot.waitSignal(view.model.sig_loaded):
        combo.setCurrentIndex(combo.findData(period.value))
    expected = _live_rows(ctx, SessionFilter(start=days[0], end=days[1]))
    assert 0 < view.model.rowCount() == len(expected) < everything
    assert [r.id for r in _loaded_rows(view)] == [r.id for r in expected][:BLOCK_SIZE]
    for row in _loaded_rows(view):
        assert days[0] <= to_vietnam(row.occurred_at).date() <= days[1]
    assert view.period.start.date().toString("dd/MM/yyyy") == f"{days[0]:%d/%m/%Y}"
    assert not view.period.start.isEnabled()


def test_custom_range_typed_in_the_date_fields(qtbot: QtBot, ctx: AppContext) -> None:
    view = sessions_view(qtbot, ctx)
    combo = view.period.combo
    with qtbot.waitSignal(view.model.sig_loaded):
        combo.setCurrentIndex(combo.findData(DateRangePreset.CUSTOM.value))
    assert view.period.start.isEnabled()
    for edit, text in ((view.period.start, "01092026"), (view.period.end, "15092026")):
        edit.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab does: the day is selected
        with qtbot.waitSignal(view.model.sig_loaded, timeout=5000):
            QTest.keyClicks(edit, text)
            QTest.keyClick(edit, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    with allowed_here():
        expected = count_sessions(
            ctx.store, SessionFilter(start=date(2026, 9, 1), end=date(2026, 9, 15))
        )
    assert view.period.days() == (date(2026, 9, 1), date(2026, 9, 15))
    assert view.model.rowCount() == expected > 0


def test_each_filter_narrows_like_count_sessions(qtbot: QtBot, ctx: AppContext) -> None:
    view = sessions_view(qtbot, ctx)
    wait_idle(qtbot, ctx)  # the filter choices are in
    everything = view.model.rowCount()
    cases = [
        (view.village, "village_id"),
        (view.service, "service_code"),
        (view.volunteer, "volunteer_id"),
        (view.outcome, "outcome"),
    ]
    for combo, field in cases:
        assert combo.count() > 2, field
        with qtbot.waitSignal(view.model.sig_loaded):
            combo.setCurrentIndex(2)
        value = combo.current_id()
        flt = SessionFilter(**{field: value})  # type: ignore[arg-type]
        expected = _live_rows(ctx, flt)
        assert 0 < view.model.rowCount() == len(expected) < everything, field
        assert [r.id for r in _loaded_rows(view)] == [r.id for r in expected][:BLOCK_SIZE]
        with qtbot.waitSignal(view.model.sig_loaded):
            combo.setCurrentIndex(0)
    with qtbot.waitSignal(view.model.sig_loaded):
        view.outcome.select_id(Outcome.FAILED)
    with qtbot.waitSignal(view.model.sig_loaded):
        view.village.setCurrentIndex(1)
    both = SessionFilter(outcome=Outcome.FAILED, village_id=view.village.current_id())
    with allowed_here():
        assert view.model.rowCount() == count_sessions(ctx.store, both)
    assert view.model.rowCount() == 0 or all(
        r.outcome == Outcome.FAILED for r in _loaded_rows(view)
    )


def test_voided_sessions_hidden_unless_asked_then_greyed(qtbot: QtBot, ctx: AppContext) -> None:
    view = sessions_view(qtbot, ctx)
    assert not any(r.voided for r in _loaded_rows(view))
    newest = view.model.session(0)
    assert newest is not None and ctx.volunteer_id is not None
    before = view.model.rowCount()
    with allowed_here():
        voided = ss.void_session(ctx.store, newest.id, ctx.volunteer_id, "Ghi nhầm")
    with qtbot.waitSignal(view.model.sig_loaded):
        ctx.hub.sig_changed.emit(voided)
    assert view.model.rowCount() == before - 1
    assert newest.id not in {r.id for r in _loaded_rows(view)}
    with qtbot.waitSignal(view.model.sig_loaded):
        QTest.keyClick(view.show_voided, Qt.Key.Key_Space)
    with allowed_here():
        expected = count_sessions(ctx.store, SessionFilter(include_voided=True))
    assert view.model.rowCount() == expected > before
    shown = view.model.session(0)
    assert shown is not None and shown.id == newest.id and shown.voided
    cell = view.model.index(0, 1)
    font = cell.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.strikeOut()
    assert isinstance(cell.data(Qt.ItemDataRole.ForegroundRole), QBrush)
    assert "đã hủy" in cell.data(Qt.ItemDataRole.ToolTipRole)


def _click_header(qtbot: QtBot, view: SessionsView | HouseholdsView, column: int) -> None:
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(x, header.height() // 2),
    )


def test_sorting_by_household_head_in_vietnamese_order(qtbot: QtBot, ctx: AppContext) -> None:
    view = sessions_view(qtbot, ctx)
    header = view.table.horizontalHeader()

    def expected(descending: bool) -> list[str]:
        rows = sorted(_live_rows(ctx), key=lambda r: r.id)
        rows.sort(key=lambda r: r.occurred_at, reverse=True)
        # Stable: one head's sessions stay newest first, then by id.
        rows.sort(key=lambda r: name_sort_key(r.head_name), reverse=descending)
        return [r.id for r in rows[:BLOCK_SIZE]]

    orders = []
    for _click in range(2):  # one way, then the other
        with qtbot.waitSignal(view.model.sig_loaded, timeout=10_000):
            _click_header(qtbot, view, 1)
        assert header.sortIndicatorSection() == 1
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        assert [r.id for r in _loaded_rows(view)] == expected(descending)
        orders.append(descending)
    assert orders == [False, True]  # A→Z (Vietnamese order) first, then Z→A
    first = view.model.session(0)
    assert first is not None
    assert view.model.index(0, 1).data() == first.head_name


def test_sorting_by_outcome_and_the_member_column_has_no_order(
    qtbot: QtBot, ctx: AppContext
) -> None:
    view = sessions_view(qtbot, ctx)
    with qtbot.waitSignal(view.model.sig_loaded, timeout=10_000):
        view.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
    ranks = [["done", "follow_up", "failed"].index(r.outcome) for r in _loaded_rows(view)]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == 2
    with qtbot.assertNotEmitted(view.model.sig_loaded, wait=300):
        _click_header(qtbot, view, 3)
    header = view.table.horizontalHeader()
    assert header.sortIndicatorSection() == 5


@pytest.mark.parametrize("typed", ["nguyen thi", "Nguyễn Thị"])
def test_search_by_head_name_ignores_diacritics(qtbot: QtBot, ctx: AppContext, typed: str) -> None:
    view = sessions_view(qtbot, ctx)
    view.search.setFocus()
    with qtbot.waitSignal(view.model.sig_loaded, timeout=5000):
        type_text(view.search, typed)
    expected = [
        r
        for r in _live_rows(ctx)
        if "nguyen" in search_key(r.head_name) and "thi" in search_key(r.head_name)
    ]
    assert 0 < view.model.rowCount() == len(expected)
    assert [r.id for r in _loaded_rows(view)] == [r.id for r in expected][:BLOCK_SIZE]
    assert view.count_label.text().endswith("lượt hỗ trợ")
    with qtbot.waitSignal(view.model.sig_loaded, timeout=5000):
        QTest.keyClick(view.search, Qt.Key.Key_Escape)  # Esc empties the box
    with allowed_here():
        assert view.model.rowCount() == count_sessions(ctx.store)


def test_enter_and_double_click_open_the_household(qtbot: QtBot, ctx: AppContext) -> None:
    view = sessions_view(qtbot, ctx)
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Down)
    QTest.keyClick(view.table, Qt.Key.Key_Down)
    row = view.table.currentIndex().row()
    session = view.model.session(row)
    assert session is not None
    with qtbot.waitSignal(view.sig_open_household) as opened:
        QTest.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [session.household_id]
    rect = view.table.visualRect(view.model.index(4, 1))
    # A double-click is a click and a second press: item views open what was pressed.
    QTest.mouseClick(
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )
    with qtbot.waitSignal(view.sig_open_household) as opened:
        QTest.mouseDClick(
            view.table.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            rect.center(),
        )
    assert opened.args == [view.model.index(4, 0).data(HOUSEHOLD_ID_ROLE)]


def test_an_announced_visit_refreshes_the_list_and_only_when_shown(
    qtbot: QtBot, ctx: AppContext
) -> None:
    view = sessions_view(qtbot, ctx)
    before = view.model.rowCount()
    household = view.model.session(0)
    assert household is not None and ctx.volunteer_id is not None
    visit = VisitInput(
        household.household_id, ctx.volunteer_id, [ServiceOutcome("DIGITAL_SIGNATURE")]
    )
    with allowed_here():
        logged = ss.log_visit(ctx.store, visit)
    with qtbot.waitSignal(view.model.sig_loaded):
        ctx.hub.sig_changed.emit(logged.changes)
    assert view.model.rowCount() == before + 1
    newest = view.model.session(0)
    assert newest is not None and newest.service_code == "DIGITAL_SIGNATURE"
    assert view.count_label.text() == f"{before + 1:,} lượt hỗ trợ".replace(",", ".")

    view.hide()  # in another tab: remember, read when shown again
    with allowed_here():
        logged = ss.log_visit(ctx.store, visit)
    with qtbot.assertNotEmitted(view.model.sig_loaded, wait=300):
        ctx.hub.sig_changed.emit(logged.changes)
    with qtbot.waitSignal(view.model.sig_loaded):
        view.show()
    assert view.model.rowCount() == before + 2


def test_sessions_model_passes_the_model_tester(
    qtbot: QtBot, ctx: AppContext, qtmodeltester: object
) -> None:
    view = sessions_view(qtbot, ctx)
    scroll_bar = view.table.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll_bar.maximum() > 0)  # the table laid out its rows
    scroll_bar.setValue(2 * BLOCK_SIZE - 5)  # rows of blocks 1 and 2 on screen
    qtbot.waitUntil(lambda: view.model.is_loaded(2 * BLOCK_SIZE + 5))
    qtbot.waitUntil(lambda: view.model.is_loaded(2 * BLOCK_SIZE - 5))
    assert view.model.loaded_blocks() == {0, 1, 2}
    qtmodeltester.check(view.model)  # type: ignore[attr-defined]


# --- households ---------------------------------------------------------------------


def households_view(qtbot: QtBot, ctx: AppContext) -> HouseholdsView:
    view = HouseholdsView(ctx)
    _show(qtbot, view)
    return view


def test_households_list_with_last_visit_services_and_masked_phone(
    qtbot: QtBot, ctx: AppContext, qtmodeltester: object
) -> None:
    view = households_view(qtbot, ctx)
    model = view.model
    with allowed_here():
        assert model.rowCount() == count_households(ctx.store) == 1_500
    assert view.count_label.text() == "1.500 hộ gia đình"
    heads = [name_sort_key(h.head_name) for n in range(BLOCK_SIZE) if (h := model.household(n))]
    assert heads == sorted(heads)
    sessions = _live_rows(ctx)
    with allowed_here():
        names = {service.code: service.label_vi for service in list_services(ctx.store)}
    for number in range(BLOCK_SIZE):
        household = model.household(number)
        assert household is not None
        mine = [s for s in sessions if s.household_id == household.id]
        last = max((s.occurred_at for s in mine), default=None)
        expected_last = f"{to_vietnam(last):%d/%m/%Y}" if last else "chưa có"
        assert model.index(number, 4).data() == expected_last
        done = {names[s.service_code] for s in mine if s.outcome == Outcome.DONE}
        # Service names, not the catalog's codes (VNEID_L1…).
        assert set(filter(None, model.index(number, 5).data().split("; "))) == done
        phone = model.index(number, 3).data()
        if household.phone:
            assert phone.endswith(household.phone[-3:]) and household.phone not in phone
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_households_search_without_diacritics_and_village_filter(
    qtbot: QtBot, ctx: AppContext
) -> None:
    view = households_view(qtbot, ctx)
    wait_idle(qtbot, ctx)
    view.search.setFocus()
    with qtbot.waitSignal(view.model.sig_loaded, timeout=5000):
        QTest.keyClicks(view.search, "tran thi")
    with allowed_here():
        assert 0 < view.model.rowCount() == count_households(ctx.store, "Trần Thị")
    with qtbot.waitSignal(view.model.sig_loaded):
        view.village.setCurrentIndex(1)
    village = view.village.current_id()
    with allowed_here():
        assert view.model.rowCount() == count_households(ctx.store, "tran thi", village)
    for number in range(view.model.rowCount()):
        household = view.model.household(number)
        assert household is not None and household.village_id == village
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Down)
    first = view.model.household(view.table.currentIndex().row())
    assert first is not None
    with qtbot.waitSignal(view.sig_open_household) as opened:
        QTest.keyClick(view.table, Qt.Key.Key_Enter)
    assert opened.args == [first.id]


def test_households_sort_by_last_visit(qtbot: QtBot, ctx: AppContext) -> None:
    view = households_view(qtbot, ctx)
    with qtbot.waitSignal(view.model.sig_loaded, timeout=10_000):
        view.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    visits = [h.last_visit for n in range(BLOCK_SIZE) if (h := view.model.household(n))]
    assert all(visits) and visits == sorted(visits, reverse=True)  # type: ignore[type-var]
    assert visits[0] == max(to_vietnam(s.occurred_at).date() for s in _live_rows(ctx))


def test_households_reload_on_household_changes_only(qtbot: QtBot, ctx: AppContext) -> None:
    view = households_view(qtbot, ctx)
    with qtbot.assertNotEmitted(view.model.sig_loaded, wait=300):
        # A new team member changes no household row.
        changes = Changes()
        with allowed_here():
            add_team_member(ctx.store, "Đinh Thị Lụa", changes=changes)
        ctx.hub.sig_changed.emit(changes)
    household = view.model.household(0)
    assert household is not None and ctx.volunteer_id is not None
    visit = VisitInput(household.id, ctx.volunteer_id, [ServiceOutcome("OTHER")])
    with allowed_here():
        logged = ss.log_visit(ctx.store, visit)
    with qtbot.waitSignal(view.model.sig_loaded):
        ctx.hub.sig_changed.emit(logged.changes)
    refreshed = view.model.household(0)
    assert refreshed is not None and "OTHER" in refreshed.services_done
    assert refreshed.last_visit == vietnam_today(ctx.store.now())


# --- follow-ups ---------------------------------------------------------------------


def follow_ups_view(qtbot: QtBot, ctx: AppContext) -> FollowUpsView:
    view = FollowUpsView(ctx)
    _show(qtbot, view)
    _activate(view)  # its shortcuts work in the active window
    return view


def _activate(window: QWidget) -> None:
    # The offscreen platform does not activate new windows as a desktop would.
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)


def test_follow_ups_overdue_first_and_highlighted(
    qtbot: QtBot, ctx: AppContext, qtmodeltester: object
) -> None:
    view = follow_ups_view(qtbot, ctx)
    with allowed_here():
        expected = follow_ups(ctx.store)
    model = view.model
    assert model.rowCount() == len(expected) > 0
    assert [model.follow_up(n) for n in range(min(len(expected), BLOCK_SIZE))] == expected[
        :BLOCK_SIZE
    ]
    first = expected[0]
    assert first.status == FollowUpStatus.OVERDUE
    due = first.session.follow_up_date
    assert due is not None
    assert model.index(0, 0).data() == f"Quá hạn {(TODAY - due).days} ngày"
    assert model.index(0, 1).data() == f"{due:%d/%m/%Y}"
    assert model.index(0, 2).data() == first.session.head_name
    assert isinstance(model.index(0, 3).data(Qt.ItemDataRole.BackgroundRole), QBrush)
    font = model.index(0, 0).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    with qtbot.waitSignal(model.sig_loaded):
        view.upcoming.setChecked(True)
    with allowed_here():
        assert model.rowCount() == len(follow_ups(ctx.store, TODAY + timedelta(days=7)))
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def _sessions_of(ctx: AppContext, follow_up: FollowUp) -> list[SessionRow]:
    with allowed_here():
        return list_sessions(
            ctx.store,
            SessionFilter(
                household_id=follow_up.session.household_id,
                service_code=follow_up.session.service_code,
            ),
        )


def test_done_by_keyboard_logs_a_new_session_and_the_row_goes(
    qtbot: QtBot, ctx: AppContext
) -> None:
    view = follow_ups_view(qtbot, ctx)
    before = view.model.rowCount()
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Down)
    QTest.keyClick(view.table, Qt.Key.Key_Up)
    target = view.current_follow_up()
    assert target is not None and view.table.currentIndex().row() == 0
    with qtbot.waitSignal(view.model.sig_loaded, timeout=5000):
        QTest.keyClick(view.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    newest = _sessions_of(ctx, target)[0]
    assert newest.id != target.session.id
    assert newest.outcome == Outcome.DONE
    assert newest.volunteer_id == ctx.volunteer_id
    assert newest.member_id == target.session.member_id
    with allowed_here():
        assert target not in follow_ups(ctx.store)
    assert view.model.rowCount() == before - 1
    shown = [view.model.follow_up(n) for n in range(view.model.rowCount())]
    assert all(f is None or f.session.id != target.session.id for f in shown)
    assert view.table.currentIndex().row() == 0  # the next one is ready for Ctrl+D
    assert target.session.head_name in view.feedback.text()


def _not_done_dialog(qtbot: QtBot, view: FollowUpsView) -> NotDoneDialog:
    QTest.keyClick(view.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.findChild(NotDoneDialog) is not None)
    dialog = view.findChild(NotDoneDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    _activate(dialog)
    return dialog


def test_not_done_with_a_reason_logs_a_failed_session(qtbot: QtBot, ctx: AppContext) -> None:
    view = follow_ups_view(qtbot, ctx)
    view.table.setFocus()
    target = view.current_follow_up()
    assert target is not None
    dialog = _not_done_dialog(qtbot, view)
    QTest.keyClick(dialog.reason, Qt.Key.Key_Return)  # no reason yet: stays open
    assert dialog.isVisible() and dialog.problem.text()
    type_text(dialog.reason, "Chưa mang căn cước")
    with qtbot.waitSignal(view.model.sig_loaded, timeout=5000):
        QTest.keyClick(dialog.reason, Qt.Key.Key_Return)
    newest = _sessions_of(ctx, target)[0]
    assert (newest.outcome, newest.failure_reason) == (Outcome.FAILED, "Chưa mang căn cước")
    with allowed_here():
        assert target not in follow_ups(ctx.store)


def test_not_done_with_another_day_logs_a_new_follow_up(qtbot: QtBot, ctx: AppContext) -> None:
    view = follow_ups_view(qtbot, ctx)
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Down)
    target = view.current_follow_up()
    assert target is not None
    dialog = _not_done_dialog(qtbot, view)
    dialog.later.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(dialog.later, Qt.Key.Key_Space)
    assert dialog.later.isChecked() and not dialog.failed.isChecked()
    dialog.new_date.setFocus(Qt.FocusReason.TabFocusReason)
    # The date is a line edit now: typed text goes in at the cursor, so the day shown
    # is selected first (Tab selects it in an active window; this one is offscreen).
    QTest.keyClick(dialog.new_date, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(dialog.new_date, "30112026")
    with qtbot.waitSignal(view.model.sig_loaded, timeout=5000):
        QTest.keyClick(dialog.new_date, Qt.Key.Key_Return)
    newest = _sessions_of(ctx, target)[0]
    assert (newest.outcome, newest.follow_up_date) == (Outcome.FOLLOW_UP, date(2026, 11, 30))
    with allowed_here():
        assert all(f.session.id != target.session.id for f in follow_ups(ctx.store))


def test_escape_cancels_not_done(qtbot: QtBot, ctx: AppContext) -> None:
    view = follow_ups_view(qtbot, ctx)
    view.table.setFocus()
    with allowed_here():
        count = count_sessions(ctx.store)
    dialog = _not_done_dialog(qtbot, view)
    QTest.keyClick(dialog.reason, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    wait_idle(qtbot, ctx)
    with allowed_here():
        assert count_sessions(ctx.store) == count


def test_nobody_logging_is_told_and_nothing_is_logged(
    qtbot: QtBot, ctx_nobody_logging: AppContext
) -> None:
    ctx = ctx_nobody_logging
    view = follow_ups_view(qtbot, ctx)
    view.table.setFocus()
    with allowed_here():
        count = count_sessions(ctx.store)
    QTest.keyClick(view.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.findChild(QMessageBox, "userErrorBox") is not None)
    box = view.findChild(QMessageBox, "userErrorBox")
    assert box is not None and "Chưa chọn người ghi" in box.text()
    box.close()
    wait_idle(qtbot, ctx)
    with allowed_here():
        assert count_sessions(ctx.store) == count


def test_follow_up_enter_opens_the_household(qtbot: QtBot, ctx: AppContext) -> None:
    view = follow_ups_view(qtbot, ctx)
    view.table.setFocus()
    target = view.current_follow_up()
    assert target is not None
    with qtbot.waitSignal(view.sig_open_household) as opened:
        QTest.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [target.session.household_id]
