"""The leader's list of help sessions the commune server held back for an impossible date.

Shown beside conflicts in the leader's review: each session with its household, service,
the date it carries and why that date cannot be right.  The leader picks the right day
and time and "Correct date" saves a corrected session on the database worker
(:func:`villagehelper.ops.implausible.redate_session`); the next sync sends it and it
counts in its week.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import VIETNAM, to_vietnam, vietnam_today
from villagehelper.errors import UserError
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.widgets.choice_lists import ROW_ROLE, RowsModel
from villagehelper.ui.widgets.date_edit import session_day_edit
from villagehelper.ui.widgets.fields import from_qdate, labelled, to_qdate

if TYPE_CHECKING:
    from villagehelper.ops.implausible import ImplausibleSession
    from villagehelper.store.changelog import Changes


class ImplausibleModel(RowsModel["ImplausibleSession"]):
    def __init__(self, language: str) -> None:
        super().__init__(columns=4)
        self._language = language

    def column_titles(self) -> Sequence[str]:
        return (self.tr("Hộ"), self.tr("Loại hỗ trợ"), self.tr("Ngày đã ghi"), self.tr("Vì sao"))

    def cell(self, value: ImplausibleSession, column: int, role: int) -> object:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = value.session
        why = value.message_en if self._language == "en" else value.message_vi
        when = to_vietnam(row.occurred_at).strftime("%d/%m/%Y %H:%M")
        return (f"{row.head_name} ({row.village_name})", row.service_label, when, why)[column]


class ImplausiblePage(QWidget):
    """The list and the correction; ``sig_corrected`` once a date was saved."""

    sig_corrected = Signal()

    def __init__(
        self, ctx: AppContext, model: ImplausibleModel, table: QTableView, parent: QWidget
    ) -> None:
        """``table`` shows ``model`` (the review dialog makes its tables alike)."""
        super().__init__(parent)
        self._ctx = ctx
        self.model = model
        self.table = table
        table.selectionModel().currentRowChanged.connect(lambda *_: self._show_chosen())
        # The household and the date as wide as they are; the service and the reason share
        # the rest (the reason is shown in full below the list).
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        hint = QLabel(
            self.tr(
                "Máy chủ xã giữ lại các lượt hỗ trợ này mà không tính, vì ngày của chúng không "
                "thể đúng (đồng hồ của máy ghi chạy sai). Chọn một lượt, nhập ngày giờ đúng rồi "
                "bấm «Sửa ngày»: lượt đã sửa được tính sau lần đồng bộ tới."
            ),
            self,
        )
        hint.setWordWrap(True)
        self.day = session_day_edit(self, "implausibleDay", self._today)
        self.time = QTimeEdit(self)
        self.time.setObjectName("implausibleTime")
        self.time.setDisplayFormat("HH:mm")
        self.correct = QPushButton(self.tr("Sửa ngày"), self)
        self.correct.setObjectName("correctDate")
        self.correct.clicked.connect(self._redate)
        # The chosen session's reason in full: the table's column elides it.
        self.reason = QLabel(self)
        self.reason.setObjectName("implausibleReason")
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(self)
        self.message.setObjectName("implausibleMessage")
        self.message.setWordWrap(True)
        when = QHBoxLayout()
        when.addWidget(labelled(self.tr("Ngày đúng:"), self.day, self))
        when.addWidget(self.day)
        when.addWidget(self.time)
        when.addWidget(self.correct)
        when.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(table, 1)
        layout.addWidget(self.reason)
        layout.addLayout(when)
        layout.addWidget(self.day.error)
        layout.addWidget(self.message)
        self._show_chosen()

    def set_rows(self, rows: Sequence[ImplausibleSession]) -> None:
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self._show_chosen()

    def chosen(self) -> ImplausibleSession | None:
        index = self.table.currentIndex()
        value = index.data(ROW_ROLE) if index.isValid() else None
        return value

    def _show_chosen(self) -> None:
        chosen = self.chosen()
        for widget in (self.day, self.time, self.correct):
            widget.setEnabled(chosen is not None)
        none_left = self.tr("Không còn lượt nào có ngày không hợp lý.")
        if chosen is None:
            self.reason.setText("")
            if not self.message.text():  # keep "saved" in view
                self.message.setText(none_left)
            return
        if self.message.text() == none_left:
            self.message.setText("")
        language = self._ctx.preferences.language
        self.reason.setText(chosen.message_en if language == "en" else chosen.message_vi)
        # Start from today at the time of day it carries: a wrong year or month is the
        # usual mistake, the hour on the clock often right.
        self.day.setDate(to_qdate(self._today()))
        carried = to_vietnam(chosen.session.occurred_at)
        self.time.setTime(QTime(carried.hour, carried.minute))

    def _today(self) -> date:
        return vietnam_today(self._ctx.store.now())

    def right_moment(self) -> datetime:
        day = from_qdate(self.day.date())
        clock = self.time.time()
        return datetime.combine(day, time(clock.hour(), clock.minute()), tzinfo=VIETNAM)

    def set_right_moment(self, moment: datetime) -> None:
        local = to_vietnam(moment)
        self.day.setDate(QDate(local.year, local.month, local.day))
        self.time.setTime(QTime(local.hour, local.minute))

    def _redate(self) -> None:
        chosen = self.chosen()
        volunteer = self._ctx.volunteer_id
        if chosen is None:
            return
        if volunteer is None:
            self.message.setText(self.tr("Hãy chọn người ghi (F9) trước khi sửa ngày."))
            return
        if not self.day.settled():
            return  # the day typed is not one a session can have taken place on
        ctx, moment, session_id = self._ctx, self.right_moment(), chosen.session.id
        self.message.setText("")

        def work() -> Changes:
            from villagehelper.ops.implausible import redate_session

            return redate_session(ctx.store, session_id, volunteer, moment).changes

        # The tally and lists refresh on the announced changes, dialog or not.
        ctx.write(self, work).success(self._saved).failure(self._refused).run()

    def _saved(self, _changes: Changes) -> None:
        self.message.setText(self.tr("Đã sửa ngày; lượt này sẽ được tính sau lần đồng bộ tới."))
        self.sig_corrected.emit()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, UserError):
            self.message.setText(error.message(self._ctx.preferences.language))
        else:
            self._ctx.executor.sig_bug.emit(type(error).__name__)
