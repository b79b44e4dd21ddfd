"""Sync with the commune server: first download, upload, no-op round, memory, growth.

The server is the real thing (``villagehelper-server serve``: uvicorn, on loopback, in a
process of its own) on a SQLite database holding the demo commune (see
``benchmarks/sync_data.py``).  Each laptop is an empty data folder enrolled with a
volunteer's code; its first download runs in a process of its own too, so its peak
memory is the laptop's alone.

Baselines, measured in the same run on the same machine:

- first download: the raw chain for the same pages: the exact bytes the server sent
  for each page (captured beforehand: gzipped JSON) fetched over loopback
  from a plain ``http.server``, ``json.loads``, and ``sqlite3`` ``executemany`` into plain
  tables with the same columns, one transaction per page
  (``benchmarks/sync_client.py``).  The server's own work is on our side of the ratio.
- upload of 1,000 sessions: the same outbox entries read with ``sqlite3``, POSTed
  gzipped in the same batches to that plain server, which inserts them into a plain
  table with a durable commit; acknowledged entries deleted from a copy of the outbox.
- no-op round: one GET of an empty page from the plain server.

Growth: first downloads of the demo commune at a tenth, a third and all of the main
size (13k, 43k and 130k households + sessions at district scale; the feed also carries
the people), compared by time per row.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from benchmarks.commit import random_visits
from benchmarks.datasets import Dataset, DatasetSpec, ensure
from benchmarks.measure import Row, Stats
from benchmarks.sync_client import page_file
from benchmarks.sync_data import ServerData, ensure_server, server_url, working_server
from villagehelper.exchange import wire
from villagehelper.ops.sessions import log_visit
from villagehelper.server import accounts
from villagehelper.server.database import open_server_db
from villagehelper.server.replicas import CACHE_ENV
from villagehelper.store import sync_state
from villagehelper.store.engine import Store, open_store
from villagehelper.store.migrate import HEAD_REVISION
from villagehelper.sync import client

FIRST_PULL_TARGET = 2.5  # × the raw chain
PUSH_SESSIONS = 1_000
PUSH_ROUNDS = 5  # each 1,000 new sessions; the median is shown
PUSH_TARGET = 0.3  # s
NO_OP_TARGET = 0.050  # s
NO_OP_ROUNDS = 30
MEMORY_TARGET = 150.0  # MB, peak resident memory of the laptop's process
# Time per row at the largest size within this factor of the smallest: "linear".
LINEAR_TOLERANCE = 1.3
GROWTH_FRACTIONS = (0.1, 1 / 3, 1.0)
_PROCESS_TIMEOUT = 1800


@dataclass(frozen=True)
class PullFigures:
    spec: DatasetSpec
    rows: int
    ours: float  # seconds, median of the runs
    raw: float
    ours_rss: float  # MB, peak of the laptop process
    raw_rss: float
    ours_cpu: float  # seconds of the laptop process's CPU, median of the runs
    raw_cpu: float


@dataclass(frozen=True)
class SyncFigures:
    pulls: list[PullFigures]
    server_rows: list[Row]
    push: float
    push_raw: float
    no_op: Stats
    no_op_raw: Stats
    replica: float  # seconds: the server's first snapshot, its replica built from the feed
    feed_only: float  # seconds: a first pull following the whole feed, no snapshot


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _child_env(server_cache: Path | None = None) -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    if server_cache is not None:  # the server's replicas, inside this run's folder
        env[CACHE_ENV] = str(server_cache)
    return env


@contextmanager
def _commune_server(database: Path, folder: Path) -> Iterator[str]:
    """``villagehelper-server serve`` on ``database``, until the block ends.  Its
    replicas live in ``folder`` and outlast the process, as on a real server; what it
    keeps in memory (the last snapshot made) does not."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "villagehelper.server.cli"]
    command += ["--db", server_url(database), "serve", "--port", str(port)]
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=log,
            env=_child_env(folder / "server-cache"),
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
def _page_server(folder: Path) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sync_client", "serve-pages", str(folder)],
        stdout=subprocess.PIPE,
        env=_child_env(),
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _measure(*args: str) -> dict[str, Any]:
    """Run a measuring command of ``benchmarks.sync_client``; its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.sync_client", *args],
        capture_output=True,
        text=True,
        env=_child_env(),
        timeout=_PROCESS_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sync_client {args[0]} failed:\n{done.stderr}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _issue(database: Path, commune: str, role: str = "volunteer") -> str:
    db = open_server_db(server_url(database))
    try:
        return accounts.issue_code(db, commune, role)
    finally:
        db.close()


def _enrolled_laptop(url: str, database: Path, commune: str, data_dir: Path) -> Path:
    store = open_store(data_dir)
    try:
        client.enrol(store, url, _issue(database, commune), "benchmark laptop")
    finally:
        store.close()
    return data_dir


def _capture_pages(url: str, database: Path, commune: str, folder: Path) -> int:
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


@dataclass(frozen=True)
class _Servers:
    """The commune server's database and the raw chain's page server of one dataset."""

    database: Path
    commune: str
    pages_url: str
    pages: int


def _warm_replica(url: str, database: Path, commune: str, folder: Path) -> float:
    """The server's first snapshot of the commune: its replica built from the whole feed
    (once per commune on a server; it is kept and catches up from there)."""
    laptop = _enrolled_laptop(url, database, commune, folder / "warm-up")
    store = open_store(laptop)
    try:
        with store.reading() as session:
            credentials = sync_state.enrolled(session)
        assert credentials is not None
        connection = client.default_connection(url, credentials.token)
        try:
            started = time.perf_counter()
            got = connection.download(
                "/v1/snapshot",
                {"schema": HEAD_REVISION},
                folder / "warm-up.sqlite3",
                wire.MAX_SNAPSHOT_BYTES,
                lambda _done, _total: None,
            )
            seconds = time.perf_counter() - started
        finally:
            connection.close()
        if not got:
            raise RuntimeError("the server made no snapshot")
    finally:
        store.close()
    shutil.rmtree(laptop)
    (folder / "warm-up.sqlite3").unlink()
    return seconds


def _first_pulls(
    servers: _Servers, folder: Path, repeat: int, last: Callable[[Path], None] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Alternate raw chain and VillageHelper ``repeat`` times, each of ours against a
    server started anew, so each request makes its snapshot from the (kept) replica as
    when the commune's feed has moved since the last new laptop.  ``last`` gets the
    last laptop while its server still runs."""
    ours, raw = [], []
    for attempt in range(repeat):
        raw_db = folder / f"raw-{attempt}.sqlite3"
        raw.append(_measure("raw-pull", servers.pages_url, str(servers.pages), str(raw_db)))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{raw_db}{suffix}").unlink(missing_ok=True)
        with _commune_server(servers.database, folder) as url:
            laptop = _enrolled_laptop(url, servers.database, servers.commune, folder / "laptop")
            ours.append(_measure("pull", str(laptop)))
            if attempt == repeat - 1 and last is not None:
                last(laptop)
        shutil.rmtree(laptop)
    return ours, raw


def _feed_only_pull(servers: _Servers, folder: Path) -> dict[str, Any]:
    """A first download that follows the whole feed (a laptop of another version)."""
    with _commune_server(servers.database, folder) as url:
        laptop = _enrolled_laptop(url, servers.database, servers.commune, folder / "by-feed")
        result = _measure("pull", str(laptop), "--feed-only")
    shutil.rmtree(laptop)
    return result


def _one_push(store: Store, laptop: Path, pages_url: str, seed: int) -> tuple[float, float]:
    """1,000 sessions logged offline, then pushed: ours, and the raw chain's for the
    same outbox entries."""
    for visit in random_visits(store, PUSH_SESSIONS // 2, seed):  # two sessions each
        log_visit(store, visit)
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    outbox_copy = laptop.parent / "outbox-copy.sqlite3"
    shutil.copyfile(store.path, outbox_copy)
    pushed_at: list[float] = []

    def note(phase: str, done: int, total: int) -> None:
        if phase == "push" and done == total:
            pushed_at.append(time.perf_counter())

    started = time.perf_counter()
    report = client.sync_once(store, progress=note)
    if report.pushed != PUSH_SESSIONS or not pushed_at:
        raise RuntimeError(f"expected {PUSH_SESSIONS} changes pushed, got {report.pushed}")
    push = pushed_at[0] - started
    push_raw = _raw_push(outbox_copy, pages_url)
    outbox_copy.unlink()
    return push, push_raw


def _push_and_no_op(laptop: Path, pages_url: str, seed: int) -> tuple[float, float, Stats, Stats]:
    store = open_store(laptop)
    try:
        pushes = [_one_push(store, laptop, pages_url, seed + run) for run in range(PUSH_ROUNDS)]
        no_op, no_op_raw = [], []
        for _ in range(NO_OP_ROUNDS):
            begin = time.perf_counter()
            report = client.sync_once(store)
            no_op.append(time.perf_counter() - begin)
            if report.pushed or report.pulled:
                raise RuntimeError("the no-op round moved data")
            no_op_raw.append(_raw_round_trip(pages_url))
    finally:
        store.close()
    push = statistics.median(ours for ours, _ in pushes)
    push_raw = statistics.median(raw for _, raw in pushes)
    return push, push_raw, Stats.of(no_op), Stats.of(no_op_raw)


def _raw_push(database: Path, pages_url: str) -> float:
    """The raw chain of an upload: outbox rows out of SQLite, gzipped JSON POSTs in
    batches of the same size, a plain insert on the other side, rows deleted here."""
    raw = sqlite3.connect(database, isolation_level=None)
    raw.execute("PRAGMA synchronous=FULL")
    http = requests.Session()
    try:
        started = time.perf_counter()
        while batch := raw.execute(
            "SELECT change_id, entity, row_id, op, base_version, payload FROM outbox "
            "ORDER BY seq LIMIT ?",
            (wire.MAX_PUSH_BATCH,),
        ).fetchall():
            body = {
                "changes": [
                    {
                        "change_id": change_id,
                        "entity": entity,
                        "row_id": row_id,
                        "op": op,
                        "base_version": base,
                        "fields": json.loads(payload),
                    }
                    for change_id, entity, row_id, op, base, payload in batch
                ]
            }
            data = gzip.compress(json.dumps(body, ensure_ascii=False).encode(), compresslevel=5)
            response = http.post(
                pages_url + "/push", data=data, headers={"Content-Encoding": "gzip"}, timeout=60
            )
            done = [result["change_id"] for result in response.json()["results"]]
            raw.execute("BEGIN IMMEDIATE")
            raw.executemany("DELETE FROM outbox WHERE change_id = ?", [(c,) for c in done])
            raw.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        http.close()
        raw.close()


def _raw_round_trip(pages_url: str) -> float:
    started = time.perf_counter()
    json.loads(requests.get(pages_url + "/empty", timeout=10).content)
    return time.perf_counter() - started


def _server_row(dataset: Dataset, data: ServerData) -> Row:
    cached = " (cached)" if data.cached else ""
    return Row(
        f"server data: {dataset.spec.label} → {data.records:,} feed rows",
        data.build_seconds,
        None,
        "s",
        "",
        note=f"{data.build_seconds:.1f} s{cached}",
    )


def _growth_specs(main: DatasetSpec) -> list[DatasetSpec]:
    return [
        DatasetSpec(round(main.households * f), round(main.sessions * f), main.seed)
        for f in GROWTH_FRACTIONS
    ]


def run(main: DatasetSpec, work: Path, repeat: int = 3) -> SyncFigures:
    pulls: list[PullFigures] = []
    server_rows: list[Row] = []
    push = push_raw = replica = 0.0
    feed_only: dict[str, Any] = {}
    no_op = no_op_raw = Stats(0, 0, 0, 0)
    for spec in _growth_specs(main):
        dataset = ensure(spec)
        data = ensure_server(dataset)
        server_rows.append(_server_row(dataset, data))
        folder = work / f"sync-{spec.households}"
        is_main = spec == main
        database = working_server(data, folder)
        with _commune_server(database, folder) as url:
            # Every size alike: the pulls measured below make their snapshot from a
            # replica that is already there.
            warm_up = _warm_replica(url, database, data.commune_code, folder)
            replica = warm_up if is_main else replica
            pages = _capture_pages(url, database, data.commune_code, folder / "pages")
        with _page_server(folder / "pages") as pages_url:
            servers = _Servers(database, data.commune_code, pages_url, pages)
            timings: list[tuple[float, float, Stats, Stats]] = []

            def push_and_no_op(
                laptop: Path,
                pages_url: str = pages_url,
                timings: list[tuple[float, float, Stats, Stats]] = timings,
            ) -> None:
                timings.append(_push_and_no_op(laptop, pages_url, main.seed))

            ours, raw = _first_pulls(
                servers, folder, repeat if is_main else 1, push_and_no_op if is_main else None
            )
            if is_main:
                feed_only = _feed_only_pull(servers, folder)
                push, push_raw, no_op, no_op_raw = timings[0]
        pulls.append(
            PullFigures(
                spec,
                int(ours[0]["rows"]),
                statistics.median(run["seconds"] for run in ours),
                statistics.median(run["seconds"] for run in raw),
                max(run["rss"] for run in ours),
                max(run["rss"] for run in raw),
                statistics.median(run["cpu"] for run in ours),
                statistics.median(run["cpu"] for run in raw),
            )
        )
        shutil.rmtree(folder, ignore_errors=True)
    return SyncFigures(
        pulls, server_rows, push, push_raw, no_op, no_op_raw, replica, feed_only["seconds"]
    )


def rows(figures: SyncFigures) -> list[Row]:
    main = figures.pulls[-1]
    chain = "raw chain: same pages over loopback, json.loads, executemany"
    out = list(figures.server_rows)
    out.append(
        Row(
            f"first pull to an empty laptop (commune snapshot made for it, then the feed), "
            f"{main.spec.label} ({main.rows:,} rows)",
            main.ours,
            main.raw,
            "s",
            chain,
            target=FIRST_PULL_TARGET * main.raw,
        )
    )
    out.append(
        Row(
            "first pull following the whole feed (no snapshot: a laptop of another version)",
            figures.feed_only,
            main.raw,
            "s",
            "same",
        )
    )
    out.append(
        Row(
            "server: the commune's first snapshot, its replica built from the whole feed "
            "(once per commune)",
            figures.replica,
            None,
            "s",
            "",
        )
    )
    out.append(
        Row(
            "first pull throughput",
            main.rows / main.ours,
            main.rows / main.raw,
            "rows/s",
            "same",
        )
    )
    out.append(
        Row(
            "first pull, CPU time of the laptop's process (server not included)",
            main.ours_cpu,
            main.raw_cpu,
            "s",
            "the raw chain's process",
        )
    )
    out.append(
        Row(
            "laptop peak memory during the first pull (whole process)",
            main.ours_rss,
            main.raw_rss,
            "MB",
            "raw chain's process",
            target=MEMORY_TARGET,
        )
    )
    out.append(
        Row(
            f"push {PUSH_SESSIONS:,} offline sessions (logged with log_visit), "
            f"median of {PUSH_ROUNDS}",
            figures.push,
            figures.push_raw,
            "ms",
            "outbox rows POSTed gzipped to a plain server: insert + durable commit",
            target=PUSH_TARGET,
        )
    )
    for label, ours_value, raw_value, target in (
        ("p50", figures.no_op.p50, figures.no_op_raw.p50, None),
        ("p95", figures.no_op.p95, figures.no_op_raw.p95, NO_OP_TARGET),
    ):
        out.append(
            Row(
                f"no-op sync (nothing to push or pull) {label}",
                ours_value,
                raw_value,
                "ms",
                "one GET of an empty page from a plain server",
                target=target,
            )
        )
    smallest = figures.pulls[0]
    for pull in figures.pulls:
        out.append(
            Row(
                f"first pull per row, {pull.spec.households:,} households + "
                f"{pull.spec.sessions:,} sessions ({pull.rows:,} rows)",
                pull.ours / pull.rows,
                pull.raw / pull.rows,
                "µs",
                "raw chain, same pages",
            )
        )
    growth = (main.ours / main.rows) / (smallest.ours / smallest.rows)
    raw_growth = (main.raw / main.rows) / (smallest.raw / smallest.rows)
    out.append(
        Row(
            f"growth: time per row at {main.rows:,} ÷ at {smallest.rows:,} rows",
            growth,
            raw_growth,
            "×",
            "the raw chain's growth",
            target=LINEAR_TOLERANCE,
        )
    )
    return out
