"""In the app: a leader is told of rows the commune server holds that no laptop can store
(status bar), finds them beside conflicts with the household and why, and settles one:
logged again, done, at the chosen time; the next sync sends it and the server counts it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.conftest import START, FakeClock, Team, wait_idle
from tests.sync_support import COMMUNE, LoopbackServer, enrol_laptop, fast_connection
from tests.test_sync_poison_rows import POISON, _valid_session_fields, store_as_an_old_server_did
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.database import open_server_db
from villagehelper.server.tables import Record
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow


@pytest.fixture
def loopback(tmp_path: Path) -> Iterator[LoopbackServer]:
    db = open_server_db(f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}")
    db.clock = FakeClock(START + timedelta(hours=1))
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    server = LoopbackServer(db)
    yield server
    server.stop()
    db.close()


def _sync(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000) as finished:
        window.sync.sync_now()
    assert not isinstance(finished.args[0], Exception), finished.args[0]


def test_the_leader_sees_and_settles_faulty_rows(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, loopback: LoopbackServer
) -> None:
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    with allowed_here():
        home = households.create_household(
            app_ctx.store, HouseholdInput(village_team.village_id, "Lê Văn Tám")
        )
    with allowed_here():
        sessions.log_visit(
            app_ctx.store, VisitInput(home.id, village_team.member_id, [ServiceOutcome("VNEID_L1")])
        )
    with allowed_here():
        enrol_laptop(loopback, app_ctx.store, "leader")
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.sync.connection_factory = fast_connection
    wait_idle(qtbot, app_ctx)
    _sync(qtbot, window)
    base = _valid_session_fields(loopback.db)
    poison = {kind: store_as_an_old_server_did(loopback.db, base, c) for kind, c in POISON.items()}

    _sync(qtbot, window)
    # The status bar follows the sync's progress too: wait for the count at its end.
    qtbot.waitUntil(
        lambda: f"{len(POISON)} dòng dữ liệu lỗi" in window.sync_bar.conflicts.text(),
        timeout=10_000,
    )
    assert window.sync_bar.conflicts.isVisibleTo(window)

    dialog = window.review_conflicts()
    page = dialog.faulty
    qtbot.waitUntil(lambda: page.model.rowCount() == len(POISON), timeout=10_000)
    shown = {
        page.model.index(row, 2).data(Qt.ItemDataRole.DisplayRole): row
        for row in range(page.model.rowCount())
    }
    assert shown.keys() == set(poison.values())
    chosen = shown[poison["unknown_outcome"]]
    assert page.model.index(chosen, 0).data(Qt.ItemDataRole.DisplayRole) == "Lê Văn Tám"
    assert page.model.index(chosen, 1).data(Qt.ItemDataRole.DisplayRole) == "Kết quả không rõ"
    page.table.selectRow(chosen)
    with qtbot.waitSignal(page.sig_settled, timeout=10_000):
        page.log_again.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == len(POISON) - 1, timeout=10_000)

    _sync(qtbot, window)
    settled = poison["unknown_outcome"]
    with loopback.db.reading() as session:
        sent = [
            (record.entity, json.loads(record.fields))
            for record in session.scalars(
                select(Record).where(Record.entity.in_(("help_session", "session_void")))
            )
        ]
    assert [fields["session_id"] for entity, fields in sent if entity == "session_void"] == [
        settled
    ]
    replacements = [f for entity, f in sent if f.get("replaces_id") == settled]
    assert len(replacements) == 1
    assert replacements[0]["outcome"] == "done"
    assert replacements[0]["household_id"] == home.id
