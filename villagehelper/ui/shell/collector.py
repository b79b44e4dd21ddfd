"""Python's cyclic garbage collector, run only at safe moments.

A widget dropped by Python but held in a reference cycle (a lambda connected to one of
its own signals, say) lives until the cyclic collector runs.  If that happens in the
middle of Qt dispatching an event — inside a nested event loop, a paint, a key press —
the widget is freed under Qt's feet and the process crashes.  So the automatic collector
is switched off and a timer runs it from the top of the event loop instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

YOUNG_EVERY_MS = 2_000  # the youngest objects: cheap, frequent
FULL_EVERY = 15  # a full collection every 15th time (about every 30 s)


class SafeCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._collect)

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start(YOUNG_EVERY_MS)

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def _collect(self) -> None:
        self._ticks += 1
        gc.collect(2 if self._ticks % FULL_EVERY == 0 else 0)
