"""A scheduled ``villagehelper sync`` (a systemd timer on the leader's laptop) while the
app is open on the same data folder: it skips at once, in one line, with its own exit
code, instead of waiting 30 s and failing with the "folder is busy" error every time the
timer fires on a working day.  A command holding the folder is still waited for.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from villagehelper.cli.telling import EXIT_SKIPPED_APP_OPEN, EXIT_USER_ERROR
from villagehelper.store.folder_lock import (
    APP_ROLE,
    DEFAULT_COMMAND_WAIT_S,
    WAIT_ENV,
    FolderLock,
    Holder,
)

START_DEADLINE_S = 60.0


def _villagehelper(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "villagehelper.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
    )


def _wait_until_the_app_holds(data_dir: Path, app: subprocess.Popen[str]) -> None:
    """The app's own note in the folder's lock file: it has claimed the folder."""
    lock = FolderLock(data_dir, "test")
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        assert app.poll() is None, app.communicate()
        if lock.holder() == Holder(app.pid, APP_ROLE):
            return
        time.sleep(0.05)  # the app tells no one when it has claimed the folder
    raise AssertionError(f"the app did not claim {data_dir} in {START_DEADLINE_S} s")


def test_a_sync_while_the_app_is_open_skips_at_once_and_says_why(tmp_path: Path) -> None:
    data_dir = tmp_path / "Dữ liệu #1"
    app = _villagehelper("--data-dir", str(data_dir))  # the window, offscreen
    try:
        _wait_until_the_app_holds(data_dir, app)
        started = time.monotonic()
        # The timer's command as it runs it: the usual wait for the folder (30 s) applies.
        sync = _villagehelper("sync", "--data-dir", str(data_dir))
        out, err = sync.communicate(timeout=DEFAULT_COMMAND_WAIT_S * 2)
        took = time.monotonic() - started
    finally:
        app.kill()
        app.communicate()
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
        sync = _villagehelper("sync", "--data-dir", str(data_dir), **{WAIT_ENV: "0.3"})
        out, err = sync.communicate(timeout=120)
    finally:
        importing.release()
    assert sync.returncode == EXIT_USER_ERROR, (out, err)
    assert "Đang chờ đến lượt" in err and "«villagehelper import»" in err
    assert "đang bận" in err and "Bỏ qua" not in out
