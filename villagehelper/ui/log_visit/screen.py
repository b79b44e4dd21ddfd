"""The main screen: find (or add) the household, pick services, save, next resident.

Built for a queue at the cultural house: the cursor is always where the next keystroke
belongs, Enter (from anywhere in the form) or Ctrl+S saves, and after saving the form
clears and the search box has the focus again.  The services are one Tab stop with their
own keys (villagehelper.ui.log_visit.service_keys).  Today's visits are listed below; Ctrl+Z undoes
the last one after saying what it will undo (villagehelper.ui.log_visit.visit_undo).

The screen composes its parts — the search (household_search), the new-household form
(new_household), the visit form (visit_form) and today's list (today_panel) — and runs
the work between them: loading the catalog and the chosen household, saving the visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError, ValidationError
from villagehelper.ui.log_visit.campaign_hint import suggestion
from villagehelper.ui.log_visit.household_search import HouseholdSearch
from villagehelper.ui.log_visit.new_household import NewHouseholdPanel
from villagehelper.ui.log_visit.room_share import ShowWhole
from villagehelper.ui.log_visit.today_panel import TodayPanel
from villagehelper.ui.log_visit.visit_form import VisitForm
from villagehelper.ui.log_visit.visit_undo import UNDO_KEY
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_bug
from villagehelper.ui.shell.screen_fit import WrappedWhole, scroll_page, size_by_current_page

if TYPE_CHECKING:
    # The database layer is loaded by the worker thread; at start-up the window shows
    # first (every operation below imports what it needs when it runs).
    from villagehelper.campaigns.visit_hint import OpenTarget
    from villagehelper.ops.households import HouseholdDetail
    from villagehelper.ops.session_queries import SessionRow
    from villagehelper.ops.sessions import VisitLogged
    from villagehelper.ops.team import ServiceInfo, TeamMemberInfo, VillageInfo
    from villagehelper.store.changelog import Changes


@dataclass(frozen=True)
class _Catalog:
    services: list[ServiceInfo]
    villages: list[VillageInfo]
    team: list[TeamMemberInfo]
    today: date


@dataclass(frozen=True)
class _Chosen:
    detail: HouseholdDetail
    history: list[SessionRow]
    campaign_targets: list[OpenTarget]  # its people an open campaign still needs


class LogVisitView(QWidget):
    sig_saved = Signal(object)
    """A visit was saved: its :class:`VisitLogged`."""
    sig_open_household = Signal(str)
    """Open the household page of this id."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._household_id: str | None = None
        self._villages: list[VillageInfo] = []
        self._team: list[TeamMemberInfo] = []
        self._service_labels: dict[str, str] = {}
        self._today = date.today()
        self._select_member: str | None = None

        self.search = HouseholdSearch(ctx, self)
        self.new_household = NewHouseholdPanel(ctx, self)
        self.form = VisitForm(self)
        self.visit_form = scroll_page(self.form, self)  # scrolls on a small screen
        self._expose_form_fields()
        self.today_panel = TodayPanel(ctx, self)
        # Its widgets, under the names the screen has always had.
        self.today = self.today_panel.table
        self.today_model = self.today_panel.model
        self.today_title = self.today_panel.title
        self.undo_feedback = self.today_panel.undo_feedback
        self.undo_last = self.today_panel.undo_last
        self.undo_selected = self.today_panel.undo_selected
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._placeholder())
        self.stack.addWidget(self.new_household)
        self.stack.addWidget(self.visit_form)
        self._arrange()

        self.form.sig_enter.connect(self.save)
        self.form.save_button.clicked.connect(self.save)
        self.form.open_page.clicked.connect(self._open_page)
        self.form.add_member_button.clicked.connect(self.add_member)
        self.search.sig_chosen.connect(self.choose_household)
        self.search.sig_create.connect(self._start_new_household)
        self.new_household.sig_created.connect(self.choose_household)
        # The search found nobody; now it would: its "Enter to add" hint is out of date.
        self.new_household.sig_created.connect(lambda _id: self.search.refresh())
        self.new_household.sig_use_existing.connect(self.choose_household)
        self.new_household.sig_cancelled.connect(self.reset)
        ctx.hub.sig_changed.connect(self._on_changed)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        QShortcut(QKeySequence("Esc"), self, self.reset)
        QShortcut(QKeySequence("Ctrl+F"), self, self.reset)
        QShortcut(QKeySequence("Ctrl+N"), self, self.add_member)
        QShortcut(QKeySequence("Ctrl+O"), self, self._open_page)
        QShortcut(QKeySequence(UNDO_KEY), self, self.undo_last_visit)
        self.reload_catalog()
        self.today_panel.refresh()

    # --- building -----------------------------------------------------------------

    def _expose_form_fields(self) -> None:
        """The form's fields, under the names the screen has always had."""
        form = self.form
        self.household_title = form.household_title
        self.open_page = form.open_page
        self.previous = form.previous
        self.member = form.member
        self.add_member_button = form.add_member_button
        self.services = form.services
        self.services_scroll = form.services_scroll
        self.note = form.note
        self.consent = form.consent
        self.message = form.message
        self.save_button = form.save_button

    def _arrange(self) -> None:
        """Search | form above, today's list below; sized for a small laptop screen."""
        size_by_current_page(self.stack)
        # A service with the keyboard is shown with the services around it.
        ShowWhole(self.visit_form, self.services_scroll)
        WrappedWhole(self.search.hint)  # in a splitter: nothing asks how tall it wraps
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(left)
        top.addWidget(self.stack)
        top.setStretchFactor(0, 2)
        top.setStretchFactor(1, 3)
        outer = QSplitter(Qt.Orientation.Vertical, self)
        outer.addWidget(top)
        outer.addWidget(self.today_panel)
        # Today's list keeps its few rows; the room left goes to the form.
        outer.setStretchFactor(0, 1)
        outer.setStretchFactor(1, 0)
        outer.setChildrenCollapsible(False)
        outer.setSizes([10_000, 1])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(outer)

    def _placeholder(self) -> QWidget:
        label = QLabel(
            self.tr(
                "Tìm hộ gia đình ở ô bên trái.\n\nChọn hộ rồi chọn loại hỗ trợ; Enter hoặc "
                "Ctrl+S để lưu. Không thấy hộ: Enter để thêm hộ mới."
            ),
            self,
        )
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label

    # --- data ---------------------------------------------------------------------

    def reload_catalog(self) -> None:
        ctx = self._ctx

        def load() -> _Catalog:
            from villagehelper.ops.team import list_services, list_team_members, list_villages

            store = ctx.store
            return _Catalog(
                list_services(store),
                list_villages(store),
                list_team_members(store),
                vietnam_today(store.now()),
            )

        ctx.read(self, load).success(self._catalog_loaded).run()

    def _catalog_loaded(self, loaded: _Catalog) -> None:
        services, self._villages, self._team = loaded.services, loaded.villages, loaded.team
        self._today = loaded.today
        language = self._ctx.preferences.language
        self._service_labels = {service.code: service.label(language) for service in services}
        self.services.set_services(services, self._ctx.preferences.language, loaded.today)
        self._chain_tab_order()

    def _chain_tab_order(self) -> None:
        """Search → the visit form (or the new-household form) → today's list.

        Hidden pages are skipped by Tab, so both forms sit in one chain.  The services
        are one stop (service_keys.RovingFocus); the outcome rows are reached from
        their service with 1 / 2 / 3, not by Tab.
        """
        chain: list[QWidget] = [
            self.search.line,
            *self.form.tab_chain(),
            *self.new_household.tab_chain(),
            *self.today_panel.tab_chain(),
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _on_changed(self, changes: Changes) -> None:
        if changes.ids("help_session") or changes.ids("session_void"):
            self.today_panel.refresh()
        if changes.ids("service") or changes.ids("village"):
            self.reload_catalog()
        if self._household_id is None:
            return
        # The campaign line follows a list a sync brought or a campaign closed.
        campaigns = changes.ids("campaign") or changes.ids("campaign_target")
        if self._household_id in changes.ids("household") or campaigns:
            self.choose_household(self._household_id)

    # --- flow ---------------------------------------------------------------------

    def choose_household(self, household_id: str) -> None:
        ctx = self._ctx

        def load() -> _Chosen:
            from villagehelper.campaigns.visit_hint import open_campaign_targets
            from villagehelper.ops.households import get_household
            from villagehelper.ops.session_queries import household_history

            with ctx.store.reading() as session:
                targets = open_campaign_targets(session, household_id)
            return _Chosen(
                get_household(ctx.store, household_id),
                household_history(ctx.store, household_id),
                targets,
            )

        ctx.read(self, load).success(self._show_household).run()

    def _show_household(self, chosen: _Chosen) -> None:
        first_time = self._household_id != chosen.detail.id
        self._household_id = chosen.detail.id
        select_member, self._select_member = self._select_member, None
        self.form.show_household(
            chosen.detail,
            chosen.history,
            self._service_labels,
            first_time=first_time,
            select_member=select_member,
        )
        self.form.campaign_hint.show_targets(chosen.campaign_targets)
        self.stack.setCurrentWidget(self.visit_form)
        if first_time:
            self.form.start_fresh()
            suggested = suggestion(chosen.campaign_targets, self.services.offered())
            if suggested is not None and select_member is None:
                self.form.start_with(suggested)

    def add_member(self) -> None:
        """Add the resident being helped to the household, then pick them."""
        if self._household_id is None or self.stack.currentWidget() is not self.visit_form:
            return
        from villagehelper.ops.households import add_member
        from villagehelper.ui.household.forms import member_dialog

        title, household_id = self.tr("Thêm nhân khẩu"), self._household_id
        dialog = member_dialog(
            self._ctx, title, None, add_member, household_id, today=self._today, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_saved.connect(self._member_added)
        dialog.open()

    def _member_added(self, saved: object) -> None:
        self._select_member = str(getattr(saved, "id", "")) or None
        if self._household_id is not None:
            self.choose_household(self._household_id)

    def _start_new_household(self, head_name: str) -> None:
        village_id = self._volunteer_village()
        self.new_household.start(head_name, self._villages, village_id)
        self.stack.setCurrentWidget(self.new_household)
        self.new_household.head_name.setFocus()

    def _volunteer_village(self) -> str | None:
        """New households default to the village of whoever is logging."""
        if len(self._villages) == 1:
            return self._villages[0].id
        me = next((m for m in self._team if m.id == self._ctx.volunteer_id), None)
        return me.village_id if me is not None else None

    def _open_page(self) -> None:
        if self._household_id is not None:
            self.sig_open_household.emit(self._household_id)

    def save(self) -> None:
        if self.stack.currentWidget() is not self.visit_form or self._household_id is None:
            return
        if not self.save_button.isEnabled():
            return  # this visit is being saved already (Enter pressed twice)
        volunteer_id = self._ctx.volunteer_id
        if volunteer_id is None:
            self.message.setText(self.tr("Chưa chọn người ghi. Hãy chọn «Ai đang ghi?» trước."))
            return
        try:
            visit = self.form.visit_input(self._household_id, volunteer_id)
        except ValidationError as error:  # a follow-up date that does not read
            self.message.setText(error.message(self._ctx.preferences.language))
            return
        ctx = self._ctx
        household_id = self._household_id

        def save() -> VisitLogged:
            from villagehelper.ops.sessions import log_visit

            return log_visit(ctx.store, visit)

        self.save_button.setEnabled(False)
        ctx.write(self, save).success(lambda logged: self._saved(household_id, logged)).failure(
            self._save_failed
        ).run()

    def _saved(self, household_id: str, logged: VisitLogged) -> None:
        self.save_button.setEnabled(True)
        self.today_panel.remember_saved(household_id, logged)
        # Reset before the operation announces the changes, so the saved household is
        # not reopened.
        self.reset()
        self.sig_saved.emit(logged)

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(error, UserError):
            show_bug(self, self._ctx.log_file)
            return
        self.message.setText(error.message(self._ctx.preferences.language))
        if isinstance(error, ValidationError):
            self.form.focus_field(error.field)

    def reset(self) -> None:
        """Clear the form for the next resident; the cursor goes back to the search."""
        self._household_id = None
        self.form.clear()
        self.stack.setCurrentIndex(0)
        self.search.reset()

    def undo_last_visit(self) -> None:
        """Ctrl+Z: undo the visit just saved, after saying what it will undo."""
        self.today_panel.undo_last_visit()
