"""Several real ``villagehelper-server serve`` processes on one database, as a province
runs them (issue 19): each on its own loopback port, all on the same PostgreSQL
database and the same cache folder, as the workers of one ``serve --workers N`` are.

Each process is a :class:`tests.crash_harness.CommuneServer`: started, waited for until
it answers ``/v1/health``, and at the end stopped with SIGTERM — each must exit 0.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.crash_harness import CommuneServer
from villagehelper.exchange import wire
from villagehelper.server.replicas import CACHE_ENV

ANSWER_TIMEOUT = 60.0  # s: a safety net for a process that accepts but never answers


class ProcessExitError(AssertionError):
    """A server process did not stop cleanly when asked to (SIGTERM)."""


@contextmanager
def server_processes(
    database: str,
    folder: Path,
    count: int = 2,
    environment: Mapping[str, str] | None = None,
) -> Iterator[list[CommuneServer]]:
    """``count`` server processes on ``database`` (a SQLAlchemy URL whose schema is
    made already, e.g. by ``open_server_db``), answering when the block starts.

    ``environment`` is added to each process's (say, VILLAGEHELPER_SERVER_THROTTLES);
    their logs are ``folder/process-N/server.log``.  Leaving the block stops them all
    and raises :class:`ProcessExitError` if one exited other than 0 (after stopping
    every one of them)."""
    shared = {CACHE_ENV: str(folder / "server-cache"), **(environment or {})}
    servers: list[CommuneServer] = []
    try:
        for number in range(count):
            own = folder / f"process-{number}"
            own.mkdir(parents=True, exist_ok=True)
            server = CommuneServer(own, database=database, environment=dict(shared))
            servers.append(server)
            server.start()
        for server in servers:
            _wait_until_it_answers(server)
        yield servers
    finally:
        statuses = {server.url: server.stop() for server in servers}
    failed = {url: status for url, status in statuses.items() if status != 0}
    if failed:
        raise ProcessExitError(f"server processes did not exit 0 on SIGTERM: {failed}")


def _wait_until_it_answers(server: CommuneServer) -> None:
    # The ready line comes once the port listens; the first request waits in its
    # backlog until the app is made, so one request (no polling) says it answers.
    answer = requests.get(
        f"{server.url}/v1/health",
        headers={wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION)},
        timeout=ANSWER_TIMEOUT,
    )
    answer.raise_for_status()
