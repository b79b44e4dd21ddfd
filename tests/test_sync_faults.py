"""Sync through a faulty line (tests/fault_proxy.py) and a server killed mid-batch.

Each test leaves two laptops with a day of offline work (households, people, sessions,
a void, edits, a merge, and one field edited on both), breaks the volunteer's round,
checks the failure was reported truthfully and the outbox still holds exactly what the
server never acknowledged, then syncs cleanly and checks that every laptop and the
server hold the same records: none lost, none twice.

Each test runs against one server process (the embedded server, on SQLite and on
PostgreSQL) and against two ``serve`` processes on one PostgreSQL database
(tests/process_pair.py): there the proxy sends each request to the other process, so
one round's batches and pages, and a retry and its first attempt, are answered by
different processes.  The pair is shared by the module; each test has its own commune.
"""

from __future__ import annotations

import gzip
import io
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from tests.fault_proxy import Checkpoint, Fault, FaultProxy, json_body, read_message
from tests.process_pair import ProcessPair, Served
from tests.sync_support import (
    COMMUNE,
    FAST_RETRY,
    LoopbackServer,
    communes_database,
    fast_connection,
    laptop_snapshot,
    open_laptop,
    server_database,
    server_snapshot,
)
from villagehelper.ops import duplicates, households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.cli import serve as server_serve
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.feed_clock import VersionClock, commune_end
from villagehelper.server.tables import AuditEntry, Device, ReceivedChange, Record
from villagehelper.store import sync_state
from villagehelper.store.changelog import ENTITIES
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, OutboxEntry
from villagehelper.sync import client
from villagehelper.sync import status as sync_status
from villagehelper.sync.client import ConnectionFactory
from villagehelper.sync.http import RetryPolicy, ServerConnection, SyncError, probe

BATCH = 4  # the volunteer's day goes up in four batches: a fault lands mid-round
PAGE = 8
READ_TIMEOUT = 10.0
HELD_READ_TIMEOUT = 0.5  # how long the laptop waits for a reply the proxy holds back

TWO_PROCESSES = "postgresql_2_processes"
PUSH = ("POST", "/v1/push")
PULL = ("GET", "/v1/changes")

UNREACHABLE_VI = "Không kết nối được máy chủ xã"
SERVER_FAILED_VI = "Máy chủ xã đang gặp lỗi (mã 500)"
ANSWERED_500 = frozenset({Fault.ANSWER_500, Fault.REPLACE_WITH_500})
# Faults after which the server has committed the batch the laptop was not told about.
SERVER_COMMITTED = frozenset(
    {Fault.DROP_REPLY, Fault.CUT_RESPONSE, Fault.REPLACE_WITH_500, Fault.HOLD}
)


def _no_sleep(_seconds: float) -> None:
    pass


class _ImpatientForHeld(requests.Session):
    """A laptop's HTTP session that gives up after ``HELD_READ_TIMEOUT`` only on the
    exchanges the test holds back (a proxy HOLD or one of ``held``), and waits the normal
    time on every other: on a busy machine a plain exchange may well take half a second,
    and a timeout there would be a fault the test did not make."""

    def __init__(self, proxy: FaultProxy, held: Collection[tuple[str, str, int]]) -> None:
        super().__init__()
        self._proxy = proxy
        self._held = held

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        method, path = request.method or "", urlsplit(request.url or "").path
        number = self._proxy.next_number(method, path)
        if (method, path, number) in self._held or self._proxy.will_hold(method, path, number):
            connect, _read = kwargs.get("timeout") or (5.0, READ_TIMEOUT)
            kwargs["timeout"] = (connect, HELD_READ_TIMEOUT)
        return super().send(request, **kwargs)


def _through(
    proxy: FaultProxy, *, attempts: int = 1, held: Collection[tuple[str, str, int]] = ()
) -> ConnectionFactory:
    """Connections that go through the proxy, whatever server address the laptop keeps;
    one attempt by default, so the first fault ends the round."""

    def connect(_url: str, token: str | None) -> ServerConnection:
        return ServerConnection(
            proxy.url,
            token,
            retry=RetryPolicy(attempts=attempts, base_delay=0.0, max_delay=0.0),
            sleep=_no_sleep,
            timeout=(5.0, READ_TIMEOUT),
            _http=_ImpatientForHeld(proxy, held),
        )

    return connect


def _patient(proxy: FaultProxy) -> ConnectionFactory:
    return _through(proxy, attempts=FAST_RETRY.attempts)


def _sync(store: Store, connect: ConnectionFactory) -> client.SyncReport:
    """A round in small batches and pages, so that faults land in the middle of it."""
    return client.sync_once(store, connect=connect, batch_size=BATCH, page_size=PAGE)


def _sync_directly(store: Store) -> None:
    """A setting-up round, straight to the server in the usual batch and page sizes."""
    client.sync_once(store, connect=fast_connection)


# --- a commune with two laptops and a day of offline work -------------------------------


@dataclass
class Work:
    """What one laptop did offline: the ids the server must end up with, once each."""

    households: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    voided: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # loser → survivor


@dataclass
class Commune:
    db: ServerDB
    code: str
    leader: Store
    volunteer: Store
    shared_household: str
    work: list[Work]
    sent: set[str]  # every change id the two laptops ever queued for upload


def _enrol(db: ServerDB, url: str, store: Store, role: str, commune: str) -> None:
    code = accounts.issue_code(db, commune, role)
    client.enrol(store, url, code, f"{role} laptop", connect=fast_connection)


def _outbox(store: Store) -> list[str]:
    with store.reading() as session:
        return list(session.scalars(select(OutboxEntry.change_id).order_by(OutboxEntry.seq)))


def _shared_edit(store: Store, village_id: str, shared_id: str, who: str) -> None:
    # The same household edited on both laptops: the address on one, the phone on the
    # other, the notes on both (one conflict for a leader to resolve).
    edit = (
        HouseholdInput(village_id, "Phạm Văn Chung", phone="0905111222", notes="Cựu chiến binh")
        if who == "leader"
        else HouseholdInput(village_id, "Phạm Văn Chung", "Xóm 5", notes="Hộ nghèo")
    )
    households.update_household(store, shared_id, edit)


def _volunteer_day(store: Store, village_id: str, volunteer_id: str, shared_id: str) -> Work:
    """A full day in the field: about fifteen changes, so four upload batches."""
    work = Work()
    first = households.create_household(
        store,
        HouseholdInput(village_id, "Nguyễn Văn Đức", phone="0987000002"),
        [MemberInput("Nguyễn Thị Lan", 1985), MemberInput("Nguyễn Văn Hùng", 2010)],
    )
    twin = households.create_household(
        store,
        HouseholdInput(village_id, "Nguyễn Văn Đức (nhập trùng)", phone="0987000002"),
        [MemberInput("Trần Thị Hoa", 1990)],
    )
    third = households.create_household(
        store, HouseholdInput(village_id, "Lê Thị Mai", address_detail="Xóm 2")
    )
    work.households += [first.id, twin.id, third.id]
    son = households.get_household(store, first.id).members[-1]
    households.update_member(store, son.id, MemberInput("Nguyễn Văn Hùng", 2011, consent=True))
    households.remove_member(store, son.id)
    for household_id, codes in (
        (first.id, ["VNEID_L1", "DVC_ACCOUNT"]),
        (twin.id, ["VNEID_L1"]),
        (third.id, ["BANK_ACCOUNT"]),
    ):
        visit = VisitInput(household_id, volunteer_id, [ServiceOutcome(c) for c in codes])
        work.sessions += sessions.log_visit(store, visit).session_ids
    sessions.void_session(store, work.sessions[0], volunteer_id, "Nhập nhầm")
    work.voided.append(work.sessions[0])
    households.update_household(
        store, third.id, HouseholdInput(village_id, "Lê Thị Mai", "Xóm 2", notes="Khiếm thị")
    )
    _shared_edit(store, village_id, shared_id, "volunteer")
    duplicates.merge_households(store, first.id, twin.id, volunteer_id)
    work.merged[twin.id] = first.id
    return work


def _leader_day(store: Store, village_id: str, leader_id: str, shared_id: str) -> Work:
    """A shorter day: enough for the volunteer to have pages to download."""
    work = Work()
    saved = households.create_household(
        store,
        HouseholdInput(village_id, "Đỗ Thị Hằng", phone="0912000001"),
        [MemberInput("Đỗ Thị Hằng", 1972)],
    )
    work.households.append(saved.id)
    visit = VisitInput(saved.id, leader_id, [ServiceOutcome("VNEID_L1")])
    work.sessions += sessions.log_visit(store, visit).session_ids
    _shared_edit(store, village_id, shared_id, "leader")
    return work


def _commune(db: ServerDB, url: str, tmp_path: Path, code: str = COMMUNE) -> Commune:
    """Both laptops synced once, then a day offline; the leader has synced since, so the
    volunteer's round has batches to upload, pages to download and a conflict to raise."""
    leader = open_laptop(tmp_path, "leader")
    team.set_commune(leader, code)
    village = team.add_village(leader, "Thôn Khay")
    leader_id = team.add_team_member(leader, "Phạm Đăng Xuyết", "leader", village.id).id
    member_id = team.add_team_member(leader, "Nguyễn Thị Hệ", "member", village.id).id
    shared = households.create_household(leader, HouseholdInput(village.id, "Phạm Văn Chung"))
    sent = set(_outbox(leader))
    _enrol(db, url, leader, "leader", code)
    _sync_directly(leader)
    volunteer = open_laptop(tmp_path, "volunteer")
    _enrol(db, url, volunteer, "volunteer", code)
    _sync_directly(volunteer)

    work = [
        _leader_day(leader, village.id, leader_id, shared.id),
        _volunteer_day(volunteer, village.id, member_id, shared.id),
    ]
    sent |= set(_outbox(leader)) | set(_outbox(volunteer))
    _sync_directly(leader)
    return Commune(db, code, leader, volunteer, shared.id, work, sent)


@pytest.fixture(params=["sqlite", "postgresql", TWO_PROCESSES])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    """One server process on a database of its own, or a new commune on the module's
    two processes."""
    if request.param == TWO_PROCESSES:
        pair: ProcessPair = request.getfixturevalue("process_pair")
        yield pair.new_commune()
        return
    with (
        server_database(request.param, tmp_path, monkeypatch) as url,
        communes_database(url) as db,
    ):
        server = LoopbackServer(db)
        try:
            yield Served(db, server.url, (server.port,), COMMUNE)
        finally:
            server.stop()


@pytest.fixture
def proxy(served: Served) -> Iterator[FaultProxy]:
    proxy = FaultProxy(served.ports)
    yield proxy
    proxy.close()
    if len(served.ports) > 1:
        _assert_answered_by_turns(proxy)


def _assert_answered_by_turns(proxy: FaultProxy) -> None:
    """Consecutive exchanges of the test went to different processes, and every process
    answered some of its pushes and pages (read from each one's own /metrics would count
    other tests' too: the proxy's record of where each exchange went is this test's)."""
    ports = [exchange.upstream for exchange in proxy.exchanges]
    assert all(this != after for this, after in pairwise(ports))
    for route in PUSH, PULL:
        answered = {e.upstream for e in proxy.seen(*route) if e.reply}
        assert answered == set(proxy.upstream_ports), (route, answered)


@pytest.fixture
def commune(served: Served, tmp_path: Path) -> Commune:
    return _commune(served.db, served.url, tmp_path, served.commune)


# --- checks -------------------------------------------------------------------------------


def _received(db: ServerDB, commune: str) -> set[str]:
    """The changes the server accepted from the commune's devices."""
    with db.reading() as session:
        return set(
            session.scalars(
                select(ReceivedChange.change_id)
                .join(Device, Device.id == ReceivedChange.device_id)
                .where(Device.commune_code == commune)
            )
        )


def _feed_counter(db: ServerDB, commune: str) -> int:
    with db.reading() as session:
        return commune_end(session.connection(), commune)


def _cursor(store: Store) -> int:
    with store.reading() as session:
        return sync_state.cursor(session)


def _expected_vi(fault: Fault) -> str:
    return SERVER_FAILED_VI if fault in ANSWERED_500 else UNREACHABLE_VI


def _assert_reported(store: Store, error: Exception, expected_vi: str) -> None:
    """The person sees in Vietnamese what happened, and the status bar says the same."""
    assert isinstance(error, SyncError)
    assert error.message_vi.startswith(expected_vi), error.message_vi
    assert "vẫn an toàn" in error.message_vi  # nothing is lost, and it says so
    status = sync_status.status(store)
    assert status.last_error == error.message_vi
    assert status.pending == len(_outbox(store))


def _settle(commune: Commune, connect: ConnectionFactory) -> None:
    """Clean rounds until everything has travelled both ways."""
    _sync(commune.volunteer, connect)
    _sync(commune.leader, connect)
    report = _sync(commune.volunteer, connect)
    assert (report.pushed, report.pulled) == (0, 0)


def _entity_ids(db: ServerDB, commune: str, entity: str) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(Record.row_id).where(Record.entity == entity, Record.commune_code == commune)
            )
        )


def _assert_converged(commune: Commune) -> None:
    db, code = commune.db, commune.code
    expected = server_snapshot(db, code)
    for store in (commune.leader, commune.volunteer):
        assert _outbox(store) == []
        assert laptop_snapshot(store) == expected
        assert sync_status.status(store).last_error == ""  # the last round's success is told

    # Nothing lost, nothing twice.  (Records and received changes are keyed by their ids,
    # so the server cannot hold two copies: what can go wrong is a change applied twice,
    # which the audit log - one line per application, no key on the change - would show,
    # or a change missing or unexpected.)
    with db.reading() as session:
        audited = session.execute(
            select(AuditEntry.change_id, func.count())
            .where(AuditEntry.commune_code == code)
            .group_by(AuditEntry.change_id)
        ).all()
    assert _received(db, code) == commune.sent
    assert {change_id for change_id, _times in audited} == commune.sent
    assert all(times == 1 for _change_id, times in audited)

    logged = [s for work in commune.work for s in work.sessions]
    voided = {s for work in commune.work for s in work.voided}
    assert sorted(_entity_ids(db, code, "help_session")) == sorted(logged)
    assert len(_entity_ids(db, code, "session_void")) == len(voided)
    merges = sum(len(work.merged) for work in commune.work)
    assert len(_entity_ids(db, code, "household_merge")) == merges
    made = [h for work in commune.work for h in work.households] + [commune.shared_household]
    assert sorted(_entity_ids(db, code, "household")) == sorted(made)
    assert len(_entity_ids(db, code, "sync_conflict")) == 1  # the shared household's notes

    merged = {loser: survivor for work in commune.work for loser, survivor in work.merged.items()}
    for (entity, row_id), row in expected.items():
        if entity == "household" and row_id in merged:
            assert row["deleted"] and row["merged_into"] == merged[row_id]
        if entity in ("member", "help_session"):
            assert row["household_id"] not in merged  # re-pointed to the survivor
    for store in (commune.leader, commune.volunteer):
        with store.reading() as session:
            counted = session.scalar(
                select(func.count()).select_from(HelpSession).where(HelpSession.voided.is_(False))
            )
        assert counted == len(logged) - len(voided)


def _round_interrupted(
    store: Store, connect: ConnectionFactory, point: Checkpoint, action: Callable[[], None]
) -> Exception | None:
    """A round in a worker thread; when the proxy stops at ``point``, the test's thread
    runs ``action`` (kill the server, free it...) and lets the exchange go on.  Returns
    what the round raised."""
    failures: list[Exception] = []

    def round_() -> None:
        try:
            _sync(store, connect)
        except Exception as exc:  # handed to the test's thread
            failures.append(exc)

    worker = threading.Thread(target=round_)
    worker.start()
    try:
        assert point.reached.wait(timeout=30)
        action()
    finally:
        point.release.set()
        worker.join(timeout=60)
    assert not worker.is_alive()
    return failures[0] if failures else None


# --- the faults ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault", [fault for fault in Fault if fault is not Fault.PASS], ids=lambda f: f.value
)
def test_a_round_broken_mid_upload_then_mid_download_loses_and_repeats_nothing(
    fault: Fault, commune: Commune, proxy: FaultProxy
) -> None:
    volunteer = commune.volunteer
    queued = _outbox(volunteer)
    assert len(queued) > 3 * BATCH
    last_success = sync_status.status(volunteer).last_success
    connect = _through(proxy)

    # 1. The second upload batch is broken.
    proxy.inject(fault, *PUSH, 2)
    with pytest.raises(SyncError) as caught:
        _sync(volunteer, connect)

    _assert_reported(volunteer, caught.value, _expected_vi(fault))
    assert sync_status.status(volunteer).last_success == last_success
    assert [e.fault for e in proxy.seen(*PUSH)] == [Fault.PASS, fault]
    # The first batch was acknowledged; the second was not, whatever the server did.
    assert _outbox(volunteer) == queued[BATCH:]
    second_batch = set(queued[BATCH : 2 * BATCH])
    received = _received(commune.db, commune.code)
    if fault in SERVER_COMMITTED:
        assert second_batch <= received
    else:
        assert not second_batch & received
    assert not set(queued[2 * BATCH :]) & received

    # 2. The upload goes through; the second download page is broken.
    proxy.inject(fault, *PULL, 2)
    with pytest.raises(SyncError) as caught:
        _sync(volunteer, connect)

    _assert_reported(volunteer, caught.value, _expected_vi(fault))
    assert _outbox(volunteer) == []
    pages = proxy.seen(*PULL)
    assert [(p.fault, p.delivered) for p in pages] == [(Fault.PASS, True), (fault, False)]
    first_page = json_body(pages[0].reply)
    assert first_page["more"]
    # The page that arrived was applied together with its cursor, and nothing after it.
    assert _cursor(volunteer) == first_page["cursor"] < _feed_counter(commune.db, commune.code)
    with volunteer.reading() as session:
        for item in first_page["changes"]:
            row: Any = session.get(ENTITIES[item["entity"]], item["id"])
            assert row is not None and row.server_version >= item["version"]

    # 3. Clean rounds bring everyone to the same records.
    _settle(commune, _patient(proxy))
    _assert_converged(commune)


def test_retries_ride_out_a_fault_of_every_kind_within_one_round(
    commune: Commune, proxy: FaultProxy
) -> None:
    volunteer = commune.volunteer
    queued = _outbox(volunteer)
    batches = -(-len(queued) // BATCH)
    assert batches == 4
    # Each batch fails at least once and is sent again; the last one twice in a row.
    push_faults = {
        1: Fault.DROP_REPLY,
        3: Fault.CUT_REQUEST,
        5: Fault.CUT_RESPONSE,
        7: Fault.ANSWER_500,
        8: Fault.REPLACE_WITH_500,
    }
    for number, fault in push_faults.items():
        proxy.inject(fault, *PUSH, number)
    proxy.inject(Fault.HOLD, *PULL, 2)
    proxy.inject(Fault.CUT_RESPONSE, *PULL, 4)

    report = _sync(volunteer, _through(proxy, attempts=3))

    assert report.pushed == len(queued)  # each change counted once, though sent twice
    assert report.conflicts == 1
    faults = [e.fault for e in proxy.exchanges if e.fault is not Fault.PASS]
    assert faults == [*push_faults.values(), Fault.HOLD, Fault.CUT_RESPONSE]
    assert len(proxy.seen(*PUSH)) == batches + len(push_faults)
    _settle(commune, _patient(proxy))
    _assert_converged(commune)


def test_a_batch_sent_again_after_a_lost_reply_gets_the_original_results(
    commune: Commune, proxy: FaultProxy, served: Served
) -> None:
    volunteer = commune.volunteer
    # The last batch: the void, an edit, the edit that conflicts with the leader's, and
    # the merge (which moves people and sessions): none of it may happen twice.
    last = -(-len(_outbox(volunteer)) // BATCH)
    proxy.inject(Fault.DROP_REPLY, *PUSH, last)
    with pytest.raises(SyncError):
        _sync(volunteer, _through(proxy))
    lost = proxy.seen(*PUSH)[-1]
    batch = json_body(lost.request)
    assert [c["entity"] for c in batch["changes"]][-1] == "household_merge"
    original = json_body(lost.reply)["results"]
    assert [r["change_id"] for r in original] == _outbox(volunteer)
    assert "conflict" in {r["status"] for r in original}
    version = _feed_counter(commune.db, commune.code)
    rows = server_snapshot(commune.db, commune.code)
    received = _received(commune.db, commune.code)

    with volunteer.reading() as session:
        credentials = sync_state.enrolled(session)
    assert credentials is not None
    again = ServerConnection(served.url, credentials.token)
    try:
        repeated = again.post("/v1/push", batch)["results"]
    finally:
        again.close()

    assert repeated == original
    assert _feed_counter(commune.db, commune.code) == version
    assert server_snapshot(commune.db, commune.code) == rows
    assert _received(commune.db, commune.code) == received

    # The laptop itself sends the same batch again and is told the same.
    _sync(volunteer, _through(proxy))
    resent = proxy.seen(*PUSH)[last]
    assert json_body(resent.request) == batch
    assert json_body(resent.reply)["results"] == original
    _settle(commune, _patient(proxy))
    _assert_converged(commune)


@contextmanager
def _server_busy(db: ServerDB, commune: str) -> Iterator[None]:
    """Hold the lock every push of the commune takes (its feed; on SQLite the write lock):
    its pushes that arrive meanwhile wait for it, as behind a long batch from another
    laptop."""
    with db.transaction() as session:
        VersionClock(session, commune)
        yield


def test_a_retry_that_overtakes_a_slow_first_attempt_is_applied_once(
    commune: Commune, proxy: FaultProxy
) -> None:
    volunteer = commune.volunteer
    queued = _outbox(volunteer)
    retry = proxy.checkpoint(*PUSH, 2)
    connect = _through(proxy, attempts=3, held={(*PUSH, 1)})
    with ExitStack() as busy:
        # The first attempt waits behind the lock until the laptop gives up on it and
        # sends the batch again; then both attempts are in the server's hands at once.
        busy.enter_context(_server_busy(commune.db, commune.code))
        failure = _round_interrupted(volunteer, connect, retry, busy.close)

    assert failure is None
    first, second = proxy.seen(*PUSH)[:2]
    assert first.done.wait(timeout=30)
    assert json_body(first.request) == json_body(second.request)
    # Whichever attempt got the lock first applied the batch; the other was told the same.
    assert json_body(first.reply)["results"] == json_body(second.reply)["results"]
    assert [r["change_id"] for r in json_body(second.reply)["results"]] == queued[:BATCH]
    assert _outbox(volunteer) == []
    _settle(commune, _patient(proxy))
    _assert_converged(commune)


# --- the server killed mid-batch and started again ---------------------------------------


class ServerProcess:
    """villagehelper-server in a process of its own, so that it can be SIGKILLed."""

    def __init__(self, db_url: str, port: int, log: Path) -> None:
        self.db_url = db_url
        self.port = port
        self.log = log
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "villagehelper.server.cli", "--db", self.db_url]
        command += ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8"
            )
        # The server prints its ready line once its port accepts connections: read it
        # (a blocking read, no polling); end of output means it died first.
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if server_serve.READY_LINE in line:
                break
        else:
            raise AssertionError(f"the server stopped before listening:\n{self.log.read_text()}")
        assert probe(self.url, timeout=5.0)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        self._close_output()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self._close_output()

    def _close_output(self) -> None:
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()


def _free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port: int = probe_socket.getsockname()[1]
        return port


@pytest.fixture
def killable(tmp_path: Path) -> Iterator[tuple[ServerDB, ServerProcess, FaultProxy]]:
    """A server process on a SQLite file, the test's own handle on that file, and a
    proxy in front of the server."""
    db_url = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    db = open_server_db(db_url)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    server = ServerProcess(db_url, _free_port(), tmp_path / "server.log")
    proxy = FaultProxy(server.port)
    try:
        server.start()
        yield db, server, proxy
    finally:
        proxy.close()
        server.stop()
        db.close()


@pytest.mark.parametrize("committed", [False, True], ids=["before_commit", "after_commit"])
def test_a_server_killed_mid_upload_and_restarted_loses_and_repeats_nothing(
    committed: bool,
    killable: tuple[ServerDB, ServerProcess, FaultProxy],
    tmp_path: Path,
) -> None:
    db, server, proxy = killable
    commune = _commune(db, server.url, tmp_path)
    volunteer = commune.volunteer
    queued = _outbox(volunteer)
    # Killed as soon as the second batch has reached it, or once it has committed that
    # batch and replied (the reply then dies with the server).
    second_push = proxy.checkpoint(*PUSH, 2, after_reply=committed)
    if committed:
        proxy.inject(Fault.DROP_REPLY, *PUSH, 2)

    failure = _round_interrupted(volunteer, _patient(proxy), second_push, server.kill)

    assert failure is not None
    _assert_reported(volunteer, failure, UNREACHABLE_VI)
    pushes = proxy.seen(*PUSH)
    acknowledged = sum(len(json_body(e.request)["changes"]) for e in pushes if e.delivered)
    assert _outbox(volunteer) == queued[acknowledged:]
    second_batch = set(queued[BATCH : 2 * BATCH])
    on_server = second_batch & _received(db, COMMUNE)
    if committed:
        assert acknowledged == BATCH and on_server == second_batch
    else:
        # Whether the kill beat the commit is up to the two processes; either way the
        # batch is on the server whole or not at all.
        assert acknowledged in (BATCH, 2 * BATCH)
        assert on_server in (set(), second_batch)

    server.start()
    _settle(commune, _patient(proxy))
    _assert_converged(commune)
    if committed:
        # The restarted server recognised the batch and answered as the first time.
        lost = json_body(pushes[1].request)
        again = [e for e in proxy.seen(*PUSH) if e.delivered and json_body(e.request) == lost]
        assert len(again) == 1
        assert json_body(again[0].reply)["results"] == json_body(pushes[1].reply)["results"]


# --- the proxy's own framing ---------------------------------------------------------------


def test_the_proxy_finds_where_each_message_ends() -> None:
    body = gzip.compress(b'{"ok": true}')
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
    chunked += b"%x\r\n%s\r\n" % (5, body[:5]) + b"%x;ext=1\r\n%s\r\n" % (len(body) - 5, body[5:])
    chunked += b"0\r\nX-Trailer: 1\r\n\r\n"
    request = b"GET /v1/changes?since=3 HTTP/1.1\r\nHost: x\r\n\r\n"
    posted = b"POST /v1/push HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"
    stream = io.BytesIO(chunked + request + posted + b"HTTP/1.1 200 OK\r\nContent-Le")

    reply = read_message(stream)
    assert reply is not None and reply.raw == chunked and json_body(reply.raw) == {"ok": True}
    second = read_message(stream)
    assert second is not None and second.raw == request and second.body == b""
    third = read_message(stream)
    assert third is not None and third.raw == posted and json_body(third.raw) == {}
    with pytest.raises(ConnectionError):
        read_message(stream)  # the connection closed inside a head
    assert read_message(io.BytesIO(b"")) is None
