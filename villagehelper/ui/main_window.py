"""The main window: five screens on tabs (F2–F6), who is logging always in view, and a
status bar with today's count and a place for the sync status."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError
from villagehelper.ops.sessions import SessionFilter, count_sessions
from villagehelper.ops.team import TeamMemberInfo, list_team_members
from villagehelper.store.changelog import Changes
from villagehelper.text import format_number
from villagehelper.ui.context import AppContext
from villagehelper.ui.feedback import show_bug, show_user_error
from villagehelper.ui.follow_ups_view import FollowUpsView
from villagehelper.ui.household_page import HouseholdPage
from villagehelper.ui.households_view import HouseholdsView
from villagehelper.ui.log_visit import LogVisitView
from villagehelper.ui.sessions_view import SessionsView
from villagehelper.ui.settings_view import SettingsView
from villagehelper.ui.volunteer_picker import VolunteerPicker

TAB_KEYS = ("F2", "F3", "F4", "F5", "F6")


class MainWindow(QMainWindow):
    sig_restart = Signal()
    """Reopen the app (after a restore replaced the database)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._team: list[TeamMemberInfo] = []
        self.setObjectName("mainWindow")
        commune = ctx.store.commune()
        place = f"{commune.name}, {commune.province_name}" if commune else ""
        self.setWindowTitle(self.tr("VillageHelper — Tổ công nghệ số cộng đồng") + f" — {place}")

        self.log_visit = LogVisitView(ctx, self)
        self.sessions = SessionsView(ctx, self)
        self.households = HouseholdsView(ctx, self)
        self.follow_ups = FollowUpsView(ctx, self)
        self.settings = SettingsView(ctx, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("screens")
        screens: list[tuple[QWidget, str]] = [
            (self.log_visit, self.tr("Ghi lượt hỗ trợ")),
            (self.sessions, self.tr("Lượt hỗ trợ")),
            (self.households, self.tr("Hộ gia đình")),
            (self.follow_ups, self.tr("Hẹn lại")),
            (self.settings, self.tr("Cài đặt")),
        ]
        for (widget, title), key in zip(screens, TAB_KEYS, strict=True):
            self.tabs.addTab(widget, f"{title} ({key})")
            QShortcut(QKeySequence(key), self, lambda w=widget: self._show_screen(w))

        self._build_banner(place)
        self._build_status_bar()

        for view in (self.log_visit, self.sessions, self.households, self.follow_ups):
            view.sig_open_household.connect(self.open_household)
        self.settings.sig_change_volunteer.connect(self.choose_volunteer)
        self.settings.sig_restart_requested.connect(self.sig_restart.emit)
        ctx.executor.sig_user_error.connect(self._user_error)
        ctx.executor.sig_bug.connect(lambda _name: show_bug(self, ctx.log_file))
        ctx.hub.sig_changed.connect(self._on_changed)
        ctx.hub.sig_volunteer_changed.connect(lambda _id: self._show_volunteer())
        self.resize(1280, 800)
        self._load_team()
        self._refresh_today()

    def _build_banner(self, place: str) -> None:
        self.volunteer_label = QLabel(self)
        self.volunteer_label.setObjectName("volunteerBanner")
        self.volunteer_label.setTextFormat(Qt.TextFormat.RichText)
        change = QPushButton(self.tr("Đổi người ghi (F9)"), self)
        change.setObjectName("changeVolunteerButton")
        change.clicked.connect(self.choose_volunteer)
        QShortcut(QKeySequence("F9"), self, self.choose_volunteer)
        banner = QHBoxLayout()
        banner.addWidget(QLabel(f"<b>{place}</b>", self))
        banner.addStretch(1)
        banner.addWidget(self.volunteer_label)
        banner.addWidget(change)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.addLayout(banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)

    def _build_status_bar(self) -> None:
        self.today_status = QLabel(self)
        self.today_status.setObjectName("todayStatus")
        self.volunteer_status = QLabel(self)
        self.volunteer_status.setObjectName("volunteerStatus")
        self.sync_status = QLabel(self.tr("Đồng bộ: chưa thiết lập"), self)
        self.sync_status.setObjectName("syncStatus")
        bar = self.statusBar()
        bar.addWidget(self.today_status)
        bar.addWidget(self.volunteer_status)
        bar.addPermanentWidget(self.sync_status)

    # --- screens ------------------------------------------------------------------

    def _show_screen(self, widget: QWidget) -> None:
        self.tabs.setCurrentWidget(widget)
        if widget is self.log_visit:
            self.log_visit.search.line.setFocus()

    def open_household(self, household_id: str) -> None:
        page = HouseholdPage(self._ctx, household_id, self)
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        page.open()

    def choose_volunteer(self) -> None:
        picker = VolunteerPicker(self._ctx, self)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.open()

    # --- status -------------------------------------------------------------------

    def _load_team(self) -> None:
        store = self._ctx.store
        self._ctx.executor.op(lambda: list_team_members(store)).success(self._team_loaded).run()

    def _team_loaded(self, team: list[TeamMemberInfo]) -> None:
        self._team = team
        self._show_volunteer()

    def _show_volunteer(self) -> None:
        me = next((m for m in self._team if m.id == self._ctx.volunteer_id), None)
        if me is None:
            text = self.tr("Chưa chọn người ghi")
        elif me.is_leader:
            text = self.tr("Người ghi: %1 (tổ trưởng)").replace("%1", me.full_name)
        else:
            text = self.tr("Người ghi: %1").replace("%1", me.full_name)
        self.volunteer_label.setText(f"<b>{text}</b>")
        self.volunteer_status.setText(text)

    def _refresh_today(self) -> None:
        store = self._ctx.store
        today = vietnam_today(store.now())
        flt = SessionFilter(start=today, end=today)
        self._ctx.executor.op(lambda: count_sessions(store, flt)).success(self._show_today).run()

    def _show_today(self, count: int) -> None:
        self.today_status.setText(
            self.tr("Hôm nay: %1 lượt hỗ trợ").replace("%1", format_number(count))
        )

    def _on_changed(self, changes: Changes) -> None:
        if changes.ids("help_session") or changes.ids("session_void"):
            self._refresh_today()
        if changes.ids("team_member"):
            self._load_team()

    def _user_error(self, error: UserError) -> None:
        show_user_error(self, error, self._ctx.preferences.language)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        # A save still queued must land before the window goes.
        self._ctx.executor.shutdown()
        super().closeEvent(event)
