"""The store refuses the GUI thread (villagehelper.store.thread_guard, docs/workers.md).

Every UI test runs with the guard on (``tests/conftest.py``), so a screen that slips a
store call onto the GUI thread fails its tests; these tests prove the guard trips and
that the app's own way of working does not.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from villagehelper.ops.team import VillageInfo, list_villages
from villagehelper.store.thread_guard import WrongThreadError, allowed_here
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.volunteer_picker import VolunteerPicker


def test_the_context_names_the_gui_thread_to_the_store(app_ctx: AppContext) -> None:
    assert app_ctx.store.guard.forbidden == threading.get_ident()


def test_a_store_call_in_a_widgets_slot_fails(qtbot: QtBot, app_ctx: AppContext) -> None:
    button = QPushButton("Thôn")
    qtbot.addWidget(button)
    shown: list[list[VillageInfo]] = []
    button.clicked.connect(lambda: shown.append(list_villages(app_ctx.store)))
    with qtbot.captureExceptions() as raised:
        button.click()
    assert [type(error) for _kind, error, _trace in raised] == [WrongThreadError]
    assert "GUI thread" in str(raised[0][1])
    assert shown == []


def test_every_way_into_the_store_is_refused_on_the_gui_thread(app_ctx: AppContext) -> None:
    store = app_ctx.store
    with pytest.raises(WrongThreadError):
        store.commune()
    with pytest.raises(WrongThreadError), store.transaction():
        pass
    with pytest.raises(WrongThreadError), store.feed_transaction():
        pass
    with pytest.raises(WrongThreadError), store.engine.connect():
        pass


def test_the_same_call_as_an_operation_runs_on_the_worker(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    button = QPushButton("Thôn")
    qtbot.addWidget(button)
    shown: list[list[VillageInfo]] = []
    store = app_ctx.store
    button.clicked.connect(
        lambda: app_ctx.read(button, lambda: list_villages(store)).success(shown.append).run()
    )
    button.click()
    wait_idle(qtbot, app_ctx)
    assert [v.name for v in shown[0]] == ["Thôn Hữu Chung", "Thôn Khay"]


def test_other_threads_and_an_explicit_allowance_are_not_refused(
    app_ctx: AppContext, village_team: Team
) -> None:
    found: list[int] = []
    other = threading.Thread(target=lambda: found.append(len(list_villages(app_ctx.store))))
    other.start()
    other.join()
    assert found == [2]
    with allowed_here():  # a test checking what was saved, on purpose
        assert len(list_villages(village_team.store)) == 2


def test_a_screen_that_does_its_work_through_operations_does_not_trip_it(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    picker = VolunteerPicker(app_ctx)  # reads the team as it opens
    qtbot.addWidget(picker)
    picker.show()
    wait_idle(qtbot, app_ctx)  # pytest-qt fails the test on an exception in a slot
    assert picker.model.rowCount() == 2
