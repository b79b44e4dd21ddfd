"""Shared fixtures: every test gets its own data folder; nothing touches the real one."""

from __future__ import annotations

import gc
import os
import threading

# Before any Qt import: without a display Qt would abort the whole process.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from villagehelper.ops import team
from villagehelper.paths import DATA_DIR_ENV
from villagehelper.store.engine import Store, open_store
from villagehelper.store.thread_guard import allowed_here
from villagehelper.sync.device_history import CONFIG_DIR_ENV

pytest_plugins = ["tests.sync_support", "tests.process_pair"]

# The files run side by side over the cores, beside real servers: a draw stalled for
# seconds by another worker's load says nothing of the strategy, so the health check
# that fails a test for slow input generation is off (the inputs are still checked).
settings.register_profile("villagehelper", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("villagehelper")

if TYPE_CHECKING:  # Qt is imported only by the GUI tests that use these fixtures
    from pytestqt.qtbot import QtBot

    from villagehelper.ui.shell.context import AppContext

# A fixed Monday afternoon in Vietnam (07:00 UTC = 14:00 ICT).
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand; every read advances it by one millisecond so
    that events logged in a row keep their order."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Team:
    store: Store
    village_id: str
    other_village_id: str
    leader_id: str
    member_id: str


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object]) -> Generator[None, object, object]:
    """Fixtures seed the store on this (the GUI) thread on purpose; a fixture that takes
    ``qtbot`` builds widgets instead, and stays under the store's GUI-thread guard."""
    if "qtbot" in fixturedef.argnames:
        return (yield)
    with allowed_here():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """In a GUI test every store refuses the GUI thread while the test runs, as the
    app's do (docs/workers.md): a screen that queries on it fails. The test's own reads
    and writes say ``with allowed_here():``."""
    if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
        for value in getattr(item, "funcargs", {}).values():
            try:  # a store, or what holds one (a Team, an AppContext)
                store = value if isinstance(value, Store) else getattr(value, "store", None)
            except RuntimeError:
                continue  # a context whose store is not open yet
            if isinstance(store, Store):
                store.guard.forbid(threading.get_ident())
    return (yield)


@pytest.fixture(autouse=True, scope="session")
def _collect_garbage_only_between_tests() -> Iterator[None]:
    """As the app does (villagehelper.ui.shell.collector): the cyclic collector must not run
    inside a Qt event dispatch, where freeing a widget crashes the process."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    # A full collection costs ~0.1 s with Qt and SQLAlchemy loaded: after GUI tests, which
    # leave widgets behind, do it all; elsewhere the youngest objects are enough.
    uses_qt = bool({"qtbot", "qapp"} & set(request.fixturenames))
    gc.collect() if uses_qt else gc.collect(0)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "default-data"))
    # The laptop's install marker (sync/device_history.py) lives outside the data folder.
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "user-config"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    opened = open_store(tmp_path / "data", clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def village_team(store: Store) -> Team:
    """A store bound to Xã Gia Lộc (Hải Phòng) with two villages and two volunteers."""
    return make_village_team(store)


def make_village_team(store: Store) -> Team:
    """What :func:`village_team` sets up, on any store (an encrypted one, say)."""
    team.set_commune(store, "10999")
    khay = team.add_village(store, "Thôn Khay")
    other = team.add_village(store, "Thôn Hữu Chung")
    leader = team.add_team_member(store, "Phạm Đăng Xuyết", "leader", khay.id)
    member = team.add_team_member(store, "Nguyễn Thị Hệ", "member", khay.id)
    return Team(store, khay.id, other.id, leader.id, member.id)


@pytest.fixture
def app_ctx(village_team: Team, qapp: object) -> Iterator[AppContext]:
    """A GUI context on the village team's store with the real single-worker executor;
    the member "Nguyễn Thị Hệ" is logging."""
    from villagehelper.preferences import Preferences
    from villagehelper.ui.shell.context import AppContext
    from villagehelper.ui.shell.executor import Worker

    executor = Worker()
    context = AppContext(
        village_team.store, executor, Preferences(volunteer_id=village_team.member_id)
    )
    yield context
    executor.shutdown()


def wait_idle(qtbot: QtBot, context: AppContext, timeout: int = 10_000) -> None:
    """Wait until every database operation has finished and its result was delivered."""
    qtbot.waitUntil(lambda: not context.executor.busy(), timeout=timeout)
