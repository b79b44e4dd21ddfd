"""``python -m benchmarks.load --province``: a province's laptops against 1, 2 and 4
server processes on one PostgreSQL.

**The province.**  100 communes, 1,000 laptops (10 a commune, one per village team),
loopback only.  The communes are set up once, in a database of their own (as
``benchmarks/load.py`` sets up its communes: the server's own ``push``, one enrolment
code per laptop); each run then gets a byte copy of that database (PostgreSQL's
``CREATE DATABASE … TEMPLATE``), so 1, 2 and 4 processes meet the same communes, the
same laptops and the same rows, and no run starts from what the previous one left.  The
server is the real command, ``villagehelper-server serve --workers N``, a process of its
own with its own cache and state folders each run.

**The normal rate**, from docs DOMAIN.md: Gia Lộc's 106 village teams guided 114,573
accounts in 2023 (25,083 public-service, 89,490 VNeID), ~1,080 a team, ~430 visits of
2.5 services: on ~250 working days, under two visits a team a day.  The work comes in
campaign evenings at the cultural house, though: four members each guiding a resident
(~10 minutes each) on the team's one or two laptops is a visit saved about every 3
minutes on a laptop.  The province's normal rate is all of its teams in such an evening
at once, a visit every 180 s a laptop; the normal phase runs three times that
(``--visit-every 60``, the peak multiple: a province-wide campaign day, laptops coming
back online with a morning's visits).  Each laptop follows the app's schedule
(``benchmarks/load_generator.py``): a sync 5 s after its last save and one every 5
minutes.  At 1,000 laptops that is ~17 pushes a second, and as many pulls after them
plus ~3 a second from the periodic syncs.

**Saturation.**  Then 200 of the laptops (two a commune) log and sync back to back,
without pauses, while the others go on with their day: the requests answered per second
in that phase are the server's throughput at that many processes.  The machine's CPU is
read from ``/proc`` in both phases (``benchmarks/load_cpu.py``): the server's processes,
PostgreSQL's, the generator's, and the rest.

**The generator.**  The laptops are dealt out to ``--generators`` processes (threads in
each, ``benchmarks/load_generator.py``); their samples and their laptops come back
merged.  After each run the count check of ``benchmarks/load_checks.py`` on the server's
database: nothing lost, doubled or made up, every laptop holding what the server holds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import LoadPlan, prepare_commune, total_of
from benchmarks.load_checks import CountCheck, check_counts
from benchmarks.load_cpu import CpuSample, CpuShares, ProcessRoots
from benchmarks.load_generator import (
    SYNC_AFTER_SAVE,
    SYNC_EVERY,
    GeneratorResult,
    Schedule,
    Share,
    drive,
)
from benchmarks.load_laptop import Identity, Outcomes, SimulatedLaptop
from benchmarks.load_servers import STARTUP_TIMEOUT, postmaster, serve
from benchmarks.measure import table
from tests.sync_support import PG_URL_ENV, fresh_postgres_database
from villagehelper.server.database import open_server_db
from villagehelper.server.epochs import STATE_ENV

RESULTS_TIMEOUT = 900.0  # s: the same for a generator process that never reports


@dataclass(frozen=True)
class ProvincePlan:
    communes: int = 100
    laptops: int = 1000
    workers: tuple[int, ...] = (1, 2, 4)
    normal_seconds: float = 60.0
    saturation_seconds: float = 45.0
    visit_every: float = 60.0  # s between a laptop's visits, on average (normal phase)
    saturating: int = 200  # laptops syncing back to back in the saturation phase
    generators: int = 2
    seed: int = 1
    sync_after_save: float = SYNC_AFTER_SAVE  # the app's timers: shorter only in tests
    sync_every: float = SYNC_EVERY

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            self.normal_seconds,
            self.saturation_seconds,
            self.visit_every,
            self.sync_after_save,
            self.sync_every,
        )


@dataclass
class ProvinceFigures:
    workers: int
    plan: ProvincePlan
    normal: Outcomes
    saturation: Outcomes
    end: Outcomes
    check: CountCheck
    cpu_normal: CpuShares | None
    cpu_saturation: CpuShares | None
    laptops: list[SimulatedLaptop]
    server_exit: int | None  # 0: it stopped cleanly on SIGTERM

    @property
    def server_errors(self) -> int:
        return sum(
            count
            for outcomes in (self.normal, self.saturation, self.end)
            for kind, count in outcomes.errors.items()
            if " HTTP 5" in kind
        )


# --- the province, prepared once -------------------------------------------------------------


def prepare_province(url: str, plan: ProvincePlan) -> list[Identity]:
    """The communes and their enrolled laptops, on the database at ``url``; two threads,
    as the enrolment codes' scrypt leaves the GIL."""
    db = open_server_db(url)
    shape = LoadPlan(laptops=plan.laptops, communes=plan.communes)
    try:
        with ThreadPoolExecutor(2) as pool:
            parts = pool.map(lambda index: prepare_commune(db, shape, index), range(plan.communes))
            return [identity for part in parts for identity in part]
    finally:
        db.close()


# --- one run: N server processes, both phases, the end, the count check ----------------------


def _shares(server_url: str, identities: list[Identity], plan: ProvincePlan) -> list[Share]:
    step = max(1, len(identities) // max(1, plan.saturating))
    saturating = [
        index % step == 0 and index // step < plan.saturating for index in range(len(identities))
    ]
    seeds = [plan.seed * 100_003 + index for index in range(len(identities))]
    count = max(1, min(plan.generators, len(identities)))
    return [
        Share(
            server_url,
            identities[number::count],
            seeds[number::count],
            saturating[number::count],
        )
        for number in range(count)
    ]


def _drive_all(
    shares: list[Share], plan: ProvincePlan, roots: ProcessRoots
) -> tuple[list[GeneratorResult], list[CpuSample | None]]:
    """The generator processes started, the phases timed, their results collected; CPU
    read at the start and at the end of each phase."""
    context = multiprocessing.get_context("spawn")  # no thread of ours copied into them
    start = context.Barrier(len(shares) + 1)
    uploaded = context.Barrier(len(shares))
    results: multiprocessing.Queue[GeneratorResult] = context.Queue()
    processes = [
        context.Process(
            target=drive, args=(share, plan.schedule, start, uploaded, results), daemon=True
        )
        for share in shares
    ]
    for process in processes:
        process.start()
    try:
        start.wait(STARTUP_TIMEOUT)
        started = time.monotonic()
        samples = [roots.sample()]
        for phase_ends in (plan.normal_seconds, plan.normal_seconds + plan.saturation_seconds):
            # Waiting for the clock, not for an event: the CPU is read when the phase ends.
            time.sleep(max(0.0, started + phase_ends - time.monotonic()))
            samples.append(roots.sample())
        collected = [results.get(timeout=RESULTS_TIMEOUT) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    return collected, samples


@contextmanager
def _state_folder(folder: Path) -> Iterator[None]:
    """Epoch markers (server/epochs.py) of what this process opens kept in ``folder``, not
    in the user's data folder; as they were afterwards."""
    before = os.environ.get(STATE_ENV)
    os.environ[STATE_ENV] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ[STATE_ENV]
        else:
            os.environ[STATE_ENV] = before


def run_once(
    admin_url: str,
    template: str,
    identities: list[Identity],
    *,
    folder: Path,
    plan: ProvincePlan,
    workers: int,
) -> ProvinceFigures:
    """A copy of the prepared province served by ``workers`` processes, driven through
    both phases and the end; the count check on the copy."""
    folder.mkdir(parents=True, exist_ok=True)
    with fresh_postgres_database(admin_url, "vh_province", template=template) as url:
        with serve(url, folder, workers) as server:
            roots = ProcessRoots(server.process.pid, postmaster(admin_url), os.getpid())
            collected, samples = _drive_all(_shares(server.url, identities, plan), plan, roots)
        failures = [failure for result in collected for failure in result.failures]
        if failures:
            raise RuntimeError("simulated laptops failed: " + "; ".join(failures[:5]))
        laptops = [laptop for result in collected for laptop in result.laptops]
        with _state_folder(folder / "server-state"):  # the server's own markers
            db = open_server_db(url)
            try:
                check = check_counts(db, laptops)
            finally:
                db.close()
    first, middle, last = samples
    return ProvinceFigures(
        workers,
        plan,
        total_of([result.normal for result in collected]),
        total_of([result.saturation for result in collected]),
        total_of([result.end for result in collected]),
        check,
        _shares_between(first, middle, plan.normal_seconds),
        _shares_between(middle, last, plan.saturation_seconds),
        laptops,
        server.exit_status,
    )


def _shares_between(
    first: CpuSample | None, last: CpuSample | None, seconds: float
) -> CpuShares | None:
    if first is None or last is None:
        return None
    return CpuShares.between(first, last, seconds)


def run_province(admin_url: str, work: Path, plan: ProvincePlan) -> Iterator[ProvinceFigures]:
    """The province prepared once, then one run per number of processes, in order."""
    with fresh_postgres_database(admin_url, "vh_province") as prepared_url:
        with _state_folder(work / "prepare-state"):
            identities = prepare_province(prepared_url, plan)
        template = prepared_url.rpartition("/")[2]
        for workers in plan.workers:
            folder = work / f"workers-{workers}"
            yield run_once(
                admin_url, template, identities, folder=folder, plan=plan, workers=workers
            )


# --- the command ---------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    defaults = ProvincePlan()
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load --province",
        description="A province's laptops against 1, 2 and 4 server processes "
        "(serve --workers N) on one PostgreSQL: latency at the normal rate, throughput at "
        "saturation, where the CPU goes, and the count check.",
    )
    parser.add_argument("--communes", type=int, default=defaults.communes, help="(100)")
    parser.add_argument(
        "--laptops", type=int, default=defaults.laptops, help="dealt out to the communes (1000)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=list(defaults.workers),
        help="server processes of each run, in order (1 2 4); the first is the baseline",
    )
    parser.add_argument(
        "--normal-seconds",
        type=float,
        default=defaults.normal_seconds,
        help="length of the normal phase (60)",
    )
    parser.add_argument(
        "--saturation-seconds",
        type=float,
        default=defaults.saturation_seconds,
        help="length of the saturation phase (45)",
    )
    parser.add_argument(
        "--visit-every",
        type=float,
        default=defaults.visit_every,
        help="mean seconds between a laptop's visits in the normal phase (60)",
    )
    parser.add_argument(
        "--saturating",
        type=int,
        default=defaults.saturating,
        help="laptops syncing back to back in the saturation phase (200)",
    )
    parser.add_argument(
        "--generators",
        type=int,
        default=defaults.generators,
        help="processes the laptops are dealt out to (2)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(PG_URL_ENV),
        help=f"a PostgreSQL server's URL; databases are made there and dropped "
        f"(default: ${PG_URL_ENV})",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--work", type=Path, help="keep the servers' logs in this folder")
    return parser


def main(argv: list[str]) -> int:
    from benchmarks.load_province_report import heading, rows

    args = _parser().parse_args(argv)
    if not args.pg_url:
        print(f"PostgreSQL: give --pg-url or set {PG_URL_ENV}", file=sys.stderr)
        return 2
    if args.laptops < args.communes or args.communes < 1 or min(args.workers) < 1:
        print(
            "--laptops must be at least --communes, --communes and --workers at least 1",
            file=sys.stderr,
        )
        return 2
    plan = ProvincePlan(
        args.communes,
        args.laptops,
        tuple(args.workers),
        args.normal_seconds,
        args.saturation_seconds,
        args.visit_every,
        args.saturating,
        args.generators,
        args.seed,
    )
    print(f"VillageHelper: a province under load — {machine_line()}")
    passed = True
    first: ProvinceFigures | None = None
    with work_folder(args.work) as work:
        for figures in run_province(args.pg_url, work, plan):
            first = first or figures
            print()
            print(heading(figures))
            print(table(rows(figures, first if first is not figures else None)))
            sys.stdout.flush()
            passed = passed and figures.check.passed
    print()
    print("baseline = the same figure with the first run's processes (ratio: ours ÷ theirs;")
    print("for a rate theirs ÷ ours, so below 1 is more served); latency is the laptop's.")
    return 0 if passed else 1


def machine_line() -> str:
    return (
        f"Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}"
    )


@contextmanager
def work_folder(work: Path | None) -> Iterator[Path]:
    if work is not None:
        work.mkdir(parents=True, exist_ok=True)
        yield work
        return
    with tempfile.TemporaryDirectory(prefix="vh-province-") as temporary:
        yield Path(temporary)
