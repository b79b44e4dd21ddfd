"""The laptop's command on a machine installed for the commune server only (``.[server]``:
no Qt, no SQLCipher, no requests): it says which package is missing and what to install,
instead of apologising for a bug."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.test_server_standalone import WITHOUT_LAPTOP_PACKAGES
from villagehelper.cli.dispatch import APP_PACKAGES

ROOT = Path(__file__).resolve().parent.parent
WITHOUT_REQUESTS = WITHOUT_LAPTOP_PACKAGES.replace("'sqlcipher3')", "'sqlcipher3', 'requests')")


def _laptop_command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    main = textwrap.dedent(
        """
        from villagehelper.cli.dispatch import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_REQUESTS + main, *args, "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_the_blocker_blocks_what_the_app_extra_brings() -> None:
    assert "'requests'" in WITHOUT_REQUESTS  # else the test below proves nothing
    assert {"PySide6", "sqlcipher3", "requests"} <= APP_PACKAGES


@pytest.mark.parametrize(("command", "missing"), [((), "PySide6"), (("sync",), "requests")])
def test_a_server_only_install_is_told_to_install_the_app(
    tmp_path: Path, command: tuple[str, ...], missing: str
) -> None:
    done = _laptop_command(tmp_path, *command)
    assert done.returncode == 1, done.stderr
    assert f"thiếu gói {missing}" in done.stderr
    assert "pip install 'villagehelper[app]'" in done.stderr
    assert "ngoài dự kiến" not in done.stderr  # not told as a bug
