"""The convergence state machine (tests/test_sync_state_machine.py) against two
``serve`` processes on one PostgreSQL database behind a round-robin proxy
(tests/process_pair.py): each laptop's consecutive calls go to one process, then the
other, so one round's batches and pages, and the laptops' rounds between each other,
are answered by different processes.  Each example has a commune of its own on the
module's two processes; the model's checks are the machine's own (every laptop equal to
the server, no session lost or invented, every conflict predicted, nothing more).

A file of its own so that it runs beside the one-process machine, not after it.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.process_pair import ProcessPair
from tests.sync_support import ServerAt
from tests.test_sync_state_machine import CommuneSync

EXAMPLES = 8
STEPS = 20


class CommuneSyncOnTwoProcesses(CommuneSync):
    """The same machine, its laptops syncing through a proxy that alternates between two
    server processes on one PostgreSQL database; a new commune for each example.  The
    processes are the test's (``pair``, given by a subclass made in the test)."""

    pair: ProcessPair

    def _start_server(self) -> tuple[ServerAt, str]:
        served = self.pair.new_commune()
        return served, served.commune

    def _stop_server(self) -> None:
        pass  # the processes and the database serve the module's next example


def test_laptops_converge_through_two_server_processes(process_pair: ProcessPair) -> None:
    class OnTheseProcesses(CommuneSyncOnTwoProcesses):
        pair = process_pair

    pushes_before = process_pair.answered("/v1/push")
    # Fewer and shorter runs than on one process (each step's syncs cross processes and
    # PostgreSQL): about half a minute on the 2-core CI machine.
    run_state_machine_as_test(
        OnTheseProcesses,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # Both processes took part: each answered pushes of these runs.
    pushes_after = process_pair.answered("/v1/push")
    assert all(after > before for before, after in zip(pushes_before, pushes_after, strict=True))
