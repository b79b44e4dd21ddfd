"""A scheduled ``villagehelper sync`` (a systemd timer on the leader's laptop) while the
app is open on the same data folder: it skips at once, in one line, with its own exit
code, instead of waiting 30 s and failing with the "folder is busy" error every time the
timer fires on a working day.  A command holding the folder is still waited for.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

from villagehelper.cli.opening import open_unlocked
from villagehelper.cli.telling import EXIT_SKIPPED_APP_OPEN, EXIT_USER_ERROR
from villagehelper.ops.team import list_team_members
from villagehelper.preferences import Preferences, save_preferences
from villagehelper.store.folder_lock import (
    APP_ROLE,
    DEFAULT_COMMAND_WAIT_S,
    WAIT_ENV,
    FolderLock,
    Holder,
)
from villagehelper.ui.shell.app import ANNOUNCE_AND_STAY, EXIT_WHEN_READY_ENV

START_DEADLINE_S = 60.0


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", **extra}


def _sync(data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``villagehelper sync`` as the timer runs it (no terminal, the usual wait)."""
    return subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", "sync", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(**env),
        timeout=DEFAULT_COMMAND_WAIT_S * 4,
        check=False,
    )


def _open_app(data_dir: Path) -> subprocess.Popen[str]:
    """The window, offscreen, on a leader's folder (the demo: no first-run questions),
    once it is on screen — it says so on stdout — and so holds the folder."""
    prepared = subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", "--data-dir", str(data_dir), "demo"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=START_DEADLINE_S,
        check=False,
    )
    assert prepared.returncode == 0, prepared.stderr
    store = open_unlocked(data_dir)  # who is logging, as the first run's question sets it
    try:
        volunteer = list_team_members(store)[0].id
    finally:
        store.close()
    save_preferences(data_dir, Preferences(volunteer_id=volunteer))
    app = subprocess.Popen(
        [sys.executable, "-m", "villagehelper.cli", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(**{EXIT_WHEN_READY_ENV: ANNOUNCE_AND_STAY}),
    )
    assert app.stdout is not None
    with selectors.DefaultSelector() as waiting:
        waiting.register(app.stdout, selectors.EVENT_READ)
        if not waiting.select(timeout=START_DEADLINE_S):
            app.kill()
            raise AssertionError(
                f"the app did not open in {START_DEADLINE_S} s: {app.communicate()}"
            )
    line = app.stdout.readline()
    assert line.startswith("ready "), (line, app.poll())
    assert FolderLock(data_dir, "test").holder() == Holder(app.pid, APP_ROLE)
    return app


def test_a_sync_while_the_app_is_open_skips_at_once_and_says_why(tmp_path: Path) -> None:
    data_dir = tmp_path / "Dữ liệu #1"
    app = _open_app(data_dir)
    try:
        started = time.monotonic()
        sync = _sync(data_dir)  # the usual wait for the folder (30 s) applies
        took = time.monotonic() - started
    finally:
        app.kill()
        app.communicate()
    out, err = sync.stdout, sync.stderr
    assert sync.returncode == EXIT_SKIPPED_APP_OPEN, (out, err)
    assert took < DEFAULT_COMMAND_WAIT_S, "it waited for the app instead of skipping"
    assert err == ""
    assert out.splitlines() == [out.strip()]  # one line
    assert out.startswith("Bỏ qua: ứng dụng VillageHelper đang mở") and str(app.pid) in out
    assert "tự đồng bộ" in out and "syncs by itself" in out


def test_a_sync_while_a_command_holds_the_folder_waits_for_it_as_before(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    importing = FolderLock(data_dir, "import")
    assert importing.try_acquire()
    try:
        sync = _sync(data_dir, **{WAIT_ENV: "0.3"})
    finally:
        importing.release()
    assert sync.returncode == EXIT_USER_ERROR, (sync.stdout, sync.stderr)
    assert "Đang chờ đến lượt" in sync.stderr and "«villagehelper import»" in sync.stderr
    assert "đang bận" in sync.stderr and "Bỏ qua" not in sync.stdout
