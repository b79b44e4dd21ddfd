"""The leader's confirmation of a retention purge (``villagehelper.ops.retention``).

The daily job lists the households past the retention period and the campaigns' list
rows linked to nobody whose campaign is long over; this dialog shows them in one list
(village, head of household, people, last contact; then a line per campaign: how many
rows, its deadline, never a name) with today's date as the laptop knows it, so a leader
can see a wrong date before anything goes.  Either part may be empty: list rows alone
are offered too.  "Xóa" goes through the leader gate; "Để sau" erases nothing (the list
comes back the next day).
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
        summary = self._label(
            "purgeSummary",
            self.tr(
                "Theo đồng hồ máy này hôm nay là %1; thời hạn lưu %2 tháng. Xóa thì không hoàn "
                "tác được và được đồng bộ tới mọi máy. Nếu ngày hôm nay sai, đừng xóa: hãy chỉnh "
                "ngày giờ của máy."
            )
            .replace("%1", today)
            .replace("%2", str(plan.months)),
        )
        clock_note = self._label("purgeClockNote", plan.clock.message(ctx.preferences.language))
        self.what_label = self._label("purgeWhat", self._what_text())
        self.table = QTableWidget(len(plan.households) + len(plan.list_rows_by_campaign()), 4, self)
        self.table.setObjectName("purgeList")
        second = self.tr("Chủ hộ / chiến dịch") if plan.list_rows else self.tr("Chủ hộ")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Thôn"), second, self.tr("Số người"), self.tr("Liên hệ lần cuối")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, cells in enumerate(self._rows()):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        # The head of household takes the room left (the list fills the dialog), and a
        # long name wraps rather than be cut.
        WrappedNames(self.table, 1)
        buttons = QDialogButtonBox(self)
        self.purge_button = buttons.addButton(
            self._purge_text(), QDialogButtonBox.ButtonRole.DestructiveRole
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
        layout.addWidget(self.what_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 460)

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _what_text(self) -> str:
        plan = self._plan
        households, people = str(len(plan.households)), str(plan.people)
        rows = str(len(plan.list_rows))
        cutoff = format_vn_date(to_vietnam(plan.cutoff).date())
        if not plan.list_rows:
            text = self.tr("%1 hộ (%2 người) không liên hệ từ trước %3:")
        elif not plan.households:
            text = self.tr(
                "%4 dòng danh sách chiến dịch không gắn với ai trong sổ, của các chiến dịch đã "
                "hết hạn trước %3 (chỉ xóa họ tên, năm sinh, điện thoại, số giấy tờ; số liệu "
                "chiến dịch giữ nguyên):"
            )
        else:
            text = self.tr(
                "%1 hộ (%2 người) không liên hệ từ trước %3, và %4 dòng danh sách chiến dịch "
                "không gắn với ai, của các chiến dịch hết hạn trước ngày đó (số liệu chiến dịch "
                "giữ nguyên):"
            )
        return (
            text.replace("%1", households)
            .replace("%2", people)
            .replace("%3", cutoff)
            .replace("%4", rows)
        )

    def _rows(self) -> list[tuple[str, str, str, str]]:
        """The households, then a line per campaign: its rows go by the campaign, and the
        leader knows the campaigns (the rows hold only what a list said of someone the
        team never found in the logbook); its deadline is the rows' last contact."""
        plan = self._plan
        rows = [
            (
                household.village_name,
                household.head_name,
                str(household.people),
                format_vn_date(to_vietnam(household.last_contact).date()),
            )
            for household in plan.households
        ]
        listed = self.tr("Danh sách chiến dịch")
        for name, deadline, count in plan.list_rows_by_campaign():
            rows.append((listed, name, str(count), format_vn_date(deadline)))
        return rows

    def _purge_text(self) -> str:
        households, rows = str(len(self._plan.households)), str(len(self._plan.list_rows))
        if not self._plan.list_rows:
            return self.tr("Xóa thông tin của %1 hộ").replace("%1", households)
        if not self._plan.households:
            return self.tr("Xóa %1 dòng danh sách").replace("%1", rows)
        return (
            self.tr("Xóa thông tin của %1 hộ và %2 dòng danh sách")
            .replace("%1", households)
            .replace("%2", rows)
        )

    def _ask_leader(self) -> None:
        from villagehelper.ui.lock.leader_gate import when_leader

        when_leader(self, self._ctx, self.tr("Xóa thông tin quá thời hạn lưu"), self._confirmed)

    def _confirmed(self) -> None:
        self.sig_confirmed.emit(self._plan)
        self.accept()
