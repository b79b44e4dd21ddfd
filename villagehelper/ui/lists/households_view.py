"""The households list: who lives where, when the team last helped them, and with what.

Paged like the sessions list (30,000 households open as fast as 300); the search box
matches like the one on the log-a-visit screen (any name, phone or village, with or
without diacritics).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QWidget

from villagehelper.clock import format_vn_date
from villagehelper.ops.lists import HouseholdCursor, HouseholdListRow, HouseholdQuery, HouseholdSort
from villagehelper.store.engine import Store
from villagehelper.text import Phone, format_number
from villagehelper.ui.lists.filters import FilterChoices, ListScreen, SearchField
from villagehelper.ui.lists.session_model import HOUSEHOLD_ID_ROLE, LazyTableModel, PageSource
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.widgets.fields import ChoiceCombo, ProportionalColumns, labelled

# Shares of the width: head, village, members, phone, last visit, services done; the
# members and last-visit columns are as wide as their titles.
COLUMN_WEIGHTS = (24, 20, 0, 12, 0, 44)


class HouseholdTableModel(LazyTableModel):
    """Households with member count, masked phone, last visit and services done."""

    COLUMNS = ("head", "village", "members", "phone", "last_visit", "services")
    SORTS: ClassVar[dict[int, Any]] = {
        0: HouseholdSort.HEAD,
        1: HouseholdSort.VILLAGE,
        2: HouseholdSort.MEMBERS,
        4: HouseholdSort.LAST_VISIT,
    }

    def __init__(self, store: Store, executor: Worker, parent: QObject | None = None) -> None:
        super().__init__(executor, HouseholdQuery(), parent)
        self._store = store
        self._service_labels: dict[str, str] = {}

    def set_service_labels(self, labels: dict[str, str]) -> None:
        """Service names for the "services done" column (the rows hold codes)."""
        self._service_labels = labels
        if self.rowCount():
            column = self.COLUMNS.index("services")
            top, bottom = self.index(0, column), self.index(self.rowCount() - 1, column)
            self.dataChanged.emit(top, bottom)

    def services_done_text(self, row: HouseholdListRow) -> str:
        return "; ".join(self._service_labels.get(code, code) for code in row.services_done)

    def make_source(self) -> PageSource:
        return HouseholdCursor(self._store, self._query)

    def headers(self) -> Sequence[str]:
        return (
            self.tr("Chủ hộ"),
            self.tr("Thôn"),
            self.tr("Nhân khẩu"),
            self.tr("Điện thoại"),
            self.tr("Lần hỗ trợ gần nhất"),
            self.tr("Đã hỗ trợ xong"),
        )

    def household(self, row: int) -> HouseholdListRow | None:
        item = self.item(row)
        return item if isinstance(item, HouseholdListRow) else None

    def _text(self, row: HouseholdListRow, column: str) -> str:
        if column == "head":
            return row.head_name
        if column == "village":
            return row.village_name
        if column == "members":
            return format_number(row.member_count)
        if column == "phone":
            # Lists are read on a shared screen: the full number is on the household page.
            return Phone(row.phone).masked() if row.phone else ""
        if column == "last_visit":
            return format_vn_date(row.last_visit) if row.last_visit else self.tr("chưa có")
        return self.services_done_text(row)

    def cell(self, item: Any, column: int, role: int) -> object:
        row: HouseholdListRow = item
        name = self.COLUMNS[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, name)
        if role == HOUSEHOLD_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if name == "services" and row.services_done:
                return "\n".join(self._service_labels.get(c, c) for c in row.services_done)
            return self._text(row, name)
        if role == Qt.ItemDataRole.TextAlignmentRole and name == "members":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class HouseholdsView(ListScreen):
    """Households list with search and a village filter.

    Inherits ``sig_open_household(str)``: Enter or double-click on a row.
    """

    # A household row shows these records (sessions give last visit and services done).
    ROW_ENTITIES = (
        "household",
        "member",
        "village",
        "help_session",
        "session_void",
        "household_merge",
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.model: HouseholdTableModel
        model = HouseholdTableModel(ctx.store, ctx.executor)
        super().__init__(ctx, model, "householdsTable", parent)
        model.setParent(self)
        self.setObjectName("householdsView")
        self.search = SearchField("householdListSearch", self)
        self.search.setPlaceholderText(
            self.tr("Tên chủ hộ hoặc nhân khẩu, số điện thoại… (gõ không dấu cũng được)")
        )
        self.village = ChoiceCombo(self.tr("Tất cả các thôn"), "householdVillageFilter", self)
        titles = self.model.headers()
        self._columns = ProportionalColumns(
            self.table, COLUMN_WEIGHTS, fixed={2: titles[2], 4: titles[4]}
        )
        top = QHBoxLayout()
        top.addWidget(labelled(self.tr("&Tìm hộ:"), self.search, self))
        top.addWidget(self.search, 3)
        top.addWidget(labelled(self.tr("T&hôn:"), self.village, self))
        top.addWidget(self.village, 1)
        self.finish([top])
        QWidget.setTabOrder(self.search, self.village)
        QWidget.setTabOrder(self.village, self.table)
        self.search.sig_search.connect(lambda _text: self.reload())
        self.village.currentIndexChanged.connect(lambda _index: self.reload())
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self.search.setFocus)
        # Enter in the search box opens the household highlighted (the first one found),
        # once the list shows the results of what was typed.
        self._open_when_settled = False
        self.search.sig_submitted.connect(self._search_submitted)
        self.model.sig_loaded.connect(lambda _total: self._open_if_waiting())

    def _search_submitted(self) -> None:
        self._open_when_settled = True
        self._open_if_waiting()

    def _open_if_waiting(self) -> None:
        if not self._open_when_settled or not self.model.settled():
            return
        self._open_when_settled = False
        if self.model.rowCount() == 0:
            return  # the count line says nothing matched
        current = self.table.currentIndex()
        self._open(current if current.isValid() else self.model.index(0, 0))

    def set_choices(self, choices: FilterChoices) -> None:
        language = self._ctx.preferences.language
        self.village.set_choices([(v.id, v.name) for v in choices.villages])
        self.model.set_service_labels({s.code: s.label(language) for s in choices.services})

    def current_query(self) -> HouseholdQuery:
        sorted_by: HouseholdQuery = self.model.query()
        return replace(sorted_by, search=self.search.text(), village_id=self.village.current_id())

    def count_text(self, total: int) -> str:
        if total == 0:
            return self.tr("Không có hộ nào khớp tìm kiếm.")
        return self.tr("%1 hộ gia đình").replace("%1", format_number(total))
