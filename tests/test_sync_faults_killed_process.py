"""One of two server processes on one PostgreSQL database killed (SIGKILL) while a
laptop's batch is in its hands: the laptop's retries reach the other process, which
finishes the round; nothing is lost or applied twice, whether the kill came before the
batch's commit or after it (the reply dying with the process).

The scenario of tests/test_sync_faults.py's killed server, as a province runs it: the
other process carries on instead of the laptop waiting for a restart.  Its own pair of
processes per test (one of them is killed), behind a round-robin proxy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crash_harness import CommuneServer
from tests.fault_proxy import Fault, FaultProxy, json_body
from tests.process_pair import STATE_ENV
from tests.server_processes import server_processes
from tests.sync_support import COMMUNE, fresh_postgres_database, postgres_admin_url
from tests.test_sync_faults import (
    BATCH,
    PUSH,
    _assert_converged,
    _commune,
    _outbox,
    _patient,
    _received,
    _round_interrupted,
    _settle,
)
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB, open_server_db


@dataclass
class KillablePair:
    db: ServerDB
    servers: list[CommuneServer]
    setup: FaultProxy  # the laptops' setting-up rounds, no faults
    proxy: FaultProxy  # the round under test

    def kill_the_one_holding_the_last_push(self) -> None:
        port = self.proxy.seen(*PUSH)[-1].upstream
        (server,) = [server for server in self.servers if server.port == port]
        assert server.process is not None
        server.process.kill()
        server.process.wait(timeout=30)
        if server.process.stdout is not None:
            server.process.stdout.close()


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KillablePair]:
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "server-state"))
    with (
        fresh_postgres_database(postgres_admin_url(), "vh_kill") as url,
        closing(open_server_db(url)) as db,
        server_processes(url, tmp_path, 2) as servers,
    ):
        accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
        ports = [server.port for server in servers]
        with closing(FaultProxy(ports)) as setup, closing(FaultProxy(ports)) as proxy:
            yield KillablePair(db, servers, setup, proxy)


@pytest.mark.parametrize("committed", [False, True], ids=["before_commit", "after_commit"])
def test_a_process_killed_mid_upload_leaves_the_round_to_the_other(
    committed: bool, pair: KillablePair, tmp_path: Path
) -> None:
    commune = _commune(pair.db, pair.setup.url, tmp_path)
    volunteer = commune.volunteer
    queued = _outbox(volunteer)
    second_push = pair.proxy.checkpoint(*PUSH, 2, after_reply=committed)
    if committed:
        pair.proxy.inject(Fault.DROP_REPLY, *PUSH, 2)

    failure = _round_interrupted(
        volunteer, _patient(pair.proxy), second_push, pair.kill_the_one_holding_the_last_push
    )

    # The retries went to the living process: the round ended well, all of it uploaded.
    assert failure is None
    assert _outbox(volunteer) == []
    assert set(queued) <= _received(pair.db, COMMUNE)
    pushes = pair.proxy.seen(*PUSH)
    killed = pushes[1].upstream
    assert any(e.upstream != killed and e.delivered for e in pushes[2:])
    if committed:
        # The living process recognised the batch the dead one committed: same results.
        lost = json_body(pushes[1].request)
        again = [e for e in pushes[2:] if e.delivered and json_body(e.request) == lost]
        assert len(again) == 1
        assert json_body(again[0].reply)["results"] == json_body(pushes[1].reply)["results"]
    assert set(queued[BATCH : 2 * BATCH]) <= _received(pair.db, COMMUNE)

    for server in pair.servers:  # the killed one back, as its service manager would
        if server.process is not None and server.process.poll() is not None:
            server.start()
    _settle(commune, _patient(pair.proxy))
    _assert_converged(commune)
