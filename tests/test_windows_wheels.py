"""The Windows wheel check (scripts/check_windows_wheels.py) refuses what a Windows build
could not install from wheels, and finds the dependencies only Windows needs.

pip runs for real, offline, on a folder of small packages made here: a source-only
package, a Linux-only wheel, and a package whose dependency is conditional on Windows."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import check_windows_wheels as check  # noqa: E402


def _wheel(folder: Path, name: str, tags: str, *requires: str) -> None:
    """A minimal wheel: enough metadata for pip to resolve it."""
    dist_info = f"{name}-1.0.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0"]
    metadata += [f"Requires-Dist: {requirement}" for requirement in requires]
    with zipfile.ZipFile(folder / f"{name}-1.0-{tags}.whl", "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "")
        wheel.writestr(f"{dist_info}/METADATA", "\n".join(metadata) + "\n")
        wheel.writestr(
            f"{dist_info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: " + tags + "\n",
        )
        wheel.writestr(f"{dist_info}/RECORD", "")


@pytest.fixture
def local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip sees only this folder: no index, no other wheels."""
    folder = tmp_path / "packages"
    folder.mkdir()
    _wheel(folder, "purepkg", "py3-none-any", 'winonly; sys_platform == "win32"')
    _wheel(folder, "winonly", "cp311-cp311-win_amd64")
    _wheel(folder, "linuxonly", "cp311-cp311-manylinux_2_17_x86_64")
    (folder / "sourceonly-1.0.tar.gz").write_bytes(b"")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    monkeypatch.setenv("PIP_CONSTRAINT", "")
    return folder


def test_a_package_with_only_a_source_archive_is_refused_by_name(local_index: Path) -> None:
    with pytest.raises(check.UnresolvableError, match="sourceonly"):
        check.resolve_for_windows(["purepkg", "sourceonly"], "3.11")


def test_a_package_with_only_a_linux_wheel_is_refused_by_name(local_index: Path) -> None:
    with pytest.raises(check.UnresolvableError, match="linuxonly"):
        check.resolve_for_windows(["linuxonly"], "3.11")


def test_a_dependency_only_windows_needs_is_resolved_and_checked(local_index: Path) -> None:
    """pip on Linux skips ``winonly; sys_platform == "win32"``; the check adds it."""
    resolved = check.resolve_for_windows(["purepkg"], "3.11")
    assert [(dist.name, dist.file, dist.acceptable) for dist in resolved] == [
        ("purepkg", "purepkg-1.0-py3-none-any.whl", True),
        ("winonly", "winonly-1.0-cp311-cp311-win_amd64.whl", True),
    ]


def test_the_windows_wheel_for_another_python_is_not_taken(local_index: Path) -> None:
    with pytest.raises(check.UnresolvableError, match="winonly"):
        check.resolve_for_windows(["purepkg"], "3.12")


def _report(*files: str) -> dict[str, Any]:
    return {
        "install": [
            {
                "download_info": {"url": f"https://files.example/{file}"},
                "metadata": {"name": file.split("-")[0], "version": file.split("-")[1]},
            }
            for file in files
        ]
    }


def test_a_report_with_an_sdist_is_refused() -> None:
    """Without --only-binary (or a pip that ignored it) the report itself is judged."""
    report = _report(
        "onlysource-2.0.tar.gz",
        "native-1.0-cp311-cp311-win_amd64.whl",
        "pure-1.0-py2.py3-none-any.whl",
        "other-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    )
    verdicts = {dist.name: dist.acceptable for dist in check.judge(json.loads(json.dumps(report)))}
    assert verdicts == {"native": True, "onlysource": False, "other": False, "pure": True}


def test_the_profiles_read_their_requirements_from_pyproject() -> None:
    laptop = " ".join(check.requirements(ROOT / "pyproject.toml", "app"))
    server = " ".join(check.requirements(ROOT / "pyproject.toml", "server"))
    for package in ("sqlalchemy", "alembic", "pyside6-essentials", "sqlcipher3"):
        assert package in laptop
    assert "fastapi" in server and "sqlalchemy" in server
    assert "pyside6" not in server.lower() and "sqlcipher3" not in server
