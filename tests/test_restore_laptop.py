"""A laptop restored from an older backup loses nothing and sends nothing twice.

Sessions logged after the backup are of two kinds when the backup is put back: those
the server already has (they come back with the next download) and those never sent
(only the replaced store holds them: they are carried into the restored one).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.sync_support import (
    COMMUNE,
    Commune,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    fast_connection,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.backups.copies import backup_now
from villagehelper.cli import dispatch
from villagehelper.ops import households, restore, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.tables import Record
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import HelpSession, OutboxEntry
from villagehelper.sync import client
from villagehelper.sync.device_history import CopiedFolderError


def _visits(store: Store, commune: Commune, household_id: str, count: int) -> list[str]:
    logged: list[str] = []
    for _ in range(count):
        visit = VisitInput(household_id, commune.member_id, [ServiceOutcome("VNEID_L1")])
        logged.extend(sessions.log_visit(store, visit).session_ids)
    return logged


def _household(store: Store, commune: Commune, head: str) -> str:
    return households.create_household(store, HouseholdInput(commune.village_id, head)).id


def _session_ids(store: Store) -> list[str]:
    with store.reading() as session:
        return list(session.scalars(select(HelpSession.id)))


def _server_session_ids(laptop: Laptop) -> list[str]:
    with laptop.server.db.reading() as session:
        return list(session.scalars(select(Record.row_id).where(Record.entity == "help_session")))


def test_a_restored_laptop_keeps_every_session_once(
    sync_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    laptop.sync()
    store = laptop.store
    data_dir = store.data_dir

    home = _household(store, commune, "Lê Văn Tám")
    logged = _visits(store, commune, home, 3)
    laptop.sync()  # sent before the backup
    logged += _visits(store, commune, home, 2)  # in the backup, unsent there
    backup = backup_now(data_dir, store.now(), tmp_path / "backup.sqlite3").path

    later = _household(store, commune, "Đỗ Thị Mai")  # after the backup...
    logged += _visits(store, commune, later, 2)
    laptop.sync()  # ...and sent: the server has them, the backup does not
    unsent = _visits(store, commune, later, 2)  # on a household the backup lacks
    newest = _household(store, commune, "Trần Văn Lực")
    unsent += _visits(store, commune, newest, 1)
    logged += unsent
    store.close()

    assert dispatch.main(["restore", str(backup), "--data-dir", str(data_dir)]) == 0
    said = capsys.readouterr().out
    # Before: what the backup lacks, said; after: what was done.
    assert "(trong đó 3 lượt hỗ trợ)" in said
    assert "2 lượt hỗ trợ và" in said  # the server's two, to come back
    assert "(3 lượt hỗ trợ); chúng sẽ được gửi" in said

    restored = Laptop(open_store(data_dir, clock=store.clock), sync_server)
    try:
        report = restored.sync()
        restored.sync()
        commune.leader.sync()
        assert report.conflicts == 0
        # Every session exists once on the laptop, on the server and on another laptop.
        for ids in (
            _session_ids(restored.store),
            _server_session_ids(restored),
            _session_ids(commune.leader.store),
        ):
            assert sorted(ids) == sorted(logged)
        expected = server_snapshot(sync_server.db)
        assert laptop_snapshot(restored.store) == expected
        assert laptop_snapshot(commune.leader.store) == expected
        with restored.store.reading() as session:
            assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
    finally:
        restored.store.close()


def test_the_person_may_leave_unsent_changes_out_and_is_told(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    laptop.sync()
    store = laptop.store
    home = _household(store, commune, "Lê Văn Tám")
    kept = _visits(store, commune, home, 1)
    laptop.sync()
    backup = backup_now(store.data_dir, store.now(), tmp_path / "backup.sqlite3").path
    _visits(store, commune, home, 2)
    store.close()

    preview = restore.preview_restore(store.data_dir, backup)
    assert (preview.unsent_changes, preview.unsent_sessions) == (2, 2)
    done = restore.restore_laptop(store.data_dir, backup, store.now(), carry_unsent=False)
    assert (done.carried_changes, done.left_out) == (0, 2)
    vi, en = restore.describe_outcome(done)
    assert "2 thay đổi chưa gửi KHÔNG được mang sang" in vi and "2 unsent changes" in en

    restored = Laptop(open_store(store.data_dir, clock=store.clock), sync_server)
    try:
        restored.sync()  # the device's history goes on: the server does not call it a copy
        assert sorted(_session_ids(restored.store)) == sorted(kept)
    finally:
        restored.store.close()


def test_a_backup_restored_onto_a_new_laptop_enrols_anew_and_doubles_nothing(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    # The old laptop is gone (or its data is): only a backup is left, older than what
    # the server has from that laptop since.
    commune = set_up_commune(sync_server, tmp_path)
    old = enrol_laptop(sync_server, open_laptop(tmp_path, "old-laptop"))
    old.sync()
    home = _household(old.store, commune, "Lê Văn Tám")
    logged = _visits(old.store, commune, home, 2)
    old.sync()
    logged += _visits(old.store, commune, home, 1)  # unsent in the backup
    backup = backup_now(old.store.data_dir, old.store.now(), tmp_path / "backup.sqlite3").path
    logged += _visits(old.store, commune, home, 1)
    old.sync()  # the server's history of the device goes past the backup's
    old.store.close()

    new_dir = tmp_path / "new-laptop"
    assert dispatch.main(["restore", str(backup), "--data-dir", str(new_dir)]) == 0
    new = Laptop(open_store(new_dir, clock=old.store.clock), sync_server)
    try:
        logged += _visits(new.store, commune, home, 1)  # work goes on on the new laptop
        with pytest.raises(CopiedFolderError):
            new.sync()
        code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
        client.join_commune(new.store, sync_server.url, code, "new", connect=fast_connection)
        new.sync()
        assert sorted(_server_session_ids(new)) == sorted(logged)
        assert sorted(_session_ids(new.store)) == sorted(logged)
        assert laptop_snapshot(new.store) == server_snapshot(sync_server.db)
    finally:
        new.store.close()
