"""Which villagehelper modules a module loads, read from the source (no import is run).

Shared by the tests that hold the server apart from the laptop
(tests/test_server_standalone.py): a package's own files count with every import they
make, lazy ones in functions too; what they import counts with the imports it makes when
loaded (module level, ``TYPE_CHECKING`` blocks aside), and so on transitively.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(body: Iterable[ast.stmt], *, lazy: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements run when the module loads; with ``lazy``, in functions too."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from _import_nodes(node.orelse, lazy=lazy)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if lazy:
                yield from _import_nodes(node.body, lazy=lazy)
        elif isinstance(node, ast.Try):
            for handler in node.handlers:
                yield from _import_nodes(handler.body, lazy=lazy)
            for block in (node.body, node.orelse, node.finalbody):
                yield from _import_nodes(block, lazy=lazy)
        elif isinstance(node, ast.ClassDef | ast.If | ast.With | ast.For | ast.While):
            yield from _import_nodes(node.body, lazy=lazy)
            yield from _import_nodes(getattr(node, "orelse", []), lazy=lazy)


def _with_parents(module: str) -> Iterator[str]:
    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])


def imported_modules(root: Path, module: str, *, lazy: bool) -> set[str]:
    """The villagehelper modules ``module`` imports (with the packages they are in)."""
    path = module_file(root, module)
    assert path is not None, module
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in _import_nodes(tree.body, lazy=lazy):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base]
            targets += [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            if target.split(".")[0] == "villagehelper" and module_file(root, target):
                found.update(_with_parents(target))
    return found


def loaded_by(root: Path, package: str) -> dict[str, str]:
    """Every villagehelper module that ``package``'s modules import, directly (lazily
    too) or through what they load: module → the module that first brought it in."""
    folder = root.joinpath(*package.split("."))
    own = [module_name(root, path) for path in sorted(folder.rglob("*.py"))]
    reached: dict[str, str] = {}
    todo: list[str] = []
    for module in own:
        for target in imported_modules(root, module, lazy=True):
            if target not in reached:
                reached[target] = module
                todo.append(target)
    while todo:
        current = todo.pop()
        for target in imported_modules(root, current, lazy=False):
            if target not in reached:
                reached[target] = current
                todo.append(target)
    return reached


def within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)
