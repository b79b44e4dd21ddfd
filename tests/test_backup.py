"""Backups and restore: through the CLI as a team leader would run them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from villagehelper.cli import main
from villagehelper.ops import households as hh
from villagehelper.ops import team
from villagehelper.store.engine import DATABASE_FILE, open_store


def _data_dir_with(tmp_path: Path, heads: list[str]) -> Path:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    try:
        if store.commune() is None:
            team.set_commune(store, "10999")
            team.add_village(store, "Thôn Khay")
        village = team.list_villages(store)[0]
        for head in heads:
            hh.create_household(store, hh.HouseholdInput(village.id, head))
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

    assert main(["restore", str(backup_file), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "Đã khôi phục 1 hộ" in out
    assert _heads(data_dir) == ["Đặng Văn Vỹ"]
    kept = list((data_dir / "backups").glob("*before-restore*"))
    assert len(kept) == 1
    assert str(kept[0]) in out
    connection = sqlite3.connect(kept[0])
    assert connection.execute("SELECT count(*) FROM households").fetchone() == (2,)
    connection.close()


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
