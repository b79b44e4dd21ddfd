"""How a small screen's room is shared: today's list as tall as its rows, the tally's
chart below its tables on a narrow window (the laptop figures are measured in
tests/test_ui_screen_fit.py; these check the rules themselves)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QSplitter, QTableView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from villagehelper.ui.log_visit.room_share import RowsItNeeds
from villagehelper.ui.widgets.reflow import StackWhenNarrow


def test_today_list_is_as_tall_as_its_rows_between_one_and_three(qtbot: QtBot) -> None:
    model = QStandardItemModel(0, 4)
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    RowsItNeeds(table, 1, 3)
    empty = table.minimumHeight()
    heights = []
    for _ in range(5):
        model.appendRow([QStandardItem("08:15") for _ in range(4)])
        heights.append(table.minimumHeight())
    row = table.verticalHeader().defaultSectionSize()
    assert empty >= table.horizontalHeader().sizeHint().height() + row  # one empty row
    assert heights[0] < heights[1] < heights[2]  # grows with its rows ...
    assert heights[2] == heights[3] == heights[4]  # ... up to three, then scrolls
    assert heights[2] - empty >= 2 * row  # empty, it leaves the form two rows more
    model.removeRows(0, model.rowCount())  # a new day
    assert table.minimumHeight() == empty


def test_the_second_part_goes_below_when_the_window_is_too_narrow(qtbot: QtBot) -> None:
    # Sizes chosen inside the smallest screen a test may have (offscreen: 800×600), since
    # the app's screen fit may clamp any window to its screen.
    window = QWidget()
    qtbot.addWidget(window)
    split = QSplitter(Qt.Orientation.Horizontal, window)
    split.addWidget(QLabel("bảng / tables"))
    chart = QLabel("biểu đồ / chart")
    chart.setMinimumWidth(150)
    split.addWidget(chart)
    QVBoxLayout(window).addWidget(split)
    heard: list[bool] = []
    StackWhenNarrow(split, lambda: 300, heard.append)  # the tables need 300 px
    window.resize(720, 400)
    window.show()
    qtbot.waitExposed(window)
    assert split.orientation() == Qt.Orientation.Horizontal
    window.resize(400, 400)  # less than 300 + 150 and the edges
    qtbot.waitUntil(lambda: split.orientation() == Qt.Orientation.Vertical)
    assert heard[-1] is True
    window.resize(720, 400)
    qtbot.waitUntil(lambda: split.orientation() == Qt.Orientation.Horizontal)
    assert heard[-1] is False
