"""Fixtures for sync tests: a real uvicorn server on a loopback port, on SQLite or on a
real PostgreSQL (``VILLAGEHELPER_TEST_PG_URL``, always set by ``.ci/run``), and laptops
(separate data folders) enrolled with it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine, select, text

from tests.conftest import FakeClock
from villagehelper.ops import team
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.embedded import EmbeddedServer
from villagehelper.store.engine import Store, open_store
from villagehelper.sync import client
from villagehelper.sync.device_history import CONFIG_DIR_ENV, MACHINE_ID_ENV
from villagehelper.sync.http import RetryPolicy, ServerConnection

PG_URL_ENV = "VILLAGEHELPER_TEST_PG_URL"
COMMUNE = "10999"  # Xã Gia Lộc, Hải Phòng
OTHER_COMMUNE = "11002"
FAST_RETRY = RetryPolicy(attempts=6, base_delay=0.02, max_delay=0.2)


# The embedded server, under the name the sync tests use.
LoopbackServer = EmbeddedServer


class ServerAt(Protocol):
    """What a laptop is enrolled with: a server (one process or several behind one
    address) and the test's own handle on its database."""

    @property
    def db(self) -> ServerDB: ...

    @property
    def url(self) -> str: ...


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    with server_database(request.param, tmp_path, monkeypatch) as url:
        yield url


@contextmanager
def server_database(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The URL of an empty server database of ``kind`` ("sqlite", "postgresql")."""
    # The server's epoch markers of PostgreSQL databases (server/epochs.py): in the test's
    # folder, for server processes too, not in the user's data folder.
    monkeypatch.setenv("VILLAGEHELPER_SERVER_STATE", str(tmp_path / "server-state"))
    if kind == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
        return
    with fresh_postgres_database(postgres_admin_url()) as url:
        yield url


def postgres_admin_url() -> str:
    """The PostgreSQL server tests make their databases on; without one the test is
    skipped, except on CI, where it fails."""
    admin_url = os.environ.get(PG_URL_ENV)
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_URL_ENV} must be set on CI: .ci/run starts PostgreSQL")
        pytest.skip(f"{PG_URL_ENV} not set (CI always sets it)")
    return admin_url


@contextmanager
def fresh_postgres_database(
    admin_url: str, prefix: str = "vh_test", *, template: str | None = None
) -> Iterator[str]:
    """The URL of a new database on the server ``admin_url`` reaches — empty, or a byte
    copy of the database ``template`` — dropped (with whoever is still connected to it)
    when the block ends."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    copied = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copied}'))
        base, _, _ = admin_url.rpartition("/")
        try:
            yield f"{base}/{name}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def server_db(server_db_url: str) -> Iterator[ServerDB]:
    with communes_database(server_db_url) as db:
        yield db


@contextmanager
def communes_database(url: str) -> Iterator[ServerDB]:
    """The server database at ``url``, schema made, with the tests' two communes."""
    db = open_server_db(url)
    try:
        accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
        accounts.add_commune(db, OTHER_COMMUNE, "Xã Tứ Kỳ")
        yield db
    finally:
        db.close()


@pytest.fixture
def sync_server(server_db: ServerDB) -> Iterator[LoopbackServer]:
    server = LoopbackServer(server_db)
    yield server
    server.stop()


def fast_connection(url: str, token: str | None) -> ServerConnection:
    return ServerConnection(url, token, retry=FAST_RETRY, sleep=lambda _seconds: None)


@dataclass
class Laptop:
    store: Store
    server: ServerAt

    def sync(self) -> client.SyncReport:
        return client.sync_once(self.store, connect=fast_connection)


def open_laptop(tmp_path: Path, name: str) -> Store:
    return open_store(tmp_path / name, clock=FakeClock())


def enrol_laptop(
    server: ServerAt, store: Store, role: str = "volunteer", commune: str = COMMUNE
) -> Laptop:
    code = accounts.issue_code(server.db, commune, role)
    client.enrol(store, server.url, code, "test laptop", connect=fast_connection)
    return Laptop(store, server)


@dataclass
class Commune:
    """A leader's laptop that set the commune up and synced it, and its ids."""

    leader: Laptop
    village_id: str
    leader_id: str
    member_id: str


def set_up_commune(server: ServerAt, tmp_path: Path, commune: str = COMMUNE) -> Commune:
    store = open_laptop(tmp_path, "leader")
    team.set_commune(store, commune)
    village = team.add_village(store, "Thôn Khay")
    leader = team.add_team_member(store, "Phạm Đăng Xuyết", "leader", village.id)
    member = team.add_team_member(store, "Nguyễn Thị Hệ", "member", village.id)
    laptop = enrol_laptop(server, store, "leader", commune)
    laptop.sync()
    return Commune(laptop, village.id, leader.id, member.id)


def on_the_leaders_time(server: ServerAt, commune: Commune) -> FakeClock:
    """The leader laptop's clock, which the server's now follows: the laptops may live
    years in a few seconds and the server still confirms their clock (as a purge needs)."""
    clock = commune.leader.store.clock
    assert isinstance(clock, FakeClock)
    server.db.clock = lambda: clock.now
    return clock


Snapshot = dict[tuple[str, str], dict[str, object]]


def laptop_snapshot(store: Store) -> Snapshot:
    """Every synced row of a laptop as the server would hold it: fields and tombstone."""
    from villagehelper.store.changelog import ENTITIES, primary_key_name, row_payload

    rows: Snapshot = {}
    with store.reading() as session:
        for entity, model in ENTITIES.items():
            key = primary_key_name(model)
            for row in session.scalars(select(model)):
                payload = row_payload(row)
                payload["deleted"] = bool(payload.get("deleted"))
                rows[(entity, str(getattr(row, key)))] = payload
    return rows


def server_snapshot(db: ServerDB, commune: str = COMMUNE) -> Snapshot:
    """The server's rows of one commune (and the shared catalog), in the same shape."""
    import json

    from villagehelper.server.tables import Record

    rows: Snapshot = {}
    with db.reading() as session:
        for record in session.scalars(select(Record).where(Record.commune_code.in_(("", commune)))):
            fields = json.loads(record.fields)
            fields["deleted"] = record.deleted
            rows[(record.entity, record.row_id)] = fields
    return rows


@contextmanager
def as_machine(machine: str, config: Path) -> Iterator[None]:
    """Run as on that laptop: its configuration folder and machine id."""
    before = {name: os.environ.get(name) for name in (CONFIG_DIR_ENV, MACHINE_ID_ENV)}
    os.environ[CONFIG_DIR_ENV], os.environ[MACHINE_ID_ENV] = str(config), machine
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _FromAddress(HTTPAdapter):
    """Connections made from ``address``: another client, as the server sees it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        pool_kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def from_address(address: str) -> requests.Session:
    """A client whose requests come from ``address`` (any of 127.0.0.0/8 on loopback)."""
    http = requests.Session()
    http.mount("http://", _FromAddress(address))
    return http
