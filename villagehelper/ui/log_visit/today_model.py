"""Today's sessions under the log-a-visit form, newest first, each one undoable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from villagehelper.clock import format_vn_date, to_vietnam
from villagehelper.ui.widgets.headers import column_title
from villagehelper.ui.widgets.outcomes import outcome_text

if TYPE_CHECKING:
    from villagehelper.ops.sessions import SessionRow

ModelIndex = QModelIndex | QPersistentModelIndex


class TodaySessionsModel(QAbstractTableModel):
    COLUMNS = ("time", "household", "member", "service", "outcome", "volunteer")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SessionRow] = []

    def set_rows(self, rows: list[SessionRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def session(self, row: int) -> SessionRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        titles = (
            QCoreApplication.translate("SessionText", "Giờ"),
            QCoreApplication.translate("SessionText", "Hộ"),
            QCoreApplication.translate("SessionText", "Người được hỗ trợ"),
            QCoreApplication.translate("SessionText", "Loại hỗ trợ"),
            QCoreApplication.translate("SessionText", "Kết quả"),
            QCoreApplication.translate("SessionText", "Người ghi"),
        )
        return column_title(titles, section, orientation, role)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.session(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            column = self.COLUMNS[index.column()]
            values = {
                "time": to_vietnam(row.occurred_at).strftime("%H:%M"),
                "household": f"{row.head_name} — {row.village_name}",
                "member": row.member_name or "",
                "service": row.service_label,
                "outcome": outcome_text(row),
                "volunteer": row.volunteer_name,
            }
            return values[column]
        if role == Qt.ItemDataRole.FontRole and row.voided:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return format_vn_date(to_vietnam(row.occurred_at).date())
        return None
