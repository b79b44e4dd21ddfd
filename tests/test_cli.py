"""The command line's contract: names, --data-dir everywhere, plain errors, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from villagehelper.cli import dispatch
from villagehelper.cli.parser import build_parser
from villagehelper.cli.telling import EXIT_BUG, EXIT_USER_ERROR
from villagehelper.logs import log_path
from villagehelper.ops import team
from villagehelper.store.engine import open_store
from villagehelper.store.models import Household


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_every_command_takes_data_dir_before_or_after_it(tmp_path: Path) -> None:
    parser = build_parser()
    for command in (
        ["demo"],
        ["export", "households", "--out", "x.csv"],
        ["import", "sessions", "x.csv"],
        ["backup"],
        ["restore", "x"],
    ):
        after = parser.parse_args([*command, "--data-dir", str(tmp_path / "a")])
        before = parser.parse_args(["--data-dir", str(tmp_path / "b"), *command])
        assert after.data_dir == str(tmp_path / "a")
        assert before.data_dir == str(tmp_path / "b")
    assert not hasattr(parser.parse_args(["backup"]), "data_dir")


def test_installed_entry_point_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "villagehelper"
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("VillageHelper ")


def test_server_command_is_installed_and_explains_itself() -> None:
    script = Path(sys.executable).parent / "villagehelper-server"
    result = subprocess.run([str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2  # a command is required
    assert "serve" in result.stderr and "issue-code" in result.stderr
    helped = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert helped.returncode == 0
    assert "Máy chủ đồng bộ cấp xã" in helped.stdout


def test_gui_without_a_display_explains_instead_of_aborting(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = _run("--data-dir", str(tmp_path), env=env)
    assert result.returncode == 1
    assert "Không tìm thấy màn hình" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        dispatch.main(["demo", "--households", "-3"])
    assert exited.value.code == 2
    assert "phải lớn hơn 0" in capsys.readouterr().err


def test_unexpected_error_is_logged_with_traceback_and_reported_briefly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object, data_dir: Path) -> int:
        raise RuntimeError("simulated bug 4242")

    monkeypatch.setitem(dispatch.COMMANDS, "backup", broken)
    assert dispatch.main(["backup", "--data-dir", str(tmp_path)]) == EXIT_BUG
    err = capsys.readouterr().err
    assert "Xin lỗi" in err
    assert str(log_path(tmp_path)) in err
    assert "4242" not in err  # no raw exception text for the person …
    logged = log_path(tmp_path).read_text(encoding="utf-8")
    assert "Traceback" in logged  # … but the whole story for whoever fixes it
    assert "simulated bug 4242" in logged


def test_unwritable_data_dir_is_a_plain_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    assert dispatch.main(["backup", "--data-dir", str(blocker / "data")]) == EXIT_USER_ERROR
    assert "--data-dir" in capsys.readouterr().err


def test_demo_export_import_round_trip_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = str(tmp_path / "source"), str(tmp_path / "target")
    assert (
        dispatch.main(["demo", "--households", "40", "--sessions", "120", "--data-dir", source])
        == 0
    )
    assert "Xã Gia Lộc" in capsys.readouterr().out
    for kind, name in (("households", "ho.csv"), ("sessions", "luot.xlsx")):
        assert (
            dispatch.main(["export", kind, "--out", str(tmp_path / name), "--data-dir", source])
            == 0
        )
        assert dispatch.main(["import", kind, str(tmp_path / name), "--data-dir", target]) == 0
    out = capsys.readouterr().out
    assert "Đã nhập 40 hộ mới" in out
    assert "Đã nhập 120 lượt hỗ trợ mới" in out


def test_import_of_a_bad_file_lists_every_bad_line_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = str(tmp_path / "data")
    store = open_store(Path(data_dir))
    team.set_commune(store, "10999")
    store.close()
    bad = tmp_path / "danh-sach.csv"
    bad.write_text(
        "Họ và tên chủ hộ,Thôn,SĐT\n"
        "Nguyễn Văn An,Thôn Khay,0912\n"
        "Trần Thị Bình,Thôn Khay,0987654321\n"
        ",Thôn Khay,\n",
        encoding="utf-8",
    )
    assert dispatch.main(["import", "households", str(bad), "--data-dir", data_dir]) == 1
    err = capsys.readouterr().err
    assert "danh-sach.csv:2 [SĐT]" in err
    assert "danh-sach.csv:4" in err
    assert err.count("Lỗi:") == 1
    store = open_store(Path(data_dir))
    try:
        assert team.list_villages(store) == []  # not even the village was created
        with store.reading() as session:
            assert session.scalar(select(func.count()).select_from(Household)) == 0
    finally:
        store.close()
