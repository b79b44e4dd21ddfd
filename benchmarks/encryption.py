"""What encrypting the laptop's store costs (``--encrypted``): each figure measured on an
encrypted copy of the main dataset beside the same figure on a plain copy, so the ratio
is the price of SQLCipher alone.

Both copies go through the same code (``open_store`` with and without a key); the
benchmarks' own raw-SQL baselines open the file the same way (``store.connect``), so
they are not used here: plain against encrypted is the comparison.
"""

from __future__ import annotations

import secrets
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from benchmarks import commit, search
from benchmarks.datasets import GENERATED_AT, Dataset, working_copy
from benchmarks.measure import Row, timed
from villagehelper.backups.copies import backup_now
from villagehelper.exchange import snapshot
from villagehelper.ops import team
from villagehelper.store.engine import Store, open_store
from villagehelper.store.migrate import backup_copy
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week

REPEATS = 5
PLAIN = "the same on a plain (unencrypted) copy"


@contextmanager
def _opened(data_dir: Path, key: bytes | None) -> Iterator[Store]:
    store = open_store(data_dir, key=key, clock=lambda: GENERATED_AT)
    try:
        yield store
    finally:
        store.close()


def _median(action: Callable[[], object]) -> float:
    return statistics.median(timed(action) for _ in range(REPEATS))


def _per_store(store: Store, queries: list[str], commits: int, seed: int) -> dict[str, float]:
    """The figures of one store (plain or encrypted)."""
    figures: dict[str, float] = {}
    found = search.run(store, queries)
    figures["search p50"], figures["search p95"] = found.ours.p50, found.ours.p95
    logged = commit.run(store, commits, seed)
    figures["commit p50"], figures["commit p95"] = logged.ours.p50, logged.ours.p95
    week = iso_week(2026, 47)
    figures["tally"] = _median(lambda: compute_tally(store, week, from_sessions=True))
    moments = iter(GENERATED_AT + timedelta(seconds=n) for n in range(REPEATS))
    figures["backup"] = _median(lambda: backup_now(store.data_dir, next(moments), key=store.key))
    return figures


def _adoption(made: Path, work: Path, code: str, key: bytes | None) -> float:
    """A new laptop's snapshot adoption (the local part of its first pull)."""
    name = "adopt-encrypted" if key else "adopt-plain"
    with _opened(work / name, key) as laptop:
        team.set_commune(laptop, code)
        return timed(lambda: snapshot.adopt(laptop, made))


def run(dataset: Dataset, work: Path, queries_count: int, commits: int, seed: int) -> list[Row]:
    key = secrets.token_bytes(32)
    plain_dir = working_copy(dataset, work / "plain")
    encrypted_dir = working_copy(dataset, work / "encrypted")
    copy_time = timed(lambda: backup_copy(dataset.database, work / "copy.sqlite3"))
    conversion = timed(lambda: open_store(encrypted_dir, key=key).close())
    opening = {
        "plain": _median(lambda: open_store(plain_dir).close()),
        "encrypted": _median(lambda: open_store(encrypted_dir, key=key).close()),
    }
    with _opened(plain_dir, None) as store:
        queries = search.typed_queries(store, queries_count, seed)
        plain = _per_store(store, queries, commits, seed)
        commune = store.commune()
        assert commune is not None
        made = work / "snapshot.sqlite3"
        snapshot.build(store, made, commune.code)
    with _opened(encrypted_dir, key) as store:
        encrypted = _per_store(store, queries, commits, seed)
    plain["adoption"] = _adoption(made, work, commune.code, None)
    encrypted["adoption"] = _adoption(made, work, commune.code, key)
    scale = dataset.spec.label
    rows = [
        Row(
            f"encrypt a plain store ({scale})",
            conversion,
            copy_time,
            "s",
            "online backup copy of the same plain file",
        ),
        Row(
            "open the store (up to date), encrypted",
            opening["encrypted"],
            opening["plain"],
            "ms",
            PLAIN,
        ),
    ]
    for figure, label, unit in [
        ("search p50", "search p50 / keystroke, encrypted", "ms"),
        ("search p95", "search p95 / keystroke, encrypted", "ms"),
        ("commit p50", "log-a-visit commit p50, encrypted", "ms"),
        ("commit p95", "log-a-visit commit p95, encrypted", "ms"),
        ("tally", "weekly tally from the sessions, encrypted", "ms"),
        ("backup", "backup now (copy + integrity check), encrypted", "s"),
        ("adoption", "snapshot adoption (first pull, local part), encrypted", "s"),
    ]:
        rows.append(Row(label, encrypted[figure], plain[figure], unit, PLAIN))
    return rows
