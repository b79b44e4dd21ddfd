"""The search box that finds a household as the volunteer types.

Keys stay in the box: ↑/↓ move through the results, Enter chooses (or, with no match,
asks to create the household typed).  Queries run on the database worker; while one is
in flight only the newest text waits, so fast typing never queues stale searches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from villagehelper.ui.shell.context import AppContext

if TYPE_CHECKING:  # the database layer loads on the worker, after the window shows
    from villagehelper.ops.households import HouseholdHit, SearchResult

ModelIndex = QModelIndex | QPersistentModelIndex
RESULT_LIMIT = 30


class HouseholdHitsModel(QAbstractListModel):
    """Search results, one line each: head — village — address — phone — members."""

    HitRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: tuple[HouseholdHit, ...] = ()

    def set_hits(self, hits: tuple[HouseholdHit, ...]) -> None:
        self.beginResetModel()
        self._hits = hits
        self.endResetModel()

    def hit(self, row: int) -> HouseholdHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        hit = self.hit(index.row()) if index.isValid() else None
        if hit is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return describe_hit(hit)
        if role == self.HitRole:
            return hit.id
        return None


def describe_hit(hit: HouseholdHit) -> str:
    """Two lines: the head's name, then where the household is and who lives there."""
    parts = [hit.village_name]
    if hit.address_detail:
        parts.append(hit.address_detail)
    if hit.phone:
        parts.append(hit.phone_masked)
    second = " — ".join(parts)
    others = [name for name in hit.member_names if name != hit.head_name]
    if others:
        second += " · " + ", ".join(others[:2]) + (", …" if len(others) > 2 else "")
    return f"{hit.head_name}\n    {second}"


class _SearchLine(QLineEdit):
    """Forwards ↑/↓/PgUp/PgDn to the result list and Enter to the search widget; leaves
    Ctrl+Z to the screen (undo the last visit: the box's own text is not worth it)."""

    sig_move = Signal(int)
    """Move the highlighted result by this many rows."""
    sig_enter = Signal()
    """Enter (or Return) was pressed in the box."""

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Undo)
        ):
            event.ignore()  # not taken by the box: the screen's Ctrl+Z shortcut fires
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        steps = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: 10,
            Qt.Key.Key_PageUp: -10,
        }.get(Qt.Key(event.key()))
        if steps is not None:
            self.sig_move.emit(steps)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.sig_enter.emit()
            return
        super().keyPressEvent(event)


class HouseholdSearch(QWidget):
    """Search box + results.  Emits which household was chosen, or a name to create."""

    sig_chosen = Signal(str)
    """A household was chosen: its id."""
    sig_create = Signal(str)
    """Nothing matched and the volunteer pressed Enter: the text typed, as a head name."""
    sig_results_shown = Signal(str)
    """Results for this query text are on screen (used by tests and benchmarks)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._in_flight = False
        self._waiting: str | None = None
        self._enter_pending = False
        self._shown_query = ""
        self.line = _SearchLine(self)
        self.line.setObjectName("householdSearch")
        self.line.setPlaceholderText(
            self.tr(
                "Tìm hộ: tên chủ hộ hoặc nhân khẩu, số điện thoại, thôn… (gõ không dấu cũng được)"
            )
        )
        self.line.setClearButtonEnabled(True)
        self.model = HouseholdHitsModel(self)
        self.results = QListView(self)
        self.results.setObjectName("householdResults")
        self.results.setModel(self.model)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay in the box
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setAlternatingRowColors(True)
        self.results.doubleClicked.connect(lambda index: self._choose_row(index.row()))
        self.hint = QLabel(self)
        self.hint.setObjectName("searchHint")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        self.line.textChanged.connect(self._query)
        self.line.sig_move.connect(self._move)
        self.line.sig_enter.connect(self._enter)
        self._show_hint("")

    # --- searching ----------------------------------------------------------------

    def _query(self, text: str) -> None:
        if self._in_flight:
            self._waiting = text
            return
        self._run(text)

    def _run(self, text: str) -> None:
        self._in_flight = True
        ctx = self._ctx

        def search() -> SearchResult:
            from villagehelper.ops.households import find_households

            return find_households(ctx.store, text, RESULT_LIMIT)

        ctx.read(self, search).success(lambda result: self._show(text, result)).failure(
            lambda _error: self._show(text, None)
        ).run()

    def _show(self, text: str, result: SearchResult | None) -> None:
        self._in_flight = False
        if self._waiting is not None:
            waiting, self._waiting = self._waiting, None
            if waiting != text:
                self._run(waiting)
                return
        self._shown_query = text
        hits = result.hits if result is not None else ()
        self.model.set_hits(hits)
        if hits:
            self.results.setCurrentIndex(self.model.index(0, 0))
        self._show_hint(text, len(hits), result.more if result is not None else False)
        self.sig_results_shown.emit(text)
        if self._enter_pending and text == self.line.text():
            self._enter_pending = False
            self._enter()

    def refresh(self) -> None:
        """Run the current query again (after a change elsewhere)."""
        self._query(self.line.text())

    def _show_hint(self, text: str, count: int = 0, more: bool = False) -> None:
        if not text.strip():
            self.hint.setText(self.tr("Gõ vài chữ của tên để tìm; ↑ ↓ để chọn, Enter để mở."))
        elif count == 0:
            self.hint.setText(
                self.tr("Không tìm thấy hộ nào. Nhấn Enter để thêm hộ mới «%1».").replace(
                    "%1", text.strip()
                )
            )
        elif more:
            self.hint.setText(self.tr("Còn nhiều kết quả khác — gõ thêm để thu hẹp."))
        else:
            self.hint.setText(self.tr("Enter: chọn hộ đang tô sáng."))

    # --- choosing -----------------------------------------------------------------

    def _move(self, steps: int) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            return
        current = self.results.currentIndex().row()
        target = max(0, min(rows - 1, current + steps))
        self.results.setCurrentIndex(self.model.index(target, 0))

    def _enter(self) -> None:
        text = self.line.text().strip()
        if not text:
            return
        if self._in_flight or self._shown_query != self.line.text():
            self._enter_pending = True  # act once the results for this text arrive
            return
        if self.model.rowCount() == 0:
            self.sig_create.emit(text)
        else:
            self._choose_row(self.results.currentIndex().row())

    def _choose_row(self, row: int) -> None:
        hit = self.model.hit(row)
        if hit is not None:
            self.sig_chosen.emit(hit.id)

    def reset(self) -> None:
        self._enter_pending = False
        self.line.clear()
        self.line.setFocus()
