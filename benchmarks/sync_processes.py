"""The processes the sync benchmark starts: the real commune server on loopback, the raw
chain's plain page server, and a measured child process; plus enrolling a laptop and
capturing the pages the server sends.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from benchmarks.sync_client import page_file
from benchmarks.sync_data import server_url
from villagehelper.exchange import wire
from villagehelper.server import accounts
from villagehelper.server.database import open_server_db
from villagehelper.server.replicas import CACHE_ENV
from villagehelper.store.engine import open_store
from villagehelper.sync import client

PROCESS_TIMEOUT = 1800


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env(server_cache: Path | None = None) -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    if server_cache is not None:  # the server's replicas, inside this run's folder
        env[CACHE_ENV] = str(server_cache)
    return env


@contextmanager
def commune_server(database: Path, folder: Path) -> Iterator[str]:
    """``villagehelper-server serve`` on ``database``, until the block ends.  Its
    replicas live in ``folder`` and outlast the process, as on a real server; what it
    keeps in memory (the last snapshot made) does not."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "villagehelper.server.cli"]
    command += ["--db", server_url(database), "serve", "--port", str(port)]
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=log,
            env=child_env(folder / "server-cache"),
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(url + "/v1/health", timeout=1).ok:
                        break
                except requests.RequestException:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the commune server did not start: see {folder}")
                time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def page_server(folder: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sync_client", "serve-pages", str(folder)],
        stdout=subprocess.PIPE,
        env=child_env(),
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure_child(*args: str) -> dict[str, Any]:
    """Run a measuring command of ``benchmarks.sync_client``; its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.sync_client", *args],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=PROCESS_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sync_client {args[0]} failed:\n{done.stderr}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def enrolment_code(database: Path, commune: str, role: str = "volunteer") -> str:
    db = open_server_db(server_url(database))
    try:
        return accounts.issue_code(db, commune, role)
    finally:
        db.close()


def enrolled_laptop(url: str, database: Path, commune: str, data_dir: Path) -> Path:
    store = open_store(data_dir)
    try:
        client.enrol(store, url, enrolment_code(database, commune), "benchmark laptop")
    finally:
        store.close()
    return data_dir


def capture_pages(url: str, database: Path, commune: str, folder: Path) -> int:
    """The server's pages for a new laptop, byte for byte as it sent them (gzipped or
    not, as it chose), for the raw chain to fetch."""
    folder.mkdir(parents=True)
    db = open_server_db(server_url(database))
    try:
        device = accounts.enrol(db, accounts.issue_code(db, commune, "volunteer"), "raw")
    finally:
        db.close()
    http = requests.Session()
    http.headers.update(
        {
            wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
            "Authorization": f"Bearer {device.token}",
            "Accept-Encoding": "gzip",
        }
    )
    since, number = 0, 0
    try:
        while True:
            response = http.get(
                f"{url}/v1/changes",
                params={"since": since, "limit": wire.DEFAULT_PAGE},
                stream=True,
                timeout=60,
            )
            response.raise_for_status()
            body = response.raw.read(decode_content=False)
            gzipped = response.headers.get("Content-Encoding") == "gzip"
            (folder / page_file(number, gzipped)).write_bytes(body)
            page = json.loads(gzip.decompress(body) if gzipped else body)
            number += 1
            since = page["cursor"]
            if not page["more"]:
                return number
    finally:
        http.close()
