"""Open every window and dialog of the app on a laptop's screen and say what does not fit.

    QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json QT_SCALE_FACTOR=1.25 \
        python -m tests.screen_fit_driver OUT.json [--large-text]

Run in its own process by tests/test_ui_screen_fit.py: the screen's size and the scaling are
fixed when Qt starts, so each combination is one process.  The data is made to make windows
grow: long Vietnamese names, a household with a long history, three services chosen with
their outcomes, error messages shown.  Writes a JSON object: the problems found
(tests/layout_check.py) and the windows' measured sizes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QRect, QTimer
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from tests.conftest import FakeClock, make_village_team
from tests.layout_check import Problem, check_window, window_area
from tests.screen_fit_campaigns import add_campaign, look_at_campaigns
from villagehelper.errors import UserError
from villagehelper.exchange.update_offer import MAX_NOTES, UpdateOffer, this_platform
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops import team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.sessions import VisitLogged
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store, open_store
from villagehelper.store.kinds import Outcome
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.household.forms import HouseholdForm
from villagehelper.ui.household.page import HouseholdPage
from villagehelper.ui.log_visit.screen import LogVisitView
from villagehelper.ui.shell.app import apply_text_size
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.main_window import MainWindow
from villagehelper.ui.shell.screen_fit import install_screen_fit

LONG_HEAD = "Nguyễn Thị Hoàng Ngọc Bảo Châu"
LONG_VILLAGE = "Thôn Hữu Chung Thượng"
LONG_ADDRESS = "Xóm 12, ngõ 345 đường liên thôn, cạnh nhà văn hóa và trường mầm non"
LONG_REASON = "Điện thoại không nhận mã OTP, người dân hẹn mang máy của con trai đến sau"
# The three services with the longest names, as a volunteer would tick them.
THREE = ("VNEID_L1", "CASHLESS_WELFARE", "DVC_DOSSIER")
# The lists of F3, F4 and F5: thousands of records, one line each; a cell may end in "…"
# when its tooltip holds the whole text (the household page shows everything too).
TODAY_ROWS_SEEN = 3
RECORD_LISTS = frozenset({"sessionsTable", "householdsTable", "followUpsTable"})


def settle(app: QApplication, ctx: AppContext) -> None:
    for _ in range(6):
        while ctx.executor.busy():
            app.processEvents()
        app.processEvents()


def build_data(folder: Path) -> tuple[Store, str, str]:
    """A commune with long names and a household with a long history."""
    clock = FakeClock()
    store = open_store(folder, clock=clock)
    t = make_village_team(store)
    far = team.add_village(store, LONG_VILLAGE)
    volunteer = team.add_team_member(store, "Hoàng Thị Ngọc Diệp Nguyễn Phương", "member", far.id)
    members = [MemberInput(LONG_HEAD, 1948, "0912345678", consent=True)]
    members += [
        MemberInput(f"Nguyễn Hoàng Bảo Khánh Thị {name}", 1950 + 9 * i, f"09876543{i:02d}")
        for i, name in enumerate(("Ánh", "Dương", "Huyền", "Khuê", "Ngọc"))
    ]
    home = hh.create_household(
        store,
        HouseholdInput(far.id, LONG_HEAD, LONG_ADDRESS, "0912345678", "Mắt kém, cần chữ to. " * 4),
        members,
    )
    twin = hh.create_household(store, HouseholdInput(far.id, LONG_HEAD, "Xóm 3"))  # a duplicate
    services = [s.code for s in team.list_services(store)]
    for day in range(12):
        clock.advance(days=-1)
        chosen = services[day % len(services)]
        outcome = (Outcome.DONE, Outcome.FOLLOW_UP, Outcome.FAILED)[day % 3]
        ss.log_visit(
            store,
            VisitInput(
                home.id,
                volunteer.id if day % 2 else t.leader_id,
                [
                    ServiceOutcome(
                        chosen,
                        outcome,
                        date(2026, 12, 20) if outcome == Outcome.FOLLOW_UP else None,
                        LONG_REASON if outcome == Outcome.FAILED else "",
                    )
                ],
                note="Người dân nhờ con gái đọc mã OTP qua điện thoại. " * 2,
            ),
        )
    clock.advance(days=12)
    for code in services:  # today's list, full
        ss.log_visit(store, VisitInput(home.id, volunteer.id, [ServiceOutcome(code)]))
    due = ServiceOutcome("CASHLESS_WELFARE", Outcome.FOLLOW_UP, date(2026, 11, 30))
    ss.log_visit(store, VisitInput(twin.id, volunteer.id, [due], note=LONG_REASON))
    add_campaign(store, t.leader_id, home.id)
    return store, home.id, volunteer.id


def long_offer() -> UpdateOffer:
    """An update whose notes are as long as a commune may write them."""
    line = "Sửa lỗi in báo cáo tuần khi tên thôn dài; thêm dịch vụ VNeID mức 2 vào danh sách."
    notes = "\n".join(f"{n}. {line}" for n in range(1, 40))
    return UpdateOffer(
        version="12.34.56",
        platform=this_platform(),
        filename="VillageHelper-12.34.56-setup.exe",
        size=187_654_321,
        sha256="0" * 64,
        notes=notes[:MAX_NOTES],
        published_at=datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
    )


def shown(dialog: QDialog) -> QDialog:
    dialog.open()
    return dialog


def saved_in_view(view: LogVisitView, window: QWidget, saved: list[VisitLogged]) -> list[Problem]:
    """Today's list shows at least three rows, and the visit just saved is among the rows
    a person sees: inside the list's visible part, and that inside the screen."""
    name = "today's list after saving"
    if not saved:
        return [Problem(name, "todaySessions", "the visit was not saved")]
    logged = saved[-1]
    table = view.today
    viewport = table.viewport()
    row_height = table.rowHeight(0)
    problems = []
    if viewport.height() < TODAY_ROWS_SEEN * row_height:
        problems.append(
            Problem(name, "todaySessions", f"shows {viewport.height() // row_height} rows")
        )
    area = window_area(window.screen())
    visible = viewport.visibleRegion().boundingRect()
    for row in range(view.today_model.rowCount()):
        session = view.today_model.session(row)
        if session is None or session.id not in logged.session_ids:
            continue
        rect = table.visualRect(view.today_model.index(row, 0))
        on_screen = QRect(viewport.mapToGlobal(rect.topLeft()), rect.size())
        if not visible.contains(rect) or not area.contains(on_screen):
            problems.append(
                Problem(
                    name,
                    "todaySessions",
                    f"the saved visit (row {row}) is out of view: {rect} in {visible}, "
                    f"{on_screen} on {area}",
                )
            )
    return problems


def service_rows_seen(view: LogVisitView, window: QWidget) -> int:
    """How many rows of service buttons a person sees whole: inside every scroll area's
    visible part and on the screen (the rows' tops, counted once each)."""
    area = window_area(window.screen())
    tops = set()
    for button in view.services.buttons():
        whole = button.visibleRegion().boundingRect() == button.rect()
        on_screen = QRect(button.mapToGlobal(button.rect().topLeft()), button.size())
        if button.isVisible() and whole and area.contains(on_screen):
            tops.add(button.mapTo(window, button.rect().topLeft()).y())
    return len(tops)


def sideways_scroll_bars(page: QWidget) -> list[str]:
    """The horizontal scroll bars shown on ``page`` or around it (its screen's scroll
    area): each means part of the screen is out of view to the side."""
    bars = []
    scroll = page.parentWidget()
    while scroll is not None and not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    areas = page.findChildren(QAbstractScrollArea) + ([scroll] if scroll is not None else [])
    for found in areas:
        if found.horizontalScrollBar().isVisible():
            bars.append(found.objectName() or type(found).__name__)
    return bars


class Driver:
    def __init__(self, app: QApplication, ctx: AppContext, household_id: str) -> None:
        self.app = app
        self.ctx = ctx
        self.household_id = household_id
        self.problems: list[Problem] = []
        self.sizes: dict[str, list[int]] = {}
        self.measures: dict[str, object] = {}
        self.window = MainWindow(ctx)
        self.window.show()
        settle(app, ctx)

    def look(self, name: str, widget: QWidget) -> None:
        settle(self.app, self.ctx)
        self.problems.extend(check_window(name, widget, RECORD_LISTS))
        frame = widget.frameGeometry()
        minimum = widget.minimumSizeHint()
        self.sizes[name] = [frame.width(), frame.height(), minimum.width(), minimum.height()]

    def look_at_dialog(self, name: str, open_it: Callable[[], QWidget | None]) -> None:
        dialog = open_it()
        assert dialog is not None, name
        settle(self.app, self.ctx)
        self.look(name, dialog)
        dialog.close()
        settle(self.app, self.ctx)

    # --- the main window ------------------------------------------------------------

    def main_screens(self) -> None:
        window = self.window
        self.look("main window (empty)", window)
        view = window.log_visit
        view.choose_household(self.household_id)
        settle(self.app, self.ctx)
        self.measures["service rows seen"] = service_rows_seen(view, window)
        for code in THREE:
            view.services.button(code).setChecked(True)
        follow, failed = (view.services.row(code) for code in THREE[1:])
        assert follow is not None and failed is not None
        follow.follow_up.setChecked(True)
        failed.failed.setChecked(True)
        view.save()  # refused: the failed service has no reason
        settle(self.app, self.ctx)
        assert view.message.text(), "the save was not refused"
        self.look("log a visit (household, history, three services, error)", window)
        failed.reason.setText(LONG_REASON)
        saved: list[VisitLogged] = []
        view.sig_saved.connect(saved.append)
        view.save()
        settle(self.app, self.ctx)
        self.problems.extend(saved_in_view(view, window, saved))
        self.look("log a visit (just saved)", window)
        self.look_at_dialog("undo the last visit (question)", self._undo_question)
        for index, name in enumerate(("F3 sessions", "F4 households", "F5 follow-ups")):
            window.tabs.setCurrentWidget(window.screen_at(index + 1))
            self.look(name, window)
        window.tabs.setCurrentWidget(window.settings)
        self.look("F6 settings", window)
        window.tabs.setCurrentWidget(window.tally)
        from villagehelper.ui.tally.period import PeriodMode

        window.tally.period.set_mode(PeriodMode.THIS_WEEK)
        self.look("F7 tally", window)
        self.measures["F7 sideways scroll bars"] = sideways_scroll_bars(window.tally)
        window.tabs.setCurrentIndex(0)

    # --- dialogs --------------------------------------------------------------------

    def household_dialogs(self) -> None:
        page = HouseholdPage(self.ctx, self.household_id, self.window)
        page.show()
        settle(self.app, self.ctx)
        self.look("household page", page)
        page.members_view.selectRow(1)
        self.look_at_dialog("edit household", self._edit_with_error(page))
        self.look_at_dialog("add member", page.add_member)
        self.look_at_dialog("edit member", page.edit_member)
        self.look_at_dialog("remove member (question)", page.remove_member)
        page.members_view.selectRow(1)
        settle(self.app, self.ctx)
        self.look_at_dialog("erase at the person's request", page.privacy_panel.confirm_erasure)
        self.look_at_dialog("merge duplicate", page.merge_duplicate)
        page.close()

    def _edit_with_error(self, page: HouseholdPage) -> Callable[[], QWidget | None]:
        def open_it() -> QWidget | None:
            dialog = page.edit_household()
            if dialog is not None:
                form = dialog.form
                assert isinstance(form, HouseholdForm)
                form.head_name_edit.setText("")
                dialog.save()  # refused: the field says why
                settle(self.app, self.ctx)
            return dialog

        return open_it

    def other_dialogs(self) -> None:
        from villagehelper.ui.shell.feedback import show_bug, show_user_error
        from villagehelper.ui.shell.volunteer_picker import VolunteerPicker

        window, ctx = self.window, self.ctx
        self.look_at_dialog("who is logging", lambda: shown(VolunteerPicker(ctx, window)))
        self.look_at_dialog("conflicts review", window.review_conflicts)
        self.look_at_dialog("changes set aside", window.review_set_aside)
        error = UserError(
            "Không lưu được: " + LONG_REASON + ". " + LONG_ADDRESS + ".", "Not saved."
        )
        self.look_at_dialog(
            "user error message", lambda: self._box(show_user_error, window, error, "vi")
        )
        self.look_at_dialog("bug message", lambda: self._box(show_bug, window, ctx.log_file))
        window.tabs.setCurrentWidget(window.tally)
        self.look_at_dialog("tally print preview", self._preview)

    def more_dialogs(self, folder: Path) -> None:
        """The dialogs of follow-ups, retention, PINs, the lock screen and joining."""
        from villagehelper.keys.key_file import PinHolder
        from villagehelper.ops.retention import plan_purge
        from villagehelper.ops.session_queries import follow_ups
        from villagehelper.ui.first_run.join_server import JoinServerDialog
        from villagehelper.ui.lists.follow_ups_view import NotDoneDialog
        from villagehelper.ui.lock.leader_gate import LeaderPermission
        from villagehelper.ui.lock.lock_screen import LockDialog
        from villagehelper.ui.settings.pin_settings import SetPinDialog
        from villagehelper.ui.shell.single_instance import already_open_box
        from villagehelper.ui.syncing.update_dialog import UpdateDialog

        window, ctx, store = self.window, self.ctx, self.ctx.store
        with allowed_here():  # the driver's own reading, not the window's
            pending = follow_ups(store, until=date(2027, 1, 31))[0]
            plan = plan_purge(store, 1, now=store.now() + timedelta(days=800))
            team_members = team.list_team_members(store)
        today = store.now().date()
        self.look_at_dialog(
            "follow-up not done", lambda: shown(NotDoneDialog(pending, today, window))
        )
        assert plan.households, "nothing past the retention period"
        self.look_at_dialog("retention purge offer", lambda: window.offer_purge(plan))
        leader = next(m for m in team_members if m.is_leader)
        me = next(m for m in team_members if m.id == ctx.volunteer_id)
        holders = [PinHolder(m.id, m.full_name, m.is_leader) for m in team_members]
        leaders = [h for h in holders if h.is_leader]
        self.look_at_dialog(
            "leader permission",
            lambda: shown(LeaderPermission(window, ctx, "Xóa thông tin cá nhân", leaders)),
        )
        self.look_at_dialog(
            "set a PIN", lambda: shown(SetPinDialog(ctx, me, changing=True, parent=window))
        )
        self.look_at_dialog(
            "lock screen at start",
            lambda: shown(LockDialog(folder, ctx.executor, "vi", holders, leader.id)),
        )
        from villagehelper.keys.key_file import Keyring

        self.look_at_modal("lock without a PIN (message)", window.window_lock.lock_now)
        keyring = Keyring.load(store.data_dir)
        keyring.set_pin(me.id, me.full_name, "917264", keyring.data_key())
        window.window_lock.lock_now()
        while not window.window_lock.is_locked:
            self.app.processEvents()
        self.look("window locked", window)
        self.look_at_dialog(
            "join a commune server", lambda: shown(JoinServerDialog(store, ctx.executor, window))
        )
        self.look_at_dialog(
            "update offered", lambda: shown(UpdateDialog(ctx, window.sync, long_offer(), window))
        )
        self.look_at_dialog("app already open", lambda: shown(already_open_box(None)))

    def look_at_modal(self, name: str, start: Callable[[], object]) -> None:
        """A question asked with exec(): looked at from inside its own event loop."""
        seen: list[QWidget] = []

        def poll() -> None:
            modal = self.app.activeModalWidget()
            if modal is None or not modal.isVisible():
                QTimer.singleShot(20, poll)  # not up yet
                return
            seen.append(modal)
            self.look(name, modal)
            modal.close()

        QTimer.singleShot(0, poll)
        start()
        give_up = time.monotonic() + 30
        while not seen and time.monotonic() < give_up:
            self.app.processEvents()
        assert seen, f"{name}: no question was asked"

    def first_run(self, folder: Path) -> None:
        from villagehelper.ui.first_run.wizard import FirstRunWizard

        fresh = open_store(folder)
        try:
            wizard = FirstRunWizard(fresh, self.ctx.executor)
            wizard.show()
            search = wizard.findChild(QWidget, "communeSearch")
            assert search is not None
            search.setProperty("text", "gia loc")
            self.look("first-run wizard", wizard)
            wizard.close()
        finally:
            settle(self.app, self.ctx)
            fresh.close()

    def _box(self, show: Callable[..., None], *args: object) -> QWidget:
        show(*args)
        boxes = [w for w in self.app.topLevelWidgets() if isinstance(w, QMessageBox)]
        visible = [box for box in boxes if box.isVisible()]
        assert visible, "no message box shown"
        return visible[-1]

    def _undo_question(self) -> QWidget:
        self.window.log_visit.undo_last_visit()
        settle(self.app, self.ctx)
        asked = [
            w
            for w in self.app.topLevelWidgets()
            if w.objectName() == "confirmUndo" and w.isVisible()
        ]
        assert asked, "undo asked nothing"
        return asked[-1]

    def _preview(self) -> QWidget | None:
        self.window.tally.report.preview()  # as the button does: it asks for 900×760
        settle(self.app, self.ctx)
        shown = [
            w
            for w in self.app.topLevelWidgets()
            if w.objectName() == "tallyPreview" and w.isVisible()
        ]
        return shown[-1] if shown else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--large-text", action="store_true")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_text_size(args.large_text)
    install_screen_fit(app)  # as the app does at start
    with tempfile.TemporaryDirectory() as work:
        store, household_id, volunteer_id = build_data(Path(work) / "data")
        executor = Worker()
        ctx = AppContext(
            store, executor, Preferences(volunteer_id=volunteer_id, large_text=args.large_text)
        )
        driver = Driver(app, ctx, household_id)
        try:
            driver.main_screens()
            driver.household_dialogs()
            driver.other_dialogs()
            look_at_campaigns(driver)
            driver.more_dialogs(Path(work) / "data")
            driver.first_run(Path(work) / "fresh")
        finally:
            driver.window.close()
            executor.shutdown()
            store.close()
    screen = app.primaryScreen()
    report = {
        "screen": [screen.geometry().width(), screen.geometry().height()],
        "problems": [str(p) for p in driver.problems],
        "sizes": driver.sizes,
        "measures": driver.measures,
    }
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    QTimer.singleShot(0, app.quit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
