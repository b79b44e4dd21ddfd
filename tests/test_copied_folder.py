"""A data folder copied to a second laptop is found out, enrols as a new laptop and
keeps its work; the same field edited on both copies is a conflict, never overwritten.

The copies are made as a person makes them (a whole-folder copy keeping everything);
"another laptop" is another user configuration folder and machine id, given to the
command-line process through the variables that override them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import FakeClock
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
from villagehelper.ops import conflicts, households, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.tables import Device, Record
from villagehelper.store import sync_state
from villagehelper.store.engine import Store, open_store
from villagehelper.sync import client, device_history
from villagehelper.sync import status as sync_status
from villagehelper.sync.device_history import CONFIG_DIR_ENV, MACHINE_ID_ENV, CopiedFolderError

HEAD = "Lê Văn Tám"


def _visits(store: Store, commune: Commune, household_id: str, count: int) -> list[str]:
    logged: list[str] = []
    for _ in range(count):
        visit = VisitInput(household_id, commune.member_id, [ServiceOutcome("VNEID_L1")])
        logged.extend(sessions.log_visit(store, visit).session_ids)
    return logged


def _notes(store: Store, commune: Commune, household_id: str, notes: str) -> None:
    households.update_household(
        store, household_id, HouseholdInput(commune.village_id, HEAD, notes=notes)
    )


def _copy_folder(source: Path, target: Path) -> None:
    """``cp -a``: every file, its times and modes, links as links."""
    shutil.copytree(source, target, symlinks=True, copy_function=shutil.copy2)


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _server_sessions(server: LoopbackServer) -> list[str]:
    with server.db.reading() as session:
        return list(session.scalars(select(Record.row_id).where(Record.entity == "help_session")))


def _server_notes(server: LoopbackServer, household_id: str) -> object:
    snapshot = server_snapshot(server.db)
    return snapshot[("household", household_id)]["notes"]


def _started(sync_server: LoopbackServer, tmp_path: Path) -> tuple[Commune, Laptop, str]:
    """A commune, and a volunteer's laptop that synced a household."""
    commune = set_up_commune(sync_server, tmp_path)
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "original"))
    laptop.sync()
    household = households.create_household(
        laptop.store, HouseholdInput(commune.village_id, HEAD)
    ).id
    laptop.sync()
    return commune, laptop, household


def _reopen(path: Path, server: LoopbackServer) -> Laptop:
    return Laptop(open_store(path, clock=FakeClock()), server)


def _assert_conflict_kept_and_sessions_once(
    commune: Commune, server: LoopbackServer, household: str, expected_sessions: list[str]
) -> None:
    commune.leader.sync()
    # The first edit to arrive stands; the other is kept for the leader, not dropped.
    assert _server_notes(server, household) == "Mắt kém"
    [conflict] = conflicts.open_conflicts(commune.leader.store)
    assert conflict.field_label_vi == "Ghi chú"
    assert (conflict.current_value, conflict.other_value) == ("Mắt kém", "Nghe kém")
    assert sorted(_server_sessions(server)) == sorted(expected_sessions)


def test_a_folder_copied_to_another_laptop_must_enrol_anew_and_loses_no_edit(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune, original, household = _started(sync_server, tmp_path)
    shared = _visits(original.store, commune, household, 2)  # unsent when copied
    original.store.close()
    copy_dir = tmp_path / "second-laptop-data"
    _copy_folder(tmp_path / "original", copy_dir)

    original = _reopen(tmp_path / "original", sync_server)
    _notes(original.store, commune, household, "Mắt kém")
    original.sync()

    copy = open_store(copy_dir, clock=FakeClock())
    _notes(copy, commune, household, "Nghe kém")
    own = _visits(copy, commune, household, 3)
    copy.close()

    second_laptop = {
        **os.environ,
        CONFIG_DIR_ENV: str(tmp_path / "second-laptop-config"),
        MACHINE_ID_ENV: "second-laptop",
    }
    refused = _cli("sync", "--data-dir", str(copy_dir), env=second_laptop)
    assert refused.returncode == 1
    assert "bản sao từ một máy khác" in refused.stderr
    assert "đăng ký máy này như một máy mới" in refused.stderr
    assert "Settings → Sync" in refused.stderr  # and in English
    assert _server_notes(sync_server, household) == "Mắt kém"  # nothing of the copy went up
    assert not set(own) & set(_server_sessions(sync_server))

    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    url = sync_server.url
    enrolled = _cli("enroll", "--data-dir", str(copy_dir), "--server", url, "--code", code,
                    env=second_laptop)  # fmt: skip
    assert enrolled.returncode == 0, enrolled.stderr
    synced = _cli("sync", "--data-dir", str(copy_dir), env=second_laptop)
    assert synced.returncode == 0, synced.stderr
    assert "xung đột 1" in synced.stdout
    again = _cli("sync", "--data-dir", str(copy_dir), env=second_laptop)
    assert "gửi 0" in again.stdout

    _assert_conflict_kept_and_sessions_once(commune, sync_server, household, shared + own)
    original.sync()
    copy = open_store(copy_dir, clock=FakeClock())
    try:
        with copy.reading() as session:
            new_device = sync_state.enrolled(session)
        assert new_device is not None
        assert new_device.device_id != sync_status.status(original.store).enrolled.device_id  # type: ignore[union-attr]
        with sync_server.db.reading() as session:
            assert session.get(Device, new_device.device_id) is not None
        expected = server_snapshot(sync_server.db)
        assert laptop_snapshot(original.store) == expected
        assert laptop_snapshot(copy) == expected
    finally:
        copy.close()
        original.store.close()


def test_a_copy_on_the_same_laptop_is_caught_by_the_server(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    # Copied on one laptop (or with the user's whole profile): nothing here tells the two
    # folders apart, but their histories part at the server.
    commune, original, household = _started(sync_server, tmp_path)
    shared = _visits(original.store, commune, household, 1)
    original.store.close()
    _copy_folder(tmp_path / "original", tmp_path / "copy")
    original = _reopen(tmp_path / "original", sync_server)
    copy = _reopen(tmp_path / "copy", sync_server)
    try:
        _notes(original.store, commune, household, "Mắt kém")
        original.sync()
        _notes(copy.store, commune, household, "Nghe kém")
        own = _visits(copy.store, commune, household, 2)

        with pytest.raises(CopiedFolderError) as refused:
            copy.sync()
        assert "bản sao" in refused.value.message_vi
        status = sync_status.status(copy.store)
        assert status.last_error == refused.value.message_vi  # the status bar says it too
        assert status.pending > 0  # nothing unsent was dropped
        with pytest.raises(CopiedFolderError):
            copy.sync()  # and it stays so until it enrols
        original.sync()  # the other copy goes on as before

        code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
        client.join_commune(copy.store, sync_server.url, code, "copy", connect=fast_connection)
        assert copy.sync().pushed == 0
        _assert_conflict_kept_and_sessions_once(commune, sync_server, household, shared + own)
        original.sync()
        copy.sync()
        expected = server_snapshot(sync_server.db)
        assert laptop_snapshot(original.store) == expected
        assert laptop_snapshot(copy.store) == expected
    finally:
        original.store.close()
        copy.store.close()


def test_the_same_laptop_is_not_taken_for_a_copy(
    sync_server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MACHINE_ID_ENV, "this-laptop")  # whatever the test machine has
    commune, laptop, household = _started(sync_server, tmp_path)
    logged = _visits(laptop.store, commune, household, 1)
    laptop.store.close()

    # The folder moved elsewhere on the laptop.
    moved = tmp_path / "moved" / "data"
    moved.parent.mkdir()
    shutil.move(tmp_path / "original", moved)
    laptop = _reopen(moved, sync_server)
    laptop.sync()
    logged += _visits(laptop.store, commune, household, 1)

    # The user's configuration folder wiped (the app reinstalled, a profile cleaned):
    # the machine is the same, so the marker is put back as it was.
    marker = device_history.config_dir()
    before = (marker / "install-id").read_text()
    shutil.rmtree(marker)
    laptop.sync()
    assert (marker / "install-id").read_text() == before

    # A folder from before laptops recorded their home is adopted by the laptop it is on.
    with laptop.store.transaction() as session:
        sync_state.clear(session, sync_state.DEVICE_HOME)
    logged += _visits(laptop.store, commune, household, 1)
    laptop.sync()
    try:
        assert sorted(_server_sessions(sync_server)) == sorted(logged)
    finally:
        laptop.store.close()
