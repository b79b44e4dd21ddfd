"""Virtual table models: rows load a block at a time, on the database worker, only when
a view asks for them; the sessions model built on that.

A list of 100,000 sessions knows its row count at once and holds only the blocks that
were looked at.  A row not loaded yet shows a placeholder; the view's request for it
queues its block, one block in flight at a time, the most recently asked for first.
Only the last few requests are kept, so blocks the person scrolled past without
stopping are never read.  When a block arrives the model emits ``dataChanged`` and the
view repaints those rows.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from villagehelper.clock import to_vietnam
from villagehelper.ops.lists import Page, SessionCursor, SessionQuery, SessionSort
from villagehelper.ops.sessions import SessionRow
from villagehelper.store.engine import Store
from villagehelper.store.models import Outcome
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.operations import read_op
from villagehelper.ui.widgets.headers import column_title
from villagehelper.ui.widgets.outcomes import outcome_text

log = logging.getLogger("villagehelper.ui")

ModelIndex = QModelIndex | QPersistentModelIndex
BLOCK_SIZE = 200
PLACEHOLDER = "…"
# Blocks asked for and not loaded yet that are worth remembering: a screen shows rows
# of one or two blocks; older requests come from rows scrolled past.
WANTED_BLOCKS = 4
HOUSEHOLD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
"""Item data role holding the household id of a row (``None`` while not loaded)."""

# Outcome colours are a second cue only: the text always says the outcome.
FOLLOW_UP_COLOUR = QColor(150, 90, 0)
FAILED_COLOUR = QColor(170, 20, 20)


def report_failure(executor: Worker, error: BaseException) -> None:
    """What the worker does with a failure nobody handled, for handlers that must also
    tidy up: fixable errors go to the window in plain words, bugs (logged by the
    worker already) to the apology."""
    executor.report(error)


class PageSource(Protocol):
    """Where a lazy model reads its rows (methods run on the database worker)."""

    def first_page(self, limit: int) -> Page[Any]: ...

    def rows(self, offset: int, limit: int) -> Sequence[Any]: ...


class LazyTableModel(QAbstractTableModel):
    """A table whose rows come in blocks from a :class:`PageSource`.

    The query is a frozen dataclass with ``sort`` and ``descending`` fields; ``SORTS``
    maps the sortable columns to ``sort`` values (sorting happens in the core query:
    a proxy model would have to read every row first).
    """

    SORTS: ClassVar[dict[int, Any]] = {}

    sig_loaded = Signal(int)
    """A refresh finished and the first block is in: the argument is the row count."""
    sig_block_loaded = Signal(int)
    """One more block of rows arrived: the argument is its first row."""

    def __init__(self, executor: Worker, query: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._query = query
        self._source: PageSource | None = None
        self._total = 0
        self._blocks: dict[int, Sequence[Any]] = {}
        self._refreshing = False  # a refresh is on its way; the rows shown are older
        self._wanted: dict[int, None] = {}  # blocks asked for, oldest request first
        self._loading: tuple[PageSource, int] | None = None
        self._pump_timer = QTimer(self)
        self._pump_timer.setSingleShot(True)
        self._pump_timer.setInterval(0)
        self._pump_timer.timeout.connect(self._pump)
        self._loaded_once = False

    # --- what subclasses provide ----------------------------------------------------

    def make_source(self) -> PageSource:
        raise NotImplementedError

    def cell(self, item: Any, column: int, role: int) -> object:
        """Data of a loaded row for one column and role."""
        raise NotImplementedError

    def headers(self) -> Sequence[str]:
        raise NotImplementedError

    # --- query and sort ------------------------------------------------------------

    def query(self) -> Any:
        return self._query

    def set_query(self, query: Any, *, force: bool = False) -> None:
        """Show ``query``'s rows; unchanged queries are not read again unless forced."""
        if query != self._query or force:
            self._query = query
            self.refresh()

    def sort_column(self) -> int:
        return next(c for c, s in self.SORTS.items() if s == self._query.sort)

    def sort_order(self) -> Qt.SortOrder:
        if self._query.descending:
            return Qt.SortOrder.DescendingOrder
        return Qt.SortOrder.AscendingOrder

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        sort = self.SORTS.get(column)
        if sort is None:
            return  # a column without a useful order
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(replace(self._query, sort=sort, descending=descending))

    def settled(self) -> bool:
        """The rows shown are those of the current query (no refresh is on its way)."""
        return not self._refreshing

    # --- loading --------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the list again from the start; the rows on screen stay until the new
        first block is in (no flash of an empty table)."""
        self._refreshing = True
        source = self.make_source()
        # Latest only: a refresh overtaken by a newer one while it waited in the queue
        # is skipped, and one answered late is dropped.
        read_op(self._executor, self, lambda: source.first_page(BLOCK_SIZE)).latest_only(
            "first page"
        ).success(lambda page: self._page_arrived(source, page)).failure(
            lambda error: report_failure(self._executor, error)
        ).run()

    def _page_arrived(self, source: PageSource, page: Page[Any]) -> None:
        self.beginResetModel()
        self._source = source
        self._refreshing = False
        self._total = page.total
        self._blocks = {0: page.rows}
        self._wanted.clear()
        self._loading = None
        self.endResetModel()
        self._loaded_once = True
        self.sig_loaded.emit(self._total)

    def _want(self, block: int) -> None:
        if block in self._blocks or (self._loading is not None and self._loading[1] == block):
            return
        self._wanted.pop(block, None)
        self._wanted[block] = None  # now the most recent request
        while len(self._wanted) > WANTED_BLOCKS:
            del self._wanted[next(iter(self._wanted))]
        if self._loading is None and not self._pump_timer.isActive():
            self._pump_timer.start()

    def _pump(self) -> None:
        source = self._source
        if self._loading is not None or source is None or not self._wanted:
            return
        block = next(reversed(self._wanted))
        del self._wanted[block]
        self._loading = (source, block)
        read_op(self._executor, self, lambda: source.rows(block * BLOCK_SIZE, BLOCK_SIZE)).success(
            lambda rows: self._block_arrived(source, block, rows)
        ).failure(lambda error: self._block_failed(source, error)).run()

    def _block_arrived(self, source: PageSource, block: int, rows: Sequence[Any]) -> None:
        if source is not self._source:
            return  # a block of a list that was refreshed since
        self._loading = None
        self._blocks[block] = rows
        first = block * BLOCK_SIZE
        last = min(first + len(rows), self._total) - 1
        if last >= first:
            right = self.columnCount() - 1
            self.dataChanged.emit(self.index(first, 0), self.index(last, right))
        self.sig_block_loaded.emit(first)
        self._pump()

    def _block_failed(self, source: PageSource, error: BaseException) -> None:
        if source is self._source:
            self._loading = None
        report_failure(self._executor, error)

    # --- state for views and tests ------------------------------------------------

    @property
    def loaded_once(self) -> bool:
        return self._loaded_once

    def total(self) -> int:
        return self._total

    def loaded_blocks(self) -> frozenset[int]:
        return frozenset(self._blocks)

    def is_loaded(self, row: int) -> bool:
        block = self._blocks.get(row // BLOCK_SIZE)
        return block is not None and row % BLOCK_SIZE < len(block)

    def item(self, row: int) -> Any:
        """The loaded row object, or ``None`` (not loaded yet or out of range)."""
        if not 0 <= row < self._total:
            return None
        block = self._blocks.get(row // BLOCK_SIZE)
        offset = row % BLOCK_SIZE
        return block[offset] if block is not None and offset < len(block) else None

    # --- QAbstractTableModel ------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers())

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        return column_title(self.headers(), section, orientation, role)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        item = self.item(index.row())
        if item is None:
            self._want(index.row() // BLOCK_SIZE)
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return PLACEHOLDER
            return None
        return self.cell(item, index.column(), role)


def session_time_text(row: SessionRow) -> str:
    return to_vietnam(row.occurred_at).strftime("%d/%m/%Y %H:%M")


class SessionTableModel(LazyTableModel):
    """Help sessions for the sessions list, sorted and filtered in the core query."""

    COLUMNS = ("time", "household", "village", "member", "service", "outcome", "volunteer")
    SORTS: ClassVar[dict[int, Any]] = {
        0: SessionSort.TIME,
        1: SessionSort.HOUSEHOLD,
        2: SessionSort.VILLAGE,
        4: SessionSort.SERVICE,
        5: SessionSort.OUTCOME,
        6: SessionSort.VOLUNTEER,
    }

    def __init__(self, store: Store, executor: Worker, parent: QObject | None = None) -> None:
        super().__init__(executor, SessionQuery(), parent)
        self._store = store
        self._service_labels: dict[str, str] = {}

    def set_service_labels(self, labels: dict[str, str]) -> None:
        """Service names in the interface language (rows carry the Vietnamese one)."""
        self._service_labels = labels
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 4), self.index(self.rowCount() - 1, 4))

    def make_source(self) -> PageSource:
        return SessionCursor(self._store, self._query)

    def headers(self) -> Sequence[str]:
        return (
            QCoreApplication.translate("SessionTableModel", "Thời gian"),
            QCoreApplication.translate("SessionTableModel", "Chủ hộ"),
            QCoreApplication.translate("SessionTableModel", "Thôn"),
            QCoreApplication.translate("SessionTableModel", "Người được hỗ trợ"),
            QCoreApplication.translate("SessionTableModel", "Loại hỗ trợ"),
            QCoreApplication.translate("SessionTableModel", "Kết quả"),
            QCoreApplication.translate("SessionTableModel", "Người ghi"),
        )

    def session(self, row: int) -> SessionRow | None:
        item = self.item(row)
        return item if isinstance(item, SessionRow) else None

    def _text(self, row: SessionRow, column: str) -> str:
        if column == "time":
            return session_time_text(row)
        if column == "household":
            return row.head_name
        if column == "village":
            return row.village_name
        if column == "member":
            return row.member_name or ""
        if column == "service":
            return self._service_labels.get(row.service_code, row.service_label)
        if column == "outcome":
            return outcome_text(row)
        return row.volunteer_name

    def cell(self, item: Any, column: int, role: int) -> object:
        row: SessionRow = item
        name = self.COLUMNS[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, name)
        if role == HOUSEHOLD_ID_ROLE:
            return row.household_id
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self._text(row, name)
            if row.voided:
                return QCoreApplication.translate(
                    "SessionTableModel", "Lượt hỗ trợ đã hủy: %1"
                ).replace("%1", text)
            return text
        if role == Qt.ItemDataRole.FontRole and row.voided:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(row, name)
        return None

    @staticmethod
    def _colour(row: SessionRow, column: str) -> QBrush | None:
        if row.voided:
            palette = QGuiApplication.palette()
            return palette.brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if column != "outcome":
            return None
        if row.outcome == Outcome.FOLLOW_UP:
            return QBrush(FOLLOW_UP_COLOUR)
        if row.outcome == Outcome.FAILED:
            return QBrush(FAILED_COLOUR)
        return None
