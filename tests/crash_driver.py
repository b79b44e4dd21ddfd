"""The app at work, to be killed: ``python -m tests.crash_driver DATA_DIR --journal FILE
--trace FILE --seed N``.

It opens a laptop's data folder (enrolled with a commune server) and, in a loop, does
what a volunteer's day does with the real core operations: logs visits (several
services, some follow-ups, some failures), adds a household now and then, edits one of
the households it added, and runs a full sync round.  ``tests/crash_harness.py`` starts
it, waits for its ready line, SIGKILLs it at a random moment and checks what it left.

Two files tell the harness what happened, both appended with one ``write`` per line so
a kill never leaves half a line behind anything else:

- the **journal**: one JSON line per operation, written and fsync'd only *after* the
  operation returned, with the ids it returned.  An operation in the journal was
  acknowledged to the volunteer: it must survive the kill.
- the **trace**: where the driver is, line by line (not fsync'd: a killed process's
  writes are in the kernel already, and only a power cut loses them): each operation's
  start with what it is about to write (so the harness can tell whether an operation cut
  short was committed), each SQL transaction's start and ``COMMIT``, the end of each
  commit, each HTTP request and its end, the sync phases.  The last lines say where the
  kill landed.

Lives beside the tests because it is their instrument: its journal format, its trace
and the checks in ``tests/crash_harness.py`` only make sense together.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from villagehelper.clock import vietnam_today
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.store.engine import Store, open_store
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import Household, Member
from villagehelper.sync import client
from villagehelper.sync.http import RetryPolicy, ServerConnection, SyncError

READY = "crash-driver ready"
# Patient, as the app is: the server's per-device rate limit answers 429 when a laptop
# syncs often, and a retry after a short wait rides it out.
RETRY = RetryPolicy(attempts=10, base_delay=0.05, max_delay=1.0)
# Small batches and pages, so that a round has several of each for a kill to land in.
PUSH_BATCH = 8
PULL_PAGE = 20
# Relative weights of the next operation.
WEIGHTS = {"visit": 70, "household": 8, "edit": 8, "sync": 8}
FAILURE_REASON = "Điện thoại của người dân không nhận được mã OTP"
GIVEN_NAMES = ("Văn Hùng", "Thị Lan", "Văn Đức", "Thị Hoa", "Minh Tuấn", "Thị Thu")
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng")


def household_prefix(label: str) -> str:
    """Every household a driver adds on laptop ``label`` has a head name starting so."""
    return f"Hộ thử {label} "


# --- the two files -------------------------------------------------------------------------


class Appender:
    """A file appended one whole line per ``write`` call."""

    def __init__(self, path: Path, *, durable: bool) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._durable = durable

    def line(self, text: str) -> None:
        os.write(self._fd, (text + "\n").encode())
        if self._durable:
            os.fsync(self._fd)


class Trace:
    """Where the driver is: ``<seconds since ready> <kind> <detail>`` lines."""

    def __init__(self, path: Path) -> None:
        self._out = Appender(path, durable=False)
        self._start = time.monotonic()

    def restart_clock(self) -> None:
        self._start = time.monotonic()

    def mark(self, kind: str, detail: str = "") -> None:
        self._out.line(f"{time.monotonic() - self._start:.6f} {kind} {detail}".rstrip())


def read_lines(path: Path, offset: int = 0) -> list[str]:
    """Whole lines of ``path`` from byte ``offset`` (a line cut by a kill is left out)."""
    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(offset)
        data = handle.read().decode()
    lines = data.split("\n")
    return lines[:-1]  # after the last newline: empty, or a line the kill cut


def read_journal(path: Path, offset: int = 0) -> list[dict[str, Any]]:
    return [json.loads(line) for line in read_lines(path, offset)]


# --- instrumentation -------------------------------------------------------------------------


def watch_transactions(store: Store, trace: Trace) -> None:
    """Trace each transaction's BEGIN and COMMIT as SQLite starts running them, and the
    end of each commit: a kill between the two landed inside a commit."""

    def statement(sql: str) -> None:
        if sql.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            trace.mark("sql", sql.split(maxsplit=1)[0])

    def checked_out(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_trace_callback(statement)

    def committed(_session: Session) -> None:
        trace.mark("committed")

    event.listen(store.engine, "checkout", checked_out)
    event.listen(Session, "after_commit", committed)


@dataclass
class TracedConnection(ServerConnection):
    """The app's own HTTP connection, tracing each request and its end."""

    trace: Trace | None = None

    def _mark(self, kind: str, path: str) -> None:
        if self.trace is not None:
            self.trace.mark(kind, path)

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._mark("http>", path)
        answer = super().get(path, params)
        self._mark("http<", path)
        return answer

    def post_json(self, path: str, body: bytes) -> dict[str, Any]:
        self._mark("http>", path)
        answer = super().post_json(path, body)
        self._mark("http<", path)
        return answer

    def download(self, path: str, *args: Any, **kwargs: Any) -> bool:
        self._mark("http>", path)
        got = super().download(path, *args, **kwargs)
        self._mark("http<", path)
        return got


# --- what the driver knows of its laptop ---------------------------------------------------


@dataclass
class OwnHousehold:
    village_id: str
    head_name: str


@dataclass
class Laptop:
    """The open store and what the next operation picks from."""

    store: Store
    label: str
    trace: Trace
    own: dict[str, OwnHousehold] = field(default_factory=dict)  # acknowledged adds
    households: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)
    volunteers: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)

    def refresh(self) -> None:
        """What the laptop holds now (after a sync or an add)."""
        with self.store.reading() as session:
            self.households = list(
                session.scalars(
                    select(Household.id).where(Household.deleted.is_(False)).order_by(Household.id)
                )
            )
        self.villages = [village.id for village in team.list_villages(self.store)]
        self.volunteers = sorted(member.id for member in team.list_team_members(self.store))
        self.services = [service.code for service in team.list_services(self.store)]

    def members_of(self, household_id: str) -> list[str]:
        with self.store.reading() as session:
            return list(
                session.scalars(
                    select(Member.id)
                    .where(Member.household_id == household_id, Member.deleted.is_(False))
                    .order_by(Member.id)
                )
            )

    def connect(self, url: str, token: str | None) -> ServerConnection:
        return TracedConnection(url, token, retry=RETRY, trace=self.trace)


def own_households(journal: Sequence[dict[str, Any]]) -> dict[str, OwnHousehold]:
    return {
        record["id"]: OwnHousehold(record["village_id"], record["head_name"])
        for record in journal
        if record["op"] == "household"
    }


# --- the operations: each returns its intent (traced first) and then its journal record ---


def visit_intent(laptop: Laptop, rng: random.Random) -> dict[str, Any]:
    household_id = rng.choice(laptop.households)
    members = laptop.members_of(household_id)
    today = vietnam_today(laptop.store.now())
    services: list[list[str | None]] = []
    for code in rng.sample(laptop.services, rng.choice((1, 2, 2, 3))):
        roll = rng.random()
        if roll < 0.25:
            due = today + timedelta(days=rng.randint(1, 14))
            services.append([code, Outcome.FOLLOW_UP.value, due.isoformat()])
        elif roll < 0.35:
            services.append([code, Outcome.FAILED.value, None])
        else:
            services.append([code, Outcome.DONE.value, None])
    return {
        "household_id": household_id,
        "member_id": rng.choice(members) if members and rng.random() < 0.6 else None,
        "volunteer_id": rng.choice(laptop.volunteers),
        "services": services,
    }


def log_visit(laptop: Laptop, intent: dict[str, Any]) -> dict[str, Any]:
    outcomes = [
        ServiceOutcome(
            code,
            outcome,
            follow_up_date=None if due is None else date.fromisoformat(due),
            failure_reason=FAILURE_REASON if outcome == Outcome.FAILED else "",
        )
        for code, outcome, due in intent["services"]
    ]
    visit = VisitInput(
        intent["household_id"], intent["volunteer_id"], outcomes, member_id=intent["member_id"]
    )
    logged = sessions.log_visit(laptop.store, visit)
    return {**intent, "visit_id": logged.visit_id, "session_ids": list(logged.session_ids)}


def household_intent(laptop: Laptop, rng: random.Random, number: str) -> dict[str, Any]:
    members = [
        f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}" for _ in range(rng.randint(0, 3))
    ]
    return {
        "village_id": rng.choice(laptop.villages),
        "head_name": household_prefix(laptop.label) + number,
        "address_detail": f"Xóm {rng.randint(1, 12)}",
        "members": members,
    }


def add_household(laptop: Laptop, intent: dict[str, Any]) -> dict[str, Any]:
    data = HouseholdInput(
        intent["village_id"], intent["head_name"], address_detail=intent["address_detail"]
    )
    members = [MemberInput(name, 1960 + index * 7) for index, name in enumerate(intent["members"])]
    saved = households.create_household(laptop.store, data, members)
    laptop.own[saved.id] = OwnHousehold(intent["village_id"], intent["head_name"])
    laptop.refresh()
    return {**intent, "id": saved.id}


def edit_intent(laptop: Laptop, rng: random.Random, number: str) -> dict[str, Any]:
    household_id = rng.choice(sorted(laptop.own))
    return {
        "id": household_id,
        "address_detail": f"Xóm {rng.randint(1, 12)}, ngõ {rng.randint(1, 40)}",
        "notes": f"Sửa lần {number}",
    }


def edit_household(laptop: Laptop, intent: dict[str, Any]) -> dict[str, Any]:
    own = laptop.own[intent["id"]]
    data = HouseholdInput(
        own.village_id, own.head_name, intent["address_detail"], notes=intent["notes"]
    )
    households.update_household(laptop.store, intent["id"], data)
    return dict(intent)


def sync(laptop: Laptop) -> dict[str, Any]:
    def progress(phase: str, _done: int, _total: int) -> None:
        laptop.trace.mark("progress", phase)

    try:
        report = client.sync_once(
            laptop.store,
            connect=laptop.connect,
            progress=progress,
            batch_size=PUSH_BATCH,
            page_size=PULL_PAGE,
        )
    except SyncError as exc:
        # As in the app: the round failed, nothing is lost, the next one tries again.
        return {"ok": False, "error": exc.message_en}
    finally:
        laptop.refresh()
    return {"ok": True, "pushed": report.pushed, "pulled": report.pulled}


def next_operation(laptop: Laptop, rng: random.Random) -> str:
    if not (laptop.households and laptop.volunteers and laptop.villages):
        return "sync"  # a new laptop holds nothing yet: its first sync brings the commune
    kinds = [kind for kind in WEIGHTS if kind != "edit" or laptop.own]
    return rng.choices(kinds, [WEIGHTS[kind] for kind in kinds])[0]


def run_one(laptop: Laptop, rng: random.Random, run: int, number: int) -> dict[str, Any]:
    """One operation: trace what it will do, do it, return its journal record."""
    kind = next_operation(laptop, rng)
    tag = f"{run}.{number}"
    intent: dict[str, Any] = {}
    if kind == "visit":
        intent = visit_intent(laptop, rng)
    elif kind == "household":
        intent = household_intent(laptop, rng, tag)
    elif kind == "edit":
        intent = edit_intent(laptop, rng, tag)
    laptop.trace.mark("begin", f"{number} {kind} {json.dumps(intent, ensure_ascii=False)}")
    if kind == "visit":
        record = log_visit(laptop, intent)
    elif kind == "household":
        record = add_household(laptop, intent)
    elif kind == "edit":
        record = edit_household(laptop, intent)
    else:
        record = sync(laptop)
    laptop.trace.mark("done", f"{number} {kind}")
    return {"run": run, "n": number, "op": kind, **record}


# --- the program ------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.crash_driver")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--journal", type=Path, required=True)
    parser.add_argument("--trace", type=Path, required=True)
    parser.add_argument("--label", required=True, help="this laptop's name in household names")
    parser.add_argument("--run", type=int, required=True, help="this start's number")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--max-ops", type=int, default=100_000)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    trace = Trace(args.trace)
    trace.mark("start", str(args.run))
    journal = Appender(args.journal, durable=True)
    store = open_store(args.data_dir)
    watch_transactions(store, trace)
    laptop = Laptop(store, args.label, trace, own_households(read_journal(args.journal)))
    laptop.refresh()
    rng = random.Random(args.seed)
    # The harness's kill clock starts here: start-up (imports, opening the store) is
    # the same every time and would take most of the kills otherwise.
    trace.restart_clock()
    trace.mark("ready", str(args.run))
    print(READY, flush=True)
    for number in range(args.max_ops):
        record = run_one(laptop, rng, args.run, number)
        journal.line(json.dumps(record, ensure_ascii=False, sort_keys=True))
        trace.mark("ack", f"{number} {record['op']}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
