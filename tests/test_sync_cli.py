"""The sync commands as a person types them: villagehelper-server, enroll, sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sync_support import COMMUNE, LoopbackServer, set_up_commune
from villagehelper.cli import dispatch
from villagehelper.exchange import wire
from villagehelper.server import accounts
from villagehelper.server.cli import commands as server_cli


def _server(db_url: str, *args: str) -> int:
    return server_cli.main(["--db", db_url, *args])


def _enroll(data_dir: str, url: str, code: str) -> int:
    return dispatch.main(["enroll", "--data-dir", data_dir, "--server", url, "--code", code])


def test_server_commands_manage_communes_codes_and_devices(
    server_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _server(server_db_url, "add-commune", "10999", "Xã Gia Lộc") == 0
    assert _server(server_db_url, "issue-code", "--commune", "10999", "--role", "leader") == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(wire.normalise_code(code)) == accounts.CODE_LENGTH

    assert _server(server_db_url, "issue-code", "--commune", "99999", "--role", "leader") == 1
    assert "add-commune" in capsys.readouterr().err
    assert _server(server_db_url, "add-commune", "12", "Xã Lạ") == 1
    assert "5 chữ số" in capsys.readouterr().err

    assert _server(server_db_url, "devices") == 0
    assert capsys.readouterr().out.startswith("device_id")
    assert _server(server_db_url, "revoke", "no-such-device") == 1


def test_enroll_then_sync_prints_one_line_and_exits_zero(
    sync_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_up_commune(sync_server, tmp_path)
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    data = str(tmp_path / "cli-laptop")
    assert _enroll(data, sync_server.url, code) == 0
    assert "Đã đăng ký" in capsys.readouterr().out

    assert dispatch.main(["sync", "--data-dir", data]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert "gửi 0" in lines[0] and "nhận" in lines[0] and "xung đột 0" in lines[0]

    # The same code twice: refused, in Vietnamese.
    again = str(tmp_path / "second")
    assert _enroll(again, sync_server.url, code) == 1
    assert "Mã đăng ký không đúng, đã dùng hoặc đã hết hạn" in capsys.readouterr().err


def test_sync_fails_loudly_when_not_enrolled_or_the_server_is_gone(
    sync_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "lonely")
    assert dispatch.main(["sync", "--data-dir", data]) == 1
    assert "chưa đăng ký" in capsys.readouterr().err

    code = accounts.issue_code(sync_server.db, COMMUNE, "leader")
    assert _enroll(data, sync_server.url, code) == 0
    sync_server.stop()
    assert dispatch.main(["sync", "--data-dir", data]) == 1
    assert "Không kết nối được máy chủ xã" in capsys.readouterr().err


def test_demo_data_is_never_uploaded(
    sync_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "demo")
    assert dispatch.main(["demo", "--data-dir", data, "--households", "5", "--sessions", "10"]) == 0
    code = accounts.issue_code(sync_server.db, COMMUNE, "leader")
    assert _enroll(data, sync_server.url, code) == 1
    assert "dữ liệu mẫu" in capsys.readouterr().err
