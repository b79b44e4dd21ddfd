"""Widgets shared by the list screens: period presets, "all or one" choices, a search
field that waits for the typing to pause before it asks the database, and the table
set-up every list uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
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
from villagehelper.ui.lists.session_model import HOUSEHOLD_ID_ROLE, LazyTableModel
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.widgets.date_edit import report_date_edit, row_over_errors
from villagehelper.ui.widgets.fields import from_qdate, list_table, to_qdate

SEARCH_PAUSE_MS = 250  # typing faster than this is one search, not one per keystroke

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


class SearchField(QLineEdit):
    """A search box that reports its text once the typing pauses (or at once on Enter);
    Esc clears it."""

    sig_search = Signal(str)
    """The text to search for settled: the argument is the text."""
    sig_submitted = Signal()
    """Enter was pressed (after ``sig_search``, when the text had changed)."""

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
            self.sig_submitted.emit()
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
        self.start = report_date_edit(self, "periodFrom", today)
        self.end = report_date_edit(self, "periodTo", today)
        for edit in (self.start, self.end):
            # "All" shows a dash instead of a meaningless date.
            edit.setSpecialValueText("—")
            edit.dateChanged.connect(self._date_edited)
        layout = row_over_errors(self, (self.start, self.end))  # a wrong day said under them
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
        self._ctx.read(self, lambda: load_filter_choices(store)).success(self.set_choices).run()

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
