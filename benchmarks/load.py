"""``python -m benchmarks.load``: the commune server under many laptops at once.

A real server (``villagehelper-server serve``: uvicorn, in a process of its own, on a
loopback port) on a fresh SQLite file and on a fresh PostgreSQL database.  Communes are
set up and laptops enrolled on the server's database directly, through
``villagehelper.server.accounts`` and the server's own ``push``, while the server
process starts (one enrolment code per laptop: over HTTP the server lets one address
try ten codes, then one every five seconds).  Then:

1. baseline: one laptop alone, syncing back to back (no other laptop, no pause);
2. load: every laptop in a thread of its own for a fixed time, each round a visit of one
   to four sessions (sometimes to a new household, sometimes with a correction to one of
   its households) pushed, then the feed pulled to its end, then a pause of 5 to 15
   seconds (``--pause``).  The app syncs 5 seconds after a save
   (``villagehelper/ui/syncing/sync_controller.py``), so each laptop here is a volunteer logging
   a visit every 5 to 15 seconds: far faster than anyone types one (minutes), so 200 of
   them are the load of thousands of real laptops.  The pauses keep every laptop well
   inside the server's per-device limit (20 calls a second, bursts of 120), which is
   left as it is: the server under test is the one a commune runs;
3. the end: every laptop uploads what it still holds (trying again a few times), all
   wait for each other, and each downloads to the feed's end;
4. the count check, on the server's database itself (:func:`check_counts`).

The simulated laptop is ``benchmarks/load_laptop.py`` (why it is not a real store is
said there).  ``tests/test_server_load.py`` runs this with a few laptops for a few
seconds on every test run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.load_checks import CountCheck, check_counts, commune_rows
from benchmarks.load_laptop import HEAD_NAMES, Identity, Outcomes, SimulatedLaptop
from benchmarks.load_report import heading, rows
from benchmarks.measure import table
from tests.crash_harness import CommuneServer
from tests.sync_support import PG_URL_ENV, fresh_postgres_database
from villagehelper.ids import new_id
from villagehelper.server import accounts
from villagehelper.server.batch import IncomingChange
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.push import push

FIRST_COMMUNE = 20001
HOUSEHOLDS_PER_LAPTOP = 3
FINAL_ATTEMPTS = 5  # uploads and downloads tried at the end before a laptop gives up
FINAL_RETRY_PAUSE = 0.5  # s between them: a laptop's back-off, not a synchronisation


@dataclass(frozen=True)
class LoadPlan:
    laptops: int = 200
    seconds: float = 60.0
    communes: int = 10
    pause: tuple[float, float] = (5.0, 15.0)  # s between a laptop's rounds
    baseline_rounds: int = 50
    seed: int = 1


@dataclass
class LoadFigures:
    database: str
    plan: LoadPlan
    baseline: Outcomes
    baseline_seconds: float
    load: Outcomes
    load_seconds: float
    end: Outcomes
    check: CountCheck
    laptops: list[SimulatedLaptop] = field(repr=False)

    @property
    def server_errors(self) -> int:
        return sum(
            count
            for outcomes in (self.baseline, self.load, self.end)
            for kind, count in outcomes.errors.items()
            if " HTTP 5" in kind
        )


# --- the communes and their laptops, set up on the server's database ----------------------


def _scope(db: ServerDB, commune: str, role: str) -> tuple[accounts.DeviceScope, str]:
    done = accounts.enrol(db, accounts.issue_code(db, commune, role), f"load {role}", new_id())
    return accounts.authenticate(db, done.token), done.token


def _change(entity: str, row_id: str, fields: dict[str, Any]) -> IncomingChange:
    return IncomingChange(new_id(), entity, row_id, "insert", None, fields)


def prepare(db: ServerDB, plan: LoadPlan) -> list[Identity]:
    """Communes with a village, a team member per laptop and households each laptop
    added; every laptop enrolled and holding its commune as a first download gave it."""
    identities: list[Identity] = []
    for index in range(plan.communes):
        identities += prepare_commune(db, plan, index)
    return identities


def prepare_commune(db: ServerDB, plan: LoadPlan, index: int) -> list[Identity]:
    """The ``index``-th commune of ``plan`` and its laptops (a share of ``plan.laptops``),
    as :func:`prepare` makes each."""
    commune = str(FIRST_COMMUNE + index)
    accounts.add_commune(db, commune, f"Xã thử tải {index + 1}")
    leader, _token = _scope(db, commune, "leader")
    village = new_id()
    team = [new_id() for _ in range(index, plan.laptops, plan.communes)]
    setup = [_change("village", village, {"commune_code": commune, "name": "Thôn Khay"})]
    setup += [
        _change(
            "team_member",
            member,
            {"commune_code": commune, "full_name": f"Thành viên {number + 1}"},
        )
        for number, member in enumerate(team)
    ]
    push(db, leader, setup)
    laptops = []
    for member in team:
        scope, token = _scope(db, commune, "volunteer")
        households = [new_id() for _ in range(HOUSEHOLDS_PER_LAPTOP)]
        added = push(
            db,
            scope,
            [
                _change(
                    "household",
                    household,
                    {"village_id": village, "head_name": HEAD_NAMES[n % len(HEAD_NAMES)]},
                )
                for n, household in enumerate(households)
            ],
        )
        versions = {h: int(result["version"]) for h, result in zip(households, added, strict=True)}
        laptops.append((scope, token, member, versions))
    cursor, held = commune_rows(db, commune)
    return [
        Identity(scope.device_id, token, commune, village, member, versions, cursor, held)
        for scope, token, member, versions in laptops
    ]


# --- the run --------------------------------------------------------------------------------


def _baseline(laptop: SimulatedLaptop, rounds: int) -> tuple[Outcomes, float]:
    started = time.perf_counter()
    for _ in range(rounds):
        laptop.log_work()
        laptop.sync()
    elapsed = time.perf_counter() - started
    outcomes, laptop.outcomes = laptop.outcomes, Outcomes()
    return outcomes, elapsed


@dataclass
class _Fleet:
    laptops: list[SimulatedLaptop]
    plan: LoadPlan
    stop: threading.Event = field(default_factory=threading.Event)
    barrier: threading.Barrier = field(init=False)
    load: dict[int, Outcomes] = field(default_factory=dict)
    ended: dict[int, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.barrier = threading.Barrier(len(self.laptops))

    def drive(self, index: int) -> None:
        try:
            self._drive(index)
        except BaseException as exc:
            # The others must not wait at the barrier for a laptop that is gone.
            self.failures.append(f"laptop {index}: {exc!r}")
            self.barrier.abort()
            raise

    def _drive(self, index: int) -> None:
        laptop = self.laptops[index]
        low, high = self.plan.pause
        # Laptops do not all start in the same instant: each starts somewhere in its
        # first pause, as laptops whose users began at different times.
        self.stop.wait(laptop.rng.uniform(0, high))
        while not self.stop.is_set():
            laptop.log_work()
            laptop.sync()
            self.stop.wait(laptop.rng.uniform(low, high))
        self.ended[index] = time.perf_counter()
        self.load[index], laptop.outcomes = laptop.outcomes, Outcomes()
        finish(laptop, self.barrier.wait)

    def run(self) -> float:
        threads = [
            threading.Thread(target=self.drive, args=(index,), name=f"laptop-{index}")
            for index in range(len(self.laptops))
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        self.stop.wait(self.plan.seconds)  # the run's fixed length
        self.stop.set()
        for thread in threads:
            thread.join()
        if self.failures:
            raise RuntimeError("simulated laptops failed: " + "; ".join(self.failures[:5]))
        return max(self.ended.values()) - started


def finish(laptop: SimulatedLaptop, wait_for_the_others: Callable[[], object]) -> None:
    """The end of a laptop's run: it uploads what it still holds (trying again a few
    times), waits for every other laptop to have done so (no upload after that: every
    download below sees them all), then downloads to the feed's end."""
    for attempt in range(FINAL_ATTEMPTS):
        if laptop.push() and not laptop.outbox:
            break
        if attempt + 1 < FINAL_ATTEMPTS:
            time.sleep(FINAL_RETRY_PAUSE)
    laptop.end_round()
    wait_for_the_others()
    for attempt in range(FINAL_ATTEMPTS):
        if laptop.pull_to_end():
            break
        if attempt + 1 < FINAL_ATTEMPTS:
            time.sleep(FINAL_RETRY_PAUSE)


def total_of(parts: list[Outcomes]) -> Outcomes:
    """The outcomes of several laptops, or phases, added up."""
    total = Outcomes()
    for part in parts:
        total.add(part)
    return total


def run(db_url: str, folder: Path, plan: LoadPlan) -> LoadFigures:
    """Set up, start the server, run the baseline and the load, check the counts."""
    db = open_server_db(db_url)  # its tables made here, not by two processes at once
    server = CommuneServer(folder, database=db_url)
    try:
        # The server process starts (seconds of imports) while the communes are set up.
        with ThreadPoolExecutor(1) as setting_up:
            prepared = setting_up.submit(prepare, db, plan)
            server.start()
            identities = prepared.result()
    except BaseException:
        server.stop()
        raise
    finally:
        db.close()
    laptops = [
        SimulatedLaptop(server.url, identity, plan.seed * 100_003 + index)
        for index, identity in enumerate(identities)
    ]
    try:
        baseline, baseline_seconds = _baseline(laptops[0], plan.baseline_rounds)
        fleet = _Fleet(laptops, plan)
        load_seconds = fleet.run()
        end = total_of([laptop.outcomes for laptop in laptops])
    finally:
        for laptop in laptops:
            laptop.close()
        server.stop()
    db = open_server_db(db_url)
    try:
        check = check_counts(db, laptops)
    finally:
        db.close()
    return LoadFigures(
        "SQLite" if db_url.startswith("sqlite") else "PostgreSQL",
        plan,
        baseline,
        baseline_seconds,
        total_of(list(fleet.load.values())),
        load_seconds,
        end,
        check,
        laptops,
    )


# --- the command ---------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description="Many laptops pushing and pulling at once against a commune server on "
        "loopback (SQLite, PostgreSQL): latency, throughput, errors, and a count check.",
    )
    parser.add_argument(
        "--province",
        action="store_true",
        help="a province instead: 1,000 laptops against serve --workers 1, 2, 4 on "
        "PostgreSQL, with options of its own (python -m benchmarks.load --province --help)",
    )
    parser.add_argument("--laptops", type=int, default=200, help="simulated laptops (200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (60)")
    parser.add_argument("--communes", type=int, default=10, help="communes they belong to (10)")
    parser.add_argument(
        "--pause",
        type=float,
        nargs=2,
        default=(5.0, 15.0),
        metavar=("MIN", "MAX"),
        help="seconds between a laptop's rounds, drawn evenly (5 15)",
    )
    parser.add_argument(
        "--baseline-rounds", type=int, default=50, help="rounds of the lone laptop (50)"
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(PG_URL_ENV),
        help=f"a PostgreSQL server's URL; a database is made there and dropped "
        f"(default: ${PG_URL_ENV})",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work",
        type=Path,
        help="run in this folder and keep it: the server's log, the SQLite database "
        "(default: a temporary folder, removed)",
    )
    return parser


@contextmanager
def _folder(kind: str, work: Path | None) -> Iterator[Path]:
    if work is not None:
        folder = work / kind
        if folder.exists() and any(folder.iterdir()):
            raise SystemExit(f"{folder} is not empty: the run needs a fresh database")
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix=f"vh-load-{kind}-") as temporary:
        yield Path(temporary)


@contextmanager
def _database(kind: str, folder: Path, pg_url: str | None) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite+pysqlite:///{folder / 'server.sqlite3'}"
        return
    assert pg_url is not None
    with fresh_postgres_database(pg_url, prefix="vh_load") as url:
        yield url


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if "--province" in arguments:  # a mode with options of its own
        from benchmarks.load_province import main as province_main

        return province_main([a for a in arguments if a != "--province"])
    args = _parser().parse_args(arguments)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not args.pg_url:
        print(f"PostgreSQL: give --pg-url or set {PG_URL_ENV}", file=sys.stderr)
        return 2
    if args.laptops < args.communes or args.communes < 1:
        print("--laptops must be at least --communes, and --communes at least 1", file=sys.stderr)
        return 2
    pause = (args.pause[0], args.pause[1])
    plan = LoadPlan(
        args.laptops, args.seconds, args.communes, pause, args.baseline_rounds, args.seed
    )
    print(
        f"VillageHelper commune server under load — Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}"
    )
    passed = True
    for kind in kinds:
        with _folder(kind, args.work) as folder, _database(kind, folder, args.pg_url) as url:
            figures = run(url, folder, plan)
        print()
        print(heading(figures))
        print(table(rows(figures)))
        sys.stdout.flush()
        passed = passed and figures.check.passed
    print()
    print("ratio = under load ÷ one laptop alone (for a rate: the lone laptop's ÷ ours);")
    print("latency is the laptop's: from sending the request to the whole answer read.")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
