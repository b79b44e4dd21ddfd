"""The leader's list of rows the commune server holds that no laptop can store (faulty:
an unknown outcome, a follow-up with no date, an impossible time…), set aside by every
download (:mod:`villagehelper.exchange.quarantine`) and recorded in the store
(:mod:`villagehelper.store.quarantine_rows`).

Shown beside conflicts in the leader's review, with the household and why.  A faulty
help session is settled as every session is corrected: "Void" voids it; "Log again as
done" also logs the visit again, done, at the day and time chosen, naming the faulty one
(:func:`villagehelper.ops.quarantined.settle_faulty_session`, on the database worker).
The next sync sends it; every laptop then drops the row from its list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
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
    from villagehelper.ops.quarantined import FaultyRow
    from villagehelper.store.changelog import Changes


class FaultyModel(RowsModel["FaultyRow"]):
    def __init__(self, language: str) -> None:
        super().__init__(columns=3)
        self._language = language

    def column_titles(self) -> Sequence[str]:
        return (self.tr("Hộ"), self.tr("Vì sao"), self.tr("Mã dòng"))

    def cell(self, value: FaultyRow, column: int, role: int) -> object:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        why = value.why_en if self._language == "en" else value.why_vi
        return (value.household_name, why, value.row_id)[column]


class FaultyPage(QWidget):
    """The list and the two ways to settle a row; ``sig_settled`` once one was saved."""

    sig_settled = Signal()

    def __init__(
        self, ctx: AppContext, model: FaultyModel, table: QTableView, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model = model
        self.table = table
        table.selectionModel().currentRowChanged.connect(lambda *_: self._show_chosen())
        hint = QLabel(
            self.tr(
                "Máy chủ xã có những lượt hỗ trợ bị lỗi mà không máy nào lưu được (ví dụ kết quả "
                "không rõ, hẹn lại mà không có ngày); chúng không được tính. Chọn một lượt rồi "
                "bấm «Hủy lượt này», hoặc nếu buổi hỗ trợ có thật thì chọn ngày giờ và bấm "
                "«Ghi lại là đã xong». Thay đổi được gửi ở lần đồng bộ tới."
            ),
            self,
        )
        hint.setWordWrap(True)
        self.day = session_day_edit(self, "faultyDay", self._today)
        self.time = QTimeEdit(self)
        self.time.setObjectName("faultyTime")
        self.time.setDisplayFormat("HH:mm")
        self.void = QPushButton(self.tr("Hủy lượt này"), self)
        self.void.setObjectName("voidFaulty")
        self.void.clicked.connect(lambda: self._settle(log_again=False))
        self.log_again = QPushButton(self.tr("Ghi lại là đã xong"), self)
        self.log_again.setObjectName("logFaultyAgain")
        self.log_again.clicked.connect(lambda: self._settle(log_again=True))
        self.message = QLabel(self)
        self.message.setObjectName("faultyMessage")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(labelled(self.tr("Ngày giờ hỗ trợ:"), self.day, self))
        row.addWidget(self.day)
        row.addWidget(self.time)
        row.addWidget(self.log_again)
        row.addWidget(self.void)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(table, 1)
        layout.addLayout(row)
        layout.addWidget(self.day.error)
        layout.addWidget(self.message)
        self._show_chosen()

    def set_rows(self, rows: Sequence[FaultyRow]) -> None:
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self._show_chosen()

    def chosen(self) -> FaultyRow | None:
        index = self.table.currentIndex()
        value = index.data(ROW_ROLE) if index.isValid() else None
        return value

    def _show_chosen(self) -> None:
        chosen = self.chosen()
        settles = chosen is not None and chosen.entity == "help_session"
        for widget in (self.day, self.time, self.void, self.log_again):
            widget.setEnabled(settles)
        none_left = self.tr("Không còn dòng dữ liệu lỗi nào.")
        if chosen is None:
            if not self.message.text():  # keep "saved" in view
                self.message.setText(none_left)
            return
        if self.message.text() == none_left:  # rows came in after an empty list
            self.message.setText("")
        now = to_vietnam(self._ctx.store.now())
        self.day.setDate(to_qdate(self._today()))
        self.time.setTime(QTime(now.hour, now.minute))

    def _today(self) -> date:
        return vietnam_today(self._ctx.store.now())

    def moment(self) -> datetime:
        day = from_qdate(self.day.date())
        clock = self.time.time()
        return datetime.combine(day, time(clock.hour(), clock.minute()), tzinfo=VIETNAM)

    def _settle(self, *, log_again: bool) -> None:
        chosen = self.chosen()
        leader = self._ctx.volunteer_id
        if chosen is None:
            return
        if leader is None:
            self.message.setText(self.tr("Hãy chọn người ghi (F9) trước khi sửa."))
            return
        if log_again and not self.day.settled():
            return  # the day typed is not one a session can have taken place on
        ctx, moment, row_id = self._ctx, self.moment(), chosen.row_id
        self.message.setText("")

        def work() -> Changes:
            from villagehelper.ops.inputs import ServiceOutcome
            from villagehelper.ops.quarantined import settle_faulty_session

            # The service is the faulty row's own: the record keeps its code.
            again = ServiceOutcome("") if log_again else None
            return settle_faulty_session(
                ctx.store, row_id, leader, replacement=again, occurred_at=moment
            )

        ctx.write(self, work).success(self._saved).failure(self._refused).run()

    def _saved(self, _changes: Changes) -> None:
        self.message.setText(self.tr("Đã lưu; thay đổi được gửi ở lần đồng bộ tới."))
        self.sig_settled.emit()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, UserError):
            self.message.setText(error.message(self._ctx.preferences.language))
        else:
            self._ctx.executor.sig_bug.emit(type(error).__name__)
