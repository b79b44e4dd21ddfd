"""The scheduled backup (``backup --into FOLDER --keep N``, run by
resources/deploy/villagehelper-server-backup.timer) on SQLite and PostgreSQL: a new
file each run named by its time, the oldest scheduled ones beyond N removed and nothing
else, and the newest put back by ``restore`` starts a new epoch.  That laptops ahead of
a restored feed are refused and heal is test_server_restore.py's
``test_backup_then_restore_commands_start_a_new_epoch_the_laptops_heal_from`` (the same
``backup`` and ``restore`` commands, on both databases).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.sync_support import COMMUNE
from villagehelper.errors import UserError
from villagehelper.server import accounts
from villagehelper.server.cli.backups import scheduled_backup
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.tables import ServerCommune

NIGHT = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "villagehelper.server.cli", "--db", url, *args]
    return subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", check=False, timeout=120
    )


def test_each_night_a_new_file_and_only_the_newest_scheduled_ones_kept(
    server_db: ServerDB, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    by_hand = [folder / "villagehelper-server-before-upgrade.backup", folder / "notes.txt"]
    for kept in by_hand:
        kept.write_text("giữ lại", encoding="utf-8")
    written: list[Path] = []
    for night in range(4):
        made, removed = scheduled_backup(server_db, folder, 2, NIGHT + timedelta(days=night))
        written.append(made)
        assert removed == written[: max(0, night - 1)][-1:] if night >= 2 else removed == []
    assert written[0].name == "villagehelper-server-20261207T023000Z.backup"
    assert sorted(folder.iterdir()) == sorted([*by_hand, *written[-2:]])
    assert all(kept.read_text(encoding="utf-8") == "giữ lại" for kept in by_hand)
    with pytest.raises(UserError) as none_kept:
        scheduled_backup(server_db, folder, 0, NIGHT + timedelta(days=9))
    assert none_kept.value.message_vi.startswith("--keep phải từ 1 trở lên")


def test_the_timer_s_command_backs_up_and_restore_puts_the_newest_back(
    server_db_url: str, tmp_path: Path
) -> None:
    db = open_server_db(server_db_url)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    epoch = db.epochs.epoch_id
    db.close()
    folder = tmp_path / "scheduled"  # made by the command
    done = _cli(server_db_url, "backup", "--into", str(folder), "--keep", "3")
    assert done.returncode == 0, done.stderr
    (made,) = folder.iterdir()
    assert made.name.startswith("villagehelper-server-") and made.name.endswith("Z.backup")
    assert f"Đã sao lưu vào {made}" in done.stdout
    # Residents' data: the folder the command made is its user's alone.
    assert folder.stat().st_mode & 0o077 == 0 or sys.platform == "win32"
    # Put back: the commune it held, and a new epoch the laptops heal from.
    done = _cli(server_db_url, "restore", str(made))
    assert done.returncode == 0, done.stderr
    db = open_server_db(server_db_url)
    try:
        with db.reading() as session:
            communes = set(session.scalars(select(ServerCommune.code)))
        assert COMMUNE in communes
        assert db.epochs.epoch_id != epoch
    finally:
        db.close()


def test_backup_wants_a_file_or_a_folder(tmp_path: Path) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    for args in (["backup"], ["backup", str(tmp_path / "x.backup"), "--into", str(tmp_path)]):
        done = _cli(url, *args)
        assert done.returncode == 1, args
        assert "Hãy cho một tệp sao lưu (backup TỆP) hoặc một thư mục" in done.stderr
        assert "Traceback" not in done.stderr
