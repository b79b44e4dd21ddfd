"""Follow-ups due and overdue: who was promised another visit, and closing the promise.

Sessions are immutable events, so a follow-up is closed by logging a new session for the
same household, person and service: "Đã xong" logs it as done, "Chưa được" as failed
with a reason, or as a new follow-up on another day.  The list then reads itself again
(the new session closes the old follow-up in the core query) and the row is gone.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import format_vn_date, vietnam_today
from villagehelper.errors import UserError
from villagehelper.ops.lists import FollowUpCursor, FollowUpQuery
from villagehelper.ops.sessions import (
    FollowUp,
    FollowUpStatus,
    ServiceOutcome,
    VisitInput,
    VisitLogged,
    log_visit,
)
from villagehelper.store.engine import Store
from villagehelper.store.models import Outcome
from villagehelper.text import format_number
from villagehelper.ui.lists.filters import FilterChoices, ListScreen
from villagehelper.ui.lists.session_model import (
    HOUSEHOLD_ID_ROLE,
    LazyTableModel,
    PageSource,
    report_failure,
)
from villagehelper.ui.shell.clock_day import ClockDay
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.feedback import show_user_error
from villagehelper.ui.widgets.date_field import follow_up_field
from villagehelper.ui.widgets.fields import ChoiceCombo, ProportionalColumns, labelled

UPCOMING_DAYS = 7
DEFAULT_NEW_DATE_DAYS = 7
OVERDUE_BACKGROUND = QColor(255, 228, 225)
OVERDUE_TEXT = QColor(160, 20, 20)
# Shares of the width: status, due date (as wide as a date), head, village, member,
# service, volunteer, note.
DATE_SAMPLE = "00/00/0000"
SAMPLE_DAYS = 999
COLUMN_WEIGHTS = (0, 0, 17, 14, 17, 22, 15, 14)


class FollowUpsModel(LazyTableModel):
    """Open follow-ups, overdue first; overdue rows are tinted and say by how much."""

    COLUMNS = ("status", "due", "household", "village", "member", "service", "volunteer", "note")
    SORTS: ClassVar[dict[int, Any]] = {}  # the core order (overdue first) is the point

    def __init__(self, store: Store, executor: Worker, parent: QObject | None = None) -> None:
        super().__init__(executor, FollowUpQuery(vietnam_today(store.now())), parent)
        self._store = store

    def make_source(self) -> PageSource:
        return FollowUpCursor(self._store, self._query)

    def headers(self) -> Sequence[str]:
        return (
            self.tr("Tình trạng"),
            self.tr("Ngày hẹn"),
            self.tr("Chủ hộ"),
            self.tr("Thôn"),
            self.tr("Người được hỗ trợ"),
            self.tr("Loại hỗ trợ"),
            self.tr("Người ghi"),
            self.tr("Ghi chú"),
        )

    def follow_up(self, row: int) -> FollowUp | None:
        item = self.item(row)
        return item if isinstance(item, FollowUp) else None

    def overdue_text(self, days: int) -> str:
        return self.tr("Quá hạn %1 ngày").replace("%1", format_number(days))

    def _status_text(self, item: FollowUp) -> str:
        due = item.session.follow_up_date
        assert due is not None
        if item.status == FollowUpStatus.OVERDUE:
            return self.overdue_text((self._query.today - due).days)
        if item.status == FollowUpStatus.DUE:
            return self.tr("Hôm nay")
        return self.tr("Sắp tới")

    def _text(self, item: FollowUp, column: str) -> str:
        session = item.session
        if column == "status":
            return self._status_text(item)
        if column == "due":
            assert session.follow_up_date is not None
            return format_vn_date(session.follow_up_date)
        texts = {
            "household": session.head_name,
            "village": session.village_name,
            "member": session.member_name or "",
            "service": session.service_label,
            "volunteer": session.volunteer_name,
            "note": session.note,
        }
        return texts[column]

    def cell(self, item: Any, column: int, role: int) -> object:
        follow_up: FollowUp = item
        name = self.COLUMNS[column]
        overdue = follow_up.status == FollowUpStatus.OVERDUE
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(follow_up, name)
        if role == HOUSEHOLD_ID_ROLE:
            return follow_up.session.household_id
        if role == Qt.ItemDataRole.BackgroundRole and overdue:
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and overdue:
            # Dark text on the tint whatever the palette (a dark theme has light text).
            return QBrush(
                OVERDUE_TEXT if name in ("status", "due") else QColor(Qt.GlobalColor.black)
            )
        if role == Qt.ItemDataRole.FontRole and overdue and name == "status":
            font = QFont()
            font.setBold(True)
            return font
        return None


class NotDoneDialog(QDialog):
    """ "Chưa được": a reason why it failed, or another day to come back."""

    def __init__(self, follow_up: FollowUp, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notDoneDialog")
        self.setWindowTitle(self.tr("Chưa được"))
        self._follow_up = follow_up
        session = follow_up.session
        assert session.follow_up_date is not None
        about = QLabel(
            self.tr("<b>%1</b> — %2<br>Hẹn ngày %3")
            .replace("%1", html.escape(session.member_name or session.head_name))
            .replace("%2", html.escape(session.service_label))
            .replace("%3", format_vn_date(session.follow_up_date)),
            self,
        )
        about.setTextFormat(Qt.TextFormat.RichText)
        about.setWordWrap(True)
        self.failed = QRadioButton(self.tr("Chưa thành công, lý &do:"), self)
        self.failed.setObjectName("notDoneFailed")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("notDoneReason")
        self.reason.setPlaceholderText(self.tr("Ví dụ: chưa mang căn cước, điện thoại hỏng…"))
        self.later = QRadioButton(self.tr("&Hẹn lại ngày khác:"), self)
        self.later.setObjectName("notDoneLater")
        self.new_date = follow_up_field("notDoneDate", today, self, DEFAULT_NEW_DATE_DAYS)
        self.problem = QLabel(self)
        self.problem.setObjectName("notDoneProblem")
        self.problem.setStyleSheet("color: #a01414;")
        self.failed.setChecked(True)
        # Typing a reason or picking a day says which answer is meant.
        self.reason.textEdited.connect(lambda _text: self.failed.setChecked(True))
        self.new_date.sig_changed.connect(lambda: self.later.setChecked(True))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Lưu"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Hủy"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        grid = QGridLayout()
        grid.addWidget(self.failed, 0, 0)
        grid.addWidget(self.reason, 0, 1)
        grid.addWidget(self.later, 1, 0)
        grid.addWidget(self.new_date, 1, 1)
        grid.addWidget(self.new_date.error, 2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(grid)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.reason.setFocus()

    def outcome(self) -> ServiceOutcome:
        code = self._follow_up.session.service_code
        if self.later.isChecked():
            return ServiceOutcome(code, Outcome.FOLLOW_UP, follow_up_date=self.new_date.day())
        return ServiceOutcome(code, Outcome.FAILED, failure_reason=self.reason.text())

    def accept(self) -> None:
        if self.failed.isChecked() and not self.reason.text().strip():
            self.problem.setText(
                self.tr("Hãy ghi lý do chưa thành công, hoặc chọn hẹn lại ngày khác.")
            )
            self.reason.setFocus()
            return
        if self.later.isChecked() and not self.new_date.check():
            self.new_date.setFocus()  # the field says what is wrong with the date
            return
        super().accept()


class FollowUpsView(ListScreen):
    """Follow-ups due today and overdue (optionally the coming week), with "Đã xong"
    (Ctrl+D) and "Chưa được" (Ctrl+K) logging the session that closes one.

    Inherits ``sig_open_household(str)``: Enter or double-click on a row.
    """

    ROW_ENTITIES = ("help_session", "session_void", "household_merge", "household", "member")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.model: FollowUpsModel
        model = FollowUpsModel(ctx.store, ctx.executor)
        super().__init__(ctx, model, "followUpsTable", parent)
        model.setParent(self)
        self.setObjectName("followUpsView")
        self._logging = False
        self._row_before_reload = 0
        self.village = ChoiceCombo(self.tr("Tất cả các thôn"), "followUpVillageFilter", self)
        self.upcoming = QCheckBox(self.tr("Cả lịch hẹn &7 ngày tới"), self)
        self.upcoming.setObjectName("followUpUpcoming")
        self.done_action = self._action(self.tr("Đã xong"), "Ctrl+D", self._mark_done)
        self.not_done_action = self._action(self.tr("Chưa được"), "Ctrl+K", self._mark_not_done)
        self.done_button = QPushButton(self.tr("Đã &xong (Ctrl+D)"), self)
        self.done_button.setObjectName("followUpDone")
        self.done_button.clicked.connect(self.done_action.trigger)
        self.not_done_button = QPushButton(self.tr("&Chưa được… (Ctrl+K)"), self)
        self.not_done_button.setObjectName("followUpNotDone")
        self.not_done_button.clicked.connect(self.not_done_action.trigger)
        self.feedback = QLabel(self)
        self.feedback.setObjectName("followUpFeedback")
        # Overdue statuses are bold: two spaces more leave them room.
        status_sample = self.model.overdue_text(SAMPLE_DAYS) + "  "
        self._columns = ProportionalColumns(
            self.table, COLUMN_WEIGHTS, fixed={0: status_sample, 1: DATE_SAMPLE}
        )
        top = QHBoxLayout()
        top.addWidget(labelled(self.tr("T&hôn:"), self.village, self))
        top.addWidget(self.village, 1)
        top.addWidget(self.upcoming)
        top.addStretch(2)
        top.addWidget(self.done_button)
        top.addWidget(self.not_done_button)
        self.clock_day = ClockDay(ctx, QLabel(self), self)
        note_row = QHBoxLayout()
        note_row.addWidget(self.clock_day.note)
        self.finish([note_row, top], [self.feedback])
        self.clock_day.sig_changed.connect(lambda: self.reload(force=True))
        self.clock_day.check()
        for first, second in (
            (self.village, self.upcoming),
            (self.upcoming, self.table),
            (self.table, self.done_button),
            (self.done_button, self.not_done_button),
        ):
            QWidget.setTabOrder(first, second)
        self.village.currentIndexChanged.connect(lambda _index: self.reload())
        self.upcoming.toggled.connect(lambda _on: self.reload())
        self.model.sig_loaded.connect(self._loaded)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _action(self, text: str, keys: str, slot: Any) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # --- list ---------------------------------------------------------------------

    def set_choices(self, choices: FilterChoices) -> None:
        self.village.set_choices([(v.id, v.name) for v in choices.villages])

    def current_query(self) -> FollowUpQuery:
        days_ahead = UPCOMING_DAYS if self.upcoming.isChecked() else 0
        return FollowUpQuery(self._today(), self.village.current_id(), days_ahead)

    def count_text(self, total: int) -> str:
        if total == 0:
            return self.tr("Không còn lượt hẹn nào phải làm.")
        return self.tr("%1 lượt hẹn cần làm").replace("%1", format_number(total))

    def _today(self) -> date:
        return self.clock_day.today()  # the server's day when this clock is found wrong

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        self.clock_day.check()
        super().showEvent(event)

    def _loaded(self, total: int) -> None:
        self._logging = False
        if total:
            # Stay at the same place: after "Đã xong" the next follow-up is selected.
            row = min(self._row_before_reload, total - 1)
            self.table.setCurrentIndex(self.model.index(row, 0))

    # --- closing a follow-up --------------------------------------------------------

    def current_follow_up(self) -> FollowUp | None:
        index = self.table.currentIndex()
        return self.model.follow_up(index.row()) if index.isValid() else None

    def _ready(self) -> tuple[FollowUp, str] | None:
        """The selected follow-up and who is logging, or ``None`` after saying why not."""
        if self._logging:
            return None  # the previous one is still being saved
        follow_up = self.current_follow_up()
        if follow_up is None:
            self.feedback.setText(self.tr("Hãy chọn một lượt hẹn trong danh sách."))
            return None
        volunteer = self._ctx.volunteer_id
        if volunteer is None:
            message = self.tr(
                "Chưa chọn người ghi. Hãy chọn thành viên tổ đang ghi sổ trên máy này "
                "(trong Cài đặt), rồi làm lại."
            )
            show_user_error(self, UserError(message, message), self._ctx.preferences.language)
            return None
        return follow_up, volunteer

    def _mark_done(self) -> None:
        ready = self._ready()
        if ready is not None:
            follow_up, volunteer = ready
            self._log(follow_up, volunteer, ServiceOutcome(follow_up.session.service_code))

    def _mark_not_done(self) -> None:
        ready = self._ready()
        if ready is None:
            return
        follow_up, volunteer = ready
        dialog = NotDoneDialog(follow_up, self._today(), self)
        dialog.accepted.connect(lambda: self._log(follow_up, volunteer, dialog.outcome()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _log(self, follow_up: FollowUp, volunteer: str, outcome: ServiceOutcome) -> None:
        session = follow_up.session
        visit = VisitInput(
            household_id=session.household_id,
            volunteer_id=volunteer,
            services=(outcome,),
            member_id=session.member_id,
        )
        store = self._ctx.store
        self._logging = True
        self._row_before_reload = max(self.table.currentIndex().row(), 0)
        self._ctx.write(self, lambda: log_visit(store, visit)).success(
            lambda logged: self._logged(follow_up, logged)
        ).failure(self._log_failed).run()

    def _logged(self, follow_up: FollowUp, logged: VisitLogged) -> None:
        self.feedback.setText(
            self.tr("Đã ghi lượt hỗ trợ mới: %1 — %2.")
            .replace("%1", follow_up.session.head_name)
            .replace("%2", follow_up.session.service_label)
        )
        # The list reads itself again on the changes the operation announces next; the
        # closed row goes away.

    def _log_failed(self, error: BaseException) -> None:
        self._logging = False
        if isinstance(error, UserError):
            show_user_error(self, error, self._ctx.preferences.language)
        else:
            report_failure(self._ctx.executor, error)
