"""``python -m benchmarks``: generate (or reuse) district-scale demo data, measure, print.

See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy

from benchmarks import commit, encryption, search, sync, tallies, tally_engine, throughput
from benchmarks.datasets import DATA_DIR, GENERATED_AT, Dataset, DatasetSpec, ensure, working_copy
from benchmarks.measure import Row, table
from villagehelper.clock import vietnam_today
from villagehelper.ops.team import list_team_members
from villagehelper.preferences import Preferences, save_preferences
from villagehelper.store.engine import Store, open_store

SEARCH_TARGET = 0.010  # p95 per keystroke at 30k households
LARGE_SEARCH_TARGET = 0.030  # … at 300k households
COMMIT_TARGET = 0.005
LARGE_HOUSEHOLDS = 300_000
TALLY_SESSIONS = 1_000_000


@dataclass(frozen=True)
class Plan:
    main: DatasetSpec
    small: DatasetSpec  # source of the files imported
    queries: int
    commits: int
    large: DatasetSpec | None
    tallies: DatasetSpec | None
    seed: int
    ui: bool
    sync: bool
    sync_only: bool
    encrypted: bool
    repeat: int  # first downloads at the main size, each beside its raw chain


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="VillageHelper benchmarks: search, commit, import/export, "
        "each beside an in-run baseline.",
    )
    parser.add_argument("--households", type=int, default=30_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--queries", type=int, default=60, help="typed queries (60)")
    parser.add_argument("--commits", type=int, default=200, help="visits logged (200)")
    parser.add_argument(
        "--import-households",
        type=int,
        default=2_000,
        help="households in the imported file's dataset (2,000)",
    )
    parser.add_argument(
        "--import-sessions",
        type=int,
        default=6_000,
        help="sessions in the imported file's dataset (6,000)",
    )
    parser.add_argument(
        "--large", action="store_true", help=f"also search at {LARGE_HOUSEHOLDS:,} households"
    )
    parser.add_argument(
        "--tallies", action="store_true", help=f"also count sessions at {TALLY_SESSIONS:,} sessions"
    )
    parser.add_argument(
        "--sync",
        action="store_true",
        help="also sync with a commune server on loopback: first pull, push, no-op, "
        "memory, growth from a tenth of the main size",
    )
    parser.add_argument(
        "--sync-only", action="store_true", help="only the sync figures (implies --sync)"
    )
    parser.add_argument(
        "--encrypted",
        action="store_true",
        help="also measure an encrypted (SQLCipher) copy of the store beside a plain one",
    )
    parser.add_argument(
        "--no-ui",
        action="store_true",
        help="skip the desktop app's figures (search box, lists, start-up)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 2,000 households, 6,000 sessions, few samples",
    )
    return parser


def _plan(args: argparse.Namespace) -> Plan:
    if args.quick:
        args.households, args.sessions = 2_000, 6_000
        args.queries, args.commits = 10, 30
        args.import_households, args.import_sessions = 200, 600
    seed = args.seed
    return Plan(
        main=DatasetSpec(args.households, args.sessions, seed),
        small=DatasetSpec(args.import_households, args.import_sessions, seed),
        queries=args.queries,
        commits=args.commits,
        large=DatasetSpec(LARGE_HOUSEHOLDS, args.sessions, seed) if args.large else None,
        tallies=DatasetSpec(args.households, TALLY_SESSIONS, seed) if args.tallies else None,
        seed=seed,
        ui=not args.no_ui,
        sync=args.sync or args.sync_only,
        sync_only=args.sync_only,
        encrypted=args.encrypted,
        repeat=1 if args.quick else 3,
    )


def _generation_row(dataset: Dataset) -> Row:
    seconds = dataset.generation_seconds
    return Row(
        f"data generation: {dataset.spec.label}",
        seconds,
        None,
        "s",
        "",
        note=f"{seconds:.1f} s" + (" (cached)" if dataset.cached else ""),
    )


@contextmanager
def _opened_copy(dataset: Dataset, work: Path, name: str) -> Iterator[Store]:
    store = open_store(working_copy(dataset, work / name))
    try:
        yield store
    finally:
        store.close()


def _search_rows(dataset: Dataset, work: Path, plan: Plan, target: float) -> list[Row]:
    with _opened_copy(dataset, work, f"search-{dataset.spec.households}") as store:
        queries = search.typed_queries(store, plan.queries, plan.seed)
        figures = search.run(store, queries)
    return search.rows(figures, dataset.spec.households, target)


def _ui_rows(dataset: Dataset, work: Path, plan: Plan) -> list[Row]:
    from benchmarks import ui, ui_keys  # Qt only when the app's figures are wanted
    from villagehelper.store.thread_guard import allowed_here

    # The figures set the screens beside the bare core calls, timed on this thread on
    # purpose: the store's GUI-thread guard is for the app and its tests.
    with _opened_copy(dataset, work, "ui") as store, allowed_here():
        rows = ui.keystroke_rows(store, dataset.spec.households, plan.queries, plan.seed)
        rows += ui.first_paint_rows(store, dataset.spec.sessions)
        visits = min(ui_keys.VISITS, plan.queries)
        rows += ui_keys.rows(ui_keys.run(store, visits, plan.seed))
        volunteer = list_team_members(store)[0].id
        data_dir = store.data_dir
    save_preferences(data_dir, Preferences(volunteer_id=volunteer))
    return rows + ui.startup_rows(data_dir)


def _run(plan: Plan, work: Path) -> list[Row]:
    main = ensure(plan.main)
    rows = [_generation_row(main)]
    if plan.sync_only:
        return rows + sync.rows(sync.run(plan.main, work, plan.repeat))
    rows += _search_rows(main, work, plan, SEARCH_TARGET)
    with _opened_copy(main, work, "main") as store:
        rows += commit.rows(commit.run(store, plan.commits, plan.seed), COMMIT_TARGET)
        rows += throughput.export_rows(store, work)
    if plan.encrypted:
        rows += encryption.run(main, work / "encryption", plan.queries, plan.commits, plan.seed)
    if plan.ui:
        rows += _ui_rows(main, work, plan)
    small = ensure(plan.small)
    rows.append(_generation_row(small))
    with _opened_copy(small, work, "small") as source:
        rows += throughput.import_rows(source, work)
    if plan.large is not None:
        large = ensure(plan.large)
        rows.append(_generation_row(large))
        rows += _search_rows(large, work, plan, LARGE_SEARCH_TARGET)
    if plan.tallies is not None:
        big = ensure(plan.tallies)
        rows.append(_generation_row(big))
        with _opened_copy(big, work, "tallies") as store:
            rows += tallies.run(store, vietnam_today(GENERATED_AT), plan.tallies.sessions)
            rows += tally_engine.tally_rows(store)
    if plan.sync:
        rows += sync.rows(sync.run(plan.main, work, plan.repeat))
    return rows


def _machine() -> str:
    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"SQLAlchemy {sqlalchemy.__version__}, {platform.machine()}, "
        f"{platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    plan = _plan(_parser().parse_args(argv))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # Working copies live beside the cache (same disk as the cached data) and go away.
    with tempfile.TemporaryDirectory(prefix="run-", dir=DATA_DIR) as work:
        rows = _run(plan, Path(work))
    print(f"VillageHelper benchmarks — {_machine()}")
    print()
    print(table(rows))
    print()
    print("ratio = VillageHelper's time ÷ the baseline's (for rows/s: baseline rate ÷ ours);")
    print("> 1 means slower than the baseline.  Targets are shown, never asserted.")
    print(f"Total run time {time.perf_counter() - started:.0f} s; cache: {DATA_DIR}")
    sys.stdout.flush()
    return 0
