"""Two real server processes on one PostgreSQL database hold the throttles as one
process does (issue 19): requests alternate between them, and the 429 comes exactly
where a single process would answer it — the burst counted across both.

Small throttles (``VILLAGEHELPER_SERVER_THROTTLES``) whose tokens come back once in
eleven days, so no token returns while a test runs and every answer is known in advance.
Other clients are other loopback addresses the requests really come from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.crash_harness import CommuneServer
from tests.server_processes import ProcessExitError, server_processes
from tests.sync_support import (
    COMMUNE,
    fresh_postgres_database,
    from_address,
    postgres_admin_url,
)
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.limits import THROTTLES_ENV

DEVICE_BURST = 8
TOKENS_BY_ADDRESS = 6
TOKENS_BY_DEVICE = 5
WRONG_CODES = 4
SMALL = (
    f"device_rate=0.000001,device_burst={DEVICE_BURST},"
    f"auth_failure_rate=0.000001,auth_failure_burst={TOKENS_BY_ADDRESS},"
    f"device_failure_rate=0.000001,device_failure_burst={TOKENS_BY_DEVICE},"
    f"enrol_rate=0.000001,enrol_burst={WRONG_CODES}"
)


@dataclass
class Pair:
    """Two server processes on one database, and that database as an administrator."""

    db: ServerDB
    servers: list[CommuneServer]

    def pull(self, number: int, http: requests.Session, token: str) -> int:
        answer = http.get(
            self.servers[number % 2].url + "/v1/changes",
            params={"since": 0, "limit": 1},
            headers={wire.PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"},
            timeout=30,
        )
        return answer.status_code

    def enrol(self, number: int, http: requests.Session, code: str) -> int:
        answer = http.post(
            self.servers[number % 2].url + "/v1/enrol",
            json={"code": code, "device_name": "Máy nhà văn hoá", "attempt": new_id()},
            headers={wire.PROTOCOL_HEADER: "1"},
            timeout=30,
        )
        return answer.status_code

    def token(self) -> str:
        code = accounts.issue_code(self.db, COMMUNE, "volunteer")
        return accounts.enrol(self.db, code, "máy").token


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """One pair for the module (starting two processes takes seconds): each test uses
    addresses and devices of its own, so none spends another's tokens."""
    folder = tmp_path_factory.mktemp("processes")
    with pytest.MonkeyPatch.context() as patch:
        # Markers of PostgreSQL databases: in this folder, for the processes too.
        patch.setenv("VILLAGEHELPER_SERVER_STATE", str(folder / "server-state"))
        with fresh_postgres_database(postgres_admin_url()) as url:
            db = open_server_db(url)
            accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
            try:
                with server_processes(url, folder, 2, {THROTTLES_ENV: SMALL}) as servers:
                    yield Pair(db, servers)
            finally:
                db.close()


def test_wrong_tokens_from_one_address_are_counted_across_both_processes(pair: Pair) -> None:
    right = pair.token()
    with from_address("127.0.0.20") as house:
        # Each wrong token claims another device: only the address's count fills.
        wrong = [pair.pull(n, house, f"{new_id()}.guess") for n in range(TOKENS_BY_ADDRESS + 3)]
        assert wrong == [401] * TOKENS_BY_ADDRESS + [429] * 3
        # A right token from the same address is let in by either process.
        assert [pair.pull(n, house, right) for n in range(2)] == [200, 200]
    with from_address("127.0.0.21") as elsewhere:
        assert pair.pull(0, elsewhere, f"{new_id()}.guess") == 401  # its own count


def test_wrong_tokens_for_one_device_are_counted_across_both_processes(pair: Pair) -> None:
    right = pair.token()
    device_id = right.partition(".")[0]
    sessions = [from_address(f"127.0.1.{n}") for n in range(1, 5)]
    try:
        statuses = [
            pair.pull(n, sessions[n % 4], f"{device_id}.guess{n}")
            for n in range(TOKENS_BY_DEVICE + 3)
        ]
        assert statuses == [401] * TOKENS_BY_DEVICE + [429] * 3
        assert [pair.pull(n, sessions[0], right) for n in range(2)] == [200, 200]
    finally:
        for http in sessions:
            http.close()


def test_a_devices_rate_limit_across_both_processes_is_one_process_s(pair: Pair) -> None:
    alone, shared = pair.token(), pair.token()
    with requests.Session() as http:
        through_one = [pair.pull(0, http, alone) for _ in range(DEVICE_BURST + 3)]
        alternating = [pair.pull(n, http, shared) for n in range(DEVICE_BURST + 3)]
    assert through_one == [200] * DEVICE_BURST + [429] * 3
    assert alternating == through_one


def test_wrong_enrolment_codes_from_one_address_are_counted_across_both(pair: Pair) -> None:
    with from_address("127.0.0.30") as office:
        wrong = [pair.enrol(n, office, "WRONG-CODE-0000") for n in range(WRONG_CODES + 2)]
        assert wrong == [401] * WRONG_CODES + [429] * 2
        # Past its limit an address's codes are not looked at, right ones included.
        right = accounts.issue_code(pair.db, COMMUNE, "volunteer")
        assert [pair.enrol(n, office, right) for n in range(2)] == [429, 429]
    with from_address("127.0.0.31") as school:
        assert pair.enrol(1, school, right) == 200


def test_a_process_that_does_not_stop_cleanly_is_reported(tmp_path: Path) -> None:
    """The helper's own check: a process killed (not stopped by SIGTERM) fails it."""
    with fresh_postgres_database(postgres_admin_url()) as url:
        open_server_db(url).close()
        with (
            pytest.raises(ProcessExitError, match="-9"),
            server_processes(url, tmp_path, 1) as servers,
        ):
            assert servers[0].process is not None
            servers[0].process.kill()
            servers[0].process.wait(timeout=30)
