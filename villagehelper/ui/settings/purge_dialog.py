"""The leader's confirmation of a retention purge (``villagehelper.ops.retention``).

The daily job lists the households past the retention period; this dialog shows the
list (village, head of household, people, last contact) with today's date as the laptop
knows it, so a leader can see a wrong date before anything goes.  "Xóa" goes through
the leader gate; "Để sau" erases nothing (the list comes back the next day).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import format_vn_date, to_vietnam
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.screen_fit import WrappedNames

if TYPE_CHECKING:
    from villagehelper.ops.retention import PurgePlan


class PurgeDialog(QDialog):
    sig_confirmed = Signal(object)
    """The :class:`PurgePlan` a leader confirmed (after the leader gate)."""

    def __init__(self, ctx: AppContext, plan: PurgePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._plan = plan
        self.setObjectName("purgeDialog")
        self.setWindowTitle(self.tr("Xóa thông tin cá nhân quá thời hạn lưu"))
        today = format_vn_date(to_vietnam(plan.now).date())
        cutoff = format_vn_date(to_vietnam(plan.cutoff).date())
        summary = QLabel(
            self.tr(
                "Theo đồng hồ máy này hôm nay là %1. Các hộ dưới đây không liên hệ từ trước %2 "
                "(thời hạn lưu %3 tháng): %4 hộ, %5 người. Xóa thì không hoàn tác được, và "
                "việc xóa được đồng bộ tới mọi máy. Nếu ngày hôm nay sai, đừng xóa: hãy chỉnh "
                "ngày giờ của máy."
            )
            .replace("%1", today)
            .replace("%2", cutoff)
            .replace("%3", str(plan.months))
            .replace("%4", str(len(plan.households)))
            .replace("%5", str(plan.people)),
            self,
        )
        summary.setObjectName("purgeSummary")
        summary.setWordWrap(True)
        clock_note = QLabel(plan.clock.message(ctx.preferences.language), self)
        clock_note.setObjectName("purgeClockNote")
        clock_note.setWordWrap(True)
        self.table = QTableWidget(len(plan.households), 4, self)
        self.table.setObjectName("purgeList")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Thôn"), self.tr("Chủ hộ"), self.tr("Số người"), self.tr("Liên hệ lần cuối")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, household in enumerate(plan.households):
            cells = (
                household.village_name,
                household.head_name,
                str(household.people),
                format_vn_date(to_vietnam(household.last_contact).date()),
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        # The head of household takes the room left (the list fills the dialog), and a
        # long name wraps rather than be cut.
        WrappedNames(self.table, 1)
        buttons = QDialogButtonBox(self)
        self.purge_button = buttons.addButton(
            self.tr("Xóa thông tin của %1 hộ").replace("%1", str(len(plan.households))),
            QDialogButtonBox.ButtonRole.DestructiveRole,
        )
        self.purge_button.setObjectName("purgeConfirm")
        self.later_button = buttons.addButton(
            self.tr("Để sau"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.later_button.setObjectName("purgeLater")
        self.later_button.setDefault(True)  # Enter never erases
        self.purge_button.clicked.connect(self._ask_leader)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(clock_note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 460)

    def _ask_leader(self) -> None:
        from villagehelper.ui.lock.leader_gate import when_leader

        when_leader(self, self._ctx, self.tr("Xóa thông tin quá thời hạn lưu"), self._confirmed)

    def _confirmed(self) -> None:
        self.sig_confirmed.emit(self._plan)
        self.accept()
