"""Restoring a backup in Settings shows what the backup lacks before anything is
replaced, carries the unsent work over unless asked not to, and says what it did."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from tests.conftest import Team
from villagehelper.backups.copies import backup_now
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.store.engine import open_store
from villagehelper.store.models import Household
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.settings.settings_view import SettingsView
from villagehelper.ui.shell.context import AppContext


def _heads(data_dir: Path) -> list[str]:
    store = open_store(data_dir)
    try:
        with allowed_here(), store.reading() as session:
            return sorted(session.scalars(select(Household.head_name)))
    finally:
        store.close()


@pytest.mark.parametrize("carry", [True, False])
def test_restore_shows_the_unsent_work_and_carries_it_unless_told_not_to(
    qtbot: QtBot,
    app_ctx: AppContext,
    village_team: Team,
    monkeypatch: pytest.MonkeyPatch,
    carry: bool,
) -> None:
    store = village_team.store
    with allowed_here():
        households.create_household(store, HouseholdInput(village_team.village_id, "Đặng Văn Vỹ"))
    backup = backup_now(
        app_ctx.data_dir, store.now(), app_ctx.data_dir.parent / "sao-luu.sqlite3"
    ).path
    with allowed_here():
        households.create_household(store, HouseholdInput(village_team.village_id, "Người Mới"))
    settings = SettingsView(app_ctx)
    qtbot.addWidget(settings)

    asked: list[str] = []

    def answer(box: QMessageBox) -> QMessageBox.StandardButton:
        asked.append(box.text())
        choice = box.checkBox()
        assert choice is not None and choice.isChecked()  # carried unless said otherwise
        choice.setChecked(carry)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", answer)  # the person's answer, nothing else
    with qtbot.waitSignal(settings.sig_restart_requested, timeout=20_000):
        settings.restore(backup, confirm=True)

    [question] = asked
    assert "1 thay đổi chưa gửi" in question and "sao-luu.sqlite3" in question
    said = settings.data_message.text()
    assert "Đã khôi phục 1 hộ" in said
    app_ctx.executor.shutdown()
    store.close()
    if carry:
        assert "Đã mang sang 1 thay đổi chưa gửi" in said
        assert _heads(app_ctx.data_dir) == ["Người Mới", "Đặng Văn Vỹ"]
    else:
        assert "1 thay đổi chưa gửi KHÔNG được mang sang" in said
        assert _heads(app_ctx.data_dir) == ["Đặng Văn Vỹ"]
