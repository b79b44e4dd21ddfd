"""``villagehelper-server publish-update``: what it refuses, in Vietnamese then English,
with the updates folder and the table exactly as they were; the plain name it stores an
oddly named installer under; and a publish that loses a race to another one leaving no
file behind (SQLite and PostgreSQL).
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from villagehelper.errors import UserError
from villagehelper.exchange.update_offer import MAX_NOTES
from villagehelper.server import publishing
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.database import ServerDB

Store = tuple[dict[str, str], list[tuple[str, str, int, str]]]


def _store(db: ServerDB) -> Store:
    """Every file under the updates folder (hidden ones too) with its hash, and every row."""
    folder = publishing.updates_folder(db.url)
    files = {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    rows = [(o.platform, o.version, o.size, o.sha256) for o in publishing.published(db)]
    return files, rows


def _publish(db: ServerDB, *arguments: str) -> int:
    return server_cli.main(["--db", db.url, "publish-update", *arguments])


def _refused(capsys: pytest.CaptureFixture[str], *words: str) -> None:
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    vietnamese, english = lines
    assert "chưa có gì được phát hành" in vietnamese or "không có gì bị thay đổi" in vietnamese
    assert "nothing was" in english
    for word in words:
        assert word in vietnamese and word in english


@pytest.fixture
def published_once(server_db: ServerDB, tmp_path: Path) -> Store:
    (tmp_path / "setup-1.4.0.exe").write_bytes(b"MZ the first installer" * 1000)
    assert _publish(server_db, str(tmp_path / "setup-1.4.0.exe"), "--version", "1.4.0") == 0
    before = _store(server_db)
    assert len(before[0]) == 1 and len(before[1]) == 1
    return before


def test_the_same_version_is_never_published_twice(
    server_db: ServerDB, tmp_path: Path, published_once: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    (tmp_path / "other.exe").write_bytes(b"MZ another installer")
    assert _publish(server_db, str(tmp_path / "other.exe"), "--version", "1.4.0") == 1
    _refused(capsys, "1.4.0")
    assert _store(server_db) == published_once
    # The same version for the other platform is another installer.
    (tmp_path / "other.deb").write_bytes(b"!<arch> a package")
    assert _publish(server_db, str(tmp_path / "other.deb"), "--version", "1.4.0") == 0


@pytest.mark.parametrize("version", ["1.4", "v1.4.1", "01.4.1", "1.4.1-beta", "1.4.1.2", ""])
def test_a_version_that_is_not_three_numbers_is_refused(
    server_db: ServerDB,
    tmp_path: Path,
    published_once: Store,
    capsys: pytest.CaptureFixture[str],
    version: str,
) -> None:
    capsys.readouterr()
    (tmp_path / "next.exe").write_bytes(b"MZ next")
    assert _publish(server_db, str(tmp_path / "next.exe"), "--version", version) == 1
    _refused(capsys, "X.Y.Z")
    assert _store(server_db) == published_once


@pytest.mark.parametrize("problem", ["missing", "empty", "folder", "unknown kind"])
def test_a_file_that_is_no_installer_is_refused(
    server_db: ServerDB,
    tmp_path: Path,
    published_once: Store,
    capsys: pytest.CaptureFixture[str],
    problem: str,
) -> None:
    capsys.readouterr()
    given = {
        "missing": tmp_path / "không có.exe",
        "empty": tmp_path / "empty.msi",
        "folder": tmp_path / "a-folder.deb",
        "unknown kind": tmp_path / "setup.zip",
    }[problem]
    if problem == "empty":
        given.write_bytes(b"")
    elif problem == "folder":
        given.mkdir()
    elif problem == "unknown kind":
        given.write_bytes(b"PK not an installer")
    assert _publish(server_db, str(given), "--version", "1.5.0") == 1
    _refused(capsys, "--platform" if problem == "unknown kind" else given.name)
    assert _store(server_db) == published_once


def test_notes_too_long_are_refused_and_notes_from_a_file_are_kept(
    server_db: ServerDB, tmp_path: Path, published_once: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    (tmp_path / "next.deb").write_bytes(b"!<arch> next")
    notes = tmp_path / "thay đổi.txt"
    notes.write_text("ồ" * (MAX_NOTES + 1), encoding="utf-8")
    assert (
        _publish(
            server_db, str(tmp_path / "next.deb"), "--version", "1.5.0", "--notes-file", str(notes)
        )
        == 1
    )
    _refused(capsys, str(MAX_NOTES))
    assert _store(server_db) == published_once

    notes.write_text("\ufeffSửa lỗi in báo cáo tuần.\nThêm ô tìm hộ.\n", encoding="utf-8")
    assert (
        _publish(
            server_db, str(tmp_path / "next.deb"), "--version", "1.5.0", "--notes-file", str(notes)
        )
        == 0
    )
    offer = publishing.find(server_db, "linux", "1.5.0")
    assert offer is not None and offer.notes == "Sửa lỗi in báo cáo tuần.\nThêm ô tìm hộ."


def test_an_oddly_named_installer_is_stored_under_a_plain_name(
    server_db: ServerDB, tmp_path: Path
) -> None:
    odd = tmp_path / "Bản cài đặt #2 (mới) & 100%.exe"
    odd.write_bytes(b"MZ odd")
    assert _publish(server_db, str(odd), "--version", "2.0.0") == 0
    offer = publishing.find(server_db, "windows", "2.0.0")
    assert offer is not None
    assert offer.filename == "Ban-cai-dat-2-moi-100-.exe"
    assert publishing.stored_file(server_db, offer).read_bytes() == b"MZ odd"


def test_a_publish_that_loses_a_race_leaves_no_file_behind(
    server_db: ServerDB, tmp_path: Path, published_once: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another publish of 1.4.0 committed between this one's check and its row: the row
    # refuses it, and neither its copy nor a temporary file is left in the folder.
    monkeypatch.setattr(publishing, "_refuse_published", lambda *_args: None)
    (tmp_path / "setup-1.4.0.exe").write_bytes(b"MZ a different build")
    installer = publishing.check_installer(tmp_path / "setup-1.4.0.exe", "1.4.0", None, "")
    with pytest.raises(UserError, match=r"1\.4\.0"):
        publishing.publish(server_db, installer)
    assert _store(server_db) == published_once


def test_a_full_disk_is_a_message_and_leaves_nothing_behind(
    server_db: ServerDB,
    tmp_path: Path,
    published_once: Store,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    (tmp_path / "next.deb").write_bytes(b"!<arch> next" * 10_000)

    def disk_full(_descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    assert _publish(server_db, str(tmp_path / "next.deb"), "--version", "1.5.0") == 1
    _refused(capsys, os.strerror(errno.ENOSPC))
    assert _store(server_db) == published_once
    assert not (publishing.updates_folder(server_db.url) / "linux" / "1.5.0").exists()


def test_a_server_in_a_folder_with_an_odd_name_keeps_its_installers_beside_it(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "Máy chủ xã #1 %20 & ?ok"
    folder.mkdir()
    database = folder / "server.sqlite3"
    (tmp_path / "setup.deb").write_bytes(b"!<arch> odd")
    arguments = ["--db", str(database), "publish-update", str(tmp_path / "setup.deb")]
    assert server_cli.main([*arguments, "--version", "1.0.0"]) == 0
    stored = folder / "server.sqlite3.updates" / "linux" / "1.0.0" / "setup.deb"
    assert stored.read_bytes() == b"!<arch> odd"
