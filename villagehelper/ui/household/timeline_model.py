"""A household's history as a two-level tree: visits (newest first), then the services
given at each; voided sessions stay visible, struck through, with who voided them and why."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from villagehelper.clock import format_vn_date, to_vietnam
from villagehelper.ops.sessions import SessionRow
from villagehelper.ops.timeline import TimelineEntry, TimelineVisit
from villagehelper.store.models import Outcome

_Index = QModelIndex | QPersistentModelIndex
_TOP = 0  # internal id of a visit row; a session row stores its visit's row + 1
WHEN, RESULT, DETAILS = range(3)


class TimelineModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._visits: list[TimelineVisit] = []

    def set_visits(self, visits: Sequence[TimelineVisit]) -> None:
        self.beginResetModel()
        self._visits = list(visits)
        self.endResetModel()

    def visit(self, row: int) -> TimelineVisit:
        return self._visits[row]

    # --- structure ------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _TOP)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self._visits)
        if parent.internalId() == _TOP and parent.column() == 0:
            return len(self._visits[parent.row()].entries)
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 3

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            WHEN: self.tr("Ngày giờ / loại hỗ trợ"),
            RESULT: self.tr("Kết quả"),
            DETAILS: self.tr("Người ghi, ghi chú"),
        }
        return titles.get(section)

    # --- content --------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if index.internalId() == _TOP:
            visit = self._visits[index.row()]
            return self._visit_data(visit, index.column(), role)
        visit = self._visits[index.internalId() - 1]
        return self._entry_data(visit.entries[index.row()], index.column(), role)

    def _visit_data(self, visit: TimelineVisit, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == WHEN:
                moment = to_vietnam(visit.occurred_at)
                return f"{format_vn_date(moment.date())} {moment:%H:%M}"
            if column == RESULT:
                return self.tr("%n loại hỗ trợ", "", len(visit.entries))
            return self._visit_details(visit)
        if role == Qt.ItemDataRole.FontRole and (column == WHEN or visit.all_voided):
            font = QFont()
            font.setBold(column == WHEN)
            font.setStrikeOut(visit.all_voided)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and visit.all_voided:
            return _muted()
        return None

    def _visit_details(self, visit: TimelineVisit) -> str:
        parts = [self.tr("Người ghi: %1").replace("%1", visit.volunteer_name)]
        if visit.member_name:
            parts.append(self.tr("Người được hỗ trợ: %1").replace("%1", visit.member_name))
        if visit.note:
            parts.append(self.tr("Ghi chú: %1").replace("%1", visit.note))
        return " · ".join(parts)

    def _entry_data(self, entry: TimelineEntry, column: int, role: int) -> object:
        session = entry.session
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == WHEN:
                return session.service_label
            if column == RESULT:
                return self._outcome_text(session)
            return self._entry_details(entry)
        if role == Qt.ItemDataRole.FontRole and entry.void is not None:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and entry.void is not None:
            return _muted()
        return None

    def _outcome_text(self, session: SessionRow) -> str:
        if session.outcome == Outcome.FOLLOW_UP and session.follow_up_date is not None:
            return self.tr("Hẹn lại ngày %1").replace("%1", format_vn_date(session.follow_up_date))
        if session.outcome == Outcome.FAILED:
            return self.tr("Chưa thành công: %1").replace("%1", session.failure_reason)
        return self.tr("Thành công")

    def _entry_details(self, entry: TimelineEntry) -> str:
        void = entry.void
        if void is None:
            if entry.session.replaces_id:
                return self.tr("Đã sửa lại (thay lượt trước)")
            return ""
        when = format_vn_date(to_vietnam(void.voided_at).date())
        if void.reason:
            return (
                self.tr("Đã hủy: %1 (%2, %3)")
                .replace("%1", void.reason)
                .replace("%2", void.volunteer_name)
                .replace("%3", when)
            )
        return self.tr("Đã hủy (%1, %2)").replace("%1", void.volunteer_name).replace("%2", when)


def _muted() -> object:
    return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
