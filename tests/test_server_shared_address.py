"""Throttles that fit a shared address: a cultural house, a school or the commune office
puts all its laptops behind one router address.  Wrong tokens are counted per address
and per claimed device, and a right token is never refused for others' mistakes;
X-Forwarded-For is believed only from a proxy the server was told to trust, so changing
it on every request escapes nothing.

Real HTTP on loopback ports (SQLite and PostgreSQL); other clients are other loopback
addresses the requests really come from; the real command runs in a process of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.sync_support import COMMUNE, LoopbackServer, from_address
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import Throttles

DEFAULTS = Throttles()


def _pull(
    server: LoopbackServer, http: requests.Session, token: str, **headers: str
) -> requests.Response:
    return http.get(
        server.url + "/v1/changes",
        params={"since": 0, "limit": 1},
        headers={wire.PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}", **headers},
        timeout=30,
    )


def _enrol(
    server: LoopbackServer, http: requests.Session, code: str, **headers: str
) -> requests.Response:
    return http.post(
        server.url + "/v1/enrol",
        json={"code": code, "device_name": "Máy nhà văn hoá", "attempt": new_id()},
        headers={wire.PROTOCOL_HEADER: "1", **headers},
        timeout=30,
    )


def _token(server: LoopbackServer) -> str:
    code = accounts.issue_code(server.db, COMMUNE, "volunteer")
    return accounts.enrol(server.db, code, "máy").token


@pytest.fixture
def behind_proxy(server_db: ServerDB) -> Iterator[LoopbackServer]:
    server = LoopbackServer(server_db, trusted_proxies=["127.0.0.1"])
    yield server
    server.stop()


def test_laptops_behind_one_address_keep_working_while_one_of_them_guesses(
    sync_server: LoopbackServer,
) -> None:
    """31 wrong tokens from the cultural house's address once locked every laptop there
    out for a minute.  Now the guesser's wrong tokens are throttled; the others' right
    tokens, from the same address, are let in."""
    laptops = [_token(sync_server) for _ in range(3)]
    with from_address("127.0.0.20") as house:
        for attempt in range(DEFAULTS.auth_failure_burst):
            assert _pull(sync_server, house, f"{new_id()}.guess").status_code == 401, attempt
        assert _pull(sync_server, house, f"{new_id()}.guess").status_code == 429
        for token in laptops:
            assert _pull(sync_server, house, token).status_code == 200
        # A laptop revoked since (or restored from an old backup) is told it is not
        # enrolled, or to wait: never let in.
        accounts.revoke(sync_server.db, laptops[0].partition(".")[0])
        assert _pull(sync_server, house, laptops[0]).status_code in (401, 429)
        assert _pull(sync_server, house, laptops[1]).status_code == 200


def test_wrong_tokens_for_one_device_are_throttled_from_every_address(
    sync_server: LoopbackServer,
) -> None:
    """Guessing one device's secret from many addresses (each under its own limit) is
    throttled for that device, and that device's own laptop keeps working."""
    good = _token(sync_server)
    device_id = good.partition(".")[0]
    sessions = [from_address(f"127.0.1.{n}") for n in range(1, 7)]
    try:
        for attempt in range(DEFAULTS.device_failure_burst):
            http = sessions[attempt % len(sessions)]
            assert _pull(sync_server, http, f"{device_id}.guess{attempt}").status_code == 401
        for http in sessions:
            assert _pull(sync_server, http, f"{device_id}.again").status_code == 429
            assert _pull(sync_server, http, f"{new_id()}.other").status_code == 401
        assert _pull(sync_server, sessions[0], good).status_code == 200
    finally:
        for http in sessions:
            http.close()


def test_a_forwarded_address_from_a_client_that_is_no_trusted_proxy_escapes_nothing(
    sync_server: LoopbackServer,
) -> None:
    """From the server PC itself (127.0.0.1, which uvicorn trusts by default) a guesser
    once named a new X-Forwarded-For on each request: ~10,000 enrolment guesses a minute."""
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    with from_address("127.0.0.1") as guesser:
        for attempt in range(DEFAULTS.enrol_burst):
            forwarded = {"X-Forwarded-For": f"10.9.{attempt // 250}.{attempt % 250 + 1}"}
            wrong = _enrol(sync_server, guesser, f"ABCDE-{attempt:05d}", **forwarded)
            assert wrong.status_code == 401, wrong.text
        refused = _enrol(sync_server, guesser, code, **{"X-Forwarded-For": "10.10.10.10"})
        assert (refused.status_code, refused.json()["error"]) == (429, "rate_limited")
        wrong_token = _pull(sync_server, guesser, "x.y", **{"X-Forwarded-For": "10.10.10.11"})
        assert wrong_token.status_code == 401


def test_a_trusted_proxy_names_each_client_and_is_not_one_itself(
    behind_proxy: LoopbackServer,
) -> None:
    code = accounts.issue_code(behind_proxy.db, COMMUNE, "volunteer")
    guesser, laptop = {"X-Forwarded-For": "10.0.0.5"}, {"X-Forwarded-For": "10.0.0.6"}
    with from_address("127.0.0.1") as proxy:
        for attempt in range(DEFAULTS.enrol_burst):
            assert _enrol(behind_proxy, proxy, f"ABCDE-{attempt:05d}", **guesser).status_code == 401
        assert _enrol(behind_proxy, proxy, code, **guesser).status_code == 429
        # A client naming itself before the proxy's own entry is not believed over it.
        spoofed = {"X-Forwarded-For": "10.0.0.6, 10.0.0.5"}
        assert _enrol(behind_proxy, proxy, code, **spoofed).status_code == 429
        enrolled = _enrol(behind_proxy, proxy, code, **laptop)
        assert enrolled.status_code == 200, enrolled.text
    # Anyone else naming an address is counted as itself.
    with from_address("127.0.0.30") as stranger:
        for attempt in range(DEFAULTS.enrol_burst):
            forwarded = {"X-Forwarded-For": f"10.1.0.{attempt + 1}"}
            assert (
                _enrol(behind_proxy, stranger, f"XYZWV-{attempt:05d}", **forwarded).status_code
                == 401
            )
        assert _enrol(behind_proxy, stranger, "XYZWV-99999", **laptop).status_code == 429


def test_a_room_of_laptops_enrolling_together_is_not_throttled(
    sync_server: LoopbackServer,
) -> None:
    """Right codes are not guesses: fifteen laptops of a training day enrol from one
    address, one after the other."""
    codes = [accounts.issue_code(sync_server.db, COMMUNE, "volunteer") for _ in range(15)]
    with from_address("127.0.0.40") as room:
        for code in codes:
            enrolled = _enrol(sync_server, room, code)
            assert enrolled.status_code == 200, enrolled.text
    assert len(accounts.list_devices(sync_server.db)) == len(codes)


def _serve(tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> Any:
    db = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    command = [sys.executable, "-m", "villagehelper.server.cli", "--db", db, "serve"]
    return subprocess.run(
        [*command, "--port", "0", *options],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("options", "env"),
    [
        (("--trusted-proxy", "nginx.local"), {}),
        (("--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.300"), {}),
        ((), {"VILLAGEHELPER_TRUSTED_PROXIES": "127.0.0.1, proxy"}),
    ],
)
def test_a_trusted_proxy_that_is_no_address_is_refused_before_serving(
    tmp_path: Path, options: tuple[str, ...], env: dict[str, str]
) -> None:
    done = _serve(tmp_path, *options, env=env)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "không phải một địa chỉ IP" in done.stderr
    assert "is not an IP address" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "server.sqlite3").exists()
