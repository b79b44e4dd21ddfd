"""A change the commune server refused, in the app: the status bar counts it for
everyone, and a leader sees the server's reason and sends it again once it is right."""

from __future__ import annotations

import json

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests import test_ui_sync
from tests.conftest import Team, wait_idle
from tests.sync_support import LoopbackServer
from tests.test_ui_sync import _enrol_from_settings, _window
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.server.tables import Record
from villagehelper.store.models import OutboxEntry
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.shell.context import AppContext

loopback = test_ui_sync.loopback  # the fixture: a commune server on loopback (SQLite)


def test_a_leader_sees_a_refused_change_with_its_reason_and_sends_it_again(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, loopback: LoopbackServer
) -> None:
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    window = _window(qtbot, app_ctx)
    _enrol_from_settings(qtbot, window, loopback)
    store = app_ctx.store
    assert store is not None
    with allowed_here():
        saved = households.create_household(
            store, HouseholdInput(village_team.village_id, "Lê Văn")
        )
    # As an older app might have sent it: a name longer than the server holds.
    with allowed_here(), store.transaction() as session:
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.row_id == saved.id)).one()
        entry.payload = json.dumps({**json.loads(entry.payload), "head_name": "L" * 121})
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000) as finished:
        window.sync.sync_now()
    assert not isinstance(finished.args[0], Exception), finished.args[0]
    button = window.sync_bar.set_aside
    qtbot.waitUntil(lambda: button.isVisibleTo(window), timeout=10_000)
    assert button.text() == "1 thay đổi bị từ chối"
    assert "lỗi" not in window.sync_status.text()

    dialog = window.review_set_aside()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    reason = dialog.table.item(0, 1)
    assert reason is not None and "head_name" in reason.text()
    dialog.resend_button.click()
    wait_idle(qtbot, app_ctx)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=10_000)
    qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)  # a round of its own
    with qtbot.waitSignal(window.sync.sig_finished, timeout=20_000):
        window.sync.sync_now()
    qtbot.waitUntil(lambda: not button.isVisibleTo(window), timeout=10_000)
    with loopback.db.reading() as session:
        assert session.get(Record, ("household", saved.id)) is not None
