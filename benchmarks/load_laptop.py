"""One simulated laptop of the load test (``benchmarks/load.py``).

It speaks the sync protocol (``villagehelper/exchange/wire.py``) itself, over a
``requests.Session`` of its own, instead of driving a real laptop store: 200 SQLite
stores with their outbox, tallies and search index in one process would make the
laptops, not the server, the bottleneck, and the real client's retries would hide every
refused or failed request the load test has to count.  What it sends is what a laptop
sends: changes with ids made on the laptop (UUIDv7), gzipped, with the protocol
headers; what it keeps is what a laptop keeps: an outbox of unacknowledged changes (sent
again, same ids, after a failure), a download cursor, and the version of every row it
has downloaded.
"""

from __future__ import annotations

import gzip
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from villagehelper import __version__
from villagehelper.catalog import FIRST_CATALOG
from villagehelper.clock import utc_now
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.store.models import utc_text
from villagehelper.sync.http import CONNECT_TIMEOUT, READ_TIMEOUT

RowKey = tuple[str, str]  # (entity, row id)
SERVICE_CODES = tuple(code for code, *_rest in FIRST_CATALOG)
HEAD_NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Vũ Văn Đức")
NEW_HOUSEHOLD_CHANCE = 0.1  # per round: a household not on the commune's list yet
EDIT_CHANCE = 0.3  # per round: a correction to one of this laptop's households


@dataclass(frozen=True)
class Identity:
    """An enrolled volunteer's laptop and what its first download gave it."""

    device_id: str
    token: str
    commune_code: str
    village_id: str
    volunteer_id: str
    households: dict[str, int]  # households this laptop added → their server version
    cursor: int
    held: dict[RowKey, int]  # every row of its commune it holds → version


@dataclass
class Outcomes:
    """What one phase of the run (baseline, load, the end) recorded for one laptop."""

    push: list[float] = field(default_factory=list)  # seconds, answered requests only
    pull: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    changes_acknowledged: int = 0

    def add(self, other: Outcomes) -> None:
        self.push += other.push
        self.pull += other.pull
        self.errors.update(other.errors)
        self.changes_acknowledged += other.changes_acknowledged


class SimulatedLaptop:
    def __init__(self, server_url: str, identity: Identity, seed: int) -> None:
        self.identity = identity
        self.url = server_url
        self.rng = random.Random(seed)
        self.http = self._new_http()
        self.outcomes = Outcomes()
        self.outbox: list[dict[str, Any]] = []  # sent or not, not yet acknowledged, in order
        self.sent_sessions: set[str] = set()  # every session id ever put in the outbox
        self.sent_households: set[str] = set(identity.households)
        self.acknowledged_changes: set[str] = set()
        self.acknowledged_sessions: set[str] = set()
        # Household → version of its last acknowledged change (None: insert in the outbox).
        self.households: dict[str, int | None] = dict(identity.households)
        self.notes: dict[str, str] = {}  # household → notes of its last acknowledged edit
        self.cursor = identity.cursor
        self.held = dict(identity.held)
        self._edits = 0

    def _new_http(self) -> requests.Session:
        http = requests.Session()
        http.headers.update(
            {
                wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
                wire.APP_VERSION_HEADER: __version__,
                "Accept-Encoding": "gzip",
                "User-Agent": f"VillageHelper/{__version__} (load test)",
                "Authorization": f"Bearer {self.identity.token}",
            }
        )
        return http

    def close(self) -> None:
        self.http.close()

    # A laptop driven in a generator process of its own (the province run) comes back to
    # the process that checks the counts: what it holds crosses, its connections do not.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["http"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.http = self._new_http()

    # --- what a volunteer does between two syncs ---------------------------------------

    def log_work(self) -> None:
        """A visit of one to four services, sometimes to a new household, sometimes
        with a correction to one of this laptop's households: into the outbox."""
        if self.rng.random() < NEW_HOUSEHOLD_CHANCE:
            household = new_id()
            self._queue(
                "household",
                household,
                "insert",
                {
                    "village_id": self.identity.village_id,
                    "head_name": self.rng.choice(HEAD_NAMES),
                    "address_detail": "",
                    "phone": None,
                    "notes": "",
                    "merged_into": None,
                    "deleted": False,
                },
            )
            self.households[household] = None
            self.sent_households.add(household)
        else:
            household = self.rng.choice(sorted(self.households))
        visit = new_id()
        occurred = utc_text(utc_now())
        for service in self.rng.sample(SERVICE_CODES, self.rng.randint(1, 4)):
            session = new_id()
            self._queue(
                "help_session",
                session,
                "insert",
                self._session(household, visit, service, occurred),
            )
            self.sent_sessions.add(session)
        editable = [h for h, version in self.households.items() if version is not None]
        waiting = {c["row_id"] for c in self.outbox if c["entity"] == "household"}
        editable = [h for h in editable if h not in waiting]
        if editable and self.rng.random() < EDIT_CHANCE:
            target = self.rng.choice(sorted(editable))
            self._edits += 1
            base = self.households[target]
            self._queue("household", target, "update", {"notes": f"Lần sửa {self._edits}"}, base)

    def _session(self, household: str, visit: str, service: str, occurred: str) -> dict[str, Any]:
        return {
            "visit_id": visit,
            "household_id": household,
            "member_id": None,
            "service_code": service,
            "outcome": "done",
            "follow_up_date": None,
            "failure_reason": "",
            "note": "",
            "volunteer_id": self.identity.volunteer_id,
            "occurred_at": occurred,
            "device_id": self.identity.device_id,
            "replaces_id": None,
            "deleted": False,
        }

    def _queue(
        self,
        entity: str,
        row_id: str,
        op: str,
        fields: dict[str, Any],
        base_version: int | None = None,
    ) -> None:
        self.outbox.append(
            {
                "change_id": new_id(),
                "entity": entity,
                "row_id": row_id,
                "op": op,
                "base_version": base_version,
                "fields": fields,
            }
        )

    # --- a sync round: upload, then download ----------------------------------------------

    def sync(self) -> bool:
        """Upload the outbox, then download to the feed's end; False at the first
        request that failed (the next round tries again, as a laptop does)."""
        try:
            return self.push() and self.pull_to_end()
        finally:
            self.end_round()

    def end_round(self) -> None:
        """Close this round's connections, as ``client.sync_once`` does: one left idle
        until the next round meets the server's keep-alive timeout (5 s), and now and
        then the server closes it just as the laptop sends on it (a reset no real
        laptop sees)."""
        self.http.close()

    def push(self) -> bool:
        if not self.outbox:
            return True
        batch = self.outbox[: wire.MAX_PUSH_BATCH]
        body = {
            "team_member_id": self.identity.volunteer_id,
            "cursor": self.cursor,  # as the real client: checked against the feed's end
            "changes": batch,
        }
        packed = gzip.compress(json.dumps(body, ensure_ascii=False).encode(), compresslevel=1)
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        answer = self._request("push", "POST", "/v1/push", data=packed, headers=headers)
        if answer is None:
            return False
        results = answer["results"]
        for change, result in zip(batch, results, strict=True):
            self._acknowledge(change, result)
        del self.outbox[: len(batch)]
        return True

    def _acknowledge(self, change: dict[str, Any], result: dict[str, Any]) -> None:
        if result["change_id"] != change["change_id"] or result["status"] not in (
            "applied",
            "unchanged",
        ):
            # Each laptop edits only its own households: any other verdict is the
            # server's doing, counted as an error of its own.
            self.outcomes.errors[f"push: change {result['status']}"] += 1
        self.acknowledged_changes.add(change["change_id"])
        self.outcomes.changes_acknowledged += 1
        if change["entity"] == "help_session":
            self.acknowledged_sessions.add(change["row_id"])
        else:
            self.households[change["row_id"]] = int(result["version"])
            if change["op"] == "update":
                self.notes[change["row_id"]] = change["fields"]["notes"]

    def pull_to_end(self) -> bool:
        while True:
            params = {"since": self.cursor, "limit": wire.DEFAULT_PAGE}
            page = self._request("pull", "GET", "/v1/changes", params=params)
            if page is None:
                return False
            for row in page["changes"]:
                self.held[(row["entity"], row["id"])] = int(row["version"])
            self.cursor = int(page["cursor"])
            if not page["more"]:
                return True

    def _request(self, operation: str, method: str, path: str, **options: Any) -> Any:
        """The decoded answer, or None after noting the failure by kind."""
        started = time.perf_counter()
        try:
            response = self.http.request(
                method,
                self.url + path,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                **options,
            )
        except requests.Timeout:
            self.outcomes.errors[f"{operation}: timeout"] += 1
            return None
        except requests.ConnectionError as exc:
            self.outcomes.errors[f"{operation}: connection error ({_cause(exc)})"] += 1
            return None
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            self.outcomes.errors[f"{operation}: HTTP {response.status_code}"] += 1
            return None
        getattr(self.outcomes, operation).append(elapsed)
        return response.json()


def _cause(error: requests.ConnectionError) -> str:
    """What broke the connection, in a word ("ConnectionResetError", "RemoteDisconnected"):
    requests wraps it in urllib3's error, which wraps the socket's."""
    cause: BaseException = error
    while True:
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException) and cause.args:
            inner = cause.args[-1]
        if not isinstance(inner, BaseException):
            return type(cause).__name__
        cause = inner
