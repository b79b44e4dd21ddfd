"""Small lists to choose from (communes, team members, households, members): one row
model for all of them, and the keyboard habits they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListView

from villagehelper.ui.widgets.headers import column_title

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row object itself
T = TypeVar("T")
_Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel, Generic[T]):
    """Rows of plain values, replaced as a whole; subclasses say what a cell shows."""

    def __init__(self, parent: QObject | None = None, *, columns: int = 1) -> None:
        super().__init__(parent)
        self._columns = columns
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def row(self, row: int) -> T:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._columns

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        return column_title(self.column_titles(), section, orientation, role)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        value = self._rows[index.row()]
        if role == ROW_ROLE:
            return value
        return self.cell(value, index.column(), role)

    def cell(self, value: T, column: int, role: int) -> object:
        """What ``column`` of ``value`` shows for ``role`` (``None``: nothing)."""
        raise NotImplementedError

    def column_titles(self) -> Sequence[str]:
        return ()


def make_choice_list(model: QAbstractTableModel, object_name: str) -> QListView:
    """A large, keyboard-friendly list for choosing one row."""
    view = QListView()
    view.setObjectName(object_name)
    view.setModel(model)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSpacing(3)
    return view


def select_row(view: QAbstractItemView, row: int) -> None:
    """Make ``row`` the chosen one (nothing happens outside the list)."""
    model = view.model()
    if 0 <= row < model.rowCount():
        view.setCurrentIndex(model.index(row, 0))


def selected_row(view: QAbstractItemView) -> int | None:
    selection = view.selectionModel()
    rows = selection.selectedRows() if selection is not None else []
    return rows[0].row() if rows else None


class ArrowKeysMoveList(QObject):
    """Up/Down typed in a search box move the selection of its list (the cursor stays
    in the box, so typing and choosing never need the mouse)."""

    def __init__(self, search: QLineEdit, view: QAbstractItemView) -> None:
        super().__init__(search)
        self._view = view
        search.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
        if step is None:
            return False
        row = selected_row(self._view)
        select_row(self._view, 0 if row is None else row + step)
        return True


class NamedMember(Protocol):
    """What the list needs of a team member, saved (TeamMemberInfo) or not yet."""

    @property
    def full_name(self) -> str: ...

    @property
    def is_leader(self) -> bool: ...


Named = TypeVar("Named", bound=NamedMember)


class TeamMemberModel(RowsModel[Named]):
    """Team members, one per row, the leader marked: in the wizard, the picker of who
    is logging and the lock screen (which lists members with a PIN before the database
    layer is loaded, hence here)."""

    def cell(self, value: Named, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if value.is_leader:
                return self.tr("%1 (tổ trưởng)").replace("%1", value.full_name)
            return value.full_name
        if role == Qt.ItemDataRole.FontRole and value.is_leader:
            font = QFont()
            font.setBold(True)
            return font
        return None
