"""The core must not import Qt: the sync server and the CLI run without a display.

Every module under villagehelper/ except ui/ and reports/ is imported in a fresh
interpreter (the test process itself has Qt loaded by other tests), and PySide6 must
not be among the loaded modules afterwards.  Modules are discovered, not listed, so a
new module is covered the day it is added.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import villagehelper

EXCLUDED = ["villagehelper.ui", "villagehelper.reports"]
# Alembic's env.py runs a migration when imported and only works inside Alembic; the
# checker instead migrates a scratch laptop database and a scratch server database,
# which executes each env.py and every revision.
RUN_BY_ALEMBIC = ["villagehelper.migrations.env", "villagehelper.server.migrations.env"]


def _check(spec_json: str) -> None:
    """Runs in the fresh interpreter: import the package's modules, report on Qt.

    Self-contained (its source is sent to ``python -c``), hence the local imports.
    """
    import importlib
    import json
    import pkgutil
    import sys
    import tempfile
    from pathlib import Path

    spec = json.loads(spec_json)
    sys.path[:0] = spec["path"]
    excluded: list[str] = spec["excluded"]

    def qt_loaded() -> bool:
        return "PySide6" in sys.modules or "shiboken6" in sys.modules

    def fail(name: str) -> None:
        # walk_packages silently skips a subpackage that fails to import, which would
        # hide its modules from this check.
        raise ImportError(f"cannot import {name}")

    root = importlib.import_module(spec["package"])
    modules = [root.__name__]
    culprit = root.__name__ if qt_loaded() else None
    # The top level by iter_modules, which imports nothing: walk_packages would import
    # the excluded packages just to look inside them.
    for top in pkgutil.iter_modules(root.__path__, root.__name__ + "."):
        if top.name in excluded:
            continue
        names = [top.name]
        if top.ispkg:
            package = importlib.import_module(top.name)
            walked = pkgutil.walk_packages(package.__path__, top.name + ".", onerror=fail)
            names += [info.name for info in walked]
        for name in names:
            modules.append(name)
            if name not in spec["run_by_alembic"]:
                importlib.import_module(name)
            if culprit is None and qt_loaded():
                culprit = name
    if spec["migrate"]:
        from villagehelper.server.database import open_server_db
        from villagehelper.store.engine import open_store

        with tempfile.TemporaryDirectory() as scratch:
            open_store(Path(scratch) / "data").close()
            open_server_db(f"sqlite:///{Path(scratch) / 'server.sqlite3'}").engine.dispose()
        if culprit is None and qt_loaded():
            culprit = "villagehelper.migrations (run by Alembic)"
    print(json.dumps({"modules": modules, "culprit": culprit, "qt": qt_loaded()}))


def run_check(
    package: str,
    excluded: list[str],
    *,
    path: list[str] | None = None,
    run_by_alembic: list[str] | None = None,
    migrate: bool = False,
    cwd: Path,
) -> dict[str, Any]:
    spec = {
        "package": package,
        "excluded": excluded,
        "path": path or [],
        "run_by_alembic": run_by_alembic or [],
        "migrate": migrate,
    }
    source = textwrap.dedent(inspect.getsource(_check)) + "\nimport sys\n_check(sys.argv[1])\n"
    done = subprocess.run(
        [sys.executable, "-c", source, json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_check(
        "villagehelper",
        EXCLUDED,
        run_by_alembic=RUN_BY_ALEMBIC,
        migrate=True,
        cwd=tmp_path_factory.mktemp("qt-free"),
    )


def test_core_imports_without_qt(core: dict[str, Any]) -> None:
    assert core["culprit"] is None, f"{core['culprit']} imports PySide6"
    assert core["qt"] is False


def test_the_check_covers_the_core_and_skips_the_ui(core: dict[str, Any]) -> None:
    modules = set(core["modules"])
    # A few known modules from each layer: the discovery is not silently empty.
    assert {
        "villagehelper.text",
        "villagehelper.geography",
        "villagehelper.store.engine",
        "villagehelper.ops.households",
        "villagehelper.migrations.versions.0001_initial_schema",
        "villagehelper.migrations.env",
    } <= modules
    assert not any(m.startswith(tuple(EXCLUDED)) for m in modules)


def test_every_core_source_file_is_checked(core: dict[str, Any]) -> None:
    # A folder without __init__.py is invisible to pkgutil (and to the packaging); this
    # compares with the files on disk so such a module cannot escape the check.
    root = Path(villagehelper.__file__).parent
    on_disk = set()
    for file in root.rglob("*.py"):
        parts = ["villagehelper", *file.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if not name.startswith(tuple(EXCLUDED)):
            on_disk.add(name)
    missed = sorted(on_disk - set(core["modules"]))
    assert not missed, f"not checked (is an __init__.py missing in their folder?): {missed}"


def test_the_check_detects_qt_deep_in_a_package(tmp_path: Path) -> None:
    # A small package shaped like the real one: Qt imported by a nested core module is
    # caught and named, and the excluded ui package (which imports Qt) is not imported.
    package = tmp_path / "fakecore"
    (package / "deep").mkdir(parents=True)
    (package / "ui").mkdir()
    (package / "__init__.py").write_text("")
    (package / "clean.py").write_text("import json\n")
    (package / "deep" / "__init__.py").write_text("")
    (package / "deep" / "widgets.py").write_text("import PySide6.QtCore\n")
    (package / "ui" / "__init__.py").write_text("import PySide6.QtWidgets\n")

    caught = run_check("fakecore", ["fakecore.ui"], path=[str(tmp_path)], cwd=tmp_path)
    assert caught["qt"] is True
    assert caught["culprit"] == "fakecore.deep.widgets"
    assert "fakecore.clean" in caught["modules"]

    (package / "deep" / "widgets.py").write_text("import json\n")
    clean = run_check("fakecore", ["fakecore.ui"], path=[str(tmp_path)], cwd=tmp_path)
    assert clean["qt"] is False
    assert clean["culprit"] is None
    assert "fakecore.ui" not in clean["modules"]
    assert "fakecore.deep.widgets" in clean["modules"]
