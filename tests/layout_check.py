"""What a person would see cut off in a window: the checks behind tests/test_ui_screen_fit.py.

A window must lie inside the part of the laptop's screen a window gets (the screen less
Windows' taskbar below and the window's own title bar above), and inside it no text may be
cut: a label shorter or narrower than its text needs, a button narrower than its caption,
a table column or tab narrower than its text (Qt then elides it with "…"), a control that
sticks out of the widget holding it where nothing can scroll to it.

Expected sizes here come from Qt's own measure of the text (size hints, font metrics), never
from the app's layout code under test.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QTableView,
    QToolButton,
    QTreeView,
    QWidget,
)

# Windows 10/11 at any scaling, in logical (device-independent) pixels: the taskbar takes
# 40 at the bottom and a window's title bar 31 at its top, which leaves 1366×697 for a
# window's contents on a 1366×768 screen at 100 %, the figure measured on the laptops.
TASKBAR = 40
TITLE_BAR = 31
SLACK = 1  # rounding of fractional scaling


@dataclass(frozen=True)
class Problem:
    """What is wrong (``what``) with a widget (``widget``) of a window (``window``)."""

    window: str
    widget: str
    what: str

    def __str__(self) -> str:
        return f"{self.window}: {self.widget}: {self.what}"


def window_area(screen: QScreen) -> QRect:
    """Where a window's contents may be: the screen less taskbar and title bar."""
    return screen.geometry().adjusted(0, TITLE_BAR, 0, -TASKBAR)


def describe(widget: QWidget) -> str:
    name = widget.objectName() or type(widget).__name__
    text = _text_of(widget)
    return f"{name} «{text[:60]}»" if text else name


def _text_of(widget: QWidget) -> str:
    if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
        return widget.text().replace("\n", " ")
    if isinstance(widget, QComboBox):
        return widget.currentText()
    return ""


def check_window(
    name: str, window: QWidget, record_lists: frozenset[str] = frozenset()
) -> list[Problem]:
    """Everything wrong with ``window`` as shown now (it must be visible).

    ``record_lists``: the object names of the long lists of records (thousands of rows of
    free text, one line each) whose cells may end in "…" provided the cell's tooltip
    holds its whole text; their headings must still show whole."""
    problems = _check_geometry(name, window)
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.window() is not window:
            continue
        found = _cut(widget, widget.objectName() in record_lists)
        problems.extend(Problem(name, describe(widget), what) for what in found)
    return problems


def _check_geometry(name: str, window: QWidget) -> list[Problem]:
    screen = window.screen()
    area = window_area(screen)
    frame = window.frameGeometry()
    problems = []
    if not area.contains(window.geometry()):
        problems.append(
            Problem(name, "window", f"at {_rect(window.geometry())}, outside {_rect(area)}")
        )
    # The frame (the title bar included) must stay above the taskbar and on the screen.
    room = screen.geometry().adjusted(0, 0, 0, -TASKBAR)
    if not room.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(frame):
        problems.append(Problem(name, "window", f"frame {_rect(frame)} outside {_rect(room)}"))
    minimum = window.minimumSize()
    if minimum.width() > area.width() or minimum.height() > area.height():
        problems.append(
            Problem(
                name,
                "window",
                f"minimum {minimum.width()}×{minimum.height()} larger than "
                f"{area.width()}×{area.height()}",
            )
        )
    return problems


def _rect(rect: QRect) -> str:
    return f"{rect.width()}×{rect.height()}+{rect.x()}+{rect.y()}"


def _cut(widget: QWidget, record_list: bool = False) -> list[str]:
    found: list[str] = []
    if isinstance(widget, QLabel):
        found.extend(_label_cut(widget))
    elif isinstance(widget, QAbstractButton) and widget.text() and not _icon_only(widget):
        hint = widget.sizeHint()
        if widget.hasHeightForWidth():  # a caption that wraps
            hint = QSize(widget.minimumSizeHint().width(), widget.heightForWidth(widget.width()))
        if hint.width() > widget.width() + SLACK or hint.height() > widget.height() + SLACK:
            found.append(
                f"caption needs {hint.width()}×{hint.height()}, "
                f"has {widget.width()}×{widget.height()}"
            )
    elif isinstance(widget, QComboBox):
        found.extend(_combo_cut(widget))
    elif isinstance(widget, QTabBar):
        found.extend(_tabs_cut(widget))
    elif isinstance(widget, QTableView | QTreeView | QListView):
        found.extend(_columns_cut(widget, record_list))
    if isinstance(widget, QLabel | QAbstractButton | QLineEdit | QComboBox):
        outside = _outside_container(widget)
        if outside:
            found.append(outside)
    return found


def _icon_only(button: QAbstractButton) -> bool:
    """A tool button that shows its icon alone (its text is for the tooltip and screen
    readers), as the calendar button inside a date field."""
    return (
        isinstance(button, QToolButton)
        and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        and not button.icon().isNull()
    )


def _label_cut(label: QLabel) -> list[str]:
    if not label.text().strip() or not label.pixmap().isNull():
        return []
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if needed > label.height() + SLACK:
            return [f"wrapped text needs {needed} px height, has {label.height()}"]
        widest = label.minimumSizeHint().width()
        if widest > label.width() + SLACK:
            return [f"a word needs {widest} px width, has {label.width()}"]
        return []
    hint = label.sizeHint()
    if hint.width() > label.width() + SLACK or hint.height() > label.height() + SLACK:
        return [f"text needs {hint.width()}×{hint.height()}, has {label.width()}×{label.height()}"]
    return []


def _combo_cut(combo: QComboBox) -> list[str]:
    text = combo.currentText()
    if not text or combo.isEditable():
        return []
    option = QStyleOptionComboBox()
    option.initFrom(combo)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    needed = combo.fontMetrics().horizontalAdvance(text)
    if needed > field.width() + SLACK:
        return [f"chosen text needs {needed} px, the box shows {field.width()}"]
    return []


def _tabs_cut(bar: QTabBar) -> list[str]:
    found = []
    for index in range(bar.count()):
        shown = bar.tabRect(index)
        wanted = bar.tabSizeHint(index)
        if shown.width() + SLACK < wanted.width():
            found.append(
                f"tab «{bar.tabText(index)}» needs {wanted.width()} px, has {shown.width()}"
            )
        elif not bar.rect().contains(shown):
            found.append(f"tab «{bar.tabText(index)}» is out of view")
    return found


def _columns_cut(view: QAbstractItemView, record_list: bool) -> list[str]:
    model = view.model()
    if model is None or model.rowCount() == 0:
        return []
    if isinstance(view, QListView):
        needed = view.sizeHintForColumn(0)
        if needed > view.viewport().width() + SLACK:
            return [f"items need {needed} px, the list shows {view.viewport().width()}"]
        return []
    assert isinstance(view, QTableView | QTreeView)
    header: QHeaderView = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
    found = []
    for column in range(model.columnCount()):
        if header.isSectionHidden(column):
            continue
        has = header.sectionSize(column)
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or column)
        if header.isVisible() and header.sectionSizeHint(column) > has + SLACK:
            found.append(f"heading «{title}» needs {header.sectionSizeHint(column)} px, has {has}")
        if view.wordWrap() and isinstance(view, QTableView):
            continue  # rows checked below
        needed = view.sizeHintForColumn(column)
        if needed <= has + SLACK or view.textElideMode() == Qt.TextElideMode.ElideNone:
            continue
        if record_list and _tooltips_whole(view, column):
            continue
        found.append(f"column «{title}» needs {needed} px, has {has} (text elided)")
    if view.wordWrap() and isinstance(view, QTableView):
        for row in range(model.rowCount()):
            if view.isRowHidden(row):
                continue
            if view.sizeHintForRow(row) > view.rowHeight(row) + SLACK:
                found.append(
                    f"row {row} needs {view.sizeHintForRow(row)} px, has {view.rowHeight(row)}"
                )
    return found


def _tooltips_whole(view: QAbstractItemView, column: int) -> bool:
    """Every loaded cell of ``column`` that shows text has a tooltip saying it whole (the
    same words, or the names behind a list of codes)."""
    model = view.model()
    for row in range(min(model.rowCount(), 200)):
        index = model.index(row, column)
        shown = model.data(index, Qt.ItemDataRole.DisplayRole)
        tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
        if shown and (not isinstance(tip, str) or len(tip.strip()) < len(str(shown)) // 2):
            return False
    return True


def _outside_container(widget: QWidget) -> str | None:
    """A control that sticks out of a widget holding it, where no scroll bar reaches it."""
    rect = widget.rect()
    child: QWidget = widget
    parent = widget.parentWidget()
    while parent is not None and not child.isWindow():
        rect = rect.translated(child.pos())
        scroll = parent.parentWidget()
        if isinstance(scroll, QAbstractScrollArea) and scroll.viewport() is parent:
            # Scrolled out of view is fine in the direction a scroll bar can reach.
            inside = parent.rect()
            off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            if scroll.horizontalScrollBarPolicy() != off:
                inside.setLeft(min(inside.left(), rect.left()))
                inside.setRight(max(inside.right(), rect.right()))
            if scroll.verticalScrollBarPolicy() != off:
                inside.setTop(min(inside.top(), rect.top()))
                inside.setBottom(max(inside.bottom(), rect.bottom()))
            if not inside.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(rect):
                return f"cut by the scroll area {describe(scroll)}"
            # Then the scroll area itself must be whole in its own containers.
            rect, child, parent = scroll.rect(), scroll, scroll.parentWidget()
            continue
        if not parent.rect().adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(rect):
            return f"sticks out of {describe(parent)} ({_rect(rect)} in {_rect(parent.rect())})"
        child, parent = parent, parent.parentWidget()
    return None
