"""The main window: seven screens on tabs (F2–F8), who is logging always in view, and a
status bar with today's count and the sync status ("Sync now", conflicts for leaders)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.peek import CommuneLabel, peek_commune
from villagehelper.text import format_number
from villagehelper.ui.lock.window_lock import WindowLock
from villagehelper.ui.log_visit.screen import LogVisitView
from villagehelper.ui.settings.clock_banner import ClockBanner
from villagehelper.ui.settings.recovery import DailyBackups, Damaged, offer_restore
from villagehelper.ui.settings.retention_job import DailyRetention
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_bug, show_user_error
from villagehelper.ui.shell.screen_fit import ScrollingTabs, fit_window
from villagehelper.ui.shell.tab_titles import KeyedTabTitles
from villagehelper.ui.syncing.sync_controller import SyncController
from villagehelper.ui.syncing.sync_status import SyncStatusBar
from villagehelper.ui.syncing.update_banner import UpdateBanner

if TYPE_CHECKING:
    # Loaded when first needed: the window shows before the database layer is loaded.
    from villagehelper.ops.retention import PurgePlan
    from villagehelper.ops.team import TeamMemberInfo
    from villagehelper.store.changelog import Changes
    from villagehelper.ui.campaigns.view import CampaignsView
    from villagehelper.ui.lists.follow_ups_view import FollowUpsView
    from villagehelper.ui.lists.households_view import HouseholdsView
    from villagehelper.ui.lists.sessions_view import SessionsView
    from villagehelper.ui.review.conflicts_dialog import ConflictsDialog
    from villagehelper.ui.review.set_aside_dialog import SetAsideDialog
    from villagehelper.ui.settings.purge_dialog import PurgeDialog
    from villagehelper.ui.settings.settings_view import SettingsView
    from villagehelper.ui.tally.view import TallyView

TAB_KEYS = ("F2", "F3", "F4", "F5", "F6", "F7", "F8")


class MainWindow(QMainWindow):
    sig_restart = Signal()
    sig_restore = Signal(object)
    """Restore this backup (a BackupCheck), then open the app again."""
    """Reopen the app (after a restore replaced the database)."""
    sig_large_text_changed = Signal(bool)
    """Large-text mode was switched in the settings."""

    def __init__(self, ctx: AppContext, commune: CommuneLabel | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._team: list[TeamMemberInfo] = []
        self.setObjectName("mainWindow")
        commune = commune or peek_commune(ctx.data_dir / DATABASE_FILE, ctx.data_key)
        place = str(commune) if commune else ""
        self.setWindowTitle(self.tr("VillageHelper — Tổ công nghệ số cộng đồng") + f" — {place}")

        self.log_visit = LogVisitView(ctx, self)
        self.log_visit.sig_open_household.connect(self.open_household)
        self.tabs = ScrollingTabs(self)  # a screen scrolls rather than outgrow the screen
        self.tabs.setObjectName("screens")
        titles = (
            self.tr("Ghi lượt hỗ trợ"),
            self.tr("Lượt hỗ trợ"),
            self.tr("Hộ gia đình"),
            self.tr("Hẹn lại"),
            self.tr("Cài đặt"),
            self.tr("Báo cáo tuần"),
            self.tr("Chiến dịch"),
        )
        # Other screens are built the first time they are opened: start-up stays fast.
        self._screens: dict[int, QWidget] = {0: self.log_visit}
        for index, (title, key) in enumerate(zip(titles, TAB_KEYS, strict=True)):
            self.tabs.addTab(self.log_visit if index == 0 else QWidget(self), f"{title} ({key})")
            QShortcut(QKeySequence(key), self, lambda i=index: self._show_screen(i))
        self.tabs.currentChanged.connect(self.screen_at)
        self.tab_titles = KeyedTabTitles(self.tabs, list(zip(titles, TAB_KEYS, strict=True)))

        self.backups = DailyBackups(ctx.data_dir, ctx.preferences.backups_kept, ctx.data_key, self)
        self.backups.sig_damaged.connect(self._data_damaged)
        self.retention = DailyRetention(ctx, self)
        self.retention.sig_purge_due.connect(self.offer_purge)
        self.sync = SyncController(ctx, self)
        self.sync.bugs.sig_bug.connect(lambda _name: show_bug(self, ctx.log_file))
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, self.sync.sync_now)
        self._build_banner(place)
        self._build_status_bar()
        ctx.executor.sig_user_error.connect(self._user_error)
        ctx.executor.sig_bug.connect(lambda _name: show_bug(self, ctx.log_file))
        ctx.hub.sig_changed.connect(self._on_changed)
        ctx.hub.sig_volunteer_changed.connect(lambda _id: self._show_volunteer())
        fit_window(self, QSize(1280, 800))
        self._load_team()
        self._refresh_today()
        # Queued behind the store's opening on the database worker: sync starts once the
        # store is there, whichever way the app started.
        ctx.read(self, lambda: None).success(lambda _none: self._store_open()).run()

    def _store_open(self) -> None:
        self.clock_banner.start()
        self.sync.start()
        self.backups.start()
        self.retention.start()

    def _data_damaged(self, damaged: Damaged) -> None:
        """The daily backup found the data file damaged: offer the newest good backup,
        restored once this window and its store are closed."""
        if offer_restore(self, damaged.good):
            self.sig_restore.emit(damaged.good)

    def offer_purge(self, plan: PurgePlan) -> PurgeDialog:
        """The households past the retention period, for a leader to confirm or leave."""
        from villagehelper.ui.settings.purge_dialog import PurgeDialog

        dialog = PurgeDialog(self._ctx, plan, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_confirmed.connect(self.retention.confirm)
        dialog.open()
        return dialog

    def _build_banner(self, place: str) -> None:
        self.volunteer_label = QLabel(self)
        self.volunteer_label.setObjectName("volunteerBanner")
        self.volunteer_label.setTextFormat(Qt.TextFormat.RichText)
        self.volunteer_label.setWordWrap(True)  # a long name wraps on a narrow screen
        change = QPushButton(self.tr("Đổi người ghi (F9)"), self)
        change.setObjectName("changeVolunteerButton")
        change.clicked.connect(self.choose_volunteer)
        QShortcut(QKeySequence("F9"), self, self.choose_volunteer)
        lock = self._build_lock_action()
        banner = QHBoxLayout()
        place_label = QLabel(f"<b>{place}</b>", self)
        place_label.setWordWrap(True)
        banner.addWidget(place_label, 1)
        banner.addWidget(self.volunteer_label, 2)
        banner.addWidget(change)
        banner.addWidget(lock)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.addLayout(banner)
        self.clock_banner = ClockBanner(self._ctx, self)
        self.sync.sig_finished.connect(self.clock_banner.refresh)
        layout.addWidget(self.clock_banner)
        self.update_banner = UpdateBanner(self._ctx, self.sync, self)
        self.update_banner.sig_handed_over.connect(lambda _installer: self.close())
        layout.addWidget(self.update_banner)
        layout.addWidget(self.tabs, 1)
        # The body shares the central place with the lock screen
        # (villagehelper.ui.lock.window_lock).
        self.window_lock = WindowLock(self, body, self._ctx, place)
        self.lock_action.triggered.connect(self.window_lock.lock_now)

    def _build_lock_action(self) -> QToolButton:
        """ "Khóa ngay" (Ctrl+L): a button in the banner, beside who is logging."""
        self.lock_action = QAction(self.tr("Khóa ngay (Ctrl+L)"), self)
        self.lock_action.setObjectName("lockNow")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.addAction(self.lock_action)
        button = QToolButton(self)
        button.setObjectName("lockNowButton")
        button.setDefaultAction(self.lock_action)
        return button

    def _build_status_bar(self) -> None:
        self.today_status = QLabel(self)
        self.today_status.setObjectName("todayStatus")
        self.volunteer_status = QLabel(self)
        self.volunteer_status.setObjectName("volunteerStatus")
        # Who is logging is in the banner above; here it would make the status bar two
        # lines high on a small screen, taking today's list off it.  Kept for its text.
        self.volunteer_status.hide()
        self.sync_bar = SyncStatusBar(self.sync, self._ctx.preferences.language, self)
        self.sync_bar.sig_review_conflicts.connect(self._review_conflicts_as_leader)
        self.sync_bar.sig_review_set_aside.connect(self._review_set_aside_as_leader)
        self.sync_status = self.sync_bar.label
        bar = self.statusBar()
        bar.addWidget(self.today_status)
        bar.addPermanentWidget(self.sync_bar)

    # --- screens ------------------------------------------------------------------

    def _show_screen(self, index: int) -> None:
        self.tabs.setCurrentWidget(self.screen_at(index))
        if index == 0:
            self.log_visit.search.line.setFocus()

    def screen_at(self, index: int) -> QWidget:
        """The screen on tab ``index``, built now if it was never opened."""
        built = self._screens.get(index)
        if built is not None:
            return built
        widget = self._build_screen(index)
        self._screens[index] = widget
        current = self.tabs.currentIndex()
        title = self.tabs.tabText(index)
        placeholder = self.tabs.widget(index)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, title)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        if placeholder is not None:
            placeholder.deleteLater()
        self.tab_titles.apply()  # the tooltip went with the placeholder
        return widget

    def _build_screen(self, index: int) -> QWidget:
        ctx = self._ctx
        if index == 4:
            from villagehelper.ui.settings.settings_view import SettingsView

            settings = SettingsView(ctx, self, sync=self.sync)
            settings.sig_change_volunteer.connect(self.choose_volunteer)
            settings.sig_restart_requested.connect(self.sig_restart.emit)
            settings.sig_large_text_changed.connect(self.sig_large_text_changed.emit)
            settings.sig_backups_kept_changed.connect(
                lambda kept: setattr(self.backups, "keep", kept)
            )
            settings.sig_lock_minutes_changed.connect(self.window_lock.set_minutes)
            return settings
        if index == 5:
            from villagehelper.ui.tally.view import TallyView

            return TallyView(ctx, self)
        if index == 6:
            from villagehelper.ui.campaigns.view import CampaignsView

            campaigns = CampaignsView(ctx, self)
            campaigns.sig_open_household.connect(self.open_household)
            return campaigns
        from villagehelper.ui.lists.follow_ups_view import FollowUpsView
        from villagehelper.ui.lists.households_view import HouseholdsView
        from villagehelper.ui.lists.sessions_view import SessionsView

        kinds = {1: SessionsView, 2: HouseholdsView, 3: FollowUpsView}
        view = kinds[index](ctx, self)
        view.sig_open_household.connect(self.open_household)
        return view

    @property
    def sessions(self) -> SessionsView:
        return cast("SessionsView", self.screen_at(1))

    @property
    def households(self) -> HouseholdsView:
        return cast("HouseholdsView", self.screen_at(2))

    @property
    def follow_ups(self) -> FollowUpsView:
        return cast("FollowUpsView", self.screen_at(3))

    @property
    def settings(self) -> SettingsView:
        return cast("SettingsView", self.screen_at(4))

    @property
    def tally(self) -> TallyView:
        return cast("TallyView", self.screen_at(5))

    @property
    def campaigns(self) -> CampaignsView:
        return cast("CampaignsView", self.screen_at(6))

    def open_household(self, household_id: str) -> None:
        from villagehelper.ui.household.page import HouseholdPage

        page = HouseholdPage(self._ctx, household_id, self)
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        page.open()

    def _review_conflicts_as_leader(self) -> None:
        from villagehelper.ui.lock.leader_gate import when_leader

        when_leader(self, self._ctx, self.tr("Xem xung đột"), self.review_conflicts)

    def review_conflicts(self) -> ConflictsDialog:
        """The review itself; from the status bar it opens through the leader gate."""
        from villagehelper.ui.review.conflicts_dialog import ConflictsDialog

        dialog = ConflictsDialog(self._ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_open_household.connect(self.open_household)
        dialog.open()
        return dialog

    def _review_set_aside_as_leader(self) -> None:
        from villagehelper.ui.lock.leader_gate import when_leader

        when_leader(self, self._ctx, self.tr("Xem thay đổi bị từ chối"), self.review_set_aside)

    def review_set_aside(self) -> SetAsideDialog:
        """The changes the server refused; from the status bar through the leader gate."""
        from villagehelper.ui.review.set_aside_dialog import SetAsideDialog

        dialog = SetAsideDialog(self._ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_changed.connect(self.sync.refresh_status)
        dialog.open()
        return dialog

    def choose_volunteer(self) -> None:
        from villagehelper.ui.shell.volunteer_picker import VolunteerPicker

        picker = VolunteerPicker(self._ctx, self)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.open()

    # --- status -------------------------------------------------------------------

    def _load_team(self) -> None:
        ctx = self._ctx

        def load() -> list[TeamMemberInfo]:
            from villagehelper.ops.team import list_team_members

            return list_team_members(ctx.store)

        ctx.read(self, load).success(self._team_loaded).run()

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
        ctx = self._ctx

        def count() -> int:
            from villagehelper.ops.session_filter import SessionFilter
            from villagehelper.ops.session_queries import count_sessions

            today = vietnam_today(ctx.store.now())
            return count_sessions(ctx.store, SessionFilter(start=today, end=today))

        ctx.read(self, count).success(self._show_today).run()

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
        # A save still queued must land before the window goes; a sync need not.
        self.sync.stop()
        self.backups.stop()
        self.window_lock.idle.pause()  # a closed window never locks
        self.retention.stop()
        self.clock_banner.stop()
        self._ctx.executor.shutdown()
        super().closeEvent(event)
