"""The desktop app's speed as a volunteer feels it, each beside an in-run baseline.

- keystroke → results on screen in the log-a-visit search (baseline: the core search
  call alone, so the ratio is what the worker thread and the widgets add);
- sessions and households lists: first rows painted (baseline: a plain table filled on
  the GUI thread, from benchmarks.ui_lists);
- start-up to a usable window, as whole processes (baseline: a bare PySide6 window).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from benchmarks import ui_lists
from benchmarks.measure import Row, Stats, seconds_to_ready
from benchmarks.search import keystrokes, typed_queries
from villagehelper.ops.households import find_households
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store
from villagehelper.ui.log_visit.household_search import RESULT_LIMIT
from villagehelper.ui.log_visit.screen import LogVisitView
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker

KEYSTROKE_TARGET = 0.050
FIRST_PAINT_TARGET = 0.300
STARTUP_RATIO_TARGET = 3.0
STARTUP_RUNS = 5
WAIT_LIMIT_MS = 10_000

BARE_WINDOW = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(QLabel("VillageHelper"))
window.resize(1280, 800)
window.show()
def ready():
    print(f"ready {time.time():.6f}", flush=True)
    app.quit()
QTimer.singleShot(0, ready)
sys.exit(app.exec())
"""


def application() -> QApplication:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    return app


def _type_and_wait(view: LogVisitView, text: str) -> float:
    """Type the last character of ``text`` and wait until its results are shown."""
    loop = QEventLoop()
    shown: list[float] = []

    def on_shown(query: str) -> None:
        if query == text:
            shown.append(time.perf_counter())
            loop.quit()

    view.search.sig_results_shown.connect(on_shown)
    QTimer.singleShot(WAIT_LIMIT_MS, loop.quit)
    line = view.search.line
    line.setText(text[:-1])  # as typed so far (results of it are not waited for)
    start = time.perf_counter()
    QTest.sendKeyEvent(
        QTest.KeyAction.Click, line, Qt.Key.Key_unknown, text[-1], Qt.KeyboardModifier.NoModifier
    )
    if not shown:
        loop.exec()
    view.search.sig_results_shown.disconnect(on_shown)
    if not shown:
        raise RuntimeError(f"no results shown for {text!r}")
    return shown[0] - start


def keystroke_rows(store: Store, households: int, queries: int, seed: int) -> list[Row]:
    app = application()
    executor = Worker()
    ctx = AppContext(store, executor, Preferences())
    view = LogVisitView(ctx)
    view.show()
    while executor.busy():
        app.processEvents()
    strokes = [s for s in keystrokes(typed_queries(store, queries, seed)) if len(s) > 1]
    for stroke in strokes[:20]:  # warm-up
        _type_and_wait(view, stroke)
    ui = [_type_and_wait(view, stroke) for stroke in strokes]
    core: list[float] = []
    for stroke in strokes:
        start = time.perf_counter()
        find_households(store, stroke, RESULT_LIMIT)
        core.append(time.perf_counter() - start)
    view.close()
    executor.shutdown()
    ui_stats, core_stats = Stats.of(ui), Stats.of(core)
    label = f"{households // 1000}k households"
    what = f"find_households alone ({len(strokes)} keystrokes)"
    return [
        Row(f"keystroke → results shown p50, {label}", ui_stats.p50, core_stats.p50, "ms", what),
        Row(
            f"keystroke → results shown p95, {label}",
            ui_stats.p95,
            core_stats.p95,
            "ms",
            what,
            target=KEYSTROKE_TARGET,
        ),
    ]


def first_paint_rows(store: Store, sessions: int) -> list[Row]:
    application()
    runs = 5
    baseline = statistics.median(ui_lists.bare_table_first_paint_ms(store) for _ in range(runs))
    lists = statistics.median(ui_lists.first_paint_ms(store) for _ in range(runs)) / 1000
    homes = statistics.median(ui_lists.households_first_paint_ms(store) for _ in range(runs)) / 1000
    what = "plain table filled on the GUI thread (median of 5)"
    return [
        Row(
            f"sessions list first paint, {sessions:,} sessions",
            lists,
            baseline / 1000,
            "ms",
            what,
            target=FIRST_PAINT_TARGET,
        ),
        Row("households list first paint", homes, baseline / 1000, "ms", what),
    ]


def startup_rows(data_dir: Path) -> list[Row]:
    """Whole processes, spawn → window ready; the app twice: on screen taking input, and
    with its first data (today's visits, the catalog) shown."""
    base_env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    window_env = dict(base_env, VILLAGEHELPER_EXIT_WHEN_READY="window")
    data_env = dict(base_env, VILLAGEHELPER_EXIT_WHEN_READY="data")
    app_command = [sys.executable, "-m", "villagehelper.cli", "--data-dir", str(data_dir)]
    bare_command = [sys.executable, "-c", BARE_WINDOW]
    seconds_to_ready(app_command, data_env)  # warm the file cache once
    bare_times: list[float] = []
    window_times: list[float] = []
    data_times: list[float] = []
    for _ in range(STARTUP_RUNS):  # interleaved, so machine noise hits all alike
        bare_times.append(seconds_to_ready(bare_command, base_env))
        window_times.append(seconds_to_ready(app_command, window_env))
        data_times.append(seconds_to_ready(app_command, data_env))
    bare = statistics.median(bare_times)
    what = f"bare PySide6 window process (median of {STARTUP_RUNS})"
    return [
        Row(
            "start-up: window on screen, typing accepted",
            statistics.median(window_times),
            bare,
            "ms",
            what + "; target ratio ≤ 3×",
            target=bare * STARTUP_RATIO_TARGET,
        ),
        Row(
            "start-up: first data shown (store opened)",
            statistics.median(data_times),
            bare,
            "ms",
            what,
        ),
    ]
