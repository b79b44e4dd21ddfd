"""``python -m benchmarks.crash --kills 300 --seed 1``: the crash-safety run in full.

The app (``tests/crash_driver.py``: the real core operations and sync client) is
SIGKILLed at random moments while it logs visits, edits and adds households and syncs
with a real commune server in a process of its own, and started again on the same data
folder; ``tests/crash_harness.py`` checks the laptop after every kill and everyone at the
end (and says what it checks).  ``tests/test_crash_safety.py`` runs the same with 30
kills on every test run.  This prints where the kills landed, what was acknowledged and
how many checks passed.  At the first check that fails it stops with exit code 1 and
keeps the run's folder (databases, journals, traces, logs) for a look.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from tests import crash_harness
from tests.crash_harness import SYNC_PLACES, CrashCheckError, Figures, Landing

PLACES = (
    ("upload", "upload: a batch in flight, or being acknowledged"),
    ("download", "download: a feed page in flight, or being applied"),
    ("snapshot download", "snapshot download (a new laptop's first sync)"),
    ("snapshot adoption", "snapshot adoption: checked and copied in"),
    ("sync, before its first request", "before its first request"),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.crash",
        description="Kill the app at random moments while it logs visits and syncs; "
        "check every acknowledged write, the database and the outbox after each kill.",
    )
    parser.add_argument("--kills", type=int, default=300, help="SIGKILLs in all (300)")
    parser.add_argument("--seed", type=int, default=1, help="seed of every random choice (1)")
    parser.add_argument(
        "--work",
        type=Path,
        help="run in this (new or empty) folder and keep it (default: a temporary "
        "folder, removed after a run that passed)",
    )
    return parser


def _rows(figures: Figures) -> list[tuple[str, str]]:
    def kills(places: tuple[str, ...] | None = None, in_commit: bool | None = None) -> str:
        return f"{figures.count(places, in_commit):,}"

    acknowledged = figures.acknowledged
    sync = acknowledged["sync"]
    rows = [
        ("kills (SIGKILL, each followed by a restart on the same folder)", kills()),
        ("… inside a commit (COMMIT running, not yet returned)", kills(in_commit=True)),
        ("      of them a sync round's", kills(SYNC_PLACES, in_commit=True)),
        ("… inside a sync round", kills(SYNC_PLACES)),
    ]
    rows += [(f"      {label}", kills((place,))) for place, label in PLACES]
    rows += [
        (
            "… inside a visit, household add or edit, outside its commit",
            kills(crash_harness.OPERATIONS, in_commit=False),
        ),
        ("… between two operations", kills(("between operations",))),
        (
            "fresh laptops killed during their first sync",
            f"{figures.fresh_laptops} laptops, {figures.first_sync_kills} kills",
        ),
        ("visits logged and acknowledged (journal)", f"{acknowledged['visit']:,}"),
        ("households added and acknowledged", f"{acknowledged['household']:,}"),
        ("household edits acknowledged", f"{acknowledged['edit']:,}"),
        ("sync rounds finished (and failed)", f"{sync:,} ({acknowledged['sync failed']:,})"),
        ("checks passed", f"{figures.checks:,} of {figures.checks:,}"),
        ("time", f"{figures.seconds:,.0f} s"),
    ]
    return rows


def table(figures: Figures) -> str:
    rows = _rows(figures)
    width = max(len(label) for label, _value in rows)
    value_width = max(len(value) for _label, value in rows)
    lines = [f"| {'measure':<{width}} | {'value':>{value_width}} |"]
    lines.append(f"|{'-' * (width + 2)}|{'-' * (value_width + 1)}:|")
    lines += [f"| {label:<{width}} | {value:>{value_width}} |" for label, value in rows]
    return "\n".join(lines)


def _progress(total: int, started: float) -> crash_harness.Progress:
    def report(done: int, _landing: Landing) -> None:
        if done % 25 == 0 or done == total:
            print(f"  {done}/{total} kills, {time.perf_counter() - started:.0f} s", file=sys.stderr)

    return report


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    folder = args.work or Path(tempfile.mkdtemp(prefix="villagehelper-crash-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"crash safety: {args.kills} kills, seed {args.seed}, in {folder}", file=sys.stderr)
    try:
        figures = crash_harness.run(
            args.kills, args.seed, folder, _progress(args.kills, time.perf_counter())
        )
    except CrashCheckError as failure:
        print(f"FAILED: {failure}\nThe run's folder is kept: {folder}", file=sys.stderr)
        return 1
    print(
        f"VillageHelper crash safety — {args.kills} kills, seed {args.seed}; Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.system()} {platform.release()}"
    )
    print()
    print(table(figures))
    if args.work is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
