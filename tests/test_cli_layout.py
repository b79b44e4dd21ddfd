"""Where the laptop's command line and its keys live: one package each.

Every module that builds part of the ``villagehelper`` command line (argparse, sub-commands)
is in ``villagehelper/cli/``, and the laptop's data key and PINs are in
``villagehelper/keys/`` — so a newcomer looking for a command finds all of them in one
folder, and the key code cannot grow back into a module named like the PyPI ``keyring``.
The commune server's own command line (``villagehelper-server``) goes with the server.
The files are read, not imported: a stray module is found even if nothing imports it.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "villagehelper"
CLI = PACKAGE / "cli"
# Calls that build a command line: a parser, its sub-command table, a sub-command.
PARSER_CALLS = {"ArgumentParser", "add_subparsers", "add_parser"}


def _is_server(module: Path) -> bool:
    """The commune server's modules: inside a ``server`` package, or its entry module."""
    parts = module.relative_to(PACKAGE).parts
    return "server" in parts[:-1] or module.name == "server_cli.py"


def _command_line_uses(module: Path) -> list[str]:
    """What in ``module`` builds a command line (an argparse import, a parser call)."""
    tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name == "argparse"]
        elif isinstance(node, ast.ImportFrom) and node.module == "argparse":
            found.append("from argparse import …")
        elif isinstance(node, ast.Call):
            called = node.func
            name = called.attr if isinstance(called, ast.Attribute) else None
            if isinstance(called, ast.Name):
                name = called.id
            if name in PARSER_CALLS:
                found.append(f"{name}() on line {node.lineno}")
    return found


def test_the_laptop_command_line_is_all_in_the_cli_package() -> None:
    outside = {
        str(module.relative_to(ROOT)): uses
        for module in sorted(PACKAGE.rglob("*.py"))
        if not module.is_relative_to(CLI) and not _is_server(module)
        if (uses := _command_line_uses(module))
    }
    assert not outside, f"command-line code outside villagehelper/cli/: {outside}"


def test_the_check_sees_the_cli_package_and_the_server_is_aside() -> None:
    # Not vacuous: the package's parser is found, and so is the server's, which is let be.
    assert _command_line_uses(CLI / "parser.py")
    servers = [m for m in PACKAGE.rglob("*.py") if _is_server(m) and _command_line_uses(m)]
    assert servers, "the commune server's command line was not found where expected"
    assert not any(m.is_relative_to(PACKAGE / "ui") for m in servers)


def test_each_area_module_adds_its_commands_and_names_their_functions() -> None:
    from villagehelper.cli.dispatch import COMMANDS
    from villagehelper.cli.parser import build_parser

    parser = build_parser()
    table = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(table.choices) == set(COMMANDS) - {None}  # a function for each, and back


def test_the_keys_are_one_package_and_no_module_is_named_keyring() -> None:
    assert (PACKAGE / "keys" / "__init__.py").is_file()
    named_keyring = [str(m.relative_to(ROOT)) for m in PACKAGE.rglob("keyring.py")]
    assert not named_keyring, f"a module shadowing the PyPI name: {named_keyring}"


def test_the_console_script_points_at_the_dispatch() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    module, _, function = scripts["villagehelper"].partition(":")
    assert module.startswith("villagehelper.cli.")
    assert callable(getattr(importlib.import_module(module), function))
