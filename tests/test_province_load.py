"""The province load run (``python -m benchmarks.load --province``), reduced: three
communes, twelve laptops dealt out to two generator processes, a few seconds against
``villagehelper-server serve --workers 2`` on PostgreSQL.

The same code as the full run (1,000 laptops, 1, 2 and 4 processes; figures in
benchmarks/README.md).  Speed is not asserted, only what must hold at any speed with
several server processes behind one address: nothing acknowledged lost, nothing
stored twice or made up, no server error, every laptop holding what the server holds,
and the server stopping cleanly.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.load_province import ProvincePlan, run_province
from tests.sync_support import postgres_admin_url
from tests.test_server_load import assert_nothing_lost

# Timers far shorter than the app's, so each laptop saves and syncs several times in the
# few seconds; the saturating laptops stay inside the per-device limit (20 calls a second)
# as each round is a push and a pull answered by the server.
SMALL = ProvincePlan(
    communes=3,
    laptops=12,
    workers=(2,),
    normal_seconds=3.0,
    saturation_seconds=2.0,
    visit_every=0.3,
    saturating=3,
    generators=2,
    sync_after_save=0.2,
    sync_every=1.0,
)


def test_a_province_on_two_server_processes_loses_and_doubles_nothing(tmp_path: Path) -> None:
    (figures,) = run_province(postgres_admin_url(), tmp_path, SMALL)

    check = figures.check
    assert_nothing_lost(check)
    assert figures.server_errors == 0, figures.normal.errors + figures.saturation.errors
    assert figures.server_exit == 0
    assert check.sessions_on_server == check.sessions_acknowledged > 0

    # Every laptop came back from its generator process, once, and each synced.
    devices = [laptop.identity.device_id for laptop in figures.laptops]
    assert len(devices) == len(set(devices)) == SMALL.laptops
    assert all(laptop.acknowledged_sessions for laptop in figures.laptops)
    # Both phases happened: pushes in each, more a second at saturation than normally.
    assert len(figures.normal.push) >= SMALL.laptops
    assert len(figures.saturation.push) / SMALL.saturation_seconds > len(figures.normal.push) / (
        SMALL.normal_seconds * 2
    )
    assert any(laptop.notes for laptop in figures.laptops), "no edit: none was checked"
