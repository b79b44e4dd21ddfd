"""The field, all at once: a commune server and laptops whose clocks are off by minutes or
by years, the server put back from any of its backups, laptops restored from theirs, a
volunteer's data folder copied to a second laptop, and the leader's laptop trying its
retention purge whenever it likes.  However the script goes, once everyone has synced:

- every help session logged exists once on the server and on every laptop (a session
  dated by a wrong clock is held back from the tallies, never dropped);
- every laptop holds exactly what the server holds;
- no household is erased that the retention rule, applied at the true time, would keep.

The server runs in this process on a loopback port (a new one after each restore) with
the true time as its clock; each laptop reads a clock of its own.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import FakeClock
from tests.sync_support import (
    COMMUNE,
    FAST_RETRY,
    LoopbackServer,
    as_machine,
    laptop_snapshot,
    server_snapshot,
)
from villagehelper.backups.copies import backup_now
from villagehelper.ops import households, restore, retention, sessions, team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.ops.trusted_time import MARGIN, UntrustedClockError
from villagehelper.server import accounts, maintenance
from villagehelper.server.database import open_server_db
from villagehelper.server.tables import Record
from villagehelper.store.engine import Store, open_store
from villagehelper.sync import client
from villagehelper.sync.device_history import CopiedFolderError
from villagehelper.sync.http import ServerConnection

TRUE_NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
RETENTION_MONTHS = 24
# Households the leader registered long ago (days before the true time), on the
# leader's true clock: the purge has something to find, and something to keep.
HOUSEHOLD_AGES = (30, 400, 800, 1000)
VOLUNTEERS = ("an", "binh")

_offsets = st.one_of(
    st.timedeltas(min_value=-MARGIN / 2, max_value=MARGIN / 2),  # a clock the server confirms
    st.sampled_from([timedelta(days=5 * 365), timedelta(days=-6 * 365), timedelta(hours=9)]),
    st.timedeltas(min_value=timedelta(days=-5 * 365), max_value=timedelta(days=5 * 365)),
)
_who = st.sampled_from(("leader", *VOLUNTEERS, "copy"))
_ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("visit"), _who, st.integers(0, 9)),
        st.tuples(st.just("sync"), _who, st.just(0)),
        st.tuples(st.just("laptop_backup"), _who, st.just(0)),
        st.tuples(st.just("laptop_restore"), _who, st.integers(0, 9)),
        st.tuples(st.just("copy"), st.sampled_from(VOLUNTEERS), st.just(0)),
        st.tuples(st.just("server_backup"), st.just(""), st.just(0)),
        st.tuples(st.just("server_restore"), st.just(""), st.integers(0, 9)),
        st.tuples(st.just("purge"), st.just("leader"), st.just(0)),
        st.tuples(st.just("clock"), _who, st.integers(0, 2)),
    ),
    min_size=4,
    max_size=16,
)


@dataclass
class Laptop:
    store: Store
    clock: FakeClock
    machine: str
    backups: list[Path] = field(default_factory=list)


@dataclass
class Commune:
    folder: Path
    offsets: list[timedelta]
    server: LoopbackServer | None = None
    laptops: dict[str, Laptop] = field(default_factory=dict)
    server_backups: list[Path] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)
    made: dict[str, datetime] = field(default_factory=dict)  # household: true time made
    fresh: list[str] = field(default_factory=list)  # households visited during the script
    village_id: str = ""
    volunteer_id: str = ""

    # --- the server ------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"sqlite+pysqlite:///{self.folder / 'server.sqlite3'}"

    @property
    def running(self) -> LoopbackServer:
        assert self.server is not None
        return self.server

    def start(self) -> None:
        self.server = LoopbackServer(open_server_db(self.url, clock=FakeClock(TRUE_NOW)))

    def stop(self) -> None:
        self.running.stop()
        self.running.db.close()
        self.server = None

    def connect(self, _url: str, token: str | None) -> ServerConnection:
        # Laptops keep the address they enrolled with; the server listens on a new port
        # after each restore.
        return ServerConnection(
            self.running.url, token, retry=FAST_RETRY, sleep=lambda _seconds: None
        )

    # --- laptops ---------------------------------------------------------------------
    def open(self, name: str, machine: str, offset: timedelta) -> Laptop:
        clock = FakeClock(TRUE_NOW + offset)
        laptop = Laptop(open_store(self.folder / name, clock=clock), clock, machine)
        self.laptops[name] = laptop
        return laptop

    @contextmanager
    def on(self, name: str) -> Iterator[Laptop]:
        laptop = self.laptops[name]
        with as_machine(laptop.machine, self.folder / f"config-{laptop.machine}"):
            yield laptop

    def enrol(self, name: str, role: str) -> None:
        with self.on(name) as laptop:
            code = accounts.issue_code(self.running.db, COMMUNE, role)
            client.join_commune(laptop.store, self.running.url, code, name, connect=self.connect)

    def sync(self, name: str) -> None:
        try:
            with self.on(name) as laptop:
                client.sync_once(laptop.store, connect=self.connect)
        except CopiedFolderError:  # the copy enrols as a new laptop, as it is told to
            self.enrol(name, "volunteer")

    def reopen(self, name: str) -> None:
        laptop = self.laptops[name]
        laptop.store = open_store(laptop.store.data_dir, clock=laptop.clock)


@contextmanager
def commune_in(folder: Path, offsets: list[timedelta]) -> Iterator[Commune]:
    db = open_server_db(f"sqlite+pysqlite:///{folder / 'server.sqlite3'}")
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    db.close()
    here = Commune(folder, offsets)
    here.start()
    try:
        leader = here.open("leader", "leader-laptop", timedelta(0))
        team.set_commune(leader.store, COMMUNE)
        village = team.add_village(leader.store, "Thôn Khay")
        here.village_id = village.id
        here.volunteer_id = team.add_team_member(
            leader.store, "Phạm Đăng Xuyết", "leader", village.id
        ).id
        for age in HOUSEHOLD_AGES:
            leader.clock.now = TRUE_NOW - timedelta(days=age)
            made = households.create_household(
                leader.store, HouseholdInput(village.id, f"Hộ {age} ngày")
            )
            here.made[made.id] = leader.clock.now
        leader.clock.now = TRUE_NOW
        fresh = households.create_household(leader.store, HouseholdInput(village.id, "Lê Văn Tám"))
        here.made[fresh.id] = TRUE_NOW
        here.fresh.append(fresh.id)
        here.enrol("leader", "leader")
        here.sync("leader")
        for number, name in enumerate(VOLUNTEERS):
            here.open(name, f"{name}-laptop", offsets[number % len(offsets)])
            here.enrol(name, "volunteer")
        yield here
    finally:
        for laptop in here.laptops.values():
            laptop.store.close()
        if here.server is not None:
            here.stop()


def _act(here: Commune, action: str, name: str, number: int) -> None:
    if name and name not in here.laptops:
        return
    if action == "visit":
        laptop = here.laptops[name]
        visit = VisitInput(here.fresh[0], here.volunteer_id, [ServiceOutcome("VNEID_L1")])
        here.logged.extend(sessions.log_visit(laptop.store, visit).session_ids)
    elif action == "sync":
        here.sync(name)
    elif action == "laptop_backup":
        laptop = here.laptops[name]
        target = here.folder / f"{name}-backup-{len(laptop.backups)}.sqlite3"
        laptop.backups.append(backup_now(laptop.store.data_dir, laptop.store.now(), target).path)
    elif action == "laptop_restore":
        laptop = here.laptops[name]
        if laptop.backups:
            laptop.store.close()
            with here.on(name):
                chosen = laptop.backups[number % len(laptop.backups)]
                restore.restore_laptop(laptop.store.data_dir, chosen, laptop.clock())
            here.reopen(name)
    elif action == "copy" and "copy" not in here.laptops:
        laptop = here.laptops[name]
        laptop.store.close()
        shutil.copytree(laptop.store.data_dir, here.folder / "copy", copy_function=shutil.copy2)
        here.reopen(name)
        here.open("copy", "copy-laptop", here.offsets[-1])
    elif action == "server_backup":
        target = here.folder / f"server-backup-{len(here.server_backups)}.sqlite3"
        here.server_backups.append(maintenance.backup(here.running.db, target))
    elif action == "server_restore" and here.server_backups:
        here.stop()
        chosen = here.server_backups[number % len(here.server_backups)]
        maintenance.restore(here.url, chosen, lambda: TRUE_NOW)
        here.start()
    elif action == "purge":
        leader = here.laptops["leader"]
        plan = retention.plan_purge(leader.store, RETENTION_MONTHS)
        with contextlib.suppress(UntrustedClockError):
            retention.carry_out_purge(leader.store, plan)
    elif action == "clock":
        here.laptops[name].clock.now = TRUE_NOW + here.offsets[number % len(here.offsets)]


def _erased_on_server(here: Commune) -> set[str]:
    snapshot = server_snapshot(here.running.db)
    return {
        row_id
        for (entity, row_id), fields in snapshot.items()
        if entity == "household" and fields.get("erased_at")
    }


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(offsets=st.lists(_offsets, min_size=3, max_size=3), actions=_ACTIONS)
# The issue's own cases, always among the examples: a leader's clock five years ahead
# purging; a server put back after laptops moved on; a copied folder and a restored laptop.
@example(
    offsets=[timedelta(days=5 * 365), timedelta(0), timedelta(days=-6 * 365)],
    actions=[("clock", "leader", 0), ("purge", "leader", 0), ("sync", "leader", 0)],
)
@example(
    offsets=[timedelta(0), timedelta(0), timedelta(0)],
    actions=[
        ("server_backup", "", 0),
        ("visit", "an", 0),
        ("sync", "an", 0),
        ("visit", "binh", 0),
        ("sync", "binh", 0),
        ("server_restore", "", 0),
        ("sync", "binh", 0),
    ],
)
@example(
    offsets=[timedelta(0), timedelta(days=-6 * 365), timedelta(minutes=2)],
    actions=[
        ("visit", "an", 0),
        ("laptop_backup", "an", 0),
        ("visit", "an", 0),
        ("copy", "an", 0),
        ("visit", "copy", 0),
        ("laptop_restore", "an", 0),
        ("visit", "binh", 0),
    ],
)
# Found by this test: a copy enrolling anew once the server had come back at another
# address (here: another port) sent no proof of the device it was, so the changes both
# copies hold were refused to it as "sent before with other content", for good.
@example(
    offsets=[timedelta(days=5 * 365), timedelta(days=5 * 365), timedelta(0)],
    actions=[
        ("sync", "leader", 0),
        ("server_restore", "", 0),
        ("visit", "binh", 0),
        ("copy", "binh", 0),
        ("visit", "binh", 0),
    ],
)
def test_wrong_clocks_restores_and_copies_lose_nothing_double_nothing_erase_nothing_kept(
    offsets: list[timedelta], actions: list[tuple[str, str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder, commune_in(Path(folder), offsets) as here:
        here.server_backups.append(
            maintenance.backup(here.running.db, here.folder / "server-backup-start.sqlite3")
        )
        for action, name, number in actions:
            _act(here, action, name, number)
        for _round in range(2):
            for name in here.laptops:
                here.sync(name)

        db = here.running.db
        with db.reading() as session:
            on_server = list(
                session.scalars(select(Record.row_id).where(Record.entity == "help_session"))
            )
        assert sorted(on_server) == sorted(here.logged)  # each once: nothing lost or doubled
        expected = server_snapshot(db)
        for name, laptop in here.laptops.items():
            assert laptop_snapshot(laptop.store) == expected, name

        true_cutoff = retention.months_before(TRUE_NOW, RETENTION_MONTHS)
        kept_by_rule = {h for h, made in here.made.items() if made >= true_cutoff + MARGIN}
        assert not _erased_on_server(here) & kept_by_rule
