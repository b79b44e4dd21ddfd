"""Kill the app at random moments while it logs visits and syncs, and check what it left.

A real commune server (``villagehelper-server serve``, SQLite) runs in a process of its
own on a loopback port for the whole run.  A leader's laptop, in this process, set the
commune up and keeps working between kills, so the feed always has other laptops' rows
to download.  The app under test is ``tests/crash_driver.py`` in a process of its own on
a laptop's data folder: it is started, waited for (its ready line), killed with SIGKILL
after a random delay, checked, and started again on the same folder, hundreds of times.
A few fresh laptops are killed during their first sync (the commune snapshot's download
and adoption) as well.

After each kill, on the laptop's SQLite file as the kill left it (read-only, so the next
start recovers the write-ahead log itself) and on the server's database:

- ``PRAGMA integrity_check`` is ``ok``;
- every write the driver acknowledged (its journal) is there with the values it wrote:
  each session, each household added, the last edit of each household; an operation cut
  short by the kill was committed whole or not at all, and nothing else of this laptop's
  is there (no session, no household nobody asked for);
- the outbox is consistent (:func:`outbox_problems`);
- the sync cursor is not beyond the server's feed, and every server row at or below it
  is here at its version: no page was skipped or half-applied;
- what a successful sync acknowledged is on the server;
- the tally summaries equal a recount of the sessions.

At the end every laptop syncs once cleanly (``sync_once`` raises unless everything went
up and the download reached the end), then again, and each one holds exactly what the
server holds (``tests/sync_support.py``), with every session ever acknowledged on the
server exactly once.
"""

from __future__ import annotations

import json
import os
import random
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import StaticPool

from tests import crash_driver
from tests.sync_support import COMMUNE, laptop_snapshot, server_snapshot
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.paths import DATABASE_FILE
from villagehelper.server import accounts
from villagehelper.server.cli import serve as server_serve
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.feed_clock import commune_end
from villagehelper.server.replicas import CACHE_ENV
from villagehelper.server.tables import AuditEntry, Record
from villagehelper.store import sync_state
from villagehelper.store.changelog import ENTITIES, Op, primary_key_name
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import Household
from villagehelper.sync import client
from villagehelper.sync.http import RetryPolicy, ServerConnection, SyncError
from villagehelper.tally import summaries

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_SCRATCH = "commune-snapshot.sqlite3"  # the client's download file (sync/client.py)
MAIN_WINDOW = 1.0  # s after the driver's ready line: a kill lands anywhere in it
FIRST_SYNC_GUESS = 0.4  # s a fresh laptop's first sync takes, until one was measured
FRESH_KILLS = 2  # kills of each fresh laptop, both timed for its first sync
PATIENT = RetryPolicy(attempts=10, base_delay=0.05, max_delay=1.0)
STARTUP_TIMEOUT = 120.0  # s: a safety net for a process that never says it is ready


class CrashCheckError(AssertionError):
    """A check failed: the message says which, after which kill."""


# --- the commune server in a process of its own ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def _wait_for_line(process: subprocess.Popen[str], marker: str, what: str) -> None:
    """Block until ``process`` prints a line containing ``marker`` (its ready line).

    A blocking read, not a poll: the deadline is only a safety net for a process
    that hangs, and end of output means it died first."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            if not selector.select(timeout=STARTUP_TIMEOUT):
                raise CrashCheckError(f"{what} did not start within {STARTUP_TIMEOUT:.0f} s")
            line = process.stdout.readline()
            if not line:
                raise CrashCheckError(f"{what} stopped before it was ready")
            if marker in line:
                return


@dataclass
class CommuneServer:
    """``villagehelper-server serve`` on a free loopback port, on a SQLite file in
    ``folder`` unless given another database (``database``: a SQLAlchemy URL)."""

    folder: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[str] | None = None
    database: str = ""
    environment: dict[str, str] = field(default_factory=dict)  # more for its process

    @property
    def db_url(self) -> str:
        return self.database or f"sqlite+pysqlite:///{self.folder / 'server.sqlite3'}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "villagehelper.server.cli", "--db", self.db_url]
        command += ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with (self.folder / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                encoding="utf-8",
                env=_child_env(
                    **{CACHE_ENV: str(self.folder / "server-cache"), **self.environment}
                ),
            )
        _wait_for_line(self.process, server_serve.READY_LINE, "the commune server")

    def stop(self) -> int | None:
        """Stop it with SIGTERM, as a service manager does; its exit status (None: it
        was never started)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


# --- what each laptop must hold -------------------------------------------------------------


@dataclass(frozen=True)
class SessionFacts:
    visit_id: str
    household_id: str
    member_id: str | None
    volunteer_id: str
    service_code: str
    outcome: str
    follow_up_date: str | None


@dataclass
class HouseholdFacts:
    village_id: str
    head_name: str
    address_detail: str
    notes: str


@dataclass
class Ledger:
    """What a laptop must hold: acknowledged writes, and writes of operations cut short
    that the checks found committed (they must stay too)."""

    sessions: dict[str, SessionFacts] = field(default_factory=dict)
    households: dict[str, HouseholdFacts] = field(default_factory=dict)
    # On the server since a sync that acknowledged them.
    uploaded_sessions: set[str] = field(default_factory=set)
    uploaded_households: set[str] = field(default_factory=set)
    acknowledged: Counter[str] = field(default_factory=Counter)

    def add_visit(self, record: dict[str, Any], session_ids: list[str], visit_id: str) -> None:
        for session_id, (code, outcome, due) in zip(session_ids, record["services"], strict=True):
            self.sessions[session_id] = SessionFacts(
                visit_id,
                record["household_id"],
                record["member_id"],
                record["volunteer_id"],
                code,
                outcome,
                due,
            )

    def add_household(self, household_id: str, intent: dict[str, Any]) -> None:
        self.households[household_id] = HouseholdFacts(
            intent["village_id"], intent["head_name"], intent["address_detail"], ""
        )

    def edit(self, intent: dict[str, Any]) -> None:
        facts = self.households[intent["id"]]
        facts.address_detail = intent["address_detail"]
        facts.notes = intent["notes"]

    def acknowledge(self, record: dict[str, Any]) -> None:
        """One journal line: the operation returned, so its writes must stay."""
        kind = record["op"]
        self.acknowledged[kind if kind != "sync" or record["ok"] else "sync failed"] += 1
        if kind == "visit":
            self.add_visit(record, record["session_ids"], record["visit_id"])
        elif kind == "household":
            self.add_household(record["id"], record)
        elif kind == "edit":
            self.edit(record)
        elif kind == "sync" and record["ok"]:
            self.uploaded_sessions = set(self.sessions)
            self.uploaded_households = set(self.households)


# --- reading a laptop's file as the kill left it ----------------------------------------------


@dataclass(frozen=True)
class LocalRow:
    sync_state: str
    server_version: int | None


@dataclass
class LaptopFile:
    """The rows the checks read from a laptop's database, read once per check."""

    integrity: str
    device_id: str
    cursor: int
    rows: dict[tuple[str, str], LocalRow]
    outbox: list[tuple[int, str, str, str, str, str]]  # seq, change_id, entity, row, op, payload
    sessions: dict[str, tuple[Any, ...]]
    households: dict[str, tuple[Any, ...]]
    summaries_exact: bool


_SESSION_SQL = (
    "SELECT id, visit_id, household_id, member_id, volunteer_id, service_code, outcome, "
    "follow_up_date, voided, device_id FROM help_sessions"
)
_HOUSEHOLD_SQL = "SELECT id, village_id, head_name, address_detail, notes, deleted FROM households"


def read_laptop(database: Path) -> LaptopFile:
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        integrity = "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))
        settings = dict(db.execute("SELECT key, value FROM settings"))
        rows = {}
        for entity, model in ENTITIES.items():
            key = primary_key_name(model)
            sql = f"SELECT {key}, sync_state, server_version FROM {model.__tablename__}"
            for row_id, row_state, version in db.execute(sql):
                rows[(entity, str(row_id))] = LocalRow(row_state, version)
        outbox = list(
            db.execute(
                "SELECT seq, change_id, entity, row_id, op, payload FROM outbox ORDER BY seq"
            )
        )
        return LaptopFile(
            integrity=integrity,
            device_id=settings["device_id"],
            cursor=int(settings.get(sync_state.CURSOR, "0")),
            rows=rows,
            outbox=outbox,
            sessions={row[0]: row[1:] for row in db.execute(_SESSION_SQL)},
            households={row[0]: row[1:] for row in db.execute(_HOUSEHOLD_SQL)},
            summaries_exact=_summaries_exact(db),
        )


def _summary_rows(connection: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
        for table in summaries.SUMMARY_TABLES
    }


def _summaries_exact(db: sqlite3.Connection) -> bool:
    """Whether the tally summaries equal a recount, on a copy in memory with the
    triggers dropped (while suspended they are not kept: nothing to compare)."""
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    db.backup(memory)
    engine = create_engine("sqlite://", creator=lambda: memory, poolclass=StaticPool)
    try:
        with engine.begin() as connection:
            if summaries.suspended(connection):
                return True
            kept = _summary_rows(connection)
            for name in summaries.tally_triggers(connection):
                connection.execute(text(f'DROP TRIGGER "{name}"'))
            summaries.refill(connection)
            return kept == _summary_rows(connection)
    finally:
        engine.dispose()
        memory.close()


def outbox_problems(laptop: LaptopFile) -> list[str]:
    """What is wrong with the outbox, by this definition of consistent:

    1. every entry names a synced entity, a row that exists, a known operation and a
       JSON object of fields;
    2. no two entries have the same change id;
    3. a row's insert, if still waiting, is its first entry, and it has only one;
    4. every row marked dirty has an entry, and no row with an entry is marked synced
       (so nothing waiting is taken for sent, and nothing dirty is never sent);
    5. every row is either synced or dirty.
    """
    problems = []
    waiting: dict[tuple[str, str], list[str]] = {}
    for seq, _change_id, entity, row_id, op, payload in laptop.outbox:
        if entity not in ENTITIES or (entity, row_id) not in laptop.rows:
            problems.append(f"outbox entry {seq} ({entity} {row_id}) names no row")
        if op not in (Op.INSERT, Op.UPDATE, Op.DELETE):
            problems.append(f"outbox entry {seq} has the operation {op!r}")
        if not isinstance(json.loads(payload), dict):
            problems.append(f"outbox entry {seq} has fields {payload!r}")
        waiting.setdefault((entity, row_id), []).append(op)
    change_ids = Counter(entry[1] for entry in laptop.outbox)
    problems += [f"change id {c} is queued {n} times" for c, n in change_ids.items() if n > 1]
    for (entity, row_id), ops in waiting.items():
        if Op.INSERT in ops[1:] or ops.count(Op.INSERT) > 1:
            problems.append(f"{entity} {row_id}: insert queued after its edits: {ops}")
    for key, row in laptop.rows.items():
        if row.sync_state not in ("synced", "dirty"):
            problems.append(f"{key} has the sync state {row.sync_state!r}")
        if row.sync_state == "dirty" and key not in waiting:
            problems.append(f"{key} is dirty with nothing in the outbox")
        if row.sync_state == "synced" and key in waiting:
            problems.append(f"{key} is marked synced with {waiting[key]} in the outbox")
    return problems


# --- reading the server -----------------------------------------------------------------------


@dataclass
class ServerFeed:
    counter: int
    records: dict[tuple[str, str], int]  # (entity, id) → version, this commune and catalog


def read_server(db: ServerDB) -> ServerFeed:
    with db.reading() as session:
        counter = commune_end(session.connection(), COMMUNE)
        rows = session.execute(
            select(Record.entity, Record.row_id, Record.version).where(
                Record.commune_code.in_((COMMUNE, ""))
            )
        )
        return ServerFeed(counter, {(entity, row_id): version for entity, row_id, version in rows})


def cursor_problems(laptop: LaptopFile, feed: ServerFeed) -> list[str]:
    """The cursor is not beyond the server's feed, and every server row at or below it
    is held here at its version: no page was skipped or applied without its cursor."""
    if laptop.cursor > feed.counter:
        return [f"cursor {laptop.cursor} is beyond the server's feed ({feed.counter})"]
    problems = []
    for key, version in feed.records.items():
        if version > laptop.cursor:
            continue
        held = laptop.rows.get(key)
        if held is None:
            problems.append(f"{key} (version {version} <= cursor {laptop.cursor}) is missing")
        elif held.server_version != version:
            problems.append(f"{key} is held at version {held.server_version}, not {version}")
    return problems


# --- one laptop under test --------------------------------------------------------------------


@dataclass
class Landing:
    """Where a kill landed, from the last lines of the driver's trace."""

    operation: str | None = None  # None: between two operations
    in_commit: bool = False
    request: str | None = None  # HTTP request in flight
    last_request: str | None = None
    in_flight: tuple[int, str, dict[str, Any]] | None = None  # number, kind, intent

    def follow(self, kind: str, detail: str) -> None:
        if kind == "begin":
            number, operation, intent = detail.split(" ", 2)
            self.operation = operation
            self.in_flight = (int(number), operation, json.loads(intent))
            self.request = self.last_request = None
        elif kind == "ack":
            self.operation = None
        elif kind == "sql" and detail == "COMMIT":
            self.in_commit = True
        elif kind in ("committed", "sql"):
            self.in_commit = False
        elif kind == "http>":
            self.request = detail
        elif kind == "http<":
            self.request, self.last_request = None, detail

    @property
    def place(self) -> str:
        if self.operation is None:
            return "between operations"
        if self.operation != "sync":
            return self.operation
        if self.request == "/v1/snapshot":
            return "snapshot download"
        if self.request is None and self.last_request == "/v1/snapshot":
            return "snapshot adoption"
        if "/v1/push" in (self.request, self.last_request):
            return "upload"
        if "/v1/changes" in (self.request, self.last_request):
            return "download"
        return "sync, before its first request"


def where_killed(trace_lines: list[str]) -> Landing:
    landing = Landing()
    for line in trace_lines:
        parts = line.split(" ", 2)
        landing.follow(parts[1], parts[2] if len(parts) > 2 else "")
    return landing


@dataclass
class Subject:
    """A laptop data folder the driver runs on, and what it must hold."""

    label: str
    folder: Path
    ledger: Ledger = field(default_factory=Ledger)
    runs: int = 0
    first_sync_seconds: list[float] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.folder / DATABASE_FILE

    @property
    def journal(self) -> Path:
        return self.folder.parent / f"{self.label}.journal"

    @property
    def trace(self) -> Path:
        return self.folder.parent / f"{self.label}.trace"

    @property
    def log(self) -> Path:
        return self.folder.parent / f"{self.label}.log"


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def kill_run(subject: Subject, delay: float, seed: int) -> tuple[Landing, list[dict[str, Any]]]:
    """Start the driver on ``subject``, SIGKILL it ``delay`` s after it is ready; where
    it landed, and the journal lines it wrote."""
    subject.runs += 1
    trace_at, journal_at = _size(subject.trace), _size(subject.journal)
    command = [sys.executable, "-m", "tests.crash_driver", str(subject.folder)]
    command += ["--journal", str(subject.journal), "--trace", str(subject.trace)]
    command += ["--label", subject.label, "--run", str(subject.runs), "--seed", str(seed)]
    with subject.log.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT, env=_child_env()
        )
    try:
        _wait_for_line(process, crash_driver.READY, f"the driver ({subject.log})")
        time.sleep(delay)  # the random moment of the kill: what is being tested
        process.send_signal(signal.SIGKILL)
        returncode = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
        assert process.stdout is not None
        process.stdout.close()
    if returncode != -signal.SIGKILL:
        raise CrashCheckError(f"the driver ended by itself ({returncode}): see {subject.log}")
    trace = crash_driver.read_lines(subject.trace, trace_at)
    _note_first_sync(subject, trace)
    return where_killed(trace), crash_driver.read_journal(subject.journal, journal_at)


def _note_first_sync(subject: Subject, trace: list[str]) -> None:
    """How long a first sync took (the first operation of a laptop's first run)."""
    if subject.runs != 1:
        return
    for line in trace:
        seconds, kind, *detail = line.split(" ", 2)
        if kind == "done" and detail == ["0 sync"]:
            subject.first_sync_seconds.append(float(seconds))


# --- the checks -------------------------------------------------------------------------------


@dataclass
class Checks:
    passed: int = 0
    context: str = ""

    def expect(self, problems: list[str], what: str) -> None:
        if problems:
            shown = "\n  ".join(problems[:10])
            more = f"\n  … and {len(problems) - 10} more" if len(problems) > 10 else ""
            raise CrashCheckError(f"{self.context}: {what}:\n  {shown}{more}")
        self.passed += 1


def _resolve_in_flight(subject: Subject, landing: Landing, laptop: LaptopFile) -> list[str]:
    """An operation cut short by the kill: committed whole or not at all.  What it
    committed joins the ledger (it must stay from now on)."""
    if landing.in_flight is None or landing.operation is None:
        return []
    _number, kind, intent = landing.in_flight
    ledger = subject.ledger
    if kind == "visit":
        return _resolve_visit(ledger, intent, laptop)
    if kind == "household":
        found = [
            household_id
            for household_id, row in laptop.households.items()
            if row[1] == intent["head_name"] and household_id not in ledger.households
        ]
        if len(found) > 1:
            return [f"the household cut short was saved {len(found)} times"]
        if found:
            ledger.add_household(found[0], intent)
        return []
    if kind == "edit":
        row = laptop.households.get(intent["id"])
        facts = ledger.households[intent["id"]]
        if row is not None and (row[2], row[3]) == (intent["address_detail"], intent["notes"]):
            ledger.edit(intent)
        elif row is not None and (row[2], row[3]) != (facts.address_detail, facts.notes):
            return [f"household {intent['id']} holds {row[2:4]}, neither before nor after"]
    return []


def _resolve_visit(ledger: Ledger, intent: dict[str, Any], laptop: LaptopFile) -> list[str]:
    new = {
        session_id: row
        for session_id, row in laptop.sessions.items()
        if row[8] == laptop.device_id and session_id not in ledger.sessions
    }
    if not new:
        return []  # not committed
    visits = {row[0] for row in new.values()}
    wanted = sorted((code, outcome, due) for code, outcome, due in intent["services"])
    found = sorted((row[4], row[5], row[6]) for row in new.values())
    row = next(iter(new.values()))
    same = (row[1], row[2], row[3]) == (
        intent["household_id"],
        intent["member_id"],
        intent["volunteer_id"],
    )
    if len(visits) != 1 or found != wanted or not same:
        return [f"the visit cut short left {len(new)} sessions that are not it: {found}"]
    # Session ids in the order of the intent's services, as log_visit made them.
    by_service = {row[4]: session_id for session_id, row in new.items()}
    ids = [by_service[code] for code, _outcome, _due in intent["services"]]
    ledger.add_visit(intent, ids, row[0])
    return []


def _missing_writes(subject: Subject, laptop: LaptopFile) -> list[str]:
    problems = []
    for session_id, facts in subject.ledger.sessions.items():
        row = laptop.sessions.get(session_id)
        wanted = (
            facts.visit_id,
            facts.household_id,
            facts.member_id,
            facts.volunteer_id,
            facts.service_code,
            facts.outcome,
            facts.follow_up_date,
            0,
        )
        if row is None:
            problems.append(f"session {session_id} is lost")
        elif row[:8] != wanted:
            problems.append(f"session {session_id} holds {row[:8]}, not {wanted}")
    for household_id, expected in subject.ledger.households.items():
        row = laptop.households.get(household_id)
        wanted_row = (expected.village_id, expected.head_name, expected.address_detail)
        if row is None:
            problems.append(f"household {household_id} is lost")
        elif row[:3] != wanted_row or row[3] != expected.notes or row[4]:
            problems.append(f"household {household_id} holds {row}, not {expected}")
    return problems


def _phantoms(subject: Subject, laptop: LaptopFile) -> list[str]:
    """Rows of this laptop's own making that no operation made."""
    prefix = crash_driver.household_prefix(subject.label)
    problems = [
        f"session {session_id} was never logged"
        for session_id, row in laptop.sessions.items()
        if row[8] == laptop.device_id and session_id not in subject.ledger.sessions
    ]
    problems += [
        f"household {household_id} ({row[1]}) was never added"
        for household_id, row in laptop.households.items()
        if row[1].startswith(prefix) and household_id not in subject.ledger.households
    ]
    return problems


def _not_uploaded(subject: Subject, laptop: LaptopFile, feed: ServerFeed) -> list[str]:
    """What a successful sync acknowledged is on the server, and its sessions are synced."""
    problems = [
        f"session {session_id} was acknowledged by a sync but is not on the server"
        for session_id in subject.ledger.uploaded_sessions
        if ("help_session", session_id) not in feed.records
    ]
    problems += [
        f"household {household_id} was acknowledged by a sync but is not on the server"
        for household_id in subject.ledger.uploaded_households
        if ("household", household_id) not in feed.records
    ]
    for session_id in subject.ledger.uploaded_sessions:
        row = laptop.rows.get(("help_session", session_id))
        if row is None or row.sync_state != "synced" or row.server_version is None:
            problems.append(f"session {session_id} was uploaded but is held as {row}")
    return problems


def check_after_kill(
    subject: Subject, landing: Landing, journal: list[dict[str, Any]], db: ServerDB, checks: Checks
) -> None:
    for record in journal:
        subject.ledger.acknowledge(record)
    laptop = read_laptop(subject.database)
    feed = read_server(db)
    checks.expect([] if laptop.integrity == "ok" else [laptop.integrity], "integrity_check")
    checks.expect(_resolve_in_flight(subject, landing, laptop), "the operation cut short")
    checks.expect(_missing_writes(subject, laptop), "acknowledged writes present")
    checks.expect(_phantoms(subject, laptop), "no write nobody made")
    checks.expect(outbox_problems(laptop), "outbox consistent")
    checks.expect(cursor_problems(laptop, feed), "sync cursor within the feed")
    checks.expect(_not_uploaded(subject, laptop, feed), "synced writes on the server")
    checks.expect([] if laptop.summaries_exact else ["differ"], "tally summaries exact")


# --- the commune: the server, a leader at work, the laptops under test ------------------------


def _connect(url: str, token: str | None) -> ServerConnection:
    return ServerConnection(url, token, retry=PATIENT)


@dataclass
class Leader:
    """The leader's laptop, in this process: set the commune up and keeps working."""

    store: Store
    ledger: Ledger = field(default_factory=Ledger)
    own: list[str] = field(default_factory=list)

    def sync(self) -> client.SyncReport:
        return client.sync_once(self.store, connect=_connect)

    def work(self, rng: random.Random, number: int) -> None:
        """A few visits, sometimes a new household or an edit of one of its own, then a
        sync: the feed always has other laptops' rows for the driver to download."""
        for _ in range(rng.randint(1, 3)):
            self.log_visit(rng)
        if rng.random() < 0.3:
            self.add_household(rng, f"Hộ của tổ trưởng {number}")
        elif rng.random() < 0.3:
            self.edit_household(rng, number)
        self.sync()

    def log_visit(self, rng: random.Random) -> None:
        volunteers = sorted(member.id for member in team.list_team_members(self.store))
        services = [service.code for service in team.list_services(self.store)]
        with self.store.reading() as session:
            live = sorted(session.scalars(select(Household.id).where(Household.deleted.is_(False))))
        record: dict[str, Any] = {
            "household_id": rng.choice(live),
            "member_id": None,
            "volunteer_id": rng.choice(volunteers),
            "services": [[code, "done", None] for code in rng.sample(services, 2)],
        }
        visit = VisitInput(
            record["household_id"],
            record["volunteer_id"],
            [ServiceOutcome(code) for code, _outcome, _due in record["services"]],
        )
        logged = sessions.log_visit(self.store, visit)
        self.ledger.add_visit(record, list(logged.session_ids), logged.visit_id)

    def edit_household(self, rng: random.Random, number: int) -> None:
        household_id = rng.choice(self.own)
        facts = self.ledger.households[household_id]
        edit = {"id": household_id, "address_detail": f"Đội {number}", "notes": f"Sửa {number}"}
        data = HouseholdInput(
            facts.village_id, facts.head_name, edit["address_detail"], notes=edit["notes"]
        )
        households.update_household(self.store, household_id, data)
        self.ledger.edit(edit)

    def add_household(self, rng: random.Random, head_name: str) -> None:
        village_id = rng.choice([village.id for village in team.list_villages(self.store)])
        members = [MemberInput(f"{head_name} (con)", 2001)]
        saved = households.create_household(
            self.store, HouseholdInput(village_id, head_name, "Xóm 1"), members
        )
        self.own.append(saved.id)
        self.ledger.add_household(
            saved.id, {"village_id": village_id, "head_name": head_name, "address_detail": "Xóm 1"}
        )


def set_up_commune(db: ServerDB, url: str, folder: Path, rng: random.Random) -> Leader:
    store = open_store(folder / "leader")
    team.set_commune(store, COMMUNE)
    villages = [team.add_village(store, name).id for name in ("Thôn Khay", "Thôn Hữu Chung")]
    team.add_team_member(store, "Phạm Đăng Xuyết", "leader", villages[0])
    team.add_team_member(store, "Nguyễn Thị Hệ", "member", villages[0])
    team.add_team_member(store, "Trần Văn Bình", "member", villages[1])
    leader = Leader(store)
    for number in range(6):
        leader.add_household(rng, f"Hộ ban đầu {number}")
    client.enrol(store, url, accounts.issue_code(db, COMMUNE, "leader"), "leader", _connect)
    leader.sync()
    return leader


def new_subject(db: ServerDB, url: str, folder: Path, label: str) -> Subject:
    """A new data folder enrolled with a volunteer's code, holding nothing yet: its
    driver's first operation is the first sync (the commune snapshot)."""
    subject = Subject(label, folder / label)
    store = open_store(subject.folder)
    try:
        code = accounts.issue_code(db, COMMUNE, "volunteer")
        client.enrol(store, url, code, f"laptop {label}", _connect)
    finally:
        store.close()
    return subject


# --- the run ------------------------------------------------------------------------------------


OPERATIONS = ("visit", "household", "edit")
SYNC_PLACES = (
    "sync, before its first request",
    "upload",
    "download",
    "snapshot download",
    "snapshot adoption",
)


@dataclass
class Figures:
    """What a run did: where its kills landed, what was acknowledged, checks passed."""

    landings: Counter[tuple[str, bool]] = field(default_factory=Counter)  # place, in a commit
    first_sync_kills: int = 0
    fresh_laptops: int = 0
    checks: int = 0
    acknowledged: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def count(self, places: tuple[str, ...] | None = None, in_commit: bool | None = None) -> int:
        return sum(
            times
            for (place, committing), times in self.landings.items()
            if (places is None or place in places)
            and (in_commit is None or committing == in_commit)
        )

    @property
    def kills(self) -> int:
        return self.count()

    def note(self, landing: Landing) -> None:
        self.landings[(landing.place, landing.in_commit and landing.operation is not None)] += 1


def fresh_laptops(kills: int) -> int:
    """How many fresh laptops have their first sync killed: a few even in a short run."""
    return max(min(3, kills // (2 * FRESH_KILLS)), kills // 30)


def _fresh_starts(kills: int, fresh: int) -> set[int]:
    """The kill numbers at which a fresh laptop starts (it takes FRESH_KILLS in a row),
    spread over the run so that the commune has grown differently for each."""
    spacing = kills / max(fresh, 1)
    return {int(spacing * index + spacing / 2) for index in range(fresh)}


def _first_sync_window(subjects: list[Subject]) -> float:
    """Kills of a fresh laptop fall within the time a first sync has taken so far."""
    measured = [seconds for subject in subjects for seconds in subject.first_sync_seconds]
    return 1.3 * max(measured, default=FIRST_SYNC_GUESS)


@contextmanager
def commune_server(folder: Path) -> Iterator[tuple[ServerDB, CommuneServer]]:
    db = open_server_db(f"sqlite+pysqlite:///{folder / 'server.sqlite3'}")
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    server = CommuneServer(folder)
    try:
        server.start()
        yield db, server
    finally:
        server.stop()
        db.close()


Progress = Callable[[int, Landing], None]


@dataclass
class Run:
    """One run's state: the server, the leader, the laptops, what was seen so far."""

    kills: int
    seed: int
    db: ServerDB
    url: str
    folder: Path
    leader: Leader
    rng: random.Random
    subjects: list[Subject] = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)
    checks: Checks = field(default_factory=Checks)

    def add_subject(self, label: str) -> Subject:
        subject = new_subject(self.db, self.url, self.folder, label)
        self.subjects.append(subject)
        return subject

    def kill(self, number: int, subject: Subject, delay: float) -> Landing:
        self.checks.context = f"kill {number + 1} (seed {self.seed}, laptop {subject.label})"
        landing, journal = kill_run(subject, delay, self.rng.getrandbits(31))
        self.figures.note(landing)
        check_after_kill(subject, landing, journal, self.db, self.checks)
        if self.rng.random() < 0.5:
            self.leader.work(self.rng, number)
        return landing

    def kill_all(self, fresh: int, progress: Progress | None) -> None:
        main = self.add_subject("A")
        starts = _fresh_starts(self.kills, fresh)
        fresh_left = 0
        for number in range(self.kills):
            if number in starts:
                self.add_subject(f"F{len(self.subjects)}")
                self.figures.fresh_laptops += 1
                fresh_left = FRESH_KILLS
            if fresh_left:
                fresh_left -= 1
                subject = self.subjects[-1]
                delay = self.rng.uniform(0, _first_sync_window(self.subjects))
                self.figures.first_sync_kills += 1
            else:
                subject = main
                delay = self.rng.uniform(0, MAIN_WINDOW)
            landing = self.kill(number, subject, delay)
            if progress is not None:
                progress(number + 1, landing)


def run(
    kills: int,
    seed: int,
    folder: Path,
    progress: Progress | None = None,
    fresh: int | None = None,
) -> Figures:
    """Kill the driver ``kills`` times (``fresh`` fresh laptops' first syncs among
    them), checking after each kill and at the end; raises :class:`CrashCheckError`."""
    started = time.perf_counter()
    rng = random.Random(seed)
    with commune_server(folder) as (db, server):
        leader = set_up_commune(db, server.url, folder, rng)
        this = Run(kills, seed, db, server.url, folder, leader, rng)
        try:
            this.kill_all(fresh_laptops(kills) if fresh is None else fresh, progress)
            this.checks.context = f"the end (seed {seed})"
            final_checks(db, leader, this.subjects, this.checks)
        finally:
            leader.store.close()
    figures = this.figures
    figures.checks = this.checks.passed
    for subject in this.subjects:
        figures.acknowledged.update(subject.ledger.acknowledged)
    figures.seconds = time.perf_counter() - started
    return figures


# --- the end: a clean sync everywhere, then everyone holds what the server holds ---------------


def final_checks(db: ServerDB, leader: Leader, subjects: list[Subject], checks: Checks) -> None:
    stores = {subject.label: open_store(subject.folder) for subject in subjects}
    try:
        # Twice round: the first sends everything, the second brings each laptop what
        # the others sent after it.
        for _round in range(2):
            checks.expect(
                [problem for store in (*stores.values(), leader.store) for problem in _sync(store)],
                "a clean sync",
            )
        server_rows = server_snapshot(db)
        feed = read_server(db)
        for label, store in (*stores.items(), ("leader", leader.store)):
            checks.expect(_diff(laptop_snapshot(store), server_rows), f"{label} equals the server")
        for subject in subjects:
            laptop = read_laptop(subject.database)
            checks.expect(
                _clean_laptop(subject, laptop, feed), f"{subject.label} after a clean sync"
            )
        checks.expect(
            _on_server_once(db, [leader.ledger, *(s.ledger for s in subjects)]),
            "every session on the server exactly once",
        )
    finally:
        for store in stores.values():
            store.close()


def _sync(store: Store) -> list[str]:
    """A sync round's failure, as a problem: ``sync_once`` raises unless every change it
    sent was acknowledged and its download reached the feed's end (the CLI's exit 0)."""
    try:
        client.sync_once(store, connect=_connect)
    except SyncError as exc:
        return [f"{store.data_dir.name}: {exc.message_en}"]
    return []


def _diff(laptop: dict[Any, Any], server: dict[Any, Any]) -> list[str]:
    problems = [f"{key} only on the laptop" for key in laptop.keys() - server.keys()]
    problems += [f"{key} only on the server" for key in server.keys() - laptop.keys()]
    problems += [
        f"{key}: laptop {laptop[key]} != server {server[key]}"
        for key in laptop.keys() & server.keys()
        if laptop[key] != server[key]
    ]
    return problems


def _clean_laptop(subject: Subject, laptop: LaptopFile, feed: ServerFeed) -> list[str]:
    problems = [] if laptop.integrity == "ok" else [laptop.integrity]
    problems += _missing_writes(subject, laptop) + _phantoms(subject, laptop)
    problems += outbox_problems(laptop) + cursor_problems(laptop, feed)
    if laptop.outbox:
        problems.append(f"{len(laptop.outbox)} changes still waiting after a clean sync")
    if laptop.cursor != max(feed.records.values()):
        problems.append(f"cursor {laptop.cursor} short of the feed's end")
    if not laptop.summaries_exact:
        problems.append("tally summaries differ from a recount")
    with closing(sqlite3.connect(f"file:{subject.database}?mode=ro", uri=True)) as raw:
        dangling = raw.execute("PRAGMA foreign_key_check").fetchall()
    problems += [f"dangling reference {row}" for row in dangling]
    stray = sorted(path.name for path in subject.folder.glob(f"{SNAPSHOT_SCRATCH}*"))
    problems += [f"a downloaded snapshot was left behind: {name}" for name in stray]
    return problems


def _on_server_once(db: ServerDB, ledgers: list[Ledger]) -> list[str]:
    """Every session a laptop holds for its own is on the server, uploaded once (one
    accepted insert in the audit log), and the server has no other session."""
    logged = {session_id for ledger in ledgers for session_id in ledger.sessions}
    with db.reading() as session:
        on_server = set(
            session.scalars(
                select(Record.row_id).where(
                    Record.entity == "help_session", Record.commune_code == COMMUNE
                )
            )
        )
        counted = session.execute(
            select(AuditEntry.row_id, func.count())
            .where(AuditEntry.entity == "help_session", AuditEntry.op == Op.INSERT)
            .group_by(AuditEntry.row_id)
        )
        inserts: dict[str, int] = {row_id: times for row_id, times in counted}
    problems = [f"session {s} is not on the server" for s in sorted(logged - on_server)]
    problems += [f"session {s} is on the server, never logged" for s in sorted(on_server - logged)]
    problems += [
        f"session {s} was accepted {inserts.get(s, 0)} times" for s in logged if inserts.get(s) != 1
    ]
    return problems
