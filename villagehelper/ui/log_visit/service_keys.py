"""The keys of the service list on the log-a-visit screen.

The list is one stop in the Tab order (a catalog of 14 services must not take 14 Tabs to
cross): arrows move between services, Home/End go to the first/last, Space chooses or
drops the service with the focus, and 1 / 2 / 3 set its result (choosing it first if
needed): 1 Thành công, 2 Hẹn lại (the follow-up date takes the focus), 3 Chưa thành công
(the reason takes the focus).  Enter is left to the form, which saves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from villagehelper.store.kinds import Outcome

# The digit keys (main row and keypad alike) that set a chosen service's result.
OUTCOME_KEYS: dict[Qt.Key, Outcome] = {
    Qt.Key.Key_1: Outcome.DONE,
    Qt.Key.Key_2: Outcome.FOLLOW_UP,
    Qt.Key.Key_3: Outcome.FAILED,
}

_STEPS: dict[Qt.Key, tuple[int, int]] = {  # (along a row, across rows)
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


def grid_step(index: int, key: Qt.Key, count: int, columns: int) -> int | None:
    """Where ``key`` moves the focus from button ``index`` of ``count`` buttons laid out
    ``columns`` to a row (reading order), or ``None`` when the key is not a move.

    Left/Right follow reading order (from the end of a row to the start of the next);
    Up/Down stay in the column; every move stops at the edges instead of wrapping.
    """
    if count <= 0:
        return None
    if key == Qt.Key.Key_Home:
        return 0
    if key == Qt.Key.Key_End:
        return count - 1
    step = _STEPS.get(key)
    if step is None:
        return None
    along, across = step
    target = index + along + across * columns
    return target if 0 <= target < count else index


class RovingFocus(QObject):
    """Makes a list of widgets one Tab stop: only the one that last had the focus takes
    Tab; the others are reached with the arrows (and still take a click)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._widgets: list[QWidget] = []

    def set_widgets(self, widgets: Sequence[QWidget]) -> None:
        self._widgets = list(widgets)
        for widget in self._widgets:
            widget.installEventFilter(self)
        self.make_current(self._widgets[0] if self._widgets else None)

    def make_current(self, current: QWidget | None) -> None:
        for widget in self._widgets:
            policy = Qt.FocusPolicy.StrongFocus if widget is current else Qt.FocusPolicy.ClickFocus
            widget.setFocusPolicy(policy)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self.make_current(watched)
        return False


class ServiceKeys(QObject):
    """Arrows, Home/End and 1/2/3 on the service buttons (see the module's docstring)."""

    def __init__(
        self,
        buttons: Callable[[], list[QWidget]],
        columns: int,
        set_outcome: Callable[[int, Outcome], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._buttons = buttons
        self._columns = columns
        self._set_outcome = set_outcome

    def watch(self, button: QWidget) -> None:
        button.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers != Qt.KeyboardModifier.NoModifier:
            return False  # Ctrl+S, Alt+…: the window's shortcuts
        buttons = self._buttons()
        if watched not in buttons:
            return False
        index = buttons.index(watched)
        key = Qt.Key(event.key())
        outcome = OUTCOME_KEYS.get(key)
        if outcome is not None:
            self._set_outcome(index, outcome)
            return True
        target = grid_step(index, key, len(buttons), self._columns)
        if target is None:
            return False
        buttons[target].setFocus(Qt.FocusReason.TabFocusReason)
        return True
