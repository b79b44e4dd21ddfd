"""The wheel carries every file the app opens at run time.

The packaged app (docs/packaging.md) is built from a non-editable install of the wheel, so
a translation, font or migration left out of the package data is missing from the
installed app, though every test run from the source tree would still find it.  This
builds the wheel as ``pip`` would and looks inside it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from villagehelper.report_font import FONTS_DIR, REPORT_FONT_FILES
from villagehelper.server.schema_upgrade import MIGRATIONS_DIR as SERVER_MIGRATIONS_DIR
from villagehelper.store.migrate import MIGRATIONS_DIR
from villagehelper.ui.shell.i18n import catalogs_for
from villagehelper.ui.shell.resources import TRANSLATIONS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "villagehelper"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    (built,) = out.glob("villagehelper-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _in_wheel(path: Path) -> str:
    """The name ``path`` (a file of the source package) has inside the wheel."""
    return path.resolve().relative_to(PACKAGE.parent).as_posix()


def _migration_files(folder: Path) -> list[Path]:
    """What Alembic reads from a migrations folder: env.py, the template, the revisions."""
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in {".py", ".mako"} and "__pycache__" not in path.parts
    ]


def test_the_compiled_translations_of_every_language_are_in_the_wheel(
    wheel_names: set[str],
) -> None:
    catalogs = {name for language in ("vi", "en") for name in catalogs_for(language)}
    missing = [
        _in_wheel(TRANSLATIONS / f"{name}.qm")
        for name in sorted(catalogs)
        if _in_wheel(TRANSLATIONS / f"{name}.qm") not in wheel_names
    ]
    assert len(catalogs) == 2
    assert missing == []


def test_the_report_fonts_and_their_licence_are_in_the_wheel(wheel_names: set[str]) -> None:
    wanted = [*REPORT_FONT_FILES, FONTS_DIR / "OFL.txt"]
    assert [_in_wheel(path) for path in wanted if _in_wheel(path) not in wheel_names] == []


@pytest.mark.parametrize(
    "folder", [MIGRATIONS_DIR, SERVER_MIGRATIONS_DIR], ids=["laptop", "server"]
)
def test_every_file_alembic_reads_is_in_the_wheel(wheel_names: set[str], folder: Path) -> None:
    files = _migration_files(folder)
    assert any(path.name == "env.py" for path in files)
    assert any(path.name == "script.py.mako" for path in files)
    assert len([path for path in files if path.parent.name == "versions"]) >= 2
    assert [_in_wheel(path) for path in files if _in_wheel(path) not in wheel_names] == []


def test_the_frozen_migration_copies_are_in_the_wheel(wheel_names: set[str]) -> None:
    frozen = [path for path in _migration_files(MIGRATIONS_DIR) if path.parent.name == "frozen"]
    assert frozen
    assert [_in_wheel(path) for path in frozen if _in_wheel(path) not in wheel_names] == []


def test_the_wheel_requires_the_admin_list_it_reads(wheel: Path) -> None:
    """The 2025 admin list is the ``vietnam-provinces`` distribution's data (the recipe
    collects its files into the bundle): the wheel must pull it in."""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        lines = archive.read(metadata).decode().splitlines()
    assert any(line.startswith("Requires-Dist: vietnam-provinces") for line in lines)
