"""Two real ``villagehelper-server serve`` processes on one PostgreSQL database, behind a
round-robin proxy (tests/fault_proxy.py without faults), for the sync tests that must
hold against several processes (issue 19): a laptop's consecutive calls land on one
process, then the other.

Starting the processes costs seconds, so a test module shares one pair
(``process_pair``, module-scoped); each test gets a commune of its own on it
(:meth:`ProcessPair.new_commune`): its laptops, devices, records, feed and replica are
that commune's alone, which is the fresh state a sync test needs, without a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import pytest

from tests.crash_harness import CommuneServer
from tests.fault_proxy import FaultProxy
from tests.serve_process import metric_total
from tests.server_processes import server_processes
from tests.sync_support import (
    COMMUNE,
    OTHER_COMMUNE,
    fresh_postgres_database,
    postgres_admin_url,
)
from villagehelper.geography import OfficialCommune, all_communes
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB, open_server_db

PROCESSES = 2
STATE_ENV = "VILLAGEHELPER_SERVER_STATE"


@dataclass(frozen=True)
class Served:
    """Where a test's laptops sync: the database (the test's own handle on it), the
    address they enrol with, the port of each server process, and their commune."""

    db: ServerDB
    url: str
    ports: tuple[int, ...]
    commune: str


@dataclass
class ProcessPair:
    db: ServerDB
    servers: list[CommuneServer]
    balancer: FaultProxy
    unused: Iterator[OfficialCommune]

    def new_commune(self) -> Served:
        """A commune nobody has used on these processes yet, with nothing in it."""
        official = next(self.unused)
        accounts.add_commune(self.db, official.code, official.name)
        ports = tuple(server.port for server in self.servers)
        return Served(self.db, self.balancer.url, ports, official.code)

    def answered(self, route: str) -> list[float]:
        """How many requests to ``route`` (its template) each process has answered,
        read from each one's own ``/metrics``."""
        name = "villagehelper_requests_total"
        return [metric_total(server.url, name, route=route) for server in self.servers]


@pytest.fixture(scope="module")
def process_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcessPair]:
    """Two processes on a new PostgreSQL database for the module; stopped at its end,
    each of them required to exit 0."""
    folder = tmp_path_factory.mktemp("two-processes")
    unused = (c for c in all_communes() if c.code not in (COMMUNE, OTHER_COMMUNE))
    with pytest.MonkeyPatch.context() as patch:
        # Epoch markers of PostgreSQL databases: in this folder, for the processes too.
        patch.setenv(STATE_ENV, str(folder / "server-state"))
        with (
            fresh_postgres_database(postgres_admin_url(), "vh_pair") as url,
            closing(open_server_db(url)) as db,
            server_processes(url, folder, PROCESSES) as servers,
            closing(FaultProxy([server.port for server in servers])) as balancer,
        ):
            yield ProcessPair(db, servers, balancer, unused)
