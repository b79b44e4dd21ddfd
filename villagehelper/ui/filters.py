"""Widgets shared by the list screens: period presets, "all or one" choices, a search
field that waits for the typing to pause before it asks the database, and the table
set-up every list uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from villagehelper.ops.lists import Period, period_days
from villagehelper.ops.team import (
    ServiceInfo,
    TeamMemberInfo,
    VillageInfo,
    list_services,
    list_team_members,
    list_villages,
)
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.text import name_sort_key
from villagehelper.ui.context import AppContext
from villagehelper.ui.session_model import HOUSEHOLD_ID_ROLE, LazyTableModel

SEARCH_PAUSE_MS = 250  # typing faster than this is one search, not one per keystroke
COMBO_MIN_CHARACTERS = 12  # long service names are elided; the popup shows them whole
DATE_FORMAT = "dd/MM/yyyy"

# Entities whose change alters what the filter combos offer.
CHOICE_ENTITIES = ("village", "team_member", "service")


@dataclass(frozen=True)
class FilterChoices:
    villages: tuple[VillageInfo, ...]
    services: tuple[ServiceInfo, ...]
    team: tuple[TeamMemberInfo, ...]  # in Vietnamese name order


def load_filter_choices(store: Store) -> FilterChoices:
    """What the filter combos offer (runs on the database worker)."""
    team = sorted(list_team_members(store), key=lambda member: name_sort_key(member.full_name))
    return FilterChoices(tuple(list_villages(store)), tuple(list_services(store)), tuple(team))


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def date_edit(parent: QWidget, object_name: str) -> QDateEdit:
    """A dd/mm/yyyy date field with a calendar popup."""
    edit = QDateEdit(parent)
    edit.setObjectName(object_name)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    # Typing "01092026" would otherwise report every half-typed date on the way.
    edit.setKeyboardTracking(False)
    return edit


class ChoiceCombo(QComboBox):
    """A combo whose first entry means "all"; the others carry an id as item data."""

    def __init__(self, all_text: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._all_text = all_text
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(COMBO_MIN_CHARACTERS)
        self.addItem(all_text, None)

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        """Replace the (id, label) entries, keeping the current choice if it is still
        offered; no change signal unless the current id really changes."""
        current = self.current_id()
        self.blockSignals(True)
        try:
            self.clear()
            self.addItem(self._all_text, None)
            for item_id, label in choices:
                self.addItem(label, item_id)
                self.setItemData(self.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
            index = self.findData(current) if current is not None else 0
            self.setCurrentIndex(max(index, 0))
        finally:
            self.blockSignals(False)
        # The popup is as wide as the longest entry, even when the combo is narrow.
        self.view().setMinimumWidth(self.view().sizeHintForColumn(0) + 32)
        if current is not None and self.current_id() != current:
            self.currentIndexChanged.emit(self.currentIndex())

    def current_id(self) -> str | None:
        value = self.currentData()
        return value if isinstance(value, str) else None

    def select_id(self, item_id: str | None) -> None:
        self.setCurrentIndex(max(self.findData(item_id), 0) if item_id is not None else 0)


class SearchField(QLineEdit):
    """A search box that reports its text once the typing pauses (or at once on Enter);
    Esc clears it."""

    sig_search = Signal(str)
    """The text to search for settled: the argument is the text."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_PAUSE_MS)
        self._timer.timeout.connect(self._settle)
        self._reported = ""
        self.textChanged.connect(lambda _text: self._timer.start())

    def _settle(self) -> None:
        self._timer.stop()
        if self.text() != self._reported:
            self._reported = self.text()
            self.sig_search.emit(self._reported)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._settle()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            self._settle()
            return
        super().keyPressEvent(event)


class PeriodPicker(QWidget):
    """Preset periods (all, today, this week, last week, this month) or a custom range.

    The date fields show the days a preset covers and become editable for "Tùy chọn".
    """

    sig_changed = Signal()
    """The period changed: read it with :meth:`days`."""

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.combo = QComboBox(self)
        self.combo.setObjectName("periodCombo")
        presets = (
            (Period.ALL, self.tr("Tất cả")),
            (Period.TODAY, self.tr("Hôm nay")),
            (Period.THIS_WEEK, self.tr("Tuần này")),
            (Period.LAST_WEEK, self.tr("Tuần trước")),
            (Period.THIS_MONTH, self.tr("Tháng này")),
            (Period.CUSTOM, self.tr("Tùy chọn…")),
        )
        for period, label in presets:
            self.combo.addItem(label, period.value)
        self.start = date_edit(self, "periodFrom")
        self.end = date_edit(self, "periodTo")
        for edit in (self.start, self.end):
            # "All" shows a dash instead of a meaningless date.
            edit.setSpecialValueText("—")
            edit.setMinimumDate(QDate(2000, 1, 1))
            edit.dateChanged.connect(self._date_edited)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(QLabel(self.tr("từ"), self))
        layout.addWidget(self.start)
        layout.addWidget(QLabel(self.tr("đến"), self))
        layout.addWidget(self.end)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(self._preset_chosen)
        self._preset_chosen()

    def period(self) -> Period:
        return Period(self.combo.currentData())

    def set_period(self, period: Period) -> None:
        self.combo.setCurrentIndex(self.combo.findData(period.value))

    def set_custom(self, start: date, end: date) -> None:
        self.set_period(Period.CUSTOM)
        self._show_days(start, end)
        self.sig_changed.emit()

    def days(self) -> tuple[date | None, date | None]:
        """First and last day included (``None`` for an open end); presets are computed
        from today each time, so a list left open overnight follows the calendar."""
        period = self.period()
        if period != Period.CUSTOM:
            preset = period_days(period, self._today())
            return preset if preset is not None else (None, None)
        start, end = from_qdate(self.start.date()), from_qdate(self.end.date())
        return (start, end) if start <= end else (end, start)

    def _preset_chosen(self) -> None:
        period = self.period()
        custom = period == Period.CUSTOM
        for edit in (self.start, self.end):
            edit.setEnabled(custom)
        if custom:
            if self.start.date() == self.start.minimumDate():
                # Coming from "all": start from this month rather than from a dash.
                month = period_days(Period.THIS_MONTH, self._today())
                assert month is not None
                self._show_days(*month)
        else:
            preset = period_days(period, self._today())
            if preset is None:
                self._show_days(None, None)
            else:
                self._show_days(*preset)
        self.sig_changed.emit()

    def _show_days(self, start: date | None, end: date | None) -> None:
        for edit, day in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(to_qdate(day) if day is not None else edit.minimumDate())
            edit.blockSignals(False)

    def _date_edited(self) -> None:
        if self.period() == Period.CUSTOM:
            self.sig_changed.emit()


def labelled(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    """A label whose mnemonic (``&``) moves the focus to ``buddy``."""
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def list_table(parent: QWidget, object_name: str) -> QTableView:
    """A read-only, row-selecting table for a list screen.

    Rows have one fixed height: a virtual model must never be asked for every row's
    contents to lay the table out.
    """
    table = QTableView(parent)
    table.setObjectName(object_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside
    table.verticalHeader().setVisible(False)
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setSectionsClickable(True)
    return table


class ProportionalColumns(QObject):
    """Shares a table's width between its columns by weight, so a list fills a 1366-px
    screen at any text size; a column never gets narrower than its minimum (in average
    characters of the table's font), below which the table scrolls sideways.

    ``fixed`` columns keep the width of a sample text (a date, a time).
    """

    def __init__(
        self,
        table: QTableView,
        weights: Sequence[int],
        minimum_characters: int = 8,
        fixed: dict[int, str] | None = None,
    ) -> None:
        super().__init__(table)
        self._table = table
        self._weights = tuple(weights)
        self._minimum = minimum_characters
        self._fixed = dict(fixed or {})
        table.horizontalHeader().setStretchLastSection(False)
        table.viewport().installEventFilter(self)
        self.apply()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.apply()
        return False

    def apply(self) -> None:
        metrics = self._table.fontMetrics()
        padding = 24
        fixed = {c: metrics.horizontalAdvance(t) + padding for c, t in self._fixed.items()}
        available = self._table.viewport().width() - sum(fixed.values())
        total_weight = sum(w for c, w in enumerate(self._weights) if c not in fixed) or 1
        minimum = metrics.averageCharWidth() * self._minimum + padding
        for column, weight in enumerate(self._weights):
            width = fixed.get(column, available * weight // total_weight)
            self._table.setColumnWidth(column, max(width, minimum))


class ListScreen(QWidget):
    """What the lazy list screens share: the table, the count line, opening a household,
    and reading again only when shown and when an operation changed what they display.

    Subclasses build their filters, then call :meth:`finish` with the widgets to put
    above the table; they say which query the filters describe and how to word a count.
    """

    sig_open_household = Signal(str)
    """The person asked to open a household (Enter or double-click): its id."""

    # Records whose change may alter a row of this list.
    ROW_ENTITIES: tuple[str, ...] = ()

    def __init__(
        self,
        ctx: AppContext,
        model: LazyTableModel,
        table_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._stale = True  # read on first show, not at construction
        self.model = model
        self.count_label = QLabel(self.tr("Đang tải…"), self)
        self.count_label.setObjectName(f"{table_name}Count")
        bold = QFont(self.count_label.font())
        bold.setBold(True)
        self.count_label.setFont(bold)
        self.table = list_table(self, table_name)
        self.table.setModel(model)
        if model.SORTS:
            self.table.horizontalHeader().setSortIndicator(model.sort_column(), model.sort_order())
            self.table.setSortingEnabled(True)

    def finish(self, filters: Sequence[QLayout], bottom: Sequence[QWidget] = ()) -> None:
        layout = QVBoxLayout(self)
        for row in filters:
            layout.addLayout(row)
        layout.addWidget(self.table, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label, 1)
        for widget in bottom:
            footer.addWidget(widget)
        layout.addLayout(footer)
        self.table.activated.connect(self._open)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._keep_sort_indicator)
        self.model.sig_loaded.connect(
            lambda total: self.count_label.setText(self.count_text(total))
        )
        self._ctx.hub.sig_changed.connect(self._on_changed)
        self.load_choices()

    def _show_count(self, total: int) -> None:
        self.count_label.setText(self.count_text(total))

    # --- what subclasses provide ----------------------------------------------------

    def current_query(self) -> Any:
        """The query the filters describe now (keeping the model's sort)."""
        raise NotImplementedError

    def count_text(self, total: int) -> str:
        raise NotImplementedError

    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the filter combos."""

    # --- reading ------------------------------------------------------------------

    def load_choices(self) -> None:
        store = self._ctx.store
        self._ctx.executor.op(lambda: load_filter_choices(store)).success(self.set_choices).run()

    def reload(self, *, force: bool = False) -> None:
        """Apply the filters; hidden, the list only remembers to read when shown."""
        if not self.isVisible():
            self._stale = True
            return
        force = force or self._stale
        self._stale = False
        self.model.set_query(self.current_query(), force=force)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload(force=True)

    def _on_changed(self, changes: Changes) -> None:
        if changes_touch(changes, CHOICE_ENTITIES):
            self.load_choices()
        if changes_touch(changes, self.ROW_ENTITIES):
            self.reload(force=True)

    # --- sorting, opening ---------------------------------------------------------

    def _keep_sort_indicator(self, column: int, _order: Qt.SortOrder) -> None:
        if column in self.model.SORTS or not self.model.SORTS:
            return
        # A column without an order keeps the arrow where the list really is sorted.
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column(), self.model.sort_order())
        header.blockSignals(False)

    def _open(self, index: QModelIndex) -> None:
        household_id = self.model.data(index, HOUSEHOLD_ID_ROLE)
        if isinstance(household_id, str):
            self.sig_open_household.emit(household_id)


def changes_touch(changes: Changes, entities: Sequence[str]) -> bool:
    return any(changes.ids(entity) for entity in entities)
