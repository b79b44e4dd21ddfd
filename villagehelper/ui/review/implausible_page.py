"""The leader's list of help sessions the commune server held back for an impossible date.

Shown beside conflicts in the leader's review: each session with its household, service,
the date it carries and why that date cannot be right.  The leader picks the right day
and time and "Correct date" saves a corrected session on the database worker
(:func:`villagehelper.ops.implausible.redate_session`); the next sync sends it and it
counts in its week.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QTableView, QWidget

from villagehelper.clock import to_vietnam
from villagehelper.ui.review.review_list import DatedReviewPage, ReviewRowsModel
from villagehelper.ui.shell.context import AppContext

if TYPE_CHECKING:
    from villagehelper.ops.implausible import ImplausibleSession
    from villagehelper.store.changelog import Changes


class ImplausibleModel(ReviewRowsModel["ImplausibleSession"]):
    def __init__(self, language: str) -> None:
        super().__init__(language, columns=4)

    def column_titles(self) -> Sequence[str]:
        return (self.tr("Hộ"), self.tr("Loại hỗ trợ"), self.tr("Ngày đã ghi"), self.tr("Vì sao"))

    def texts(self, value: ImplausibleSession) -> Sequence[str]:
        row = value.session
        why = self.in_language(value.message_vi, value.message_en)
        when = to_vietnam(row.occurred_at).strftime("%d/%m/%Y %H:%M")
        return (f"{row.head_name} ({row.village_name})", row.service_label, when, why)


class ImplausiblePage(DatedReviewPage["ImplausibleSession"]):
    """The list and the correction; ``sig_corrected`` once a date was saved."""

    sig_corrected = Signal()

    def __init__(
        self, ctx: AppContext, model: ImplausibleModel, table: QTableView, parent: QWidget
    ) -> None:
        super().__init__(ctx, model, table, parent, name="implausible")
        # The household and the date as wide as they are; the service and the reason share
        # the rest (the reason is shown in full below the list).
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.correct = QPushButton(self.tr("Sửa ngày"), self)
        self.correct.setObjectName("correctDate")
        self.correct.clicked.connect(self._redate)
        # The chosen session's reason in full: the table's column elides it.
        self.reason = QLabel(self)
        self.reason.setObjectName("implausibleReason")
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = self.tr(
            "Máy chủ xã giữ lại các lượt hỗ trợ này mà không tính, vì ngày của chúng không "
            "thể đúng (đồng hồ của máy ghi chạy sai). Chọn một lượt, nhập ngày giờ đúng rồi "
            "bấm «Sửa ngày»: lượt đã sửa được tính sau lần đồng bộ tới."
        )
        self._lay_out(hint, self.tr("Ngày đúng:"), (self.correct,), above=(self.reason,))

    def _none_left(self) -> str:
        return self.tr("Không còn lượt nào có ngày không hợp lý.")

    def _fill(self, chosen: ImplausibleSession | None) -> None:
        for widget in (self.day, self.time, self.correct):
            widget.setEnabled(chosen is not None)
        if chosen is None:
            self.reason.setText("")
            return
        language = self._ctx.preferences.language
        self.reason.setText(chosen.message_en if language == "en" else chosen.message_vi)
        # Start from today at the time of day it carries: a wrong year or month is the
        # usual mistake, the hour on the clock often right.
        carried = to_vietnam(chosen.session.occurred_at)
        self.time.setTime(QTime(carried.hour, carried.minute))

    def _redate(self) -> None:
        no_leader = self.tr("Hãy chọn người ghi (F9) trước khi sửa ngày.")
        found = self._leader_for(needs_day=True, no_leader=no_leader)
        if found is None:
            return
        (chosen, volunteer), ctx, moment = found, self._ctx, self.moment()
        session_id = chosen.session.id

        def work() -> Changes:
            from villagehelper.ops.implausible import redate_session

            return redate_session(ctx.store, session_id, volunteer, moment).changes

        self._save(work)

    def _saved(self, _changes: Changes) -> None:
        self.message.setText(self.tr("Đã sửa ngày; lượt này sẽ được tính sau lần đồng bộ tới."))
        self.sig_corrected.emit()
