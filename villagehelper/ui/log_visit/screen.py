"""The main screen: find (or add) the household, pick services, save, next resident.

Built for a queue at the cultural house: the cursor is always where the next keystroke
belongs, Enter (from anywhere in the form) or Ctrl+S saves, and after saving the form
clears and the search box has the focus again.  The services are one Tab stop with their
own keys (villagehelper.ui.log_visit.service_keys).  Today's visits are listed below; Ctrl+Z undoes
the last one after saying what it will undo (villagehelper.ui.log_visit.visit_undo).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import format_vn_date, to_vietnam, vietnam_today
from villagehelper.errors import UserError, ValidationError
from villagehelper.ops.inputs import VisitInput
from villagehelper.store.kinds import Outcome
from villagehelper.text import format_number
from villagehelper.ui.log_visit.household_search import HouseholdSearch
from villagehelper.ui.log_visit.new_household import NewHouseholdPanel
from villagehelper.ui.log_visit.room_share import RowsItNeeds, ShowWhole
from villagehelper.ui.log_visit.service_picker import ServicePicker
from villagehelper.ui.log_visit.today_model import TodaySessionsModel
from villagehelper.ui.log_visit.visit_undo import UNDO_KEY, confirm_undo, undone_text
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_bug
from villagehelper.ui.shell.screen_fit import (
    WrappedWhole,
    scroll_page,
    service_row_height,
    size_by_current_page,
)

if TYPE_CHECKING:
    # The database layer is loaded by the worker thread; at start-up the window shows
    # first (every operation below imports what it needs when it runs).
    from villagehelper.ops.households import HouseholdDetail
    from villagehelper.ops.sessions import SessionRow, VisitLogged
    from villagehelper.ops.team import ServiceInfo, TeamMemberInfo, VillageInfo
    from villagehelper.store.changelog import Changes

NO_MEMBER = ""
# Stored with the void, so it stays in one language whatever the screen shows.
UNDO_REASON = "Hoàn tác ngay sau khi ghi"
PREVIOUS_SHOWN = 3  # the latest services; the household page has the full history
SERVICE_ROWS_VISIBLE = 3
# Today's list grows with its rows up to this many (then it scrolls); an empty list keeps
# one row's height, so the services get the screen at the start of the day.
TODAY_ROWS_VISIBLE = 3


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


@dataclass(frozen=True)
class _Saved:
    """The visit Ctrl+Z would undo."""

    household_id: str
    session_ids: tuple[str, ...]


class _VisitForm(QWidget):
    """The visit form: Enter saves from any field or button of it that does not use the
    key itself (line edits, the date, the services and the results all pass it on)."""

    sig_enter = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.sig_enter.emit()
            return
        super().keyPressEvent(event)


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
        self._last_visit: _Saved | None = None

        self.search = HouseholdSearch(ctx, self)
        self.new_household = NewHouseholdPanel(ctx, self)
        self.visit_form = self._build_visit_form()
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._placeholder())
        self.stack.addWidget(self.new_household)
        self.stack.addWidget(self.visit_form)
        self._arrange(self._build_today_panel())

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
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.today, self._undo_selected)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.reload_catalog()
        self.refresh_today()

    # --- building -----------------------------------------------------------------

    def _arrange(self, today_widget: QWidget) -> None:
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
        outer.addWidget(today_widget)
        # Today's list keeps its few rows; the room left goes to the form.
        outer.setStretchFactor(0, 1)
        outer.setStretchFactor(1, 0)
        outer.setChildrenCollapsible(False)
        outer.setSizes([10_000, 1])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(outer)

    def _build_today_panel(self) -> QWidget:
        self.today_model = TodaySessionsModel(self)
        self.today = QTableView(self)
        self.today.setObjectName("todaySessions")
        self.today.setModel(self.today_model)
        self.today.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.today.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.today.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside
        self.today.verticalHeader().setVisible(False)
        self.today.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Each column as wide as its text, on one line: on a narrow screen the table
        # scrolls sideways rather than cut the last column.
        self.today.setWordWrap(False)
        # Enough rows to see the visit just saved beside the ones before it.
        RowsItNeeds(self.today, 1, TODAY_ROWS_VISIBLE)
        self.undo_last = QPushButton(self.tr("Hoàn tác lượt vừa ghi (Ctrl+Z)"), self)
        self.undo_last.setObjectName("undoLast")
        self.undo_last.setEnabled(False)
        self.undo_last.clicked.connect(self.undo_last_visit)
        self.undo_selected = QPushButton(self.tr("Hủy lượt đang chọn (Delete)"), self)
        self.undo_selected.setObjectName("undoSelected")
        self.undo_selected.clicked.connect(self._undo_selected)
        self.today_title = QLabel(self)
        # What the last undo did (visit_undo.undone_text); cleared by the next save.
        self.undo_feedback = QLabel(self)
        self.undo_feedback.setObjectName("undoFeedback")
        self.undo_feedback.setWordWrap(True)
        today_box = QVBoxLayout()
        today_box.setContentsMargins(0, 0, 0, 0)  # every pixel of height counts on a laptop
        today_box.setSpacing(2)
        header = QHBoxLayout()
        header.addWidget(self.today_title)
        header.addWidget(self.undo_feedback, 1)
        header.addWidget(self.undo_selected)
        header.addWidget(self.undo_last)
        today_box.addLayout(header)
        today_box.addWidget(self.today)
        panel = QWidget(self)
        panel.setLayout(today_box)
        return panel

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

    def _build_actions(self, form: QWidget) -> None:
        self.message = QLabel(form)
        self.message.setObjectName("visitMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a40000;")
        self.save_button = QPushButton(self.tr("Lưu (Enter / Ctrl+S)"), form)
        self.save_button.setObjectName("saveVisit")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.keys_hint = QLabel(
            self.tr(
                "← ↑ → ↓ Space: chọn · 1 Thành công · 2 Hẹn lại · 3 Chưa thành công · "
                "Tab: quay lại loại hỗ trợ · Enter: lưu · Esc: hộ khác"
            ),
            form,
        )
        self.keys_hint.setObjectName("visitKeysHint")
        self.keys_hint.setWordWrap(True)

    def _build_details(self, form: QWidget) -> QFormLayout:
        details = QFormLayout()
        details.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: label above
        details.addRow(self.tr("Người được hỗ trợ"), self._build_member_row(form))
        return details

    def _build_member_row(self, form: QWidget) -> QHBoxLayout:
        # As wide as the longest name: never cut (the label goes above it if need be).
        self.member.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.member.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.add_member_button = QPushButton(self.tr("Thêm nhân khẩu… (Ctrl+N)"), form)
        self.add_member_button.setObjectName("addMemberInline")
        self.add_member_button.setAutoDefault(True)  # Enter on it adds, not saves
        self.add_member_button.clicked.connect(self.add_member)
        row = QHBoxLayout()
        row.addWidget(self.member, 1)
        row.addWidget(self.add_member_button)
        return row

    def _build_visit_form(self) -> QScrollArea:
        form = _VisitForm(self)
        form.sig_enter.connect(self.save)
        self.household_title = QLabel(form)
        self.household_title.setObjectName("chosenHousehold")
        self.household_title.setTextFormat(Qt.TextFormat.RichText)
        self.household_title.setWordWrap(True)
        self.open_page = QPushButton(self.tr("Xem hộ… (Ctrl+O)"), form)
        self.open_page.setObjectName("openHouseholdPage")
        self.open_page.setAutoDefault(True)  # Enter on it opens the page
        self.open_page.clicked.connect(self._open_page)
        self.previous = QLabel(form)
        self.previous.setObjectName("previousServices")
        self.previous.setWordWrap(True)
        self.member = QComboBox(form)
        self.member.setObjectName("memberHelped")
        self.services = ServicePicker(form)
        self.services.setObjectName("servicePicker")
        scroll = QScrollArea(form)
        self.services_scroll = scroll
        # Small margins: the whole button shows even when only a row or two fit.
        self.services.sig_current_changed.connect(
            lambda button: scroll.ensureWidgetVisible(button, 0, 2)
        )
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.services)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the buttons in it take the focus
        scroll.setMinimumHeight(SERVICE_ROWS_VISIBLE * service_row_height(form))
        self.note = QLineEdit(form)
        self.note.setObjectName("visitNote")
        self.note.setPlaceholderText(self.tr("Ghi chú (không bắt buộc)"))
        self.consent = QCheckBox(self.tr("Người dân đồng ý cho ghi thông tin"), form)
        self.consent.setObjectName("visitConsent")
        self._build_actions(form)
        details = self._build_details(form)
        services_box = QGroupBox(self.tr("Loại hỗ trợ (Space để chọn, chọn được nhiều)"), form)
        services_layout = QVBoxLayout(services_box)
        services_layout.addWidget(self.keys_hint)
        services_layout.addWidget(scroll)
        title_row = QHBoxLayout()
        title_row.addWidget(self.household_title, 1)
        title_row.addWidget(self.open_page)
        layout = QVBoxLayout(form)
        layout.addLayout(title_row)
        layout.addWidget(self.previous)
        layout.addLayout(details)
        layout.addWidget(services_box, 1)
        layout.addWidget(self.services.outcomes_panel)
        layout.addWidget(self.note)
        layout.addWidget(self.consent)
        layout.addWidget(self.message)
        layout.addWidget(self.save_button)
        return scroll_page(form, self)  # scrolls on a small screen instead of squeezing

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

        ctx.executor.op(load).success(self._catalog_loaded).run()

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
        panel = self.new_household
        chain: list[QWidget] = [
            self.search.line,
            self.member,
            self.add_member_button,
            *self.services.buttons(),
            self.note,
            self.consent,
            self.save_button,
            self.open_page,
            *panel.tab_chain(),
            self.today,
            self.undo_selected,
            self.undo_last,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def refresh_today(self) -> None:
        ctx = self._ctx

        def load() -> list[SessionRow]:
            from villagehelper.ops.sessions import SessionFilter, list_sessions

            today = vietnam_today(ctx.store.now())
            flt = SessionFilter(start=today, end=today, include_voided=True)
            return list_sessions(ctx.store, flt)

        ctx.executor.op(load).success(self._today_loaded).run()

    def _today_loaded(self, rows: list[SessionRow]) -> None:
        self.today_model.set_rows(rows)
        if self._last_visit is not None:  # the visit just saved stays in view
            saved = set(self._last_visit.session_ids)
            shown = [i for i, row in enumerate(rows) if row.id in saved]
            if shown:
                self.today.scrollTo(self.today_model.index(min(shown), 0))
        live = sum(1 for row in rows if not row.voided)
        self.today_title.setText(
            self.tr("<b>Hôm nay: %1 lượt hỗ trợ</b>").replace("%1", format_number(live))
        )

    def _on_changed(self, changes: Changes) -> None:
        if changes.ids("help_session") or changes.ids("session_void"):
            self.refresh_today()
        if changes.ids("service") or changes.ids("village"):
            self.reload_catalog()
        if self._household_id is not None and self._household_id in changes.ids("household"):
            self.choose_household(self._household_id)

    # --- flow ---------------------------------------------------------------------

    def choose_household(self, household_id: str) -> None:
        ctx = self._ctx

        def load() -> _Chosen:
            from villagehelper.ops.households import get_household
            from villagehelper.ops.sessions import household_history

            return _Chosen(
                get_household(ctx.store, household_id),
                household_history(ctx.store, household_id),
            )

        ctx.executor.op(load).success(self._show_household).run()

    def _show_household(self, chosen: _Chosen) -> None:
        detail = chosen.detail
        first_time = self._household_id != detail.id
        self._household_id = detail.id
        self.household_title.setText(
            "<h3>"
            + detail.head_name
            + "</h3>"
            + detail.village_name
            + (" — " + detail.address_detail if detail.address_detail else "")
        )
        selected_member = self.member.currentData()
        self.member.clear()
        self.member.addItem(self.tr("(cả hộ / không ghi tên)"), NO_MEMBER)
        for member in detail.members:
            year = f" ({member.birth_year})" if member.birth_year else ""
            self.member.addItem(member.full_name + year, member.id)
        head = next((m.id for m in detail.members if m.full_name == detail.head_name), None)
        wanted = selected_member if not first_time else head
        if self._select_member is not None:
            wanted, self._select_member = self._select_member, None
        if wanted and (index := self.member.findData(wanted)) >= 0:
            self.member.setCurrentIndex(index)
        self._show_previous(chosen.history)
        self.stack.setCurrentWidget(self.visit_form)
        if first_time:
            self.services.clear()
            self.note.clear()
            self.consent.setChecked(False)
            self.message.clear()
            self.services.reset_focus()
            self.services_scroll.verticalScrollBar().setValue(0)
            first = self.services.first_button()
            (first or self.member).setFocus()

    def _show_previous(self, history: list[SessionRow]) -> None:
        live = [row for row in history if not row.voided]
        done = {row.service_code for row in live if row.outcome == Outcome.DONE}
        self.services.mark_done_before(done)
        if not live:
            self.previous.setText(self.tr("Hộ này chưa được hỗ trợ lần nào."))
            return
        lines = []
        for row in live[:PREVIOUS_SHOWN]:
            day = format_vn_date(to_vietnam(row.occurred_at).date())
            mark = {"done": "✓", "follow_up": "↻", "failed": "✗"}[row.outcome]
            who = f" — {row.member_name}" if row.member_name else ""
            label = self._service_labels.get(row.service_code, row.service_label)
            lines.append(f"{mark} {label} ({day}){who}")
        more = len(live) - len(lines)
        text = self.tr("Đã hỗ trợ trước đây:") + "\n" + "\n".join(lines)
        if more > 0:
            text += "\n" + self.tr("… và %1 lượt khác").replace("%1", format_number(more))
        self.previous.setText(text)

    def add_member(self) -> None:
        """Add the resident being helped to the household, then pick them."""
        if self._household_id is None or self.stack.currentWidget() is not self.visit_form:
            return
        from villagehelper.ui.household.forms import EditDialog, MemberForm

        ctx, household_id = self._ctx, self._household_id
        form = MemberForm(self._today)
        form.set_member(None)

        def prepare() -> Callable[[], object]:
            data = form.member_input()

            def save() -> object:
                from villagehelper.ops.households import add_member

                return add_member(ctx.store, household_id, data)

            return save

        dialog = EditDialog(ctx, form, self.tr("Thêm nhân khẩu"), prepare, self)
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
        member_id = self.member.currentData() or None
        try:
            chosen = self.services.chosen()
        except ValidationError as error:  # a follow-up date that does not read
            self.message.setText(error.message(self._ctx.preferences.language))
            return
        visit = VisitInput(
            household_id=self._household_id,
            volunteer_id=volunteer_id,
            services=chosen,
            member_id=member_id,
            note=self.note.text(),
            consent=self.consent.isChecked() and member_id is not None,
        )
        ctx = self._ctx
        household_id = self._household_id

        def save() -> VisitLogged:
            from villagehelper.ops.sessions import log_visit

            return log_visit(ctx.store, visit)

        self.save_button.setEnabled(False)
        ctx.executor.op(save).success(lambda logged: self._saved(household_id, logged)).failure(
            self._save_failed
        ).run()

    def _saved(self, household_id: str, logged: VisitLogged) -> None:
        self.save_button.setEnabled(True)
        self._last_visit = _Saved(household_id, logged.session_ids)
        self.undo_last.setEnabled(True)
        self.undo_feedback.clear()
        self.reset()  # before announcing, so the saved household is not reopened
        self._ctx.announce(logged.changes)
        self.sig_saved.emit(logged)

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(error, UserError):
            show_bug(self, self._ctx.log_file)
            return
        self.message.setText(error.message(self._ctx.preferences.language))
        if isinstance(error, ValidationError):
            self._focus_field(error.field)

    def _focus_field(self, field: str) -> None:
        try:
            chosen = self.services.chosen()
        except ValidationError:
            return  # a date edited since, now unreadable: its field has the cursor
        if field == "services":
            first = self.services.first_button()
            if first is not None:
                first.setFocus()
            return
        for item in chosen:
            row = self.services.row(item.service_code)
            if row is None:
                continue
            if (
                field == "failure_reason"
                and item.outcome == Outcome.FAILED
                and not item.failure_reason.strip()
            ):
                row.reason.setFocus()
                return
            if field == "follow_up_date" and item.outcome == Outcome.FOLLOW_UP:
                row.date.setFocus()
                return
        if field == "note":
            self.note.setFocus()

    def reset(self) -> None:
        """Clear the form for the next resident; the cursor goes back to the search."""
        self._household_id = None
        self.services.clear()
        self.note.clear()
        self.consent.setChecked(False)
        self.message.clear()
        self.stack.setCurrentIndex(0)
        self.search.reset()

    # --- undo ---------------------------------------------------------------------

    def undo_last_visit(self) -> None:
        """Ctrl+Z: read the last visit's sessions, say what will be undone, ask."""
        last = self._last_visit
        if last is None:
            return
        ctx = self._ctx

        def load() -> list[SessionRow]:
            from villagehelper.ops.sessions import household_history

            order = {session_id: n for n, session_id in enumerate(last.session_ids)}
            rows = household_history(ctx.store, last.household_id)
            wanted = [row for row in rows if row.id in order and not row.voided]
            return sorted(wanted, key=lambda row: order[row.id])  # as they were chosen

        ctx.executor.op(load).success(lambda rows: self._confirm_void(rows, last)).run()

    def _undo_selected(self) -> None:
        rows = self.today.selectionModel().selectedRows()
        session = self.today_model.session(rows[0].row()) if rows else None
        if session is not None and not session.voided:
            self._confirm_void([session], None)

    def _confirm_void(self, rows: list[SessionRow], last: _Saved | None) -> None:
        if not rows:
            return  # already undone (from another screen, or by sync)

        def confirmed() -> None:
            if last is not None and self._last_visit is last:
                self._last_visit = None
                self.undo_last.setEnabled(False)
            self._void(rows)

        confirm_undo(self, rows, confirmed)

    def _void(self, rows: list[SessionRow]) -> None:
        volunteer_id = self._ctx.volunteer_id
        if volunteer_id is None:
            return
        ctx = self._ctx
        session_ids = [row.id for row in rows]

        def void_all() -> Changes:
            from villagehelper.ops.sessions import void_session
            from villagehelper.store.changelog import Changes

            changes = Changes()
            for session_id in session_ids:
                changes.merge(void_session(ctx.store, session_id, volunteer_id, UNDO_REASON))
            return changes

        def voided(changes: Changes) -> None:
            self.undo_feedback.setText(undone_text(rows))
            ctx.announce(changes)

        ctx.executor.op(void_all).success(voided).run()
