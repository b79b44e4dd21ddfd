"""Two new laptops' first downloads at the same moment through ``serve --workers 2`` on
PostgreSQL (issue 19): the commune's snapshot is built once for both, each laptop gets
the whole of it and ends holding exactly what the server holds.

Real laptops (villagehelper.sync.client) sync through a proxy (tests/fault_proxy.py,
no faults) in front of the workers' one address: it holds each snapshot request once it
is in the server's hands, until both are, so the two requests are in the server at once
by construction, not by timing.  How many builds there were is read from ``/metrics``,
which adds up the workers' counts.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fault_proxy import FaultProxy
from tests.process_pair import Served
from tests.serve_process import free_port, metric_total, start_serving
from tests.sync_support import (
    COMMUNE,
    Laptop,
    communes_database,
    enrol_laptop,
    fresh_postgres_database,
    laptop_snapshot,
    open_laptop,
    postgres_admin_url,
    server_snapshot,
    set_up_commune,
)
from villagehelper.ops import households
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.server.replicas import CACHE_ENV

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ("GET", "/v1/snapshot")
WAIT = 60.0  # s: a safety net for a laptop that never asks


@dataclass
class Workers:
    served: Served  # what the laptops enrol with: the proxy's address
    proxy: FaultProxy
    address: str  # the workers' own, where /metrics is read


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    """``serve --workers 2`` on a new PostgreSQL database, behind a proxy; at the end
    stopped with SIGTERM, and required to exit 0."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        CACHE_ENV: str(tmp_path / "server-cache"),
        "VILLAGEHELPER_SERVER_STATE": str(tmp_path / "server-state"),
    }
    with (
        fresh_postgres_database(postgres_admin_url(), "vh_first") as url,
        communes_database(url) as db,
    ):
        command = [sys.executable, "-m", "villagehelper.server.cli", "--db", url, "serve"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
        process, _ready = start_serving(command, env, tmp_path / "server.log")
        proxy = FaultProxy(port)
        try:
            yield Workers(
                Served(db, proxy.url, (port,), COMMUNE), proxy, f"http://127.0.0.1:{port}"
            )
        finally:
            proxy.close()
            process.terminate()
            process.communicate(timeout=60)
        assert process.returncode == 0, (tmp_path / "server.log").read_text(encoding="utf-8")


def _snapshot_builds(url: str) -> float:
    """Snapshots of the commune built so far, all workers together (/metrics)."""
    name = "villagehelper_build_seconds_count"
    return metric_total(url, name, commune=COMMUNE, what="snapshot")


def _first_sync(laptop: Laptop, failures: list[BaseException]) -> None:
    try:
        laptop.sync()
    except BaseException as exc:  # handed to the test's thread
        failures.append(exc)


def test_two_new_laptops_first_download_at_once_builds_the_snapshot_once(
    workers: Workers, tmp_path: Path
) -> None:
    served, proxy = workers.served, workers.proxy
    commune = set_up_commune(served, tmp_path)
    for number in range(12):
        households.create_household(
            commune.leader.store,
            HouseholdInput(commune.village_id, f"Hộ số {number} Nguyễn Văn Đức", "Xóm 3"),
            [MemberInput(f"Trần Thị Ánh {number}", 1980 + number)],
        )
    commune.leader.sync()
    assert _snapshot_builds(workers.address) == 0  # the leader's laptop had its data

    laptops = [enrol_laptop(served, open_laptop(tmp_path, f"new-{n}")) for n in (1, 2)]
    arrived = [proxy.checkpoint(*SNAPSHOT, number) for number in (1, 2)]
    failures: list[BaseException] = []
    threads = [threading.Thread(target=_first_sync, args=(lp, failures)) for lp in laptops]
    for thread in threads:
        thread.start()
    try:
        # Both snapshot requests are in the server's hands before either is answered.
        assert all(point.reached.wait(timeout=WAIT) for point in arrived)
    finally:
        for point in arrived:
            point.release.set()
        for thread in threads:
            thread.join(timeout=WAIT)
    assert not [thread for thread in threads if thread.is_alive()]
    assert failures == []

    assert _snapshot_builds(workers.address) == 1
    answers = proxy.seen(*SNAPSHOT)
    assert len(answers) == 2
    bodies = [answer.reply.partition(b"\r\n\r\n") for answer in answers]
    assert all(head.startswith(b"HTTP/1.1 200") for head, _, _body in bodies)
    assert bodies[0][2] == bodies[1][2]  # the same file, whole, to both
    expected = server_snapshot(served.db)
    assert {key[0] for key in expected} >= {"household", "member", "team_member"}
    for laptop in (commune.leader, *laptops):
        assert laptop_snapshot(laptop.store) == expected
