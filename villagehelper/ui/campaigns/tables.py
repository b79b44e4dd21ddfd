"""Read-only tables of the campaigns screen: a row per item, the item's id kept on the
first cell, numbers right-aligned.  Qt only: the rows come from the worker as plain
tuples of text."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from villagehelper.ui.shell.screen_fit import WrappedNames

ID_ROLE = Qt.ItemDataRole.UserRole


class ReadOnlyTable(QTableWidget):
    """Whole rows selected, one at a time; arrows move, Tab leaves the table."""

    def __init__(self, headers: Sequence[str], object_name: str, parent: QWidget) -> None:
        super().__init__(0, len(headers), parent)
        self.setObjectName(object_name)
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)  # Tab goes to the next part of the screen
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The first column's names take the room left and wrap rather than be cut.
        WrappedNames(self, 0)

    def fill(self, rows: Sequence[tuple[str | None, Sequence[str]]], numeric_from: int) -> None:
        """Replace the rows: (id, cells); cells from ``numeric_from`` on are numbers."""
        self.setRowCount(len(rows))
        for index, (item_id, cells) in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= numeric_from:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == 0:
                    item.setData(ID_ROLE, item_id)
                self.setItem(index, column, item)

    def texts(self, row: int) -> list[str]:
        """The row's cells as shown (what tests and screen readers see)."""
        cells = (self.item(row, column) for column in range(self.columnCount()))
        return [cell.text() if cell is not None else "" for cell in cells]

    def current_id(self) -> str | None:
        cell = self.item(self.currentRow(), 0)
        value = cell.data(ID_ROLE) if cell is not None else None
        return str(value) if value is not None else None

    def embolden_row(self, row: int) -> None:
        """A total row, set apart from the rows it adds up."""
        font = self.font()
        font.setBold(True)
        for column in range(self.columnCount()):
            cell = self.item(row, column)
            if cell is not None:
                cell.setFont(font)
