"""Today's visits under the log-a-visit form, and undoing one of them.

The list shows every visit of the day (voids struck through) and keeps the visit just
saved in view.  Ctrl+Z (wired by the screen) undoes that last visit, Delete the
selected one — each after saying what it will undo (villagehelper.ui.log_visit.visit_undo).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import vietnam_today
from villagehelper.text import format_number
from villagehelper.ui.log_visit.room_share import RowsItNeeds
from villagehelper.ui.log_visit.today_model import TodaySessionsModel
from villagehelper.ui.log_visit.visit_undo import confirm_undo, undone_text
from villagehelper.ui.shell.context import AppContext

if TYPE_CHECKING:
    from villagehelper.ops.sessions import SessionRow, VisitLogged
    from villagehelper.store.changelog import Changes

# Stored with the void, so it stays in one language whatever the screen shows.
UNDO_REASON = "Hoàn tác ngay sau khi ghi"
# Today's list grows with its rows up to this many (then it scrolls); an empty list keeps
# one row's height, so the services get the screen at the start of the day.
TODAY_ROWS_VISIBLE = 3


@dataclass(frozen=True)
class _Saved:
    """The visit Ctrl+Z would undo."""

    household_id: str
    session_ids: tuple[str, ...]


class TodayPanel(QWidget):
    """The day's visits with their undo buttons."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._last_visit: _Saved | None = None
        self.model = TodaySessionsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("todaySessions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Each column as wide as its text, on one line: on a narrow screen the table
        # scrolls sideways rather than cut the last column.
        self.table.setWordWrap(False)
        # Enough rows to see the visit just saved beside the ones before it.
        RowsItNeeds(self.table, 1, TODAY_ROWS_VISIBLE)
        self.undo_last = QPushButton(self.tr("Hoàn tác lượt vừa ghi (Ctrl+Z)"), self)
        self.undo_last.setObjectName("undoLast")
        self.undo_last.setEnabled(False)
        self.undo_last.clicked.connect(self.undo_last_visit)
        self.undo_selected = QPushButton(self.tr("Hủy lượt đang chọn (Delete)"), self)
        self.undo_selected.setObjectName("undoSelected")
        self.undo_selected.clicked.connect(self._undo_selected)
        self.title = QLabel(self)
        # What the last undo did (visit_undo.undone_text); cleared by the next save.
        self.undo_feedback = QLabel(self)
        self.undo_feedback.setObjectName("undoFeedback")
        self.undo_feedback.setWordWrap(True)
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, self._undo_selected)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        self._arrange()

    def _arrange(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)  # every pixel of height counts on a laptop
        box.setSpacing(2)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.undo_feedback, 1)
        header.addWidget(self.undo_selected)
        header.addWidget(self.undo_last)
        box.addLayout(header)
        box.addWidget(self.table)

    def tab_chain(self) -> list[QWidget]:
        return [self.table, self.undo_selected, self.undo_last]

    # --- the list -----------------------------------------------------------------

    def refresh(self) -> None:
        ctx = self._ctx

        def load() -> list[SessionRow]:
            from villagehelper.ops.sessions import SessionFilter, list_sessions

            today = vietnam_today(ctx.store.now())
            flt = SessionFilter(start=today, end=today, include_voided=True)
            return list_sessions(ctx.store, flt)

        ctx.read(self, load).success(self._loaded).run()

    def _loaded(self, rows: list[SessionRow]) -> None:
        self.model.set_rows(rows)
        if self._last_visit is not None:  # the visit just saved stays in view
            saved = set(self._last_visit.session_ids)
            shown = [i for i, row in enumerate(rows) if row.id in saved]
            if shown:
                self.table.scrollTo(self.model.index(min(shown), 0))
        live = sum(1 for row in rows if not row.voided)
        self.title.setText(
            self.tr("<b>Hôm nay: %1 lượt hỗ trợ</b>").replace("%1", format_number(live))
        )

    def remember_saved(self, household_id: str, logged: VisitLogged) -> None:
        """The visit just saved is the one Ctrl+Z undoes."""
        self._last_visit = _Saved(household_id, logged.session_ids)
        self.undo_last.setEnabled(True)
        self.undo_feedback.clear()

    # --- undo ---------------------------------------------------------------------

    def undo_last_visit(self) -> None:
        """Ctrl+Z: read the last visit's sessions, say what will be undone, ask."""
        last = self._last_visit
        if last is None:
            return
        ctx = self._ctx

        def load() -> list[SessionRow]:
            from villagehelper.ops.sessions import household_history

            order = {session_id: n for n, session_id in enumerate(last.session_ids)}
            rows = household_history(ctx.store, last.household_id)
            wanted = [row for row in rows if row.id in order and not row.voided]
            return sorted(wanted, key=lambda row: order[row.id])  # as they were chosen

        ctx.read(self, load).success(lambda rows: self._confirm_void(rows, last)).run()

    def _undo_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        session = self.model.session(rows[0].row()) if rows else None
        if session is not None and not session.voided:
            self._confirm_void([session], None)

    def _confirm_void(self, rows: list[SessionRow], last: _Saved | None) -> None:
        if not rows:
            return  # already undone (from another screen, or by sync)

        def confirmed() -> None:
            if last is not None and self._last_visit is last:
                self._last_visit = None
                self.undo_last.setEnabled(False)
            self._void(rows)

        confirm_undo(self, rows, confirmed)

    def _void(self, rows: list[SessionRow]) -> None:
        volunteer_id = self._ctx.volunteer_id
        if volunteer_id is None:
            return
        ctx = self._ctx
        session_ids = [row.id for row in rows]

        def void_all() -> Changes:
            from villagehelper.ops.sessions import void_session
            from villagehelper.store.changelog import Changes

            changes = Changes()
            for session_id in session_ids:
                changes.merge(void_session(ctx.store, session_id, volunteer_id, UNDO_REASON))
            return changes

        ctx.write(self, void_all).success(
            lambda _changes: self.undo_feedback.setText(undone_text(rows))
        ).run()
