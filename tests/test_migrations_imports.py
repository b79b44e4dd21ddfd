"""Migrations stand still: they never import code that can change after they shipped.

A revision that called live code (the search index, the tally summaries, the models)
would silently do something else once that code changed, on every laptop that has not
upgraded yet.  What a revision needs is written out in it, or in a versioned helper of
``villagehelper.migrations.frozen`` that only migrations import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import villagehelper

PACKAGE = Path(villagehelper.__file__).resolve().parent
MIGRATIONS = PACKAGE / "migrations"
# env.py opens the database file as the app opens it today (SQLCipher key, driver):
# that is how to reach the file, not what a revision does to it.
ENV_MAY_IMPORT = {"villagehelper.store.connect", "villagehelper.store.engine"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports from (relative imports resolved)."""
    package = _module_name(path).rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
    return found


def _outside_migrations(modules: set[str]) -> set[str]:
    return {
        module
        for module in modules
        if (module == "villagehelper" or module.startswith("villagehelper."))
        and not module.startswith("villagehelper.migrations")
    }


def test_no_revision_or_frozen_helper_imports_live_code() -> None:
    modules = sorted((MIGRATIONS / "versions").glob("*.py"))
    modules += sorted((MIGRATIONS / "frozen").glob("*.py"))
    assert len(modules) >= 9  # 0001 … 0008 and the package
    offending = {path.name: sorted(_outside_migrations(imported_modules(path))) for path in modules}
    assert {name: found for name, found in offending.items() if found} == {}


def test_the_environment_imports_only_how_to_open_the_file() -> None:
    assert _outside_migrations(imported_modules(MIGRATIONS / "env.py")) <= ENV_MAY_IMPORT


def test_live_code_never_imports_the_frozen_helpers() -> None:
    importers = [
        _module_name(path)
        for path in PACKAGE.rglob("*.py")
        if MIGRATIONS not in path.parents
        and any(m.startswith("villagehelper.migrations") for m in imported_modules(path))
    ]
    assert importers == []
