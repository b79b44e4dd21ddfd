"""The sync benchmark's uploads and no-op rounds: 1,000 offline sessions pushed, against
the same outbox entries POSTed to a plain server, and an empty round against one GET.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import statistics
import time
from pathlib import Path

import requests

from benchmarks.commit import random_visits
from benchmarks.measure import Stats
from villagehelper.exchange import wire
from villagehelper.ops.sessions import log_visit
from villagehelper.store.engine import Store, open_store
from villagehelper.sync import client

PUSH_SESSIONS = 1_000
PUSH_ROUNDS = 5  # each 1,000 new sessions; the median is shown
NO_OP_ROUNDS = 30


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


def push_and_no_op_rounds(
    laptop: Path, pages_url: str, seed: int
) -> tuple[float, float, Stats, Stats]:
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
