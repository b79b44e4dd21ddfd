"""The command line speaks UTF-8 when its output goes to a pipe or a file.

Windows gives such a program the ANSI code page (cp1252 on most machines); a leader's
scheduled ``villagehelper sync > log.txt`` must still write readable Vietnamese.  The test
hands the process that code page the way Windows would, through PYTHONIOENCODING.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_vietnamese_reaches_a_pipe_whole_under_a_windows_code_page(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONIOENCODING="cp1252")
    env.pop("PYTHONUTF8", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "villagehelper.cli",
            "sync",
            "--data-dir",
            str(tmp_path / "dữ liệu"),
        ],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    told = result.stderr.decode("utf-8")
    assert "Lỗi: Máy này chưa đăng ký với máy chủ xã" in told
    assert "Settings → Sync" in told


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    # ``villagehelper services | head -1``: the reader closes the pipe early.
    with subprocess.Popen(
        [sys.executable, "-m", "villagehelper.cli", "services", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # gone before the command writes a line
        told = process.stderr.read().decode("utf-8")
        assert process.wait(timeout=120) == 0, told
    assert "Traceback" not in told and "Lỗi" not in told
