"""``villagehelper update`` as a person types it: the offer, the download, the consent."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.update_support import INSTALLER, UpdateServer, enrolled_laptop, update_server
from villagehelper.cli import dispatch
from villagehelper.store import sync_state
from villagehelper.updates import handover

__all__ = ["update_server"]  # the fixture, used by name


class _Terminal(io.StringIO):
    """A keyboard that answers the question with what the test typed."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def data_dir(tmp_path: Path, update_server: UpdateServer) -> Path:
    folder = tmp_path / "dữ liệu & cập nhật"
    store = enrolled_laptop(folder, update_server.url)
    with store.transaction() as session:
        sync_state.note_offered_version(session, "9.1.0")
    store.close()
    return folder


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    monkeypatch.setattr(handover, "start_installer", calls.append)
    return calls


def _update(data_dir: Path, *options: str) -> int:
    return dispatch.main(["update", "--data-dir", str(data_dir), *options])


def test_update_shows_the_offer_then_downloads_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str], started: list[Path]
) -> None:
    assert _update(data_dir) == 0
    shown = capsys.readouterr().out
    assert "Có phiên bản mới: 9.1.0" in shown
    assert "Sửa lỗi in báo cáo tuần." in shown and "1,0 MB" in shown
    assert _update(data_dir, "--download") == 0
    _out, err = capsys.readouterr()
    assert "Đang tải" in err and "100%" in err
    installer = data_dir / "updates" / "VillageHelper-9.1.0-setup.exe"
    assert installer.read_bytes() == INSTALLER
    assert started == []  # downloaded, never installed without being asked


def test_install_asks_and_a_no_installs_nothing(
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    started: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal("K\n"))
    assert _update(data_dir, "--install") == 0
    out = capsys.readouterr().out
    assert "Cài đặt phiên bản 9.1.0? / Install version 9.1.0? [c/K]" in out
    assert "Chưa cài đặt" in out
    assert started == []
    monkeypatch.setattr("sys.stdin", _Terminal("c\n"))
    assert _update(data_dir, "--install") == 0
    assert started == [data_dir / "updates" / "VillageHelper-9.1.0-setup.exe"]


def test_install_without_a_terminal_needs_yes(
    data_dir: Path, capsys: pytest.CaptureFixture[str], started: list[Path]
) -> None:
    assert _update(data_dir, "--install") == 1  # pytest's stdin is no terminal
    assert "--yes" in capsys.readouterr().err
    assert started == []
    assert _update(data_dir, "--install", "--yes") == 0
    assert started == [data_dir / "updates" / "VillageHelper-9.1.0-setup.exe"]
    assert "Đã mở trình cài đặt phiên bản 9.1.0" in capsys.readouterr().out


def test_check_asks_the_server_and_says_when_there_is_nothing(
    data_dir: Path, update_server: UpdateServer, capsys: pytest.CaptureFixture[str]
) -> None:
    update_server.offer = None
    assert _update(data_dir, "--check") == 0
    assert "Không có bản cập nhật mới" in capsys.readouterr().out
    assert update_server.paths()[-1].startswith("/v1/updates/latest?platform=")
