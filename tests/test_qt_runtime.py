"""Guards against a Qt binding that corrupts the interpreter.

PySide6 6.12.0 drops a reference to ``True`` on every signal emission; after a few
hundred signals the interpreter aborts ("bool_dealloc").  The app emits thousands of
signals in a working day, so such a release must never be installed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    sig_ping = Signal(object)
    """Carries anything."""


def test_signal_emission_keeps_the_interpreter_reference_counts() -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.sig_ping.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(300):
        emitter.sig_ping.emit(object())
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert len(received) == 300
    # A few references may come and go elsewhere; a lost one per emission may not.
    assert after[0] > before[0] - 50, (before, after)
    assert after[1] > before[1] - 50, (before, after)
