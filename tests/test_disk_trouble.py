"""A full, read-only or failing disk: a plain message naming the folder and what to do,
nothing saved before lost, and no empty or half-written file left behind.

Field report: on a full disk every command said "unexpected error, details in the log"
(and the log was empty: it could not be written either), and a backup left a backup
file of 0 bytes.  The disks here are real: a small ``tmpfs`` mounted for the test, filled
up, or remounted read-only.  A failing (unplugged) disk cannot be made on demand: its
``EIO`` is injected at the one system call that meets it.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from tests.conftest import make_village_team
from villagehelper.cli.telling import EXIT_USER_ERROR
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.store.engine import open_store
from villagehelper.store.models import HelpSession, Household
from villagehelper.store.thread_guard import allowed_here

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

FULL = "đã đầy"
READ_ONLY = "chỉ cho đọc"
BUG = "ngoài dự kiến"


class SmallDisk:
    """A 4 MB file system of its own, filled and freed on demand."""

    def __init__(self, mount_point: Path) -> None:
        self.root = mount_point
        self._filler = mount_point / ".filler"

    def fill(self) -> None:
        """Take every free byte (SQLite may still reuse free pages inside its file)."""
        descriptor = os.open(self._filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            chunk = b"\0" * 65536
            while True:
                try:
                    os.write(descriptor, chunk)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    if len(chunk) == 1:
                        return
                    chunk = chunk[: len(chunk) // 16 or 1]
        finally:
            os.close(descriptor)

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)

    def read_only(self, yes: bool = True) -> None:
        option = "remount,ro" if yes else "remount,rw"
        subprocess.run(["mount", "-o", option, str(self.root)], check=True)

    def files(self) -> dict[str, int]:
        """Every file on the disk with its size, but the filler and the live database's
        own journals (SQLite's, which come and go with each opening)."""
        return {
            str(path.relative_to(self.root)): path.stat().st_size
            for path in self.root.rglob("*")
            if path.is_file() and path != self._filler and not self._live_journal(path)
        }

    @staticmethod
    def _live_journal(path: Path) -> bool:
        live = ("villagehelper.sqlite3-wal", "villagehelper.sqlite3-shm")
        return path.name in live and path.parent.name != "backups"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("CI runs as root: a tmpfs can be mounted")
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount_point = tmp_path / "usb"
    mount_point.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount_point)], check=True
    )
    try:
        yield SmallDisk(mount_point)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )


def _demo(data_dir: Path) -> None:
    made = _command("demo", "--households", "6", "--sessions", "20", "--data-dir", str(data_dir))
    assert made.returncode == 0, made.stderr


def _counts(data_dir: Path) -> tuple[int, int]:
    store = open_store(data_dir)
    try:
        with allowed_here(), store.reading() as session:
            households = session.scalar(select(func.count()).select_from(Household))
            sessions = session.scalar(select(func.count()).select_from(HelpSession))
    finally:
        store.close()
    return int(households or 0), int(sessions or 0)


def _says(result: subprocess.CompletedProcess[str], words: str, folder: Path) -> None:
    assert result.returncode == 1, result.stderr
    assert words in result.stderr
    assert str(folder) in result.stderr  # which folder …
    assert BUG not in result.stderr  # … not "an unexpected error, see the log"
    assert "Traceback" not in result.stderr


def test_a_backup_on_a_full_disk_says_so_and_leaves_no_empty_backup(disk: SmallDisk) -> None:
    data_dir = disk.root / "Dữ liệu"
    _demo(data_dir)
    before = _counts(data_dir)
    disk.fill()
    files = disk.files()

    result = _command("backup", "--data-dir", str(data_dir))

    _says(result, FULL, data_dir)
    assert "giải phóng chỗ trống" in result.stderr
    assert disk.files() == files  # no 0-byte backup, no half-written one, nothing else
    disk.free()
    assert _counts(data_dir) == before  # nothing saved before was lost
    again = _command("backup", "--data-dir", str(data_dir))
    assert again.returncode == 0, again.stderr


def test_writing_on_a_full_disk_says_so_and_keeps_what_was_saved(disk: SmallDisk) -> None:
    data_dir = disk.root / "Dữ liệu"
    _demo(data_dir)
    before = _counts(data_dir)
    disk.fill()

    more = _command("demo", "--households", "200", "--sessions", "400", "--data-dir", str(data_dir))

    _says(more, FULL, data_dir)
    disk.free()
    assert _counts(data_dir) == before


@pytest.mark.parametrize(
    "command",
    [
        ["export", "households", "--out", "{usb}/hộ.csv"],
        ["export", "sessions", "--out", "{usb}/lượt.xlsx"],
        ["tally", "--week", "this", "--pdf", "{usb}/báo cáo.pdf"],
        ["tally", "--week", "this", "--xlsx", "{usb}/báo cáo.xlsx"],
        ["tally", "--week", "this", "--csv", "{usb}/báo cáo.csv"],
        ["backup", "--out", "{usb}/bản sao.sqlite3"],
    ],
    ids=["export-csv", "export-xlsx", "tally-pdf", "tally-xlsx", "tally-csv", "backup-out"],
)
def test_a_file_saved_to_a_full_usb_stick_is_complete_or_absent(
    command: list[str], disk: SmallDisk, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    _demo(data_dir)
    usb = disk.root / "Báo cáo xã"
    usb.mkdir()
    disk.fill()

    result = _command(*(part.format(usb=usb) for part in command), "--data-dir", str(data_dir))

    _says(result, FULL, usb)
    assert list(usb.iterdir()) == []  # neither the file nor its temporary copy


def test_a_read_only_data_folder_is_named_with_what_to_do(disk: SmallDisk) -> None:
    data_dir = disk.root / "Dữ liệu"
    _demo(data_dir)
    before = _counts(data_dir)
    disk.read_only()
    try:
        result = _command("backup", "--data-dir", str(data_dir))
        _says(result, READ_ONLY, data_dir)
        assert "--data-dir" in result.stderr
    finally:
        disk.read_only(False)
    assert _counts(data_dir) == before


def test_a_usb_stick_failing_mid_export_is_told_as_such_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stick is pulled out while the export is being written: the file system answers
    ``EIO`` (injected at the rename, the last system call of the export)."""
    from villagehelper.cli import dispatch

    data_dir = tmp_path / "data"
    _demo(data_dir)
    usb = tmp_path / "usb"
    usb.mkdir()
    real_replace = os.replace

    def unplugged(source: object, target: object) -> None:
        if str(target).startswith(str(usb)):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(target))
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", unplugged)
    out = usb / "hộ.csv"
    code = dispatch.main(["export", "households", "--out", str(out), "--data-dir", str(data_dir)])

    assert code == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "cắm lại" in err and str(usb) in err and BUG not in err
    assert list(usb.iterdir()) == []


def test_the_app_tells_a_full_disk_in_plain_words_not_as_a_bug(
    disk: SmallDisk, qtbot: QtBot
) -> None:
    """A visit saved in the app when the disk is full: the window is handed the folder's
    trouble (shown as a fixable error), not a bug pointing at a log nobody can write."""
    from villagehelper.errors import UserError
    from villagehelper.preferences import Preferences
    from villagehelper.ui.shell.context import AppContext
    from villagehelper.ui.shell.executor import Worker

    data_dir = disk.root / "Dữ liệu"
    village_team = make_village_team(open_store(data_dir))
    executor = Worker()
    ctx = AppContext(village_team.store, executor, Preferences(volunteer_id=village_team.member_id))
    try:
        disk.fill()
        note = "ghi chú " * 249  # nearly the 2,000 characters a note may have

        def log_many_households() -> None:  # more than SQLite's free pages can hold
            for number in range(400):
                with allowed_here():
                    households.create_household(
                        ctx.store,
                        HouseholdInput(
                            village_team.village_id, f"Lò Văn Pả {number}", "", None, note
                        ),
                    )

        save = ctx.write(None, log_many_households)
        with qtbot.waitSignal(executor.sig_user_error, timeout=10_000) as told:
            save.run()
        error = told.args[0]
        assert isinstance(error, UserError)
        assert FULL in error.message_vi and str(data_dir) in error.message_vi
        assert "is full" in error.message_en
    finally:
        executor.shutdown()
        disk.free()
        village_team.store.close()


def test_the_app_on_a_read_only_data_folder_says_so_instead_of_crashing(
    disk: SmallDisk, qtbot: QtBot
) -> None:
    from tests.test_ui_single_instance import answer_the_message
    from villagehelper.ui.shell.app import run_gui

    data_dir = disk.root / "Dữ liệu"
    _demo(data_dir)
    disk.read_only()
    try:
        seen: list[str] = []
        timer = answer_the_message(seen)
        assert run_gui(data_dir) == 1
        timer.stop()
    finally:
        disk.read_only(False)
    assert len(seen) == 1 and READ_ONLY in seen[0] and str(data_dir) in seen[0]


def test_the_daily_backup_on_a_full_disk_is_not_taken_for_a_damaged_file(
    disk: SmallDisk,
) -> None:
    """The daily backup is also the daily check of the live file: a copy that fails for
    want of space must not make the app offer to replace a healthy file by a backup."""
    from villagehelper.backups.copies import daily_backup
    from villagehelper.clock import utc_now
    from villagehelper.disk_errors import FolderError, Trouble

    data_dir = disk.root / "Dữ liệu"
    _demo(data_dir)
    disk.fill()
    files = disk.files()

    with pytest.raises(FolderError) as told:
        daily_backup(data_dir, utc_now())

    assert told.value.trouble is Trouble.FULL
    assert disk.files() == files  # no empty or partial daily backup


def test_a_restore_on_a_full_disk_leaves_the_live_file_where_it_was(
    disk: SmallDisk, tmp_path: Path
) -> None:
    """Before restoring, the live file is copied aside; a copy that failed for want of
    space was taken for a damaged file, which was then moved away whole."""
    data_dir = disk.root / "Dữ liệu"
    _demo(data_dir)
    before = _counts(data_dir)
    elsewhere = tmp_path / "bản sao.sqlite3"
    saved = _command("backup", "--out", str(elsewhere), "--data-dir", str(data_dir))
    assert saved.returncode == 0, saved.stderr
    disk.fill()
    files = disk.files()

    result = _command("restore", str(elsewhere), "--data-dir", str(data_dir))

    _says(result, FULL, data_dir)
    assert disk.files() == files  # the live file in its place, nothing moved aside
    disk.free()
    assert _counts(data_dir) == before


@pytest.mark.parametrize(
    ("errno_code", "trouble"),
    [
        (errno.ENOSPC, "full"),
        (errno.EDQUOT, "full"),
        (errno.EFBIG, "full"),
        (errno.EROFS, "read-only"),
        (errno.EIO, "gone"),
        (errno.ENXIO, "gone"),
        (errno.ENOENT, None),  # a mistyped folder on a drive that is there: the caller says
        (errno.EINVAL, None),
    ],
)
def test_which_system_errors_are_a_folders_trouble(
    errno_code: int, trouble: str | None, tmp_path: Path
) -> None:
    from villagehelper.disk_errors import folder_problem

    failed = tmp_path / "missing" / "villagehelper.sqlite3"
    error = OSError(errno_code, os.strerror(errno_code), str(failed))
    found = folder_problem(error, tmp_path)
    assert (found.trouble.value if found else None) == trouble


def test_an_import_on_a_full_disk_leaves_no_residents_data_in_the_log_or_on_screen(
    disk: SmallDisk, tmp_path: Path
) -> None:
    """The import's statements carry the residents' names and phones; the error of a
    full disk must not bring them to the log (sent to helpers) nor to the screen."""
    import csv

    from villagehelper.logs import log_path
    from villagehelper.ops.team import list_villages
    from villagehelper.text import search_key

    name, phone = "Hoàng Thị Bí Mật", "0987654321"
    data_dir = disk.root / "Dữ liệu"
    _demo(data_dir)
    store = open_store(data_dir)
    with allowed_here():
        village = list_villages(store)[0].name
    store.close()
    rows = [["Thôn", "Chủ hộ", "Họ và tên", "SĐT"]]
    rows += [[village, f"{name} {n}", f"{name} {n}", phone] for n in range(300)]
    residents = tmp_path / "hộ.csv"
    with residents.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    before = _counts(data_dir)
    disk.fill()

    result = _command("import", "households", str(residents), "--data-dir", str(data_dir))

    _says(result, FULL, data_dir)
    disk.free()
    logged = log_path(data_dir).read_text(encoding="utf-8")
    for secret in (name, search_key(name), phone):
        assert secret not in logged + result.stdout + result.stderr
    assert _counts(data_dir) == before  # the import is one transaction: none of it went in
