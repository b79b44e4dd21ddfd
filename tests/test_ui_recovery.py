"""Backups in the app: the daily one on its own worker, and a damaged data file met with
an offer of the newest good backup."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from tests.test_backup import _damage_pages
from villagehelper.backups.copies import BackupCheck, daily_backup, list_backups
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.engine import open_store
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.settings import recovery
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow


class _Asked:
    """QMessageBox stand-in at the edge: records what the person was asked."""

    StandardButton = QMessageBox.StandardButton

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.texts: list[str] = []

    def question(self, _parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        self.texts.append(text)
        return self.answer

    def critical(self, _parent: object, _title: str, text: str) -> None:
        self.texts.append(text)


def test_the_days_backup_is_taken_off_the_window_and_database_threads(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    backups = recovery.DailyBackups(app_ctx.data_dir, keep=3, key=None)
    with qtbot.waitSignal(backups.sig_backed_up, timeout=20_000) as taken:
        backups.check_now()
    check = taken.args[0]
    assert isinstance(check, BackupCheck)
    assert [b.path for b in list_backups(app_ctx.data_dir)] == [check.path]
    # Once a day: the next check finds today's and takes none.
    with (
        qtbot.assertNotEmitted(backups.sig_backed_up),
        qtbot.waitSignal(backups._worker.sig_idle, timeout=20_000),
    ):
        backups.check_now()
    backups.stop()


def test_a_damaged_file_found_by_the_daily_backup_offers_the_good_one(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    with allowed_here():
        households.create_household(
            village_team.store, HouseholdInput(village_team.village_id, "Lê Văn Tám")
        )
    yesterday = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    good = daily_backup(app_ctx.data_dir, yesterday)
    assert good is not None
    for number in range(300):  # enough pages that the damage lands in a table
        with allowed_here():
            households.create_household(
                village_team.store, HouseholdInput(village_team.village_id, f"Hộ số {number}")
            )
    _damage_pages(village_team.store.path, 4, 6)
    asked = _Asked(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(recovery, "QMessageBox", asked)

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    wait_idle(qtbot, app_ctx)
    with qtbot.waitSignal(window.sig_restore, timeout=20_000) as wanted:
        window.backups.check_now()
    assert wanted.args[0] == good
    assert "Khôi phục bản sao lưu lúc 10:00 01/11/2026: 1 hộ, 0 lượt hỗ trợ?" in asked.texts[0]
    window.close()


def test_a_data_file_that_will_not_open_is_restored_from_the_newest_good_backup(
    tmp_path: Path, qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    store.close()
    moment = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    assert daily_backup(data_dir, moment) is not None
    (data_dir / DATABASE_FILE).write_bytes(b"not a database at all" * 300)

    refused = _Asked(QMessageBox.StandardButton.No)
    monkeypatch.setattr(recovery, "QMessageBox", refused)
    assert not recovery.recover_at_start(None, data_dir, None)
    assert (data_dir / DATABASE_FILE).read_bytes().startswith(b"not a database")  # untouched

    accepted = _Asked(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(recovery, "QMessageBox", accepted)
    assert recovery.recover_at_start(None, data_dir, None)
    with sqlite3.connect(data_dir / DATABASE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    open_store(data_dir).close()
    assert [b.reason for b in list_backups(data_dir)].count("damaged") == 1


def test_without_a_good_backup_the_person_is_told_not_to_delete_anything(
    tmp_path: Path, qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / DATABASE_FILE).write_bytes(b"garbage" * 1000)
    told = _Asked(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(recovery, "QMessageBox", told)
    assert not recovery.recover_at_start(None, data_dir, None)
    assert "Đừng xóa gì cả" in told.texts[0]


def test_how_many_backups_to_keep_is_a_setting_that_survives_a_restart(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    from villagehelper.preferences import load_preferences

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    wait_idle(qtbot, app_ctx)
    settings = window.settings
    assert settings.backups_kept.value() == 14
    settings.backups_kept.setValue(5)
    assert window.backups.keep == 5
    assert load_preferences(app_ctx.data_dir).backups_kept == 5
    window.close()
