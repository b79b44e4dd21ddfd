"""`python -m benchmarks.console` refuses a kept database named without its URL (it once
made an empty SQLite file of that name and ended with "no samples")."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.console import main


def test_a_bare_database_name_is_refused_before_anything_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--database", "vh_console_kept_1", "--work", str(tmp_path / "work")]) == 2
    assert "postgresql+psycopg://" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_kept_database_needs_its_replicas_folder(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/vh_console_kept_1"
    assert main(["--database", url]) == 2
    assert "--work" in capsys.readouterr().err
