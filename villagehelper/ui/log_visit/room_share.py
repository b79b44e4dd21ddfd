"""How the log-a-visit screen shares a small laptop's height: today's list takes the rows
it has (a few at most, one when empty), and the services are shown whole when one of them
has the keyboard, so that the form gets the room a volunteer works in."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QScrollArea, QTableView, QWidget

from villagehelper.ui.shell.screen_fit import one_line_rows, today_rows_height


class RowsItNeeds(QObject):
    """``table`` is at least as tall as its rows, between ``least`` and ``most`` of them:
    an empty list takes one row's height, the rest of the screen goes to the form.  In a
    splitter the person can still drag it taller."""

    def __init__(self, table: QTableView, least: int, most: int) -> None:
        super().__init__(table)
        self._table = table
        self._least = least
        self._most = most
        model = table.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.apply)
        self.apply()

    def rows_shown(self) -> int:
        rows = self._table.model().rowCount()
        return max(self._least, min(self._most, rows))

    def apply(self) -> None:
        table = self._table
        if table.model().rowCount():
            height = today_rows_height(table, self.rows_shown())
        else:  # nothing to scroll to: the heading and one empty row say "none yet"
            height = table.horizontalHeader().sizeHint().height()
            height += one_line_rows(table) + 2 * table.frameWidth()
        table.setMinimumHeight(height)


class ShowWhole(QObject):
    """When the keyboard enters ``area`` (inside the scroll area ``page``), as much of
    ``area`` as fits is scrolled into view, then the focused widget: a focused service
    button is shown with the services around it, not alone at the bottom edge."""

    def __init__(self, page: QScrollArea, area: QWidget) -> None:
        super().__init__(area)
        self._page = page
        self._area = area
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self._area.isAncestorOf(new):
            self._page.ensureWidgetVisible(self._area, 0, 0)
            self._page.ensureWidgetVisible(new, 0, 0)
