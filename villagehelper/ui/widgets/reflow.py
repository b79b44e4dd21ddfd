"""A side-by-side splitter that puts its second part below the first when its window is
too narrow for both side by side (F7 on a laptop at 125 % with large text: the chart goes
below the tables, which then get the whole width and need no sideways scrolling)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QSplitter, QTableView, QWidget

# The window's edges, the page's margins and a vertical scroll bar.
WINDOW_ALLOWANCE = 60
# The tab page holding a table inside the splitter.
TABLE_MARGINS = 24


class StackWhenNarrow(QObject):
    """``split`` is horizontal when its window is as wide as ``first_needs()`` (the width
    its first part needs) plus its second part's minimum, vertical otherwise;
    ``on_narrow`` hears which, to let other parts of the screen follow."""

    def __init__(
        self,
        split: QSplitter,
        first_needs: Callable[[], int],
        on_narrow: Callable[[bool], None],
    ) -> None:
        super().__init__(split)
        self._split = split
        self._first_needs = first_needs
        self._on_narrow = on_narrow
        self._window: QWidget | None = None
        split.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._split and event.type() == QEvent.Type.Show:
            window = self._split.window()
            if window is not self._window:
                if self._window is not None:
                    self._window.removeEventFilter(self)
                self._window = window
                window.installEventFilter(self)
            self.apply()
        elif watched is self._window and event.type() == QEvent.Type.Resize:
            self.apply()
        return False

    def apply(self) -> None:
        window, split = self._window, self._split
        if window is None:
            return
        second = split.widget(split.count() - 1)
        second_needs = second.minimumSizeHint().width() if second is not None else 0
        needed = self._first_needs() + split.handleWidth() + second_needs + WINDOW_ALLOWANCE
        narrow = window.width() < needed
        wanted = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if split.orientation() != wanted:
            split.setOrientation(wanted)
        self._on_narrow(narrow)


def table_needs(table: QTableView, names: int, characters: int = 18) -> int:
    """The width ``table`` needs without scrolling sideways: each column as its heading
    and cells ask, the ``names`` column at ``characters`` (screen_fit.WrappedNames wraps
    the names there), its vertical scroll bar, frame and the margins around it."""
    header = table.horizontalHeader()
    columns = sum(header.sectionSizeHint(c) for c in range(header.count()) if c != names)
    names_width = characters * table.fontMetrics().averageCharWidth()
    edges = table.verticalScrollBar().sizeHint().width() + 2 * table.frameWidth()
    return columns + names_width + edges + TABLE_MARGINS
