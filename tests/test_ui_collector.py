"""The app's garbage collection runs from a timer, never inside an event dispatch."""

from __future__ import annotations

import gc
import weakref

from pytestqt.qtbot import QtBot

from villagehelper.ui.shell.collector import SafeCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_and_the_timer_collects_cycles(qtbot: QtBot) -> None:
    collector = SafeCollector()
    collector.start()
    try:
        assert not gc.isenabled()
        cycle = _Cycle()
        ref = weakref.ref(cycle)
        del cycle
        assert ref() is not None  # only the cyclic collector can free it
        qtbot.waitUntil(lambda: ref() is None, timeout=10_000)
    finally:
        collector.stop()
