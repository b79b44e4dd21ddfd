"""The service files shipped in resources/deploy/ (docs/deployment.md) start commands that
exist: every option they give is one the installed command takes, and the unit keeps the
hardening and restart policy the guide promises.  A renamed option or environment
variable breaks these tests, not a commune's server at its next reboot.
"""

from __future__ import annotations

import ntpath
import os
import shlex
import subprocess
import sys
from pathlib import PurePosixPath
from xml.etree import ElementTree

from tests.import_rules import ROOT
from villagehelper.cli.parser import build_parser as laptop_parser
from villagehelper.cli.telling import EXIT_SKIPPED_APP_OPEN
from villagehelper.server.addresses import TRUSTED_PROXIES_ENV
from villagehelper.server.cli.commands import build_parser as server_parser
from villagehelper.server.cli.serve import is_loopback
from villagehelper.server.database import SERVER_DB_ENV
from villagehelper.server.epochs import STATE_ENV
from villagehelper.server.replicas import CACHE_ENV

DEPLOY = ROOT / "resources" / "deploy"
SERVER_ENVIRONMENT = {SERVER_DB_ENV, STATE_ENV, CACHE_ENV, TRUSTED_PROXIES_ENV}


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file's sections, each key with its values in order (keys repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{name}: {line!r} before any section"
        key, equals, value = line.partition("=")
        assert equals, f"{name}: not a key=value line: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def only(section: dict[str, list[str]], key: str) -> str:
    values = section.get(key, [])
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def options(arguments: list[str]) -> set[str]:
    return {argument.partition("=")[0] for argument in arguments if argument.startswith("--")}


def server_help(*command: str) -> str:
    """``villagehelper-server [command] --help`` as the installed command prints it."""
    done = subprocess.run(
        [sys.executable, "-m", "villagehelper.server.cli", *command, "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=True,
    )
    return done.stdout


def check_server_arguments(arguments: list[str]) -> None:
    """Every option exists where it is given (before or after ``serve``), and the whole
    line parses as the command parses it."""
    serve_at = arguments.index("serve")
    global_help, serve_help = server_help(), server_help("serve")
    for option in options(arguments[:serve_at]):
        assert f"{option} " in global_help, f"villagehelper-server has no {option}"
    for option in options(arguments[serve_at + 1 :]):
        assert f"{option} " in serve_help, f"villagehelper-server serve has no {option}"
    parsed = server_parser().parse_args(arguments)  # exits on an unknown option or value
    assert parsed.command == "serve" and parsed.db
    # No TLS files given: the server must listen on loopback behind the proxy, or it
    # refuses to start (serve.py).
    assert not parsed.tls_cert and is_loopback(parsed.host)
    assert all(is_loopback(proxy) for proxy in parsed.trusted_proxy)


def test_the_server_unit_runs_an_existing_command_line_in_its_venv() -> None:
    service = unit("villagehelper-server.service")["Service"]
    program, *arguments = shlex.split(only(service, "ExecStart"))
    assert program == "/opt/villagehelper-server/bin/villagehelper-server"
    check_server_arguments(arguments)


def test_the_server_unit_is_hardened_and_writes_only_its_data_folder() -> None:
    sections = unit("villagehelper-server.service")
    service = sections["Service"]
    assert only(service, "User") not in {"root", "0"}
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "Restart": "on-failure",
    }.items():
        assert only(service, key) == value, key
    data = PurePosixPath("/var/lib") / only(service, "StateDirectory")
    assert only(service, "ReadWritePaths").split() == [str(data)]
    assert only(service, "WorkingDirectory") == str(data)
    _program, *arguments = shlex.split(only(service, "ExecStart"))
    database = PurePosixPath(server_parser().parse_args(arguments).db)
    assert database.parent == data  # the only folder it may write
    # What the server reads from the environment, if the unit sets any, is spelled right.
    named = {value.partition("=")[0] for value in service.get("Environment", [])}
    assert named <= SERVER_ENVIRONMENT
    assert only(sections["Install"], "WantedBy") == "multi-user.target"


def test_the_windows_service_runs_an_existing_command_line_and_restarts() -> None:
    service = ElementTree.parse(DEPLOY / "villagehelper-server.xml").getroot()
    executable = service.findtext("executable", "")
    assert ntpath.basename(executable) == "villagehelper-server.exe"
    assert ntpath.basename(ntpath.dirname(executable)) == "Scripts"  # in a venv
    # Windows quoting: double quotes group, backslashes are path separators.
    arguments = [
        word.strip('"') for word in shlex.split(service.findtext("arguments", ""), posix=False)
    ]
    check_server_arguments(arguments)
    database = server_parser().parse_args(arguments).db
    folder = ntpath.dirname(database)
    assert service.findtext("workingdirectory") == folder
    environment = {env.get("name"): env.get("value", "") for env in service.iter("env")}
    assert set(environment) <= SERVER_ENVIRONMENT
    assert all(value.startswith(folder + "\\") for value in environment.values())
    assert {action.get("action") for action in service.iter("onfailure")} == {"restart"}
    assert service.findtext("stoptimeout")


def test_the_scheduled_sync_counts_a_sync_skipped_for_the_open_app_as_done() -> None:
    service = unit("villagehelper-sync.service")["Service"]
    assert only(service, "Type") == "oneshot"
    command = shlex.split(only(service, "ExecStart"))
    assert command[:2] == ["/usr/bin/env", "villagehelper"]
    parsed = laptop_parser().parse_args(command[2:])  # exits on an unknown option
    assert parsed.command == "sync"
    assert str(EXIT_SKIPPED_APP_OPEN) in only(service, "SuccessExitStatus").split()
    # The PIN comes from a file only the leader reads, never from the command line.
    assert "PIN" not in only(service, "ExecStart")
    assert only(service, "EnvironmentFile").startswith("-%h/")


def test_the_timer_starts_the_sync_service_on_a_schedule_that_catches_up() -> None:
    timer = unit("villagehelper-sync.timer")
    # Without Unit=, a timer starts the service of its own name.
    assert "Unit" not in timer["Timer"] and (DEPLOY / "villagehelper-sync.service").exists()
    assert only(timer["Timer"], "OnCalendar")
    assert only(timer["Timer"], "Persistent") == "true"  # a round missed while asleep
    assert only(timer["Install"], "WantedBy") == "timers.target"


def test_the_nightly_backup_backs_up_the_server_s_database_into_its_data_folder() -> None:
    sections = unit("villagehelper-server-backup.service")
    service = sections["Service"]
    assert only(service, "Type") == "oneshot"
    program, *arguments = shlex.split(only(service, "ExecStart"))
    server = unit("villagehelper-server.service")["Service"]
    assert program == shlex.split(only(server, "ExecStart"))[0]
    backup_at = arguments.index("backup")
    assert f"{arguments[backup_at + 1]} " in server_help("backup")  # --into exists
    parsed = server_parser().parse_args(arguments)
    served = server_parser().parse_args(shlex.split(only(server, "ExecStart"))[1:])
    assert parsed.command == "backup" and parsed.file is None
    assert parsed.db == served.db  # the database the service serves, none other
    data = PurePosixPath("/var/lib") / only(service, "StateDirectory")
    assert PurePosixPath(parsed.into).parent == data and parsed.keep >= 2
    # The same user and confinement as the server; backups readable by that user only.
    for key in ("User", "Group", "StateDirectory", "WorkingDirectory", "ReadWritePaths"):
        assert only(service, key) == only(server, key), key
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "UMask": "0077",
    }.items():
        assert only(service, key) == value, key


def test_the_backup_timer_runs_nightly_and_catches_up_after_a_night_off() -> None:
    timer = unit("villagehelper-server-backup.timer")["Timer"]
    assert only(timer, "Unit") == "villagehelper-server-backup.service"
    assert (DEPLOY / only(timer, "Unit")).exists()
    assert only(timer, "OnCalendar") == "*-*-* 02:30:00"
    assert only(timer, "Persistent") == "true"
    assert only(unit("villagehelper-server-backup.timer")["Install"], "WantedBy") == "timers.target"
