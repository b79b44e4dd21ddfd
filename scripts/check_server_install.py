"""The commune server as it is deployed: a fresh venv with only the ``server`` extra.

    python3 scripts/check_server_install.py [--venv DIR | --wheels DIR | --offline]

Makes a new virtual environment (or checks ``--venv DIR``, made earlier) and installs
``villagehelper[server]`` into it from this source tree; or, with ``--wheels DIR``,
offline from a folder of wheels as a commune PC without Internet gets it from a USB
stick (docs/deployment.md); or, with ``--offline``, both steps of that: the wheel folder
made here from the source tree (``pip wheel``, the one step that uses the network), then
the offline install from it.  Then, with that venv's own programs:

1. no PySide6, shiboken6 or SQLCipher distribution is installed (pip's list of what is
   installed, not only what imports), and none of them can be imported;
2. ``villagehelper-server serve`` runs on a free loopback port, answers ``/v1/health``
   and the web console's sign-in page (an officer added with ``add-officer``),
   enrols a laptop through HTTP as a laptop does (a one-time code issued with the
   venv's command, the protocol header), refuses a wrong code, serves the new device's
   first download, and ends cleanly on SIGTERM with no traceback on stderr;
3. the same against PostgreSQL, in a database of its own, when
   ``VILLAGEHELPER_TEST_PG_URL`` is set (.ci/run sets it).

Runs with the standard library only: it is started by the system's Python, beside the
venv it checks.  Exits 1 with a message saying what failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import chdir, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL_ENV = "VILLAGEHELPER_TEST_PG_URL"
# The laptop's GUI and its encrypted database: a server must not even have them.
LAPTOP_DISTRIBUTIONS = frozenset(
    {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}
    | {"sqlcipher3", "sqlcipher3-binary", "sqlcipher3-wheels"}
)
LAPTOP_MODULES = ("PySide6", "shiboken6", "sqlcipher3")
COMMUNE = "10999"
START_DEADLINE_S = 60.0
STOP_DEADLINE_S = 30.0
INSTALL_TIMEOUT_S = 900.0


class InstallCheckError(Exception):
    """One of the checks above did not hold; the message says which and why."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--venv", type=Path, help="check this venv instead of making one")
    source.add_argument("--wheels", type=Path, help="install offline from this wheel folder")
    source.add_argument(
        "--offline", action="store_true", help="make the wheel folder, then install from it"
    )
    args = parser.parse_args(argv)
    given_venv = args.venv.resolve() if args.venv else None
    given_wheels = args.wheels.resolve() if args.wheels else None
    try:
        with (
            tempfile.TemporaryDirectory(prefix="vh-server-install-") as scratch,
            # Every program runs away from the source tree, whose villagehelper/ would
            # otherwise stand in for the installed package in ``python -c``.
            chdir(scratch),
        ):
            work = Path(scratch)
            wheels = work / "wheels" if args.offline else given_wheels
            venv = given_venv or _fresh_venv(work / "venv", wheels, make_wheels=args.offline)
            python = _venv_program(venv, "python")
            _no_laptop_packages(python)
            _serve_and_enrol(
                venv, f"sqlite:///{work / 'sqlite' / 'server.sqlite3'}", work / "sqlite"
            )
            print("check_server_install: SQLite: serve, health, enrol, console, stop: ok")
            admin_url = os.environ.get(PG_URL_ENV)
            if admin_url:
                with _postgres_database(python, admin_url) as url:
                    _serve_and_enrol(venv, url, work / "postgresql")
                print("check_server_install: PostgreSQL: serve, health, enrol, console, stop: ok")
            elif os.environ.get("CI"):
                raise InstallCheckError(
                    f"{PG_URL_ENV} must be set on CI: .ci/run starts PostgreSQL"
                )
            else:
                print(f"check_server_install: {PG_URL_ENV} not set: PostgreSQL not checked")
    except InstallCheckError as failure:
        print(f"check_server_install: FAILED: {failure}", file=sys.stderr)
        return 1
    print("check_server_install: the server-only install works")
    return 0


def _venv_program(venv: Path, name: str) -> Path:
    folder = venv / ("Scripts" if os.name == "nt" else "bin")
    program = folder / (f"{name}.exe" if os.name == "nt" else name)
    if not program.exists():
        raise InstallCheckError(
            f"{program} is missing: is {venv} a venv with villagehelper[server]?"
        )
    return program


def _source_copy(folder: Path) -> Path:
    """This source tree copied without its venvs and caches: building a wheel leaves
    build/ and *.egg-info behind in the tree it builds, and stale files there end up in
    later wheels."""
    skipped = shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
    )
    shutil.copytree(ROOT, folder, ignore=skipped)
    return folder


def _fresh_venv(venv: Path, wheels: Path | None, *, make_wheels: bool = False) -> Path:
    _run([sys.executable, "-m", "venv", str(venv)], what="making a venv")
    python = str(_venv_program(venv, "python"))
    pip = [python, "-m", "pip", "install", "-q"]
    env = dict(os.environ)
    if wheels is None:
        source = _source_copy(venv.parent / "source")
        _run([*pip, f"{source}[server]"], what="pip install .[server]", env=env)
        return venv
    if make_wheels:  # what the connected machine does (docs/deployment.md)
        source = _source_copy(venv.parent / "source")
        command = [python, "-m", "pip", "wheel", "-q", f"{source}[server]", "-w", str(wheels)]
        _run(command, what="pip wheel .[server]", env=env)
    files = sorted(wheels.glob("*.whl"))
    size_mib = sum(file.stat().st_size for file in files) / 2**20
    print(f"check_server_install: wheel folder: {len(files)} wheels, {size_mib:.1f} MiB")
    # As on a PC with no network: no index, no configured mirrors or wheel folders,
    # nothing but the folder from the USB stick.
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_CONSTRAINT"):
        env.pop(name, None)
    env |= {"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull}
    command = [*pip, "--find-links", str(wheels), "villagehelper[server]"]
    _run(command, what="offline pip install from the wheel folder", env=env)
    return venv


def _no_laptop_packages(python: Path) -> None:
    listed = _run([str(python), "-m", "pip", "list", "--format=json"], what="pip list")
    installed = {_canonical(entry["name"]) for entry in json.loads(listed)}
    if "villagehelper" not in installed:
        raise InstallCheckError("villagehelper is not installed in the venv")
    found = sorted(installed & LAPTOP_DISTRIBUTIONS)
    if found:
        raise InstallCheckError(
            f"the server-only install brought the laptop's packages {found}: "
            "something in the base dependencies or the server extra pulls them"
        )
    probe = "import importlib.util as u, sys; print([n for n in sys.argv[1:] if u.find_spec(n)])"
    importable = _run([str(python), "-c", probe, *LAPTOP_MODULES], what="import probe").strip()
    if importable != "[]":
        raise InstallCheckError(f"the server's venv can import {importable}")


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


@contextmanager
def _postgres_database(python: Path, admin_url: str) -> Iterator[str]:
    """A new database on the server ``admin_url`` reaches, dropped afterwards; made with
    the venv's own SQLAlchemy and psycopg (the system's Python has neither)."""
    name = f"vh_install_{uuid.uuid4().hex[:12]}"
    statement = (
        "import sys; from sqlalchemy import create_engine, text\n"
        "engine = create_engine(sys.argv[1], isolation_level='AUTOCOMMIT')\n"
        "with engine.connect() as connection: connection.execute(text(sys.argv[2]))\n"
    )

    def admin(sql: str) -> None:
        _run([str(python), "-c", statement, admin_url, sql], what=f"PostgreSQL: {sql}")

    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _serve_and_enrol(venv: Path, db_url: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    server_cli = [str(_venv_program(venv, "villagehelper-server")), "--db", db_url]
    # Everything the server writes stays in the scratch folder, not the user's folders.
    env = dict(os.environ) | {
        "VILLAGEHELPER_SERVER_STATE": str(folder / "state"),
        "VILLAGEHELPER_SERVER_CACHE": str(folder / "cache"),
        "PYTHONUNBUFFERED": "1",
    }
    _run([*server_cli, "add-commune", COMMUNE, "Xã Gia Lộc"], what="add-commune", env=env)
    issued = _run(
        [*server_cli, "issue-code", "--commune", COMMUNE, "--role", "volunteer"],
        what="issue-code",
        env=env,
    )
    code = issued.split()[-1]
    # The web console's accounts: Argon2id from the server extra, not from the laptop's.
    _run(
        [*server_cli, "add-officer", "--commune", COMMUNE, "--role", "admin", "Cán bộ kiểm tra"],
        what="add-officer",
        env=env,
    )
    port = _free_port()
    stderr_path = folder / "serve.stderr"
    with stderr_path.open("wb") as stderr, (folder / "serve.stdout").open("wb") as stdout:
        server = subprocess.Popen(
            [*server_cli, "serve", "--port", str(port)], stdout=stdout, stderr=stderr, env=env
        )
    try:
        base = f"http://127.0.0.1:{port}"
        health = _wait_for_health(base, server, stderr_path)
        device = _enrol_like_a_laptop(base, health, code)
        _console_answers(base)
    finally:
        returncode = _stop(server)
    errors = stderr_path.read_text(encoding="utf-8", errors="replace")
    if returncode != 0:
        raise InstallCheckError(f"serve ended with exit code {returncode} after SIGTERM:\n{errors}")
    if "Traceback" in errors:
        raise InstallCheckError(f"serve printed a traceback:\n{errors}")
    devices = _run([*server_cli, "devices"], what="devices", env=env)
    if not any(line.startswith(device) and "active" in line for line in devices.splitlines()):
        raise InstallCheckError(f"the enrolled device {device} is not listed as active:\n{devices}")


def _wait_for_health(base: str, server: subprocess.Popen[bytes], stderr: Path) -> Any:
    deadline = time.monotonic() + START_DEADLINE_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise InstallCheckError(
                f"serve ended (exit code {server.returncode}) before answering:\n"
                + stderr.read_text(encoding="utf-8", errors="replace")
            )
        try:
            status, body = _request("GET", f"{base}/v1/health", {})
        except OSError as exc:  # not listening yet
            last = str(exc)
            time.sleep(0.2)  # a poll interval: the server says nothing when it is ready
            continue
        if status != 200 or body.get("ok") is not True:
            raise InstallCheckError(f"/v1/health answered {status} {body}")
        return body
    raise InstallCheckError(
        f"serve did not answer /v1/health within {START_DEADLINE_S:.0f} s ({last})"
    )


def _enrol_like_a_laptop(base: str, health: Mapping[str, Any], code: str) -> str:
    """Enrol as the laptop's sync client does; the new device's id."""
    # The header every laptop sends (villagehelper.exchange.wire), the version the
    # server says it speaks.
    protocol = {"X-VillageHelper-Protocol": str(health["protocol"])}
    enrolment = {"code": code, "device_name": "máy kiểm tra", "attempt": uuid.uuid4().hex}
    status, wrong = _request(
        "POST", f"{base}/v1/enrol", protocol, {**enrolment, "code": "WRONG-CODE1"}
    )
    if status != 401:
        raise InstallCheckError(f"a wrong enrolment code got {status} {wrong}, not 401")
    status, enrolled = _request("POST", f"{base}/v1/enrol", protocol, enrolment)
    if status != 200 or enrolled.get("commune_code") != COMMUNE:
        raise InstallCheckError(f"enrolment answered {status} {enrolled}")
    if enrolled.get("role") != "volunteer" or not enrolled.get("token"):
        raise InstallCheckError(f"enrolment gave no volunteer token: {enrolled}")
    bearer = {**protocol, "Authorization": f"Bearer {enrolled['token']}"}
    status, page = _request("GET", f"{base}/v1/changes?since=0", bearer)
    if status != 200 or not isinstance(page.get("changes"), list):
        raise InstallCheckError(f"the enrolled device's first download answered {status} {page}")
    return str(enrolled["device_id"])


def _console_answers(base: str) -> None:
    """The console's sign-in page and style sheet come from the installed package (its
    templates and static files are package data)."""
    for path, wanted in (("/dang-nhap", 'name="csrf"'), ("/static/console.css", "--accent")):
        try:
            with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as refused:
            status, text = refused.code, ""
        if status != 200 or wanted not in text:
            raise InstallCheckError(f"the console's {path} answered {status}: {text[:300]}")


def _request(
    method: str, url: str, headers: Mapping[str, str], body: object = None
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    sent = dict(headers) | ({"Content-Type": "application/json"} if data else {})
    request = urllib.request.Request(url, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


def _stop(server: subprocess.Popen[bytes]) -> int:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=STOP_DEADLINE_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        raise InstallCheckError(
            f"serve did not stop within {STOP_DEADLINE_S:.0f} s of SIGTERM"
        ) from None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], *, what: str, env: Mapping[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InstallCheckError(f"{what}: no end after {INSTALL_TIMEOUT_S:.0f} s") from None
    if done.returncode != 0:
        raise InstallCheckError(f"{what} failed (exit code {done.returncode}):\n{done.stderr}")
    return done.stdout


if __name__ == "__main__":
    sys.exit(main())
