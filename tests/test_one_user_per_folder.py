"""One user of a data folder at a time: the app, or a command that changes data.

Field report: two copies of the app started together on a folder not yet encrypted
both converted it at once, and one crashed ("disk I/O error").  Here the processes are
real and meet for real: the first is stopped half-way through the conversion (at its
``fsync``, the edge where a slow disk would hold it) and the second is started then;
each step waits on what the other prints, never on a timer.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from villagehelper.keys.key_file import Keyring
from villagehelper.store.engine import open_store
from villagehelper.store.folder_lock import APP_ROLE, WAIT_ENV, FolderLock
from villagehelper.store.models import HelpSession

LINE_TIMEOUT_S = 120
WAITING = "Đang chờ đến lượt"

# Opens the store with its key, pausing inside the conversion to an encrypted file
# (before the new file is made durable) until told to go on.
CONVERT_SLOWLY = """
import sys
from pathlib import Path
from villagehelper.keys.key_file import Keyring
from villagehelper.store import encryption
from villagehelper.store.engine import open_store

real_fsync = encryption._fsync
paused = []

def slow_fsync(path):
    if not paused:
        paused.append(path)
        print("converting", flush=True)
        sys.stdin.readline()
    real_fsync(path)

encryption._fsync = slow_fsync
data_dir = Path(sys.argv[1])
store = open_store(data_dir, key=Keyring.load(data_dir).data_key())
store.close()
print("opened", flush=True)
"""


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", **extra}


def _next_line(stream: IO[str] | None, wanted: str) -> str:
    """The first line of ``stream`` holding ``wanted``; "" once the stream ends first."""
    assert stream is not None
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            assert selector.select(timeout=LINE_TIMEOUT_S), f"no {wanted!r} in time"
            line = stream.readline()
            if not line or wanted in line:
                return line


def _command(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "villagehelper.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=_env(**env),
    )


def _sessions(data_dir: Path, key: bytes | None) -> int:
    store = open_store(data_dir, key=key)
    try:
        with store.reading() as session:
            return int(session.scalar(select(func.count()).select_from(HelpSession)) or 0)
    finally:
        store.close()


def test_two_openings_of_a_folder_being_encrypted_take_turns_and_both_succeed(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    made = _command("demo", "--households", "20", "--sessions", "60", "--data-dir", str(data_dir))
    assert made.wait(timeout=LINE_TIMEOUT_S) == 0
    key = Keyring.load(data_dir).data_key()  # the app's first start made the key …
    sessions = _sessions(data_dir, None)  # … and the file is still plain

    first = subprocess.Popen(
        [sys.executable, "-c", CONVERT_SLOWLY, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=_env(),
    )
    second: subprocess.Popen[str] | None = None
    try:
        assert "converting" in _next_line(first.stdout, "converting"), first.stderr
        out = tmp_path / "lượt.csv"
        second = _command("export", "sessions", "--out", str(out), "--data-dir", str(data_dir))
        # The second waits for the first to finish converting (or, without the lock,
        # runs through on its own).
        waiting = _next_line(second.stderr, WAITING)
        assert first.stdin is not None
        first.stdin.write("go on\n")
        first.stdin.flush()
        first_out, first_err = first.communicate(timeout=LINE_TIMEOUT_S)
        _second_out, second_err = second.communicate(timeout=LINE_TIMEOUT_S)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
    assert first.returncode == 0, first_err
    assert "opened" in first_out
    assert second.returncode == 0, second_err
    assert WAITING in waiting and "chuẩn bị dữ liệu" in waiting
    assert _sessions(data_dir, key) == sessions  # encrypted once, every session kept
    assert out.read_text(encoding="utf-8-sig").count("\n") == sessions + 1


def test_a_command_that_changes_data_waits_for_the_app_then_runs(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    app = FolderLock(data_dir, APP_ROLE)
    assert app.try_acquire()
    try:
        command = _command(
            "demo", "--households", "3", "--sessions", "5", "--data-dir", str(data_dir)
        )
        waiting = _next_line(command.stderr, WAITING)
        assert "ứng dụng VillageHelper đang mở" in waiting and str(os.getpid()) in waiting
        assert not (data_dir / "villagehelper.sqlite3").exists()  # it waits before opening
    finally:
        app.release()
    out, err = command.communicate(timeout=LINE_TIMEOUT_S)
    assert command.returncode == 0, err
    assert "Đã tạo dữ liệu mẫu" in out


def test_a_command_that_cannot_wait_longer_says_who_has_the_folder_and_changes_nothing(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    app = FolderLock(data_dir, APP_ROLE)
    assert app.try_acquire()
    try:
        command = _command("demo", "--data-dir", str(data_dir), **{WAIT_ENV: "0"})
        _out, err = command.communicate(timeout=LINE_TIMEOUT_S)
    finally:
        app.release()
    assert command.returncode == 1, err
    assert "đang bận: ứng dụng VillageHelper đang mở" in err
    assert "đóng ứng dụng" in err and "Nothing was changed" in err
    assert not (data_dir / "villagehelper.sqlite3").exists()


def test_commands_that_only_read_run_beside_the_open_app(tmp_path: Path) -> None:
    """A backup while the app is open is what a careful leader does: it does not wait."""
    data_dir = tmp_path / "data"
    made = _command("demo", "--households", "3", "--sessions", "5", "--data-dir", str(data_dir))
    assert made.wait(timeout=LINE_TIMEOUT_S) == 0
    app = FolderLock(data_dir, APP_ROLE)
    assert app.try_acquire()
    try:
        backup = _command("backup", "--data-dir", str(data_dir), **{WAIT_ENV: "0"})
        _out, err = backup.communicate(timeout=LINE_TIMEOUT_S)
    finally:
        app.release()
    assert backup.returncode == 0, err
    assert WAITING not in err


@pytest.mark.parametrize("role", ["app", "sync"])
def test_the_lock_dies_with_its_holder(tmp_path: Path, role: str) -> None:
    """A holder killed (power cut, crash) leaves no lock behind."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path;"
            "from villagehelper.store.folder_lock import FolderLock;"
            f"lock = FolderLock(Path(sys.argv[1]), {role!r}); assert lock.try_acquire();"
            "print('holding', flush=True); sys.stdin.readline()",
            str(tmp_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert "holding" in _next_line(holder.stdout, "holding")
    mine = FolderLock(tmp_path, "test")
    assert not mine.try_acquire()
    held_by = mine.holder()
    assert held_by is not None and (held_by.pid, held_by.role) == (holder.pid, role)
    holder.kill()
    holder.communicate()
    assert mine.try_acquire()
    mine.release()
