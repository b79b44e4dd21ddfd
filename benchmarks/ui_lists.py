"""The list screens: time from building the view to its first rows painted.

Each function builds the real view on a store with its own database executor, shows it
(1366×700, offscreen), waits in an event loop for the model's ``sig_loaded`` (no
sleeps), paints the table once more synchronously so the rows are really on screen,
and returns the milliseconds since construction began.  A ``QApplication`` must exist
(the caller creates it, offscreen).

Baseline: :func:`bare_table_first_paint_ms`, a plain ``QTableView`` over a
``QStandardItemModel`` filled on the GUI thread with the same first 200 sessions:
what the simplest possible list costs on the same machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

from villagehelper.ops.sessions import list_sessions
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store
from villagehelper.ui.lists.filters import ListScreen
from villagehelper.ui.lists.session_model import BLOCK_SIZE, session_time_text
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.widgets.outcomes import outcome_text

TIMEOUT_MS = 60_000
WIDTH, HEIGHT = 1366, 700


def _first_paint_ms(store: Store, build: Callable[[AppContext], ListScreen]) -> float:
    if QApplication.instance() is None:
        raise RuntimeError("create a QApplication (offscreen) before measuring")
    executor = Worker()
    ctx = AppContext(store, executor, Preferences())
    problems: list[str] = []
    executor.sig_bug.connect(problems.append)
    executor.sig_user_error.connect(lambda error: problems.append(str(error)))
    view: ListScreen | None = None
    try:
        started = time.perf_counter()
        view = build(ctx)
        loop = QEventLoop()
        view.model.sig_loaded.connect(loop.quit)
        executor.sig_bug.connect(loop.quit)
        executor.sig_user_error.connect(loop.quit)
        QTimer.singleShot(TIMEOUT_MS, loop.quit)
        view.resize(WIDTH, HEIGHT)
        view.show()
        loop.exec()
        if problems or not view.model.loaded_once:
            raise RuntimeError(f"the list did not load: {problems or 'timeout'}")
        view.table.viewport().repaint()
        return (time.perf_counter() - started) * 1000
    finally:
        if view is not None:
            view.close()
            view.deleteLater()
        executor.shutdown()


def first_paint_ms(store: Store) -> float:
    """Open the sessions list (all sessions, newest first) until its rows are painted."""
    from villagehelper.ui.lists.sessions_view import SessionsView

    return _first_paint_ms(store, SessionsView)


def households_first_paint_ms(store: Store) -> float:
    """Open the households list (Vietnamese name order) until its rows are painted."""
    from villagehelper.ui.lists.households_view import HouseholdsView

    return _first_paint_ms(store, HouseholdsView)


def bare_table_first_paint_ms(store: Store) -> float:
    """Baseline: the first sessions read on the GUI thread into a plain table."""
    started = time.perf_counter()
    rows = list_sessions(store, limit=BLOCK_SIZE)
    model = QStandardItemModel(len(rows), 7)
    for number, row in enumerate(rows):
        texts = (
            session_time_text(row),
            row.head_name,
            row.village_name,
            row.member_name or "",
            row.service_label,
            outcome_text(row),
            row.volunteer_name,
        )
        for column, value in enumerate(texts):
            model.setItem(number, column, QStandardItem(value))
    table = QTableView()
    table.setModel(model)
    table.resize(WIDTH, HEIGHT)
    table.show()
    table.viewport().repaint()
    elapsed = (time.perf_counter() - started) * 1000
    table.close()
    table.deleteLater()
    return elapsed
