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
from typing import TYPE_CHECKING

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import QPushButton, QTableView, QWidget

from villagehelper.clock import to_vietnam
from villagehelper.ui.review.review_list import DatedReviewPage, ReviewRowsModel
from villagehelper.ui.shell.context import AppContext

if TYPE_CHECKING:
    from villagehelper.ops.quarantined import FaultyRow
    from villagehelper.store.changelog import Changes


class FaultyModel(ReviewRowsModel["FaultyRow"]):
    def __init__(self, language: str) -> None:
        super().__init__(language, columns=3)

    def column_titles(self) -> Sequence[str]:
        return (self.tr("Hộ"), self.tr("Vì sao"), self.tr("Mã dòng"))

    def texts(self, value: FaultyRow) -> Sequence[str]:
        return (value.household_name, self.in_language(value.why_vi, value.why_en), value.row_id)


class FaultyPage(DatedReviewPage["FaultyRow"]):
    """The list and the two ways to settle a row; ``sig_settled`` once one was saved."""

    sig_settled = Signal()

    def __init__(
        self, ctx: AppContext, model: FaultyModel, table: QTableView, parent: QWidget
    ) -> None:
        super().__init__(ctx, model, table, parent, name="faulty")
        self.void = QPushButton(self.tr("Hủy lượt này"), self)
        self.void.setObjectName("voidFaulty")
        self.void.clicked.connect(lambda: self._settle(log_again=False))
        self.log_again = QPushButton(self.tr("Ghi lại là đã xong"), self)
        self.log_again.setObjectName("logFaultyAgain")
        self.log_again.clicked.connect(lambda: self._settle(log_again=True))
        hint = self.tr(
            "Máy chủ xã có những lượt hỗ trợ bị lỗi mà không máy nào lưu được (ví dụ kết quả "
            "không rõ, hẹn lại mà không có ngày); chúng không được tính. Chọn một lượt rồi "
            "bấm «Hủy lượt này», hoặc nếu buổi hỗ trợ có thật thì chọn ngày giờ và bấm "
            "«Ghi lại là đã xong». Thay đổi được gửi ở lần đồng bộ tới."
        )
        self._lay_out(hint, self.tr("Ngày giờ hỗ trợ:"), (self.log_again, self.void))

    def _none_left(self) -> str:
        return self.tr("Không còn dòng dữ liệu lỗi nào.")

    def _fill(self, chosen: FaultyRow | None) -> None:
        settles = chosen is not None and chosen.entity == "help_session"
        for widget in (self.day, self.time, self.void, self.log_again):
            widget.setEnabled(settles)
        if chosen is not None:
            now = to_vietnam(self._ctx.store.now())
            self.time.setTime(QTime(now.hour, now.minute))

    def _settle(self, *, log_again: bool) -> None:
        no_leader = self.tr("Hãy chọn người ghi (F9) trước khi sửa.")
        found = self._leader_for(needs_day=log_again, no_leader=no_leader)
        if found is None:
            return
        (chosen, leader), ctx, moment = found, self._ctx, self.moment()

        def work() -> Changes:
            from villagehelper.ops.inputs import ServiceOutcome
            from villagehelper.ops.quarantined import settle_faulty_session

            # The service is the faulty row's own: the record keeps its code.
            again = ServiceOutcome("") if log_again else None
            return settle_faulty_session(
                ctx.store, chosen.row_id, leader, replacement=again, occurred_at=moment
            )

        self._save(work)

    def _saved(self, _changes: Changes) -> None:
        self.message.setText(self.tr("Đã lưu; thay đổi được gửi ở lần đồng bộ tới."))
        self.sig_settled.emit()
