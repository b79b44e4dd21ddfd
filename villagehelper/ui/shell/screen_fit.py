"""Every window on the screen it opens on: never larger than the area a window gets, never
placed where its title bar or its bottom edge is out of reach.

The cultural house's laptop has a 1366×768 screen; Windows keeps the taskbar below and a
title bar above each window, which leaves about 1366×697 for a window's contents at 100 %
scaling and 1093×543 (in Qt's scaled pixels) at 125 %.  Windows and dialogs ask for a
comfortable size; :func:`fit_window` shrinks that to the area and moves the window inside
it.  :class:`ScreenFit`, installed once on the application, does this for every window
and dialog when it is shown, message boxes and Qt's own dialogs included, so no window
has to remember to.  What a window holds must then be able to shrink: long content sits in
scroll areas (:class:`ScrollingTabs` for the main window's screens).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QWidget,
)

# Platforms that report no taskbar (a bare X server, the offscreen one used in tests, an
# auto-hidden taskbar) get this much room kept free at the bottom anyway: Windows' 40 px.
TASKBAR_ALLOWANCE = 40
# A window's title bar before the window system has said how tall it is: Windows' 31 px.
TITLE_BAR_ALLOWANCE = 31


def usable_area(window: QWidget) -> QRect:
    """Where the contents of ``window`` (without its frame) may lie on its screen."""
    screen = window.screen()
    area = screen.availableGeometry()
    if area == screen.geometry():
        area.setBottom(area.bottom() - TASKBAR_ALLOWANCE)
    frame = _frame_margins(window)
    return area.marginsRemoved(frame)


def _frame_margins(window: QWidget) -> QMargins:
    handle = window.windowHandle()
    margins = handle.frameMargins() if handle is not None else QMargins()
    # Before the window is on screen its frame is not known yet: assume a title bar.
    margins.setTop(max(margins.top(), TITLE_BAR_ALLOWANCE))
    return margins


def fit_window(window: QWidget, preferred: QSize | None = None) -> None:
    """Size ``window`` to ``preferred`` (default: its current size) but no larger than the
    usable area of its screen, and move it wholly inside that area."""
    area = usable_area(window)
    size = preferred if preferred is not None else window.size()
    # Room for what the window needs (a message box sizes itself from a soft limit and
    # squeezes its buttons), within the screen; what still cannot shrink is the layout's
    # to fix, with scroll areas.
    size = size.expandedTo(window.minimumSizeHint()).boundedTo(area.size())
    size = size.expandedTo(window.minimumSize())
    place = window.geometry() if window.isVisible() else QRect(window.pos(), size)
    left = min(max(place.left(), area.left()), area.right() + 1 - size.width())
    top = min(max(place.top(), area.top()), area.bottom() + 1 - size.height())
    window.setGeometry(
        QRect(max(left, area.left()), max(top, area.top()), size.width(), size.height())
    )


class ScreenFit(QObject):
    """Fits every top-level window to its screen as it is shown (install with
    :func:`install_screen_fit`).  A window shown maximized or full screen is the window
    system's to place."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and not watched.windowState()
            & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen)
            and _is_window_kind(watched)
        ):
            fit_window(watched)
            # Once more after the window's own show handling (a message box sets its
            # size there), unless it is gone by then.
            QTimer.singleShot(0, watched, lambda: _refit(watched))
        return False


def _refit(window: QWidget) -> None:
    """After a window's own show handling.  A message box caps its width (Qt: the screen's
    width less 480 px) and squeezes long button captions; its buttons go one under the
    other instead, each caption whole."""
    if isinstance(window, QMessageBox) and window.minimumSizeHint().width() > window.width():
        buttons = window.findChild(QDialogButtonBox)
        if buttons is not None:
            buttons.setOrientation(Qt.Orientation.Vertical)
            window.adjustSize()
    fit_window(window)


def _is_window_kind(widget: QWidget) -> bool:
    kind = widget.windowType()
    return kind in (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Sheet)


def install_screen_fit(app: QApplication) -> ScreenFit:
    """Watch every window the application shows (once per application)."""
    existing = app.findChild(ScreenFit)
    if existing is not None:
        return existing
    fit = ScreenFit(app)
    app.installEventFilter(fit)
    return fit


class ScrollingTabs(QTabWidget):
    """Tabs whose pages scroll when the window is smaller than a page would like, so that
    the window's minimum size never grows with what a page shows.  The pages are handed
    out unwrapped (``widget``, ``currentWidget``, ``setCurrentWidget``, ``indexOf``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def addTab(self, widget: QWidget, label: str) -> int:  # type: ignore[override]  # noqa: N802
        return super().addTab(self._wrap(widget), label)

    def insertTab(self, index: int, widget: QWidget, label: str) -> int:  # type: ignore[override]  # noqa: N802
        return super().insertTab(index, self._wrap(widget), label)

    def removeTab(self, index: int) -> None:  # noqa: N802
        wrapper = super().widget(index)
        super().removeTab(index)
        if isinstance(wrapper, QScrollArea):
            page = wrapper.takeWidget()
            if page is not None:
                page.setParent(self)  # the caller decides what becomes of the page
                page.hide()
            wrapper.deleteLater()

    def widget(self, index: int) -> QWidget | None:
        return _unwrap(super().widget(index))

    def currentWidget(self) -> QWidget:  # noqa: N802
        page = _unwrap(super().currentWidget())
        assert page is not None, "no tab yet"
        return page

    def indexOf(self, widget: QWidget) -> int:  # noqa: N802
        for index in range(self.count()):
            if self.widget(index) is widget:
                return index
        return -1

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802
        index = self.indexOf(widget)
        if index >= 0:
            self.setCurrentIndex(index)

    def _wrap(self, page: QWidget) -> QScrollArea:
        scroll = QScrollArea(self)
        scroll.setObjectName("screenScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(page)
        FollowFocus(scroll)
        return scroll


def scroll_page(page: QWidget, parent: QWidget) -> QScrollArea:
    """``page`` in a frameless scroll area: a form that would otherwise be squeezed, its
    text cut, on a small screen.  Its width follows the area down to what the form needs."""
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never a stop of Tab: its fields are
    scroll.setWidget(page)
    FollowFocus(scroll)
    return scroll


class FollowFocus(QObject):
    """The field that has the keyboard is scrolled into view in ``scroll``, however it
    got the focus (Tab, a shortcut, the program)."""

    def __init__(self, scroll: QScrollArea) -> None:
        super().__init__(scroll)
        self._scroll = scroll
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        page = self._scroll.widget()
        if new is not None and page is not None and page.isAncestorOf(new):
            self._scroll.ensureWidgetVisible(new, 8, 8)


def size_by_current_page(stack: QStackedWidget) -> None:
    """A stack as small as the page it shows, not as its largest hidden page: the hidden
    ones are ignored by the layout (the new-household form must not push today's list off
    a small screen while the search is shown)."""

    def current_changed(_index: int) -> None:
        current = stack.currentWidget()
        for index in range(stack.count()):
            page = stack.widget(index)
            if page is None:
                continue
            shown = page is current
            policy = QSizePolicy.Policy.Preferred if shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        stack.updateGeometry()

    stack.currentChanged.connect(current_changed)
    current_changed(stack.currentIndex())


class WrappedWhole(QObject):
    """A word-wrapped label in a place that does not ask how tall wrapped text is (a
    splitter, a stack): its minimum height follows its width, so it is never cut."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self._label = label
        label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange, QEvent.Type.Show):
            self.apply()
        return False

    def apply(self) -> None:
        needed = self._label.heightForWidth(self._label.width()) if self._label.text() else 0
        if needed != self._label.minimumHeight():
            self._label.setMinimumHeight(max(needed, 0))


def grow_for_wrapped_text(window: QWidget) -> None:
    """Make ``window`` as tall as its contents need at its width: a wrapped message
    (a field's error) shown after it opened needs more height than it was opened with."""
    layout = window.layout()
    if layout is not None:
        layout.activate()
    needed = window.heightForWidth(window.width())
    if needed > window.height():
        window.resize(window.width(), needed)


def service_row_height(widget: QWidget) -> int:
    """One row of service buttons: two lines of a catalog label and the button's edges."""
    return 2 * widget.fontMetrics().lineSpacing() + 24


def one_line_rows(table: QTableView) -> int:
    """Give ``table``'s rows the height of one line of its font; returns that height."""
    row = table.fontMetrics().height() + 10
    table.verticalHeader().setDefaultSectionSize(row)
    return row


def today_rows_height(table: QTableView, rows: int) -> int:
    """The height of ``table`` showing its heading, ``rows`` rows of one line and the top
    of one more (so that one sees the list goes on), and a sideways scroll bar; the rows
    get that one-line height (from the table's font)."""
    row = one_line_rows(table)
    heading = table.horizontalHeader().sizeHint().height()
    scroll_bar = table.horizontalScrollBar().sizeHint().height()
    return heading + rows * row + row // 3 + scroll_bar + 2 * table.frameWidth()


class WrappedNames(QObject):
    """A short table (a tally: one row per service or village) whose ``column`` holds long
    names: the column takes the width the others leave, but never less than
    ``characters``, and the names wrap onto more lines (the rows grow), so no name is cut.
    Below that the table scrolls sideways."""

    def __init__(self, table: QTableView, column: int, characters: int = 18) -> None:
        super().__init__(table)
        self._table = table
        self._column = column
        self._characters = characters
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideNone)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = table.horizontalHeader()
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        header.sectionResized.connect(self._other_resized)
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.apply()
        return False

    def _other_resized(self, section: int, _old: int, _new: int) -> None:
        if section != self._column:
            self.apply()

    def apply(self) -> None:
        header = self._table.horizontalHeader()
        others = sum(
            header.sectionSize(c)
            for c in range(header.count())
            if c != self._column and not header.isSectionHidden(c)
        )
        least = max(
            self._table.fontMetrics().averageCharWidth() * self._characters,
            header.sectionSizeHint(self._column),
        )
        width = max(self._table.viewport().width() - others, least)
        if header.sectionSize(self._column) != width:
            header.resizeSection(self._column, width)


def _unwrap(widget: QWidget | None) -> QWidget | None:
    if isinstance(widget, QScrollArea) and widget.objectName() == "screenScroll":
        return widget.widget()
    return widget
