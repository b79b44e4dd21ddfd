"""A commune server put back from an old copy of its database (issue 13, case 5), its
backup and restore commands, and a stop by SIGTERM (case 11): real server processes on
loopback, SQLite and PostgreSQL, real laptops."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from tests.crash_harness import CommuneServer
from tests.sync_support import (
    COMMUNE,
    FAST_RETRY,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
)
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.tables import Record
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, Household, OutboxEntry
from villagehelper.sync import client
from villagehelper.sync import status as sync_status
from villagehelper.sync.http import ServerConnection

STATE_ENV = "VILLAGEHELPER_SERVER_STATE"  # where the server keeps PostgreSQL markers


def _connect(url: str, token: str | None) -> ServerConnection:
    return ServerConnection(url, token, retry=FAST_RETRY, sleep=lambda _seconds: None)


@dataclass
class Field:
    """A server process, its database as an administrator sees it, and the laptops."""

    server: CommuneServer
    url: str
    tmp: Path
    laptops: dict[str, Store] = field(default_factory=dict)
    logged: list[str] = field(default_factory=list)
    village_id: str = ""
    leader_id: str = ""
    household_ids: list[str] = field(default_factory=list)

    def admin(self) -> ServerDB:
        return open_server_db(self.url)

    def enrol(self, name: str, role: str = "volunteer") -> Store:
        store = self.laptops.get(name) or open_laptop(self.tmp, name)
        db = self.admin()
        try:
            code = accounts.issue_code(db, COMMUNE, role)
        finally:
            db.close()
        client.enrol(store, self.server.url, code, name, connect=_connect)
        self.laptops[name] = store
        return store

    def sync(self, *names: str) -> None:
        for name in names or tuple(self.laptops):
            client.sync_once(self.laptops[name], connect=_connect)

    def visit(self, name: str, household: int = 0) -> str:
        logged = sessions.log_visit(
            self.laptops[name],
            VisitInput(self.household_ids[household], self.leader_id, [ServiceOutcome("VNEID_L1")]),
        )
        self.logged.extend(logged.session_ids)
        return logged.session_ids[0]


@pytest.fixture
def served(server_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Field]:
    # Markers of PostgreSQL databases: in this test's folder, for the server process too.
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "server-state"))
    folder = tmp_path / "server"
    folder.mkdir()
    db = open_server_db(server_db_url)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    db.close()
    server = CommuneServer(folder, database=server_db_url)
    server.start()
    here = Field(server, server_db_url, tmp_path)
    try:
        yield here
    finally:
        server.stop()


def _set_up(here: Field) -> None:
    leader = open_laptop(here.tmp, "leader")
    team.set_commune(leader, COMMUNE)
    village = team.add_village(leader, "Thôn Khay")
    chief = team.add_team_member(leader, "Phạm Đăng Xuyết", "leader", village.id)
    here.laptops["leader"] = leader
    here.village_id, here.leader_id = village.id, chief.id
    for head in ("Lê Văn Tám", "Đỗ Thị Ánh"):
        saved = households.create_household(leader, HouseholdInput(village.id, head))
        here.household_ids.append(saved.id)
    here.enrol("leader", "leader")
    here.sync("leader")
    for name in ("an", "binh"):
        here.enrol(name)
        here.sync(name)


# --- copying the database as an administrator does, while the server is stopped ---------


def _copy_database(url: str, tmp: Path) -> str:
    """A byte copy of the stopped server's database; returns what _put_back needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(str(parsed.database))
        copy = tmp / "copied"
        copy.mkdir()
        for suffix in ("", "-wal"):  # the whole of it, whatever SIGTERM left where
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", copy / f"{source.name}{suffix}")
        return str(copy)
    name = f"{parsed.database}_copy"
    _pg_admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"')
    return name


def _put_back(url: str, copy: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = Path(str(parsed.database))
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        for kept in Path(copy).iterdir():
            shutil.copyfile(kept, target.with_name(kept.name))
        return
    _pg_admin(url, f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
    _pg_admin(url, f'CREATE DATABASE "{parsed.database}" TEMPLATE "{copy}"')
    _pg_admin(url, f'DROP DATABASE "{copy}"')


def _pg_admin(url: str, statement: str) -> None:
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def _server_sessions(url: str) -> list[str]:
    db = open_server_db(url)
    try:
        with db.reading() as session:
            return list(
                session.scalars(select(Record.row_id).where(Record.entity == "help_session"))
            )
    finally:
        db.close()


def _laptop_sessions(store: Store) -> list[str]:
    with store.reading() as session:
        return list(session.scalars(select(HelpSession.id)))


def test_a_server_put_back_from_an_old_copy_loses_nothing_and_doubles_nothing(
    served: Field,
) -> None:
    here = served
    _set_up(here)
    for name in ("leader", "an", "binh"):
        here.visit(name)
    here.sync()
    here.sync()
    # The administrator copies the database while the server is stopped.
    here.server.stop()
    copy = _copy_database(here.url, here.tmp)
    here.server.start()
    # Work after the copy: sessions, an edit, a void, a laptop enrolled only now.
    for name in ("leader", "an", "binh"):
        here.visit(name)
    voided = here.visit("an", household=1)
    sessions.void_session(here.laptops["an"], voided, here.leader_id, "nhập nhầm")
    households.update_household(
        here.laptops["leader"],
        here.household_ids[0],
        HouseholdInput(here.village_id, "Lê Văn Tám", phone="0912345678"),
    )
    here.sync("leader", "an")  # binh stays behind: its second session waits
    here.enrol("chau")  # (its first download: the commune's snapshot, made now)
    here.sync("chau")
    here.visit("chau")
    here.sync("leader", "an", "chau")
    here.sync("leader", "an", "chau")
    for _ in range(15):  # enough that its upload takes the restored feed past the others
        here.visit("binh", household=1)
    # The old copy is put back.
    here.server.stop()
    _put_back(here.url, copy)
    here.server.start()
    # The laptop that was behind syncs first; then everyone, as on any day.
    here.sync("binh")
    here.sync()
    here.sync()
    # A new laptop now starts from the commune's snapshot, made on the server.
    here.enrol("dung")
    here.sync("dung")

    on_server = _server_sessions(here.url)
    assert sorted(on_server) == sorted(here.logged)  # nothing lost, nothing doubled
    db = here.admin()
    try:
        expected = server_snapshot(db)
    finally:
        db.close()
    for name, store in here.laptops.items():
        assert sorted(_laptop_sessions(store)) == sorted(here.logged), name
        assert laptop_snapshot(store) == expected, name
        with store.reading() as session:
            assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0, name
            household = session.get(Household, here.household_ids[0])
            assert household is not None and household.phone == "0912345678", name
            session_row = session.get(HelpSession, voided)
            assert session_row is not None and session_row.voided, name
        assert sync_status.status(store).last_error == "", name  # "chau" was not told to re-enrol


def test_backup_then_restore_commands_start_a_new_epoch_the_laptops_heal_from(
    served: Field,
) -> None:
    here = served
    _set_up(here)
    here.visit("an")
    here.sync()
    backup = here.tmp / "ngày 1 #sao lưu.backup"
    done = _server_cli(here, "backup", str(backup))
    assert done.returncode == 0, done.stderr
    assert backup.is_file()
    here.visit("an")
    here.visit("binh")
    here.sync()
    here.server.stop()
    done = _server_cli(here, "restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert "kỷ nguyên mới" in done.stdout
    here.server.start()
    here.sync()
    here.sync()
    assert sorted(_server_sessions(here.url)) == sorted(here.logged)
    for name, store in here.laptops.items():
        assert sorted(_laptop_sessions(store)) == sorted(here.logged), name


def test_a_backup_file_put_back_by_hand_on_a_new_pc_is_still_recognised(
    tmp_path: Path,
) -> None:
    # No marker on the new PC: the copy itself says it is a backup.
    url = f"sqlite+pysqlite:///{tmp_path / 'old-pc' / 'server.sqlite3'}"
    db = open_server_db(url)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    first = db.epochs.epoch_id
    from villagehelper.server.maintenance import backup

    backup(db, tmp_path / "server.backup")
    db.close()
    new_pc = tmp_path / "new-pc"
    new_pc.mkdir()
    shutil.copyfile(tmp_path / "server.backup", new_pc / "server.sqlite3")
    restored = open_server_db(f"sqlite+pysqlite:///{new_pc / 'server.sqlite3'}")
    try:
        assert restored.epochs.epoch_id != first
    finally:
        restored.close()


def _server_cli(here: Field, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "villagehelper.server.cli", "--db", here.url, *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def test_the_database_file_alone_holds_everything_after_sigterm(tmp_path: Path) -> None:
    # Case 11: stopped with SIGTERM (a service manager, kill), then only the database file
    # is copied, as an administrator does.
    folder = tmp_path / "server"
    folder.mkdir()
    url = f"sqlite+pysqlite:///{folder / 'server.sqlite3'}"
    db = open_server_db(url)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    db.close()
    server = CommuneServer(folder, database=url)
    server.start()
    here = Field(server, url, tmp_path)
    try:
        _set_up(here)
        for _ in range(5):
            here.visit("an")
        here.sync("an")
    finally:
        server.stop()
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(folder / "server.sqlite3", copy)
    with sqlite3.connect(copy) as connection:
        held = {
            row_id
            for (row_id,) in connection.execute(
                "SELECT row_id FROM records WHERE entity = 'help_session'"
            )
        }
    assert held == set(here.logged)
