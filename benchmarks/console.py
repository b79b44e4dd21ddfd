"""``python -m benchmarks.console``: the commune console's figures at province scale.

PostgreSQL holding 20 communes × 100,000 sessions (``console_data.py``), the figures of
``villagehelper.server.console_figures`` timed in this process (the server's time for a
page, without HTTP): the overview of each commune for each period a page offers, a
month's report figures per commune, and the province view; then the pages themselves
through a real server on loopback (``console_pages.py``): the overview, the report as
PDF and as XLSX.  Baseline, measured in the
same run: a plain ``COUNT(*)`` of the commune's sessions in the server's ``records``.
Each commune's replica is built cold first (the whole feed followed, once per commune
on a server): timed apart.  See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.console_data import count_records, load, loaded_communes
from benchmarks.console_pages import page_times
from benchmarks.datasets import GENERATED_AT, DatasetSpec, ensure
from benchmarks.measure import Row, Stats, table, time_each, timed
from tests.sync_support import PG_URL_ENV, fresh_postgres_database
from villagehelper.clock import vietnam_today
from villagehelper.server.console_figures.overview import commune_figures, commune_overview
from villagehelper.server.console_figures.province import province_figures
from villagehelper.server.console_figures.spans import Span, span_period
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.tally.periods import Period, month

PAGE_TARGET = 0.300  # p95 of a page's server time (issue 18)
NOW = GENERATED_AT + timedelta(hours=2)  # the demo's last sessions are just before
_BASELINE = "SELECT count(*) FROM records WHERE commune_code = :code AND entity = 'help_session'"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.console", description=__doc__)
    parser.add_argument("--communes", type=int, default=20)
    parser.add_argument("--households", type=int, default=30_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3, help="rounds over every commune (3)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and the replicas' folder"
    )
    parser.add_argument("--database", help="a database loaded and kept by an earlier run")
    parser.add_argument("--work", help="the replicas' folder (with --database: the kept one)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(PG_URL_ENV),
        help=f"a PostgreSQL server's URL; a database is made there and dropped "
        f"(default: ${PG_URL_ENV})",
    )
    return parser


def _baseline(db: ServerDB, code: str, _period: Period | None = None) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(_BASELINE), {"code": code}).scalar_one())


def _months(today_month: Period, count: int) -> list[Period]:
    periods = [today_month]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods


def measure(db: ServerDB, folder: Path, codes: list[str], repeat: int) -> list[Row]:
    replicas = CommuneReplicas(db, folder / "replicas")
    try:
        cold = time_each(codes, partial(_first_catch_up, replicas))
        today = vietnam_today(NOW)
        spans = [span_period(span, today) for span in Span]
        # The first overview of a commune in a process also reads which villages each
        # laptop worked for from all its sessions (laptops.py): timed apart.
        first = time_each(codes, lambda code: _overview(replicas, db, code, spans[0]))
        overview: list[float] = []
        report: list[float] = []
        baseline: list[float] = []
        months = _months(month(today.year, today.month), 3)
        for _ in range(repeat):
            for code in codes:
                baseline += time_each(spans, partial(_baseline, db, code))
                overview += time_each(spans, partial(_overview, replicas, db, code))
                report += time_each(months, partial(commune_figures, replicas, code))
        province = [
            timed(partial(province_figures, replicas, db, "31", spans[2], NOW))
            for _ in range(repeat)
        ]
    finally:
        replicas.close()
    base = Stats.of(baseline)
    cold_stats = Stats.of(cold)
    first_stats = Stats.of(first)
    rows = [
        Row(
            f"first catch-up of a replica (cold unless --database; max {cold_stats.max:.1f} s)",
            cold_stats.p50,
            None,
            "s",
            "",
            note=f"{cold_stats.p50:.1f} s",
        )
    ]
    rows.append(
        Row(
            f"first overview of a commune in a process (p50; max {first_stats.max * 1000:.0f} ms)",
            first_stats.p50,
            None,
            "ms",
            "",
        )
    )
    for label, samples in (
        (f"overview, 5 periods × {len(codes)} communes", overview),
        (f"month report figures, 3 months × {len(codes)} communes", report),
    ):
        stats = Stats.of(samples)
        for name, value, against in (("p50", stats.p50, base.p50), ("p95", stats.p95, base.p95)):
            rows.append(
                Row(
                    f"{label} {name}",
                    value,
                    against,
                    "ms",
                    "PostgreSQL: COUNT(*) of the commune's sessions in records",
                    PAGE_TARGET if name == "p95" else None,
                )
            )
    # The pages themselves through a real server on loopback, on the same replicas.
    pages = page_times(db, folder / "replicas", "31", codes, months=months, repeat=repeat)
    for kind, stats in pages.items():
        for name, value, against in (("p50", stats.p50, base.p50), ("p95", stats.p95, base.p95)):
            rows.append(
                Row(
                    f"{kind} page over HTTP (loopback), {len(codes)} communes {name}",
                    value,
                    against,
                    "ms",
                    "PostgreSQL: COUNT(*) of the commune's sessions in records",
                    PAGE_TARGET if name == "p95" else None,
                )
            )
    whole = Stats.of(province)
    rows.append(
        Row(
            f"province view of {len(codes)} communes, this month (p50)",
            whole.p50,
            base.p50 * len(codes),
            "ms",
            "the COUNT(*) baseline once per commune",
        )
    )
    return rows


def _first_catch_up(replicas: CommuneReplicas, code: str) -> None:
    seconds = timed(partial(replicas.caught_up, code))
    print(f"  replica of {code} caught up in {seconds:.1f} s", file=sys.stderr, flush=True)


def _overview(replicas: CommuneReplicas, db: ServerDB, code: str, period: Period) -> object:
    return commune_overview(replicas, db, code, period, NOW)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.pg_url and not args.database:
        print(f"PostgreSQL: give --pg-url or set {PG_URL_ENV}", file=sys.stderr)
        return 2
    if args.database and not args.database.startswith("postgresql"):
        # A bare name would open (and make) a SQLite file of that name, with no communes.
        print(
            "--database takes the kept database's URL, as the --keep run printed it "
            "(postgresql+psycopg://…/vh_console_kept_…)",
            file=sys.stderr,
        )
        return 2
    if args.database and not args.work:
        print("--database needs --work: the replicas' folder the --keep run kept", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        if args.database:  # loaded and kept by an earlier run: its replicas are warm
            url, work = args.database, Path(args.work)
        else:
            work = Path(args.work or stack.enter_context(_temporary(args.keep)))
            url = stack.enter_context(_database(args.pg_url, args.keep))
        os.environ.setdefault("VILLAGEHELPER_SERVER_STATE", str(work / "state"))
        db = open_server_db(url, clock=lambda: NOW)
        stack.callback(db.close)
        if not args.database:
            dataset = ensure(DatasetSpec(args.households, args.sessions, args.seed))
            seconds = timed(lambda: load(dataset, db, args.communes, NOW))
            print(
                f"{args.communes} communes × {args.sessions:,} sessions "
                f"({count_records(db):,} feed rows) loaded into PostgreSQL in {seconds:.0f} s",
                file=sys.stderr,
            )
        rows = measure(db, work, loaded_communes(db), args.repeat)
        if args.keep:
            print(f"kept: --database {url} --work {work}", file=sys.stderr)
    print(f"\nConsole figures, PostgreSQL, {_when()}")
    print(table(rows))
    return 0


@contextmanager
def _temporary(keep: bool) -> Iterator[str]:
    if keep:
        yield tempfile.mkdtemp(prefix="vh-console-")
        return
    with tempfile.TemporaryDirectory(prefix="vh-console-") as work:
        yield work


@contextmanager
def _database(admin_url: str, keep: bool) -> Iterator[str]:
    if not keep:
        with fresh_postgres_database(admin_url, prefix="vh_console") as url:
            yield url
        return
    name = f"vh_console_kept_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield f"{admin_url.rpartition('/')[0]}/{name}"


def _when() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


if __name__ == "__main__":
    sys.exit(main())
