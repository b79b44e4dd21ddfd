"""The package rules of docs/architecture.md, read from the source.

Each rule is a sentence of that document; a test fails naming the module and the import
that breaks it.  Imports count wherever they are written (lazy ones in functions and
``TYPE_CHECKING`` blocks too): a lazy import is still a dependency a newcomer must know.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tests.import_rules import ROOT, imported_modules, module_name, within

PACKAGE = ROOT / "villagehelper"
LONGEST_MODULE = 450
# Old migrations are frozen copies of what they ran (docs/migrations.md): never edited,
# so never split.
FROZEN = ("villagehelper/migrations/", "villagehelper/server/migrations/")

# The layers of the Qt-free core, lowest first: a package imports only packages on its
# own layer or below (docs/architecture.md, "Layers").
CORE_LAYERS: tuple[tuple[str, ...], ...] = (
    ("store",),
    ("backups",),
    ("ops",),
    ("campaigns",),
    ("tally",),
    ("exchange", "transfer", "demo"),
    ("sync", "keys", "backups", "server"),
    ("updates",),
)
QT_SIDE = {"ui", "cli", "reports"}
# What the top-level modules may use besides each other: the store's plain enumerations.
FOUNDATION_MAY_USE = ["villagehelper.store.kinds"]
# Who may import the top of the house.
ONLY_IMPORTED_BY = {
    "villagehelper.ui": ("villagehelper.ui", "villagehelper.cli"),
    "villagehelper.cli": ("villagehelper.cli",),
    "villagehelper.reports": ("villagehelper.reports", "villagehelper.ui", "villagehelper.cli"),
    "villagehelper.server": ("villagehelper.server",),
}
# The UI's feature packages, lowest first (ui/shell's frame, app.py and main_window.py,
# composes them all and sits above every layer).
UI_FRAME = ("villagehelper.ui.shell.app", "villagehelper.ui.shell.main_window")
UI_LAYERS: tuple[tuple[str, ...], ...] = (
    ("widgets",),
    ("shell",),
    ("lock", "syncing", "lists", "household"),
    ("log_visit", "tally", "settings", "first_run", "review", "campaigns"),
)


def all_modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield module_name(ROOT, path), path


def direct_imports() -> Iterator[tuple[str, str]]:
    """(importer, imported) for every villagehelper import written in the package: the
    module named, not the packages it sits in (importing store.kinds is not importing
    the whole store)."""
    for module, _path in all_modules():
        targets = imported_modules(ROOT, module, lazy=True)
        for target in targets:
            named_deeper = any(other.startswith(target + ".") for other in targets)
            if not named_deeper and not within(module, [target]):
                yield module, target


def top_package(module: str) -> str | None:
    """``store`` for villagehelper.store.engine; None for a top-level module."""
    parts = module.split(".")
    if len(parts) < 2 or not (PACKAGE / parts[1]).is_dir():
        return None
    return parts[1]


def layer_of(package: str | None, layers: tuple[tuple[str, ...], ...]) -> int | None:
    for index, members in enumerate(layers):
        if package in members:
            return index
    return None


def test_no_module_is_longer_than_a_newcomer_can_read() -> None:
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for _module, path in all_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_MODULE
        and not path.relative_to(ROOT).as_posix().startswith(FROZEN)
    }
    assert long == {}


Edge = tuple[str, str]


def imported_from_outside(edges: Iterable[Edge]) -> list[str]:
    return sorted(
        f"{importer} imports {target}"
        for importer, target in edges
        for guarded, allowed in ONLY_IMPORTED_BY.items()
        if within(target, [guarded]) and not within(importer, allowed)
    )


def core_upwards(edges: Iterable[Edge]) -> list[str]:
    breaking = []
    for importer, target in edges:
        here = layer_of(top_package(importer), CORE_LAYERS)
        there = layer_of(top_package(target), CORE_LAYERS)
        if here is None:
            continue
        if (there is not None and there > here) or top_package(target) in QT_SIDE:
            breaking.append(f"{importer} imports {target}")
    return sorted(breaking)


def foundation_reaching_up(edges: Iterable[Edge]) -> list[str]:
    return sorted(
        f"{importer} imports {target}"
        for importer, target in edges
        if top_package(importer) is None
        and importer != "villagehelper"
        and top_package(target) is not None
        and not within(target, FOUNDATION_MAY_USE)
    )


def ui_upwards(edges: Iterable[Edge]) -> list[str]:
    breaking = []
    for importer, target in edges:
        if not (within(importer, ["villagehelper.ui"]) and within(target, ["villagehelper.ui"])):
            continue
        if within(importer, UI_FRAME):
            continue
        if within(target, UI_FRAME):
            breaking.append(f"{importer} imports the frame {target}")
            continue
        here = layer_of(importer.split(".")[2], UI_LAYERS)
        there = layer_of(target.split(".")[2], UI_LAYERS)
        if here is not None and there is not None and there > here:
            breaking.append(f"{importer} imports {target}")
    return sorted(breaking)


RULES = {
    "the top of the house is imported only from above": imported_from_outside,
    "the core's layers import only downwards, never the Qt side": core_upwards,
    "the top-level modules are the foundation": foundation_reaching_up,
    "the UI's features import only downwards, never the frame": ui_upwards,
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_package_follows_the_rule(rule: str) -> None:
    assert RULES[rule](list(direct_imports())) == []


# One import that breaks each rule: the checker must name it (a rule that sees nothing
# would pass for ever).
BREAKERS: dict[str, Edge] = {
    "the top of the house is imported only from above": (
        "villagehelper.tally.engine",
        "villagehelper.server.app",
    ),
    "the core's layers import only downwards, never the Qt side": (
        "villagehelper.store.engine",
        "villagehelper.ops.team",
    ),
    "the top-level modules are the foundation": ("villagehelper.text", "villagehelper.ops.team"),
    "the UI's features import only downwards, never the frame": (
        "villagehelper.ui.widgets.fields",
        "villagehelper.ui.shell.main_window",
    ),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_names_an_import_that_breaks_it(rule: str) -> None:
    importer, target = BREAKERS[rule]
    assert RULES[rule]([BREAKERS[rule]]) == [
        f"{importer} imports {'the frame ' if 'frame' in rule else ''}{target}"
    ]


def test_every_package_is_placed_in_the_rules() -> None:
    """A new package must be given its place here and in docs/architecture.md."""
    placed = {name for layer in CORE_LAYERS for name in layer}
    placed |= {"ui", "cli", "reports", "migrations"}
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages - placed == set()
    ui_placed = {name for layer in UI_LAYERS for name in layer}
    ui_packages = {path.parent.name for path in (PACKAGE / "ui").glob("*/__init__.py")}
    assert ui_packages == ui_placed


def test_a_name_is_importable_from_the_module_that_defines_it_only() -> None:
    """No re-exports: ``from a import b as b`` or an ``__init__`` importing names for its
    importers gives one name two addresses, and a newcomer two places to look."""
    found = []
    for module, path in all_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("villagehelper"):
                for alias in node.names:
                    reexported = path.name == "__init__.py" and node.col_offset == 0
                    if alias.asname == alias.name or reexported:
                        found.append(f"{module}: {alias.name}")
    assert found == []
