"""Every command works in a data folder named as people name folders, and writes nothing
outside it.

Field report: a ``%`` in the folder's name broke every command (Alembic read it as an
interpolation); ``#`` or ``?`` broke backup and restore, made an empty file outside the
folder, and the daily backup called a healthy file damaged (an unescaped ``file:`` URI).
Each command runs here as the person runs it: its own process, ``--data-dir`` on such a
folder, and the commune server started on a database file in such a folder too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.crash_harness import CommuneServer
from villagehelper.store.engine import open_store
from villagehelper.store.locations import max_data_dir_bytes
from villagehelper.store.models import Household, TeamMember
from villagehelper.sync.device_history import CONFIG_DIR_ENV

COMMUNE = "10999"
# What Windows allows in a name (it forbids ? * : < > | " \ and trailing dots/spaces).
WINDOWS_NAME = "Dữ liệu Tổ #1 (50% & bản sao) 100%d %(x)s"
# Linux allows every character but / and NUL: a ? as well.
LINUX_NAME = "Dữ liệu #1 ?a %b & c=d;e 'f'"


def _long_folder(parent: Path) -> Path:
    """A folder whose path is as long as the data folder's may be (in bytes), with one
    component of 255 bytes, the longest name a Linux (and NTFS, in characters) folder
    can have."""
    component = ("thư mục #" * 40).encode()[:255].decode("utf-8", "ignore")
    folder = parent / component
    room = max_data_dir_bytes() - len(os.fsencode(folder)) - 1
    assert room > 20, "the test's temporary folder is itself too long"
    return folder / ("ữ" * (room // len("ữ".encode())))


def _folders(kind: str, outside: Path) -> tuple[Path, Path, Path]:
    """The first laptop's data folder, the second's, and the server's, for ``kind``."""
    if kind == "long":
        laptop = _long_folder(outside)
        # Both siblings of the same length: the second laptop differs in its last letter.
        second = laptop.with_name(laptop.name[:-1] + "x")
        return laptop, second, outside / "server #1 %s"
    name = WINDOWS_NAME if kind == "windows" else LINUX_NAME
    return outside / name, outside / f"{name} máy 2", outside / f"{name} máy chủ"


def _every_path(root: Path) -> set[Path]:
    return {path for path in root.rglob("*")}


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    """An empty working folder for the commands: a relative path would land here."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


def _run(cwd: Path, program: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", program, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"{program} {args}: {result.returncode}\n{result.stderr}"
    return result


def _laptop(cwd: Path, command: str, data_dir: Path, *args: str) -> str:
    return _run(cwd, "villagehelper.cli", command, "--data-dir", str(data_dir), *args).stdout


def _server(cwd: Path, database: Path, *args: str) -> str:
    return _run(cwd, "villagehelper.server.cli", "--db", str(database), *args).stdout


@pytest.mark.parametrize("kind", ["windows", "linux", "long"])
def test_every_command_works_in_an_oddly_named_folder_and_writes_only_there(
    kind: str, tmp_path: Path, cwd: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    laptop, second, server_folder = _folders(kind, outside)

    _laptop(cwd, "demo", laptop, "--households", "4", "--sessions", "12")
    households_csv = laptop / "hộ #1 ?.csv" if kind == "linux" else laptop / "hộ #1 %s.csv"
    _laptop(cwd, "export", laptop, "households", "--out", str(households_csv))
    _laptop(cwd, "export", laptop, "sessions", "--out", str(laptop / "lượt & 100%.xlsx"))
    _laptop(cwd, "import", laptop, "households", str(households_csv))

    _laptop(cwd, "backup", laptop)  # into the backups folder, under the app's own name
    chosen = laptop / "bản sao #2 %d.sqlite3"
    saved = _laptop(cwd, "backup", laptop, "--out", str(chosen))
    assert str(chosen) in saved
    restored = _laptop(cwd, "restore", laptop, str(chosen))
    assert "Đã khôi phục 4 hộ, 12 lượt hỗ trợ" in restored

    _laptop(
        cwd, "tally", laptop, "--week", "this", "--pdf", str(laptop / "báo cáo #1.pdf"),
        "--xlsx", str(laptop / "báo cáo %.xlsx"), "--csv", str(laptop / "báo cáo &.csv"),
    )  # fmt: skip
    store = open_store(laptop)
    try:
        with store.reading() as session:
            household = session.scalars(select(Household.id)).first()
            leader = session.scalars(
                select(TeamMember.full_name).where(TeamMember.role == "leader")
            ).first()
    finally:
        store.close()
    assert household is not None and leader is not None
    held = laptop / "dữ liệu #1 %.txt"
    _laptop(
        cwd, "what-we-hold", laptop, "--household", household, "--by", leader, "--out", str(held)
    )
    assert held.stat().st_size > 0
    _laptop(cwd, "purge", laptop)

    # The commune server, given its database as a plain path in such a folder, and a
    # second laptop enrolling with it and syncing (the server's replica and snapshot
    # folders sit under the server's folder).
    server_folder.mkdir()
    database = server_folder / "máy chủ #1 %.sqlite3"
    _server(cwd, database, "add-commune", COMMUNE, "Xã Gia Lộc")
    code = _server(cwd, database, "issue-code", "--commune", COMMUNE, "--role", "leader")
    server = CommuneServer(server_folder, database=str(database))
    server.start()
    try:
        _laptop(cwd, "enroll", second, "--server", server.url, "--code", code.splitlines()[-1])
        synced = _laptop(cwd, "sync", second)
        assert "xung đột 0" in synced
    finally:
        server.stop()
    assert database.stat().st_size > 0

    made = _every_path(tmp_path)
    # The one place outside the data folder the app writes by design: the marker that
    # tells this laptop from a copy of its folder (sync/device_history.py).
    device_marker = Path(os.environ[CONFIG_DIR_ENV])
    stray = {
        path
        for path in made
        if not any(
            path == root or root in path.parents
            for root in (laptop, second, server_folder, device_marker)
        )
        and path not in {outside, cwd, *laptop.parents, *second.parents, *device_marker.parents}
    }
    assert stray == set()
    assert list(cwd.iterdir()) == []
    # Nothing the app made ended up beside the data folder under a cut name.
    assert {p.name for p in laptop.parent.iterdir()} <= {
        laptop.name,
        second.name,
        server_folder.name,
    }


def test_a_daily_backup_in_a_folder_named_with_hash_and_question_mark_is_not_called_damaged(
    tmp_path: Path,
) -> None:
    """The daily backup is the daily check of the live file: read back through a
    ``file:`` URI it opened another (empty) file and reported the healthy one damaged."""
    from villagehelper.backups.copies import daily_backup, verify_backup
    from villagehelper.clock import utc_now

    data_dir = tmp_path / "Dữ liệu #1 ?a"
    store = open_store(data_dir)
    store.close()
    check = daily_backup(data_dir, utc_now())
    assert check is not None
    assert verify_backup(check.path).path == check.path
    assert {p.name for p in tmp_path.iterdir()} == {data_dir.name}


def test_a_data_folder_too_long_for_the_database_is_refused_plainly(
    tmp_path: Path, cwd: Path
) -> None:
    too_long = _long_folder(tmp_path) / "thêm một cấp"
    result = subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", "demo", "--data-dir", str(too_long)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "Đường dẫn thư mục dữ liệu quá dài" in result.stderr
    assert "ngắn hơn" in result.stderr
    assert not (too_long / "villagehelper.sqlite3").exists()


def test_the_migrations_run_from_an_install_folder_with_a_percent_sign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A per-user install under a Windows profile such as "C:\\Users\\Tổ 100%\\…": Alembic
    reads its script folder through configparser too."""
    import shutil

    from villagehelper.clock import utc_now
    from villagehelper.store import migrate

    installed = tmp_path / "Cài đặt 100% #1 &" / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, installed)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", installed)
    database = tmp_path / "Dữ liệu 50%" / "villagehelper.sqlite3"
    database.parent.mkdir()

    migrate.upgrade(database, clock=utc_now)

    assert migrate.current_revision(database) == migrate.HEAD_REVISION
