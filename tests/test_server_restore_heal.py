"""Healing after a server restore, in detail: laptops against a real server on loopback
(SQLite), its database put back with ``maintenance.restore`` between rounds.  The laptops
keep the address they enrolled with; the connection factory sends them to the server
running now (it listens on a new port after each restore)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.sync_support import (
    COMMUNE,
    FAST_RETRY,
    LoopbackServer,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
)
from villagehelper.clock import utc_now
from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts, maintenance
from villagehelper.server.accounts import AuthError
from villagehelper.server.database import open_server_db
from villagehelper.server.tables import Record
from villagehelper.store import sync_state
from villagehelper.store.engine import Store
from villagehelper.store.models import HelpSession, OutboxEntry, SyncConflict
from villagehelper.sync import client
from villagehelper.sync import epoch as sync_epoch
from villagehelper.sync.http import ServerConnection, ServerRefusedError


@dataclass
class Commune:
    """A server that can be put back from its backups, and laptops."""

    folder: Path
    server: LoopbackServer | None = None
    laptops: dict[str, Store] = field(default_factory=dict)
    backups: list[Path] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)
    voided: set[str] = field(default_factory=set)
    village_id: str = ""
    volunteer_id: str = ""
    household_ids: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"sqlite+pysqlite:///{self.folder / 'server.sqlite3'}"

    @property
    def running(self) -> LoopbackServer:
        assert self.server is not None
        return self.server

    def connect(self, _url: str, token: str | None) -> ServerConnection:
        return ServerConnection(
            self.running.url, token, retry=FAST_RETRY, sleep=lambda _seconds: None
        )

    def start(self) -> None:
        self.server = LoopbackServer(open_server_db(self.url))

    def stop(self) -> None:
        self.running.stop()
        self.running.db.close()
        self.server = None

    def back_up(self) -> None:
        target = self.folder / f"backup-{len(self.backups)}.sqlite3"
        maintenance.backup(self.running.db, target)
        self.backups.append(target)

    def put_back(self, backup: Path) -> None:
        self.stop()
        maintenance.restore(self.url, backup, utc_now)
        self.start()

    def enrol(self, name: str, role: str = "volunteer") -> None:
        store = self.laptops.get(name) or open_laptop(self.folder, name)
        with store.reading() as session:
            known = sync_state.enrolled(session)
        # Enrolled again: with the address it knows (the factory finds the server).
        address = known.server_url if known is not None else self.running.url
        code = accounts.issue_code(self.running.db, COMMUNE, role)
        client.enrol(store, address, code, name, connect=self.connect)
        self.laptops[name] = store

    def sync(self, name: str) -> None:
        client.sync_once(self.laptops[name], connect=self.connect)

    def visit(self, name: str, household: int) -> None:
        logged = sessions.log_visit(
            self.laptops[name],
            VisitInput(
                self.household_ids[household], self.volunteer_id, [ServiceOutcome("VNEID_L1")]
            ),
        )
        self.logged.extend(logged.session_ids)


@contextmanager
def commune_in(folder: Path) -> Iterator[Commune]:
    db = open_server_db(f"sqlite+pysqlite:///{folder / 'server.sqlite3'}")
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    db.close()
    here = Commune(folder)
    here.start()
    try:
        leader = open_laptop(folder, "leader")
        team.set_commune(leader, COMMUNE)
        village = team.add_village(leader, "Thôn Khay")
        here.volunteer_id = team.add_team_member(leader, "Phạm Đăng Xuyết", "leader", village.id).id
        here.village_id = village.id
        for head in ("Lê Văn Tám", "Đỗ Thị Ánh"):
            saved = households.create_household(leader, HouseholdInput(village.id, head))
            here.household_ids.append(saved.id)
        here.laptops["leader"] = leader
        here.enrol("leader", "leader")
        here.sync("leader")
        here.enrol("an")
        here.sync("an")
        yield here
    finally:
        if here.server is not None:
            here.stop()


@pytest.fixture
def commune(tmp_path: Path) -> Iterator[Commune]:
    with commune_in(tmp_path) as here:
        yield here


def test_every_answer_names_the_epoch_and_a_laptop_keeps_the_one_it_synced_in(
    commune: Commune,
) -> None:
    epoch = commune.running.db.epochs.epoch_id
    with requests.get(f"{commune.running.url}/v1/health", timeout=30) as health:
        assert health.headers[wire.EPOCH_HEADER] == epoch
    with requests.get(f"{commune.running.url}/v1/changes", timeout=30) as refused:
        assert refused.status_code == 426  # refused before anything: still named
        assert refused.headers[wire.EPOCH_HEADER] == epoch
    with commune.laptops["an"].reading() as session:
        assert sync_state.get(session, sync_epoch.EPOCH) == epoch
    commune.back_up()
    commune.put_back(commune.backups[0])
    assert commune.running.db.epochs.epoch_id != epoch
    commune.sync("an")
    with commune.laptops["an"].reading() as session:
        assert sync_state.get(session, sync_epoch.EPOCH) == commune.running.db.epochs.epoch_id


def test_a_code_used_after_the_backup_stays_used(commune: Commune) -> None:
    code = accounts.issue_code(commune.running.db, COMMUNE, "volunteer")
    commune.back_up()  # the code is still unused in this copy
    accounts.enrol(commune.running.db, code, "laptop of Bình")
    commune.put_back(commune.backups[0])
    with pytest.raises(AuthError):
        accounts.enrol(commune.running.db, code, "a second laptop")


def test_a_device_revoked_after_the_backup_stays_revoked(commune: Commune) -> None:
    with commune.laptops["an"].reading() as session:
        enrolled = sync_state.enrolled(session)
    assert enrolled is not None
    commune.back_up()  # the laptop is enrolled and allowed in this copy
    accounts.revoke(commune.running.db, enrolled.device_id)
    commune.put_back(commune.backups[0])
    with pytest.raises(AuthError):
        accounts.authenticate(commune.running.db, enrolled.token)


def test_a_file_that_is_no_backup_is_refused_and_the_database_left_as_it_was(
    commune: Commune,
) -> None:
    commune.stop()
    wrong = commune.folder / "ảnh chụp.jpg"
    wrong.write_bytes(b"\xff\xd8\xff\xe0 not a database")
    before = (commune.folder / "server.sqlite3").read_bytes()
    with pytest.raises(UserError) as refused:
        maintenance.restore(commune.url, wrong, utc_now)
    assert "không phải bản sao lưu" in refused.value.message_vi
    assert (commune.folder / "server.sqlite3").read_bytes() == before
    commune.start()


def test_a_backup_never_overwrites_an_earlier_one(commune: Commune) -> None:
    commune.back_up()
    first = commune.backups[0].read_bytes()
    with pytest.raises(UserError):
        maintenance.backup(commune.running.db, commune.backups[0])
    assert commune.backups[0].read_bytes() == first


def test_on_a_new_pc_a_laptop_enrolled_after_the_backup_enrols_again_and_loses_nothing(
    commune: Commune,
) -> None:
    commune.back_up()
    commune.enrol("binh")
    commune.sync("binh")
    commune.visit("binh", 0)
    commune.sync("binh")  # on the server, then lost with it
    commune.visit("binh", 1)  # not yet sent
    # The server PC is lost: a new one gets the backup, and no marker of the old one.
    commune.stop()
    for kept in commune.folder.glob("server.sqlite3*"):
        kept.unlink()
    maintenance.restore(commune.url, commune.backups[0], utc_now)
    commune.start()
    with pytest.raises(ServerRefusedError) as refused:
        commune.sync("binh")
    assert refused.value.status == 401
    assert "đăng ký lại" in refused.value.message_vi  # says what to do
    with commune.laptops["binh"].reading() as session:
        waiting = session.scalar(select(func.count()).select_from(OutboxEntry))
        assert waiting is not None and waiting > 0  # its work is kept
    commune.enrol("binh")
    commune.sync("binh")
    commune.sync("leader")
    commune.sync("an")
    with commune.running.db.reading() as session:
        on_server = list(
            session.scalars(select(Record.row_id).where(Record.entity == "help_session"))
        )
    assert sorted(on_server) == sorted(commune.logged)
    expected = server_snapshot(commune.running.db)
    for name, store in commune.laptops.items():
        assert laptop_snapshot(store) == expected, name


def test_an_edit_lost_with_the_restore_comes_back_as_a_conflict_not_over_a_newer_one(
    commune: Commune,
) -> None:
    household_id = commune.household_ids[0]
    commune.back_up()

    def phone(name: str, number: str) -> None:
        households.update_household(
            commune.laptops[name],
            household_id,
            HouseholdInput(commune.village_id, "Lê Văn Tám", phone=number),
        )

    phone("an", "0911111111")
    commune.sync("an")  # taken by the server, then lost with the restore
    commune.put_back(commune.backups[0])
    phone("leader", "0922222222")  # made after the restore, unaware of the lost edit
    commune.sync("leader")
    commune.sync("an")  # heals: states its household again from the common point
    commune.sync("leader")
    with commune.running.db.reading() as session:
        record = session.get(Record, ("household", household_id))
        assert record is not None and '"0922222222"' in record.fields  # newer edit kept
    with commune.laptops["leader"].reading() as session:
        conflict = session.scalars(
            select(SyncConflict).where(SyncConflict.row_id == household_id)
        ).one()  # and the lost one is shown to the leader, with both values
        assert "0911111111" in conflict.device_value
        assert "0922222222" in conflict.server_value


def test_a_heal_keeps_the_changes_waiting_and_sends_them_after_the_rows_they_edit(
    commune: Commune,
) -> None:
    commune.back_up()
    added = households.create_household(
        commune.laptops["an"], HouseholdInput(commune.village_id, "Vũ Văn Hà")
    )
    commune.sync("an")  # the household reaches the server, then is lost with the restore
    commune.put_back(commune.backups[0])
    # Waiting when the laptop meets the restored server: an edit of the lost household.
    households.update_household(
        commune.laptops["an"],
        added.id,
        HouseholdInput(commune.village_id, "Vũ Văn Hà", phone="0933333333"),
    )
    commune.sync("an")
    with commune.running.db.reading() as session:
        record = session.get(Record, ("household", added.id))
        assert record is not None and '"0933333333"' in record.fields
    with commune.laptops["an"].reading() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


_ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("visit"), st.sampled_from(["leader", "an", "binh"]), st.integers(0, 1)),
        st.tuples(st.just("void"), st.sampled_from(["leader", "an", "binh"]), st.integers(0, 9)),
        st.tuples(st.just("sync"), st.sampled_from(["leader", "an", "binh"]), st.just(0)),
        st.tuples(st.just("edit"), st.sampled_from(["leader", "an", "binh"]), st.integers(0, 3)),
        st.tuples(st.just("backup"), st.just(""), st.just(0)),
        st.tuples(st.just("restore"), st.just(""), st.integers(0, 9)),
        st.tuples(st.just("enrol"), st.just("binh"), st.just(0)),
    ),
    min_size=6,
    max_size=20,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(actions=_ACTIONS)
@example(
    actions=[
        ("visit", "leader", 0),
        ("visit", "leader", 0),
        ("sync", "leader", 0),
        ("enrol", "binh", 0),
        ("edit", "leader", 3),
        ("sync", "leader", 0),
        ("sync", "leader", 0),
        ("edit", "binh", 1),
        ("sync", "binh", 0),
        ("restore", "", 3),
        ("backup", "", 0),
    ]
)
def test_laptops_and_a_server_restored_at_random_converge_with_every_session_once(
    actions: list[tuple[str, str, int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, commune_in(Path(folder)) as here:
        mine: dict[str, list[str]] = {}
        here.back_up()  # a copy to put back is there from the start
        for action, name, number in actions:
            if action == "enrol" and name not in here.laptops:
                here.enrol(name)
                here.sync(name)
            elif name and name not in here.laptops:
                continue
            elif action == "visit":
                before = len(here.logged)
                here.visit(name, number)
                mine.setdefault(name, []).extend(here.logged[before:])
            elif action == "void":
                candidates = [s for s in mine.get(name, []) if s not in here.voided]
                if candidates:
                    chosen = candidates[number % len(candidates)]
                    sessions.void_session(here.laptops[name], chosen, here.volunteer_id)
                    here.voided.add(chosen)
            elif action == "sync":
                here.sync(name)
            elif action == "edit":
                households.update_household(
                    here.laptops[name],
                    here.household_ids[number % 2],
                    HouseholdInput(
                        here.village_id, "Lê Văn Tám", phone=f"09{number}{len(name)}123456"
                    ),
                )
            elif action == "backup":
                here.back_up()
            elif action == "restore" and here.backups:
                here.put_back(here.backups[number % len(here.backups)])
        for _round in range(2):
            for name in here.laptops:
                here.sync(name)
        db = here.running.db
        with db.reading() as session:
            on_server = list(
                session.scalars(select(Record.row_id).where(Record.entity == "help_session"))
            )
        assert sorted(on_server) == sorted(here.logged)
        expected = server_snapshot(db)
        for name, store in here.laptops.items():
            assert laptop_snapshot(store) == expected, name
            with store.reading() as session:
                voided = set(
                    session.scalars(select(HelpSession.id).where(HelpSession.voided.is_(True)))
                )
            assert voided == here.voided, name
