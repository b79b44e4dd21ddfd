"""The commune server stands on its own: it loads no laptop-only code, and it is installed
and run without PySide6 and SQLCipher (pyproject's ``server`` extra).

Three guards: the sources (the server's own modules, lazy imports too, and everything they
load, transitively), a process that imports the server's app and command line with
PySide6 and SQLCipher made unimportable, and a real laptop syncing with a server run in
such a process.  The shared modules (``villagehelper.exchange``) are held to the same
rule, and never import the server or the laptop's sync client either.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from tests.conftest import FakeClock
from tests.import_rules import ROOT, loaded_by, module_file, within
from villagehelper.ops import team
from villagehelper.server.cli.serve import READY_LINE
from villagehelper.server.replicas import CACHE_ENV
from villagehelper.store import sync_state
from villagehelper.store.engine import open_store
from villagehelper.store.models import TeamMember, Village
from villagehelper.sync import client
from villagehelper.sync.http import ServerConnection

# Not installed on a server: the laptop's GUI and its encrypted database.
LAPTOP_DISTRIBUTIONS = ("PySide6", "shiboken6", "sqlcipher3")
# The laptop's own code: its windows and printed reports, command line, keys, backups,
# preferences, spreadsheet import/export, sample data and the sync client (HTTP, enrolment,
# outbox).  What both sides need lives in neutral modules (villagehelper.exchange, store,
# ops, tally, and the small modules at the top).
LAPTOP_ONLY = (
    "villagehelper.ui",
    "villagehelper.reports",
    "villagehelper.cli",
    "villagehelper.keys",
    "villagehelper.backups.copies",
    "villagehelper.backups.rotation",
    "villagehelper.preferences",
    "villagehelper.store.encryption",
    "villagehelper.transfer",
    "villagehelper.demo",
    "villagehelper.ops.trusted_time",
    "villagehelper.sync",
)
# These exist (a rename would leave the rule guarding nothing).
assert all(
    module_file(ROOT, name)
    for name in ("villagehelper.ui", "villagehelper.sync", "villagehelper.store.encryption")
)

# Run first in a server process: PySide6 and SQLCipher cannot be imported, as on a server
# installed with the ``server`` extra only.
WITHOUT_LAPTOP_PACKAGES = textwrap.dedent(
    f"""
    import importlib.abc
    import sys

    class _NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in {LAPTOP_DISTRIBUTIONS!r}:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, _NotInstalled())
    """
)


def laptop_only_loaded(root: Path, package: str, forbidden: tuple[str, ...]) -> list[str]:
    reached = loaded_by(root, package)
    return sorted(f"{name} (by {by})" for name, by in reached.items() if within(name, forbidden))


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", requirement)[0].lower() for requirement in requirements}


def test_only_the_app_extra_brings_qt_and_sqlcipher() -> None:
    # pip cannot take a base dependency away through an extra: a server installed with
    # ``.[server]`` gets exactly the base and the server's own packages.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    laptop = {"pyside6-essentials", "sqlcipher3"}
    assert not _names(project["dependencies"] + extras["server"]) & {*laptop, "pyside6"}
    assert laptop <= _names(extras["app"])
    assert "villagehelper[app,server]" in extras["dev"]  # development installs both


def test_the_server_loads_no_laptop_only_module() -> None:
    assert laptop_only_loaded(ROOT, "villagehelper.server", LAPTOP_ONLY) == []


def test_the_shared_modules_load_neither_side() -> None:
    forbidden = (*LAPTOP_ONLY, "villagehelper.server")
    assert laptop_only_loaded(ROOT, "villagehelper.exchange", forbidden) == []


def test_the_server_imports_without_qt_sqlcipher_or_laptop_code() -> None:
    probe = WITHOUT_LAPTOP_PACKAGES + textwrap.dedent(
        f"""
        import json
        from villagehelper.server.app import create_app
        from villagehelper.server.cli.commands import build_parser
        from villagehelper.server.cli import quarantine, waiting
        from villagehelper.server import embedded, maintenance, replicas, tallies

        build_parser()
        laptop = {LAPTOP_ONLY!r} + {LAPTOP_DISTRIBUTIONS!r}
        loaded = sorted(
            name for name in sys.modules
            if any(name == prefix or name.startswith(prefix + ".") for prefix in laptop)
        )
        print(json.dumps(loaded))
        """
    )
    assert json.loads(_succeeds([sys.executable, "-c", probe], dict(os.environ))) == []


def _succeeds(command: list[str], env: dict[str, str]) -> str:
    """What ``command`` printed, once it has finished without an error."""
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _server_command(db_url: str, *args: str) -> list[str]:
    main = "from villagehelper.server.cli.commands import main\nsys.exit(main(sys.argv[1:]))\n"
    return [sys.executable, "-c", WITHOUT_LAPTOP_PACKAGES + main, "--db", db_url, *args]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_laptop_syncs_with_a_server_installed_without_qt_or_sqlcipher(tmp_path: Path) -> None:
    db_url = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    env = {
        **os.environ,
        CACHE_ENV: str(tmp_path / "cache"),
        "VILLAGEHELPER_SERVER_STATE": str(tmp_path / "server-state"),
    }

    def command(*args: str) -> str:
        return _succeeds(_server_command(db_url, *args), env)

    command("add-commune", "10999", "Xã Gia Lộc")
    leader_code = command("issue-code", "--commune", "10999", "--role", "leader").split()[-1]
    volunteer_code = command("issue-code", "--commune", "10999", "--role", "volunteer").split()[-1]
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as errors:
        server = subprocess.Popen(
            _server_command(db_url, "serve", "--port", str(port)),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            encoding="utf-8",
            env=env,
        )
    try:
        assert server.stdout is not None
        assert any(READY_LINE in line for line in server.stdout), log.read_text()
        url = f"http://127.0.0.1:{port}"

        # The leader's laptop (encrypted, as in the field) sets the commune up and syncs.
        leader = open_store(tmp_path / "leader", key=bytes(range(32)), clock=FakeClock())
        team.set_commune(leader, "10999")
        village = team.add_village(leader, "Thôn Khay")
        team.add_team_member(leader, "Phạm Đăng Xuyết", "leader", village.id)
        client.enrol(leader, url, leader_code, "leader laptop")
        assert client.sync_once(leader).pushed == 2  # the village and its leader
        # A new laptop starts from the commune's snapshot, which the server's replica of
        # the commune (the laptop's schema, the shared feed loop) builds.
        joining = open_store(tmp_path / "joining", clock=FakeClock())
        client.join_commune(joining, url, volunteer_code, "new laptop")
        with joining.reading() as session:
            assert [row.name for row in session.query(Village)] == ["Thôn Khay"]
            assert [row.full_name for row in session.query(TeamMember)] == ["Phạm Đăng Xuyết"]
            token = sync_state.enrolled(session)
        with leader.reading() as session:
            leader_token = sync_state.enrolled(session)
        assert token is not None and leader_token is not None
        # The commune's tally, counted on the replica by the laptops' own engine.
        connection = ServerConnection(url, leader_token.token)
        try:
            tally = connection.get("/v1/tally/week", {"week": "2026-W10"})
        finally:
            connection.close()
        assert tally["villages"][0]["name"] == "Thôn Khay", tally
        leader.close()
        joining.close()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert "Traceback" not in log.read_text()
