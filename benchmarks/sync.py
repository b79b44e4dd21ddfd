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

import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.datasets import Dataset, DatasetSpec, ensure
from benchmarks.measure import Row, Stats
from benchmarks.sync_data import ServerData, ensure_server, working_server
from benchmarks.sync_processes import (
    capture_pages,
    commune_server,
    page_server,
)
from benchmarks.sync_pull import DatasetServers, feed_only_pull, first_pulls, warm_replica
from benchmarks.sync_push import PUSH_ROUNDS, PUSH_SESSIONS, push_and_no_op_rounds

FIRST_PULL_TARGET = 2.5  # × the raw chain
PUSH_TARGET = 0.3  # s
NO_OP_TARGET = 0.050  # s
MEMORY_TARGET = 150.0  # MB, peak resident memory of the laptop's process
# Time per row at the largest size within this factor of the smallest: "linear".
LINEAR_TOLERANCE = 1.3
GROWTH_FRACTIONS = (0.1, 1 / 3, 1.0)


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
        with commune_server(database, folder) as url:
            # Every size alike: the pulls measured below make their snapshot from a
            # replica that is already there.
            warm_up = warm_replica(url, database, data.commune_code, folder)
            replica = warm_up if is_main else replica
            pages = capture_pages(url, database, data.commune_code, folder / "pages")
        with page_server(folder / "pages") as pages_url:
            servers = DatasetServers(database, data.commune_code, pages_url, pages)
            timings: list[tuple[float, float, Stats, Stats]] = []

            def push_and_no_op(
                laptop: Path,
                pages_url: str = pages_url,
                timings: list[tuple[float, float, Stats, Stats]] = timings,
            ) -> None:
                timings.append(push_and_no_op_rounds(laptop, pages_url, main.seed))

            ours, raw = first_pulls(
                servers, folder, repeat if is_main else 1, push_and_no_op if is_main else None
            )
            if is_main:
                feed_only = feed_only_pull(servers, folder)
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
