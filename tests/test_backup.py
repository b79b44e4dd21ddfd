"""Backups and restore: through the CLI as a team leader would run them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from villagehelper.backups.copies import (
    backup_now,
    daily_backup,
    list_backups,
    newest_good_backup,
    restore_backup,
    rotate_backups,
    verify_backup,
)
from villagehelper.cli.dispatch import main
from villagehelper.errors import UserError
from villagehelper.ops import households as hh
from villagehelper.ops import team
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.engine import open_store
from villagehelper.store.migrate import DamagedDatabaseError, backup_copy, timestamped_backup_path
from villagehelper.store.models import Household


def _data_dir_with(tmp_path: Path, heads: list[str]) -> Path:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    try:
        if store.commune() is None:
            team.set_commune(store, "10999")
            team.add_village(store, "Thôn Khay")
        village = team.list_villages(store)[0]
        for head in heads:
            hh.create_household(store, HouseholdInput(village.id, head))
    finally:
        store.close()
    return data_dir


def _heads(data_dir: Path) -> list[str]:
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    try:
        return sorted(r[0] for r in connection.execute("SELECT head_name FROM households"))
    finally:
        connection.close()


def test_backup_then_restore_brings_back_the_data_and_keeps_the_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = _data_dir_with(tmp_path, ["Đặng Văn Vỹ"])
    backup_file = tmp_path / "sao-luu.sqlite3"
    assert main(["backup", "--data-dir", str(data_dir), "--out", str(backup_file)]) == 0
    assert "Đã sao lưu 1 hộ" in capsys.readouterr().out

    _data_dir_with(tmp_path, ["Người Mới Thêm"])  # work done after the backup
    assert _heads(data_dir) == ["Người Mới Thêm", "Đặng Văn Vỹ"]

    # Asked to leave out what was not sent (never sent: this laptop is not enrolled).
    restore = ["restore", str(backup_file), "--data-dir", str(data_dir)]
    assert main([*restore, "--leave-unsent"]) == 0
    out = capsys.readouterr().out
    assert "Đã khôi phục 1 hộ" in out
    assert "1 thay đổi chưa gửi KHÔNG được mang sang" in out
    assert _heads(data_dir) == ["Đặng Văn Vỹ"]
    kept = list((data_dir / "backups").glob("*before-restore*"))
    assert len(kept) == 1
    assert str(kept[0]) in out
    connection = sqlite3.connect(kept[0])
    assert connection.execute("SELECT count(*) FROM households").fetchone() == (2,)
    connection.close()

    # By default the work done after the backup, never sent, is carried over and said so.
    _data_dir_with(tmp_path, ["Người Mới Thêm"])
    assert main(restore) == 0
    out = capsys.readouterr().out
    assert "1 thay đổi chưa gửi" in out and "Đã mang sang 1 thay đổi" in out
    assert _heads(data_dir) == ["Người Mới Thêm", "Đặng Văn Vỹ"]


def test_backup_without_out_goes_to_the_backups_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = _data_dir_with(tmp_path, ["Đặng Văn Vỹ"])
    assert main(["backup", "--data-dir", str(data_dir)]) == 0
    files = list((data_dir / "backups").glob("*-manual.sqlite3"))
    assert len(files) == 1
    assert str(files[0]) in capsys.readouterr().out


def test_restore_refuses_a_file_that_is_not_our_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = _data_dir_with(tmp_path, ["Đặng Văn Vỹ"])
    junk = tmp_path / "khong-phai.sqlite3"
    junk.write_bytes(b"this is a spreadsheet, not a database" * 100)
    assert main(["restore", str(junk), "--data-dir", str(data_dir)]) == 1
    assert "không phải tệp cơ sở dữ liệu" in capsys.readouterr().err
    assert _heads(data_dir) == ["Đặng Văn Vỹ"]

    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert main(["restore", str(other), "--data-dir", str(data_dir)]) == 1
    assert "không phải dữ liệu VillageHelper" in capsys.readouterr().err
    assert _heads(data_dir) == ["Đặng Văn Vỹ"]


def test_restore_refuses_a_backup_from_a_newer_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = _data_dir_with(tmp_path, ["Đặng Văn Vỹ"])
    newer = tmp_path / "newer.sqlite3"
    assert main(["backup", "--data-dir", str(data_dir), "--out", str(newer)]) == 0
    connection = sqlite3.connect(newer)
    connection.execute("UPDATE alembic_version SET version_num = '0099_future'")
    connection.commit()
    connection.close()
    capsys.readouterr()
    assert main(["restore", str(newer), "--data-dir", str(data_dir)]) == 1
    assert "mới hơn" in capsys.readouterr().err


def test_restore_of_a_missing_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", str(tmp_path / "nope.sqlite3"), "--data-dir", str(tmp_path)]) == 1
    assert "Không tìm thấy tệp sao lưu" in capsys.readouterr().err


def test_backup_of_an_empty_data_dir_creates_a_valid_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup", "--data-dir", str(tmp_path / "fresh")]) == 0
    assert "Đã sao lưu 0 hộ" in capsys.readouterr().out


# --- automatic backups, rotation, a damaged database -----------------------------------

VIETNAM_MORNING = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


def _backup_names(data_dir: Path) -> list[str]:
    return sorted(path.name for path in (data_dir / "backups").glob("*.sqlite3"))


def _damage_pages(database: Path, first_page: int, pages: int) -> None:
    """Overwrite whole pages in the middle of the file, as a failing disk would."""
    with sqlite3.connect(database) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with database.open("r+b") as raw:
        raw.seek(page_size * first_page)
        raw.write(b"\xff" * page_size * pages)


def test_a_daily_backup_is_taken_once_a_vietnam_day_and_the_old_ones_rotate(
    tmp_path: Path,
) -> None:
    data_dir = _data_dir_with(tmp_path, ["Lê Văn Tám"])
    assert main(["backup", "--data-dir", str(data_dir)]) == 0  # a manual one, kept forever
    first = daily_backup(data_dir, VIETNAM_MORNING, keep=2)
    assert first is not None and first.households == 1
    assert daily_backup(data_dir, VIETNAM_MORNING + timedelta(hours=13), keep=2) is None
    # 17:30 UTC is 00:30 the next day in Vietnam: a new day, a new backup.
    days = [VIETNAM_MORNING + timedelta(hours=14, minutes=30), VIETNAM_MORNING + timedelta(days=2)]
    made = [daily_backup(data_dir, moment, keep=2) for moment in days]
    assert all(check is not None for check in made)
    names = _backup_names(data_dir)
    dailies = [name for name in names if name.endswith("-daily.sqlite3")]
    assert dailies == [
        "villagehelper-20261203-003000-daily.sqlite3",
        "villagehelper-20261204-100000-daily.sqlite3",
    ]
    assert sum(name.endswith("-manual.sqlite3") for name in names) == 1


def test_rotation_keeps_each_kind_apart_and_never_deletes_manual_backups(
    tmp_path: Path,
) -> None:
    data_dir = _data_dir_with(tmp_path, ["Lê Văn Tám"])
    database = data_dir / DATABASE_FILE
    for day, reason in [
        (1, "daily"),
        (2, "daily"),
        (3, "daily"),
        (1, "before-upgrade-0003"),
        (2, "before-upgrade-0004"),
        (1, "before-restore"),
        (1, "manual"),
        (2, "manual"),
        (3, "manual"),
    ]:
        backup_copy(
            database,
            timestamped_backup_path(database, VIETNAM_MORNING + timedelta(days=day), reason),
        )
    deleted = rotate_backups(data_dir, keep=1)
    assert len(deleted) == 3  # two dailies, one of the upgrades
    kinds = sorted(backup.reason for backup in list_backups(data_dir))
    assert kinds == ["before-restore", "before-upgrade-0004", "daily", "manual", "manual", "manual"]


def test_a_damaged_database_is_found_by_the_daily_backup_and_no_bad_copy_is_kept(
    tmp_path: Path,
) -> None:
    data_dir = _data_dir_with(tmp_path, [f"Nguyễn Văn {n}" for n in range(400)])
    good = daily_backup(data_dir, VIETNAM_MORNING)
    assert good is not None
    _damage_pages(data_dir / DATABASE_FILE, 3, 4)
    with pytest.raises(DamagedDatabaseError):
        daily_backup(data_dir, VIETNAM_MORNING + timedelta(days=1))
    assert _backup_names(data_dir) == [good.path.name]  # the bad copy is not kept
    assert newest_good_backup(data_dir) == good


def test_a_damaged_database_names_the_newest_good_backup_and_restore_brings_it_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = _data_dir_with(tmp_path, ["Lê Văn Tám", "Đỗ Thị Mai"])
    older = daily_backup(data_dir, VIETNAM_MORNING)
    assert older is not None
    newest = daily_backup(data_dir, VIETNAM_MORNING + timedelta(days=1))
    assert newest is not None
    _damage_pages(newest.path, 1, 3)  # the newest backup went bad too: skipped
    database = data_dir / DATABASE_FILE
    database.write_bytes(b"\x00garbage" * 4096)  # header and all

    capsys.readouterr()
    assert (
        main(
            [
                "export",
                "households",
                "--data-dir",
                str(data_dir),
                "--out",
                str(tmp_path / "out.csv"),
            ]
        )
        == 1
    )
    said = capsys.readouterr().err
    assert "bị hỏng" in said and "is damaged" in said
    assert f'villagehelper restore "{older.path}"' in said
    assert "2 hộ" in said

    assert main(["restore", str(older.path), "--data-dir", str(data_dir)]) == 0
    assert _heads(data_dir) == ["Lê Văn Tám", "Đỗ Thị Mai"]
    # The damaged file is kept aside, whole, for whoever wants to look at it.
    aside = [b for b in list_backups(data_dir) if b.reason == "damaged"]
    assert len(aside) == 1 and aside[0].path.read_bytes().startswith(b"\x00garbage")


# --- an encrypted store's backups ------------------------------------------------------------

KEY = bytes(range(32))  # any 32 bytes: the keyring's random key in the app


def _encrypted_heads(data_dir: Path, key: bytes = KEY) -> list[str]:
    store = open_store(data_dir, key=key)
    try:
        with store.reading() as session:
            return sorted(session.scalars(select(Household.head_name)))
    finally:
        store.close()


def test_an_encrypted_store_backs_up_encrypted_and_restores_with_its_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = open_store(data_dir, key=KEY)
    team.set_commune(store, "10999")
    village = team.add_village(store, "Thôn Khay")
    hh.create_household(store, HouseholdInput(village.id, "Đặng Văn Vỹ"))
    store.close()
    manual = backup_now(data_dir, VIETNAM_MORNING, key=KEY)
    daily = daily_backup(data_dir, VIETNAM_MORNING, key=KEY)
    assert daily is not None and (manual.households, daily.households) == (1, 1)
    for backup in (manual, daily):
        raw = backup.path.read_bytes()
        assert not raw.startswith(b"SQLite format 3") and "Vỹ".encode() not in raw
        for wrong in (None, bytes(32)):  # neither plainly nor with another key
            with pytest.raises(UserError):
                verify_backup(backup.path, wrong)

    store = open_store(data_dir, key=KEY)
    hh.create_household(store, HouseholdInput(village.id, "Người Mới Thêm"))
    store.close()
    restored = restore_backup(data_dir, manual.path, VIETNAM_MORNING, key=KEY)
    assert _encrypted_heads(data_dir) == ["Đặng Văn Vỹ"]
    assert restored.previous_copy is not None
    assert verify_backup(restored.previous_copy, KEY).households == 2


def test_a_plain_backup_from_before_encryption_is_restored_encrypted(tmp_path: Path) -> None:
    data_dir = _data_dir_with(tmp_path, ["Lê Văn Tám"])
    outside = tmp_path / "usb-copy.sqlite3"
    backup_now(data_dir, VIETNAM_MORNING, out=outside)
    _data_dir_with(tmp_path, ["Người Mới Thêm"])
    open_store(data_dir, key=KEY).close()  # the laptop is now encrypted

    restored = restore_backup(data_dir, outside, VIETNAM_MORNING, key=KEY)

    assert restored.restored.path == outside and restored.restored.households == 1
    assert _encrypted_heads(data_dir) == ["Lê Văn Tám"]
    database = data_dir / DATABASE_FILE
    assert not database.read_bytes().startswith(b"SQLite format 3")
    assert outside.read_bytes().startswith(b"SQLite format 3")  # the source left as it was
    backups = [path.name for path in (data_dir / "backups").iterdir()]
    assert all(name.endswith(".sqlite3") for name in backups)  # no scratch copy left
