"""Random lives of a laptop against a real server on loopback: it logs, syncs, is backed
up, restored from any of its backups, and its folder is copied to a second laptop (which
must enrol anew).  However they go, once everyone has synced every session logged
exists once, on the server and on every laptop."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import FakeClock
from tests.sync_support import (
    COMMUNE,
    Commune,
    Laptop,
    LoopbackServer,
    as_machine,
    enrol_laptop,
    fast_connection,
    open_laptop,
    set_up_commune,
)
from villagehelper.backups.copies import backup_now
from villagehelper.ops import households, restore, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.database import open_server_db
from villagehelper.server.tables import Record
from villagehelper.store.engine import open_store
from villagehelper.store.models import HelpSession
from villagehelper.sync import client
from villagehelper.sync.device_history import CopiedFolderError

ACTIONS = ("log", "log", "log", "sync", "backup", "backup", "restore", "restore", "copy")


@dataclass
class Place:
    """A laptop: its open store and the machine it runs on."""

    laptop: Laptop
    machine: str
    config: Path
    backups: list[Path] = field(default_factory=list)


def _on(place: Place) -> contextlib.AbstractContextManager[None]:
    return as_machine(place.machine, place.config)


@dataclass
class World:
    root: Path
    server: LoopbackServer
    commune: Commune
    household: str
    places: list[Place]
    logged: list[str] = field(default_factory=list)

    def act(self, action: str, which: int, pick: int) -> None:
        place = self.places[min(which, len(self.places) - 1)]
        with _on(place):
            getattr(self, f"_{action}")(place, pick)

    def _log(self, place: Place, _pick: int) -> None:
        visit = VisitInput(self.household, self.commune.member_id, [ServiceOutcome("VNEID_L1")])
        self.logged.extend(sessions.log_visit(place.laptop.store, visit).session_ids)

    def _sync(self, place: Place, _pick: int) -> None:
        try:
            place.laptop.sync()
        except CopiedFolderError:
            code = accounts.issue_code(self.server.db, COMMUNE, "volunteer")
            store = place.laptop.store
            client.join_commune(store, self.server.url, code, "copy", connect=fast_connection)

    def _backup(self, place: Place, _pick: int) -> None:
        store = place.laptop.store
        target = self.root / f"backup-{len(place.backups)}-{place.machine}.sqlite3"
        place.backups.append(backup_now(store.data_dir, store.now(), target).path)

    def _restore(self, place: Place, pick: int) -> None:
        if not place.backups:
            return
        store = place.laptop.store
        store.close()
        chosen = place.backups[pick % len(place.backups)]
        restore.restore_laptop(store.data_dir, chosen, store.now())
        place.laptop = Laptop(open_store(store.data_dir, clock=store.clock), self.server)

    def _copy(self, place: Place, _pick: int) -> None:
        if len(self.places) > 1:
            return
        store = place.laptop.store
        store.close()
        target = self.root / "copied-data"
        shutil.copytree(store.data_dir, target, symlinks=True, copy_function=shutil.copy2)
        place.laptop = Laptop(open_store(store.data_dir, clock=store.clock), self.server)
        copied = Laptop(open_store(target, clock=FakeClock()), self.server)
        self.places.append(Place(copied, "second-laptop", self.root / "second-config"))

    def settle(self) -> None:
        for _round in range(2):
            for place in self.places:
                with _on(place):
                    self._sync(place, 0)
                    place.laptop.sync()
            self.commune.leader.sync()


def _sessions_on(place: Place) -> list[str]:
    with place.laptop.store.reading() as session:
        return list(session.scalars(select(HelpSession.id)))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    script=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(0, 1), st.integers(0, 9)),
        min_size=1,
        max_size=14,
    )
)
# The two field cases, always among the examples: unsent work behind a restore, and both
# copies of a folder logging before either syncs.
@example(script=[("log", 0, 0), ("backup", 0, 0), ("log", 0, 0), ("restore", 0, 0)])
@example(script=[("log", 0, 0), ("copy", 0, 0), ("log", 0, 0), ("log", 1, 0), ("sync", 1, 0)])
def test_restores_and_copies_converge_with_every_session_once(
    script: list[tuple[str, int, int]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        db = open_server_db(f"sqlite+pysqlite:///{root / 'server.sqlite3'}")
        accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
        server = LoopbackServer(db)
        places: list[Place] = []
        try:
            commune = set_up_commune(server, root)
            with as_machine("first-laptop", root / "first-config"):
                laptop = enrol_laptop(server, open_laptop(root, "volunteer"))
                places.append(Place(laptop, "first-laptop", root / "first-config"))
                laptop.sync()
                head = HouseholdInput(commune.village_id, "Lê Văn Tám")
                household = households.create_household(laptop.store, head).id
            world = World(root, server, commune, household, places)
            for action, which, pick in script:
                world.act(action, which, pick)
            world.settle()

            expected = sorted(world.logged)
            with db.reading() as session:
                on_server = session.scalars(
                    select(Record.row_id).where(Record.entity == "help_session")
                )
                assert sorted(on_server) == expected
            for place in places:
                assert sorted(_sessions_on(place)) == expected
            assert sorted(_sessions_on_leader(commune)) == expected
        finally:
            for place in places:
                place.laptop.store.close()
            server.stop()
            db.close()


def _sessions_on_leader(commune: Commune) -> list[str]:
    with commune.leader.store.reading() as session:
        return list(session.scalars(select(HelpSession.id)))
