"""The server of the province load run (``benchmarks/load_province.py``): the command a
province runs, ``villagehelper-server serve --workers N``, in a process of its own on a
free loopback port, with cache and state folders of its own.
"""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from benchmarks.load_cpu import parent_of
from villagehelper.exchange import wire
from villagehelper.server.cli.serve import READY_LINE
from villagehelper.server.epochs import STATE_ENV
from villagehelper.server.replicas import CACHE_ENV

STARTUP_TIMEOUT = 120.0  # s: a safety net for a server that never says it serves


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    exit_status: int | None = None  # once stopped: 0 is a clean stop on SIGTERM

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()  # as a service manager stops it
            self.process.wait(timeout=60)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


@contextmanager
def serve(url: str, folder: Path, workers: int) -> Iterator[Server]:
    port = _free_port()
    command = [sys.executable, "-m", "villagehelper.server.cli", "--db", url, "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    environment = {
        **os.environ,
        CACHE_ENV: str(folder / "server-cache"),
        STATE_ENV: str(folder / "server-state"),
    }
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=log, text=True, env=environment
        )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        _wait_until_serving(server)
        yield server
    finally:
        server.exit_status = server.stop()
        if server.exit_status != 0:
            print(
                f"the server exited {server.exit_status}: see {folder / 'server.log'}",
                file=sys.stderr,
            )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_serving(server: Server) -> None:
    """Its ready line (a blocking read; the deadline only a safety net), then one request:
    it waits in the listening socket's backlog until a worker answers."""
    stdout = server.process.stdout
    assert stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        while True:
            if not selector.select(timeout=STARTUP_TIMEOUT):
                raise RuntimeError(f"the server did not start within {STARTUP_TIMEOUT:.0f} s")
            line = stdout.readline()
            if not line:
                raise RuntimeError("the server exited before serving: see its server.log")
            if READY_LINE in line:
                break
    answer = requests.get(
        f"{server.url}/v1/health",
        headers={wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION)},
        timeout=STARTUP_TIMEOUT,
    )
    answer.raise_for_status()


def postmaster(admin_url: str) -> int | None:
    """PostgreSQL's postmaster on this machine: the parent of our own backend."""
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            backend = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        return parent_of(backend)
    except (OSError, ValueError):
        return None
    finally:
        engine.dispose()
