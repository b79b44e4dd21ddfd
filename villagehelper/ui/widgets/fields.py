"""Qt-only building blocks of the screens: dates to and from Qt's, "all or one" combos,
mnemonic labels, read-only tables and proportional column widths (the date fields are
:mod:`villagehelper.ui.widgets.date_field` and :mod:`villagehelper.ui.widgets.date_edit`).

Nothing here touches the database layer, so a screen built from these alone can be
imported before SQLAlchemy is loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)

COMBO_MIN_CHARACTERS = 12  # long service names are elided; the popup shows them whole


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class ChoiceCombo(QComboBox):
    """A combo whose first entry means "all"; the others carry an id as item data."""

    def __init__(self, all_text: str, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._all_text = all_text
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # The "all" entry, shown until something is chosen, is never cut.
        self.setMinimumContentsLength(max(COMBO_MIN_CHARACTERS, len(all_text) + 2))
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


def error_label(object_name: str, parent: QWidget | None = None) -> QLabel:
    """A message in the error colour, wrapped to its width (empty until something is
    wrong)."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    return label


def field_error_label(object_name: str, parent: QWidget) -> QLabel:
    """The hidden label a field's error is said in, placed by the form just under the
    field."""
    label = error_label(object_name, parent)
    label.hide()
    return label


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
        header = self._table.horizontalHeader()
        for column, weight in enumerate(self._weights):
            width = fixed.get(column, available * weight // total_weight)
            # Nor narrower than its heading: a heading is never cut.
            heading = header.sectionSizeHint(column)
            self._table.setColumnWidth(column, max(width, minimum, heading))
