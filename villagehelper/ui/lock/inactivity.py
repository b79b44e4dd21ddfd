"""Noticing that nobody has touched the laptop for a while (to lock the window).

One event filter on the whole application sees every key press, click, wheel turn and
mouse move, in any window of the app, and starts the countdown again.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class InactivityWatch(QObject):
    """Emits :attr:`sig_idle` after ``minutes`` without input; 0 minutes: never."""

    sig_idle = Signal()
    """Nobody used the keyboard or the mouse for the whole interval."""

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sig_idle.emit)
        self._watching = False
        self.set_minutes(minutes)
        application = QCoreApplication.instance()
        if application is not None:
            application.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self._minutes = minutes
        self.timer.setInterval(minutes * 60_000)
        if self._watching:
            self.resume()
        else:
            self.timer.stop()

    def resume(self) -> None:
        """Count from now (after unlocking, at the start)."""
        self._watching = True
        if self._minutes > 0:
            self.timer.start()
        else:
            self.timer.stop()

    def pause(self) -> None:
        """Stop counting (while the window is locked)."""
        self._watching = False
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if self._watching and self._minutes > 0 and event.type() in INPUT_EVENTS:
            self.timer.start()
        return False
