"""The sessions list: every help session, filtered, sorted and searched in the core.

The table model is virtual (see :mod:`villagehelper.ui.lists.session_model`), so the list
opens as fast with 100,000 sessions as with 100.  It reads the database when first
shown and afterwards only when an operation changed something it displays.
"""

from __future__ import annotations

import itertools
from datetime import date

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from villagehelper.clock import vietnam_today
from villagehelper.ops.lists.sessions import SessionListRequest
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.store.kinds import Outcome
from villagehelper.text import format_number
from villagehelper.ui.lists.filters import FilterChoices, ListScreen, PeriodPicker, SearchField
from villagehelper.ui.lists.session_model import SessionTableModel
from villagehelper.ui.lists.session_records import SESSION_RECORDS
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.widgets.fields import ChoiceCombo, ProportionalColumns, labelled

# Shares of the width: time (as wide as its text), head, village, member, service,
# outcome, volunteer.
TIME_SAMPLE = "00/00/0000 00:00"
COLUMN_WEIGHTS = (0, 20, 17, 20, 28, 17, 18)


class SessionsView(ListScreen):
    """Sessions list with period presets, filters, head-name search and sorting.

    Inherits ``sig_open_household(str)``: Enter or double-click on a row.
    """

    # What a session row shows comes from these records.
    ROW_ENTITIES = SESSION_RECORDS

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.model: SessionTableModel
        super().__init__(ctx, SessionTableModel(ctx.store, ctx.executor), "sessionsTable", parent)
        self.model.setParent(self)
        self.setObjectName("sessionsView")
        self.period = PeriodPicker(self._today, self)
        self.search = SearchField("sessionSearch", self)
        self.search.setPlaceholderText(self.tr("Tên chủ hộ (gõ không dấu cũng được)"))
        self.search.setMinimumWidth(self.fontMetrics().averageCharWidth() * 28)
        self.village = ChoiceCombo(self.tr("Tất cả các thôn"), "villageFilter", self)
        self.service = ChoiceCombo(self.tr("Tất cả loại hỗ trợ"), "serviceFilter", self)
        self.volunteer = ChoiceCombo(self.tr("Tất cả thành viên tổ"), "volunteerFilter", self)
        self.outcome = ChoiceCombo(self.tr("Mọi kết quả"), "outcomeFilter", self)
        self.outcome.set_choices(
            [
                (Outcome.DONE.value, self.tr("Thành công")),
                (Outcome.FOLLOW_UP.value, self.tr("Hẹn lại")),
                (Outcome.FAILED.value, self.tr("Chưa thành công")),
            ]
        )
        self.show_voided = QCheckBox(self.tr("Hiện cả lượt đã hủ&y"), self)
        self.show_voided.setObjectName("showVoided")
        self._columns = ProportionalColumns(self.table, COLUMN_WEIGHTS, fixed={0: TIME_SAMPLE})
        self.finish([self._top_row(), self._filter_row()], [self.show_voided])
        order = [
            self.period.combo,
            self.period.start,
            self.period.end,
            self.search,
            self.village,
            self.service,
            self.volunteer,
            self.outcome,
            self.table,
            self.show_voided,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.period.sig_changed.connect(self.reload)
        self.search.sig_search.connect(lambda _text: self.reload())
        for combo in (self.village, self.service, self.volunteer, self.outcome):
            combo.currentIndexChanged.connect(lambda _index: self.reload())
        self.show_voided.toggled.connect(lambda _on: self.reload())
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self._focus_search)

    def _top_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(labelled(self.tr("&Thời gian:"), self.period, self))
        row.addWidget(self.period)
        row.addStretch(1)
        row.addWidget(labelled(self.tr("Tìm &chủ hộ:"), self.search, self))
        row.addWidget(self.search, 2)
        return row

    def _filter_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for text, combo in (
            (self.tr("T&hôn:"), self.village),
            (self.tr("&Loại hỗ trợ:"), self.service),
            (self.tr("Người &ghi:"), self.volunteer),
            (self.tr("&Kết quả:"), self.outcome),
        ):
            row.addWidget(labelled(text, combo, self))
            row.addWidget(combo, 1)
        return row

    def set_choices(self, choices: FilterChoices) -> None:
        language = self._ctx.preferences.language
        self.village.set_choices([(v.id, v.name) for v in choices.villages])
        self.service.set_choices([(s.code, s.label(language)) for s in choices.services])
        self.volunteer.set_choices([(m.id, m.full_name) for m in choices.team])
        if language != "vi":
            self.model.set_service_labels({s.code: s.label(language) for s in choices.services})

    def _today(self) -> date:
        return vietnam_today(self._ctx.store.now())

    def current_query(self) -> SessionListRequest:
        start, end = self.period.days()
        flt = SessionFilter(
            start=start,
            end=end,
            village_id=self.village.current_id(),
            service_code=self.service.current_id(),
            volunteer_id=self.volunteer.current_id(),
            outcome=self.outcome.current_id(),
            include_voided=self.show_voided.isChecked(),
        )
        sorted_by: SessionListRequest = self.model.query()
        return SessionListRequest(flt, self.search.text(), sorted_by.sort, sorted_by.descending)

    def count_text(self, total: int) -> str:
        if total == 0:
            return self.tr("Không có lượt hỗ trợ nào khớp bộ lọc.")
        return self.tr("%1 lượt hỗ trợ").replace("%1", format_number(total))

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
