"""Three laptops and one commune server, driven by Hypothesis through random offline
work and syncs in random order; after a final round every laptop must hold exactly what
the server holds, no help session may be lost, and every same-field edit made on two
laptops from the same base must have left a conflict for the leader.

The server (SQLite, a real uvicorn on a loopback port) and the laptops' data folders are
made afresh for every example (tests/test_sync_state_machine_two_processes.py runs the
same machine against two server processes on PostgreSQL).

Alongside the server runs a model of its merge rule (ARCHITECTURE.md, sync lesson 6;
``server/push.py``): for each household field, its value and which laptop last wrote it
at which step.  A laptop's edit conflicts when the field was written by another laptop
after this laptop's last sync (its base) to another value; the first edit to arrive
stands.  The model predicts every conflict record
exactly, so a conflict missing, doubled or invented fails the test.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule
from sqlalchemy import select

from tests.sync_support import (
    COMMUNE,
    Laptop,
    LoopbackServer,
    ServerAt,
    Snapshot,
    enrol_laptop,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.exchange import wire
from villagehelper.ops import duplicates, households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.server.database import open_server_db
from villagehelper.store import sync_state
from villagehelper.store.kinds import Outcome
from villagehelper.store.models import HelpSession, Household, Member

LAPTOPS = 3
EDITABLE = ("head_name", "phone", "notes", "address_detail")
SHARED_HEADS = ("Phạm Thị Hằng", "Vũ Đức Thắng", "Ngô Quý Ấn")
FOLLOW_UP_DAY = date(2026, 12, 1)  # after the laptops' clock (tests.conftest.START)

_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằắẳặầấậèéẹềếệìíịòóọồốộờớợùúụừứựỳýỵ"
_word = st.text(_LETTERS, min_size=1, max_size=6).map(str.capitalize)
# A few values drawn often, so that two laptops sometimes type the same thing (which is
# no conflict) and often type something else.
_names = st.one_of(
    st.sampled_from(["Lê Văn Tám", "Đỗ Thị Mai", "Nguyễn Hữu Ước"]),
    st.lists(_word, min_size=2, max_size=3).map(" ".join),
)
_phones = st.one_of(
    st.none(),
    st.sampled_from(["0912345678", "0398765432"]),
    st.from_regex(r"\A0[35789][0-9]{8}\Z"),
)
_texts = st.one_of(
    st.sampled_from(["", "Xóm 3", "Cựu chiến binh"]),
    st.lists(_word, min_size=1, max_size=4).map(" ".join),
)
_FIELD_VALUES = {
    "head_name": _names,
    "phone": _phones,
    "notes": _texts,
    "address_detail": _texts,
}
_laptop = st.integers(0, LAPTOPS - 1)
# Every laptop commit is forced to disk (synchronous=FULL); on a RAM disk, when there is
# one, that costs nothing and an example takes a third less time.
_SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


@dataclass
class _Pending:
    """One change a laptop made since its last sync, as the model sees it: fields of a
    household, or the name of a member (renamed with the household's head)."""

    row_id: str
    values: dict[str, object]
    insert: bool = False


@dataclass
class _ServerModel:
    """Per (household, field): the value the server holds and who wrote it, when."""

    value: dict[tuple[str, str], object] = field(default_factory=dict)
    writer: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


ConflictKey = tuple[str, str, str, str, str]  # household, field, server, device, device id


class CommuneSync(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="vh-sync-machine-", dir=_SCRATCH))
        self.server, self.commune_code = self._start_server()
        self.db = self.server.db
        commune = set_up_commune(self.server, self.folder, self.commune_code)
        self.village_id = commune.village_id
        self.volunteers = (commune.leader_id, commune.member_id)
        self.laptops: list[Laptop] = [commune.leader]
        self.step = 0
        self.last_sync = [0] * LAPTOPS
        self.pending: list[list[_Pending]] = [[] for _ in range(LAPTOPS)]
        self.model = _ServerModel()
        self.expected_conflicts: Counter[ConflictKey] = Counter()
        self.logged_sessions: set[str] = set()
        self.voids: set[str] = set()
        # Households every laptop knows from the start: without them most runs would
        # only touch rows a single laptop has, and never edit or merge the same one twice.
        for head in SHARED_HEADS:
            self.create_household(0, head, None, with_head=True)
        for number in range(1, LAPTOPS):
            store = open_laptop(self.folder, f"laptop-{number}")
            self.laptops.append(enrol_laptop(self.server, store, commune=self.commune_code))
        self.devices = [self._device_id(laptop) for laptop in self.laptops]
        for index in range(LAPTOPS):
            self._sync(index)

    def _start_server(self) -> tuple[ServerAt, str]:
        """The server this example's laptops sync with, and their commune: an embedded
        server on a SQLite file of its own."""
        db = open_server_db(f"sqlite+pysqlite:///{self.folder / 'server.sqlite3'}")
        accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
        self._embedded = LoopbackServer(db)
        return self._embedded, COMMUNE

    def _stop_server(self) -> None:
        self._embedded.stop()
        self.db.close()

    @staticmethod
    def _device_id(laptop: Laptop) -> str:
        with laptop.store.reading() as session:
            enrolled = sync_state.enrolled(session)
        assert enrolled is not None
        return enrolled.device_id

    # --- what the laptop holds ------------------------------------------------------------

    def _live_households(self, index: int) -> list[str]:
        with self.laptops[index].store.reading() as session:
            return sorted(session.scalars(select(Household.id).where(Household.deleted.is_(False))))

    def _editable(self, index: int, household_id: str) -> dict[str, object]:
        detail = households.get_household(self.laptops[index].store, household_id)
        return {name: getattr(detail, name) for name in EDITABLE}

    def _note(self, index: int, row_id: str, values: dict[str, object], insert: bool) -> None:
        self.step += 1
        self.pending[index].append(_Pending(row_id, values, insert))

    def _member_names(self, index: int, household_id: str) -> dict[str, str]:
        detail = households.get_household(self.laptops[index].store, household_id)
        return {member.id: member.full_name for member in detail.members}

    def _note_members(
        self, index: int, before: dict[str, str], after: dict[str, str], insert: bool
    ) -> None:
        """Members added, or renamed with the head (the one who had the head's name)."""
        for member_id, name in after.items():
            if before.get(member_id) != name:
                self._note(index, member_id, {"full_name": name}, insert=insert)

    # --- offline work -----------------------------------------------------------------------

    @rule(laptop=_laptop, head=_names, phone=_phones, with_head=st.booleans())
    def create_household(self, laptop: int, head: str, phone: str | None, with_head: bool) -> None:
        store = self.laptops[laptop].store
        people = [MemberInput(head, 1970, phone)] if with_head else []
        saved = households.create_household(
            store, HouseholdInput(self.village_id, head, phone=phone), people
        )
        self._note(laptop, saved.id, self._editable(laptop, saved.id), insert=True)
        self._note_members(laptop, {}, self._member_names(laptop, saved.id), insert=True)

    @rule(laptop=_laptop, name=st.sampled_from(EDITABLE), data=st.data())
    def edit_household(self, laptop: int, name: str, data: st.DataObject) -> None:
        live = self._live_households(laptop)
        if not live:
            return
        household_id = data.draw(st.sampled_from(live), label="household")
        before = self._editable(laptop, household_id)
        members_before = self._member_names(laptop, household_id)
        wanted = {**before, name: data.draw(_FIELD_VALUES[name], label=name)}
        households.update_household(
            self.laptops[laptop].store,
            household_id,
            HouseholdInput(
                self.village_id,
                str(wanted["head_name"]),
                address_detail=str(wanted["address_detail"]),
                phone=None if wanted["phone"] is None else str(wanted["phone"]),
                notes=str(wanted["notes"]),
            ),
        )
        after = self._editable(laptop, household_id)
        changed = {key: value for key, value in after.items() if before[key] != value}
        assert set(changed) <= {name}
        if changed:
            self._note(laptop, household_id, changed, insert=False)
        self._note_members(
            laptop, members_before, self._member_names(laptop, household_id), insert=False
        )

    @rule(laptop=_laptop, name=_names, data=st.data())
    def add_member(self, laptop: int, name: str, data: st.DataObject) -> None:
        live = self._live_households(laptop)
        if not live:
            return
        household_id = data.draw(st.sampled_from(live), label="household")
        saved = households.add_member(self.laptops[laptop].store, household_id, MemberInput(name))
        self._note(laptop, saved.id, {"full_name": name}, insert=True)

    @rule(
        laptop=_laptop,
        volunteer=st.sampled_from([0, 1]),
        outcomes=st.lists(
            st.sampled_from([Outcome.DONE, Outcome.FOLLOW_UP, Outcome.FAILED]),
            min_size=1,
            max_size=3,
        ),
        data=st.data(),
    )
    def log_visit(
        self, laptop: int, volunteer: int, outcomes: list[Outcome], data: st.DataObject
    ) -> None:
        store = self.laptops[laptop].store
        live = self._live_households(laptop)
        if not live:
            return
        household_id = data.draw(st.sampled_from(live), label="household")
        with store.reading() as session:
            people = sorted(
                session.scalars(
                    select(Member.id).where(
                        Member.household_id == household_id, Member.deleted.is_(False)
                    )
                )
            )
        person = data.draw(st.sampled_from([None, *people]), label="person")
        codes = [service.code for service in team.list_services(store)]
        chosen = data.draw(
            st.lists(
                st.sampled_from(codes), min_size=len(outcomes), max_size=len(outcomes), unique=True
            ),
            label="services",
        )
        services = [
            ServiceOutcome(
                code,
                outcome,
                follow_up_date=FOLLOW_UP_DAY if outcome == Outcome.FOLLOW_UP else None,
                failure_reason="Không có sóng" if outcome == Outcome.FAILED else "",
            )
            for code, outcome in zip(chosen, outcomes, strict=True)
        ]
        logged = sessions.log_visit(
            store, VisitInput(household_id, self.volunteers[volunteer], services, member_id=person)
        )
        self.logged_sessions.update(logged.session_ids)
        self.step += 1

    @rule(laptop=_laptop, data=st.data())
    def void_session(self, laptop: int, data: st.DataObject) -> None:
        store = self.laptops[laptop].store
        with store.reading() as session:
            enrolled = sync_state.enrolled(session)
            voidable = select(HelpSession.id).where(HelpSession.voided.is_(False))
            if enrolled is not None and not enrolled.is_leader:
                # A volunteer's laptop voids only the sessions it logged (the server's rule).
                voidable = voidable.where(HelpSession.device_id == store.device_id)
            open_sessions = sorted(session.scalars(voidable))
        if not open_sessions:
            return
        target = data.draw(st.sampled_from(open_sessions), label="session")
        sessions.void_session(store, target, self.volunteers[0], "Ghi nhầm")
        self.voids.add(target)
        self.step += 1

    @rule(laptop=_laptop, data=st.data())
    def merge_households(self, laptop: int, data: st.DataObject) -> None:
        live = self._live_households(laptop)
        if len(live) < 2:
            return
        survivor, loser = data.draw(
            st.lists(st.sampled_from(live), min_size=2, max_size=2, unique=True),
            label="survivor, loser",
        )
        duplicates.merge_households(self.laptops[laptop].store, survivor, loser, self.volunteers[1])
        self.step += 1

    @rule(laptop=_laptop)
    def sync(self, laptop: int) -> None:
        self._sync(laptop)

    # --- the model of the server's rule -----------------------------------------------------

    def _sync(self, index: int) -> None:
        self.laptops[index].sync()
        self.step += 1
        for change in self.pending[index]:
            for name, value in change.values.items():
                key = (change.row_id, name)
                if change.insert:
                    self.model.value[key] = value
                    self.model.writer[key] = (index, self.step)
                    continue
                current = self.model.value[key]
                if current == value:
                    continue
                writer, written_at = self.model.writer[key]
                if writer != index and written_at > self.last_sync[index]:
                    self.expected_conflicts[
                        (
                            change.row_id,
                            name,
                            wire.canonical_json(current),
                            wire.canonical_json(value),
                            self.devices[index],
                        )
                    ] += 1
                else:
                    self.model.value[key] = value
                    self.model.writer[key] = (index, self.step)
        self.pending[index] = []
        self.last_sync[index] = self.step

    # --- the end of a run -------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            # Hypothesis calls this from a ``finally``: when a step already failed, the
            # final round would only hide that failure behind another one.
            if sys.exc_info()[1] is None:
                self._final_round_and_checks()
        finally:
            for laptop in self.laptops:
                laptop.store.close()
            self._stop_server()
            shutil.rmtree(self.folder, ignore_errors=True)

    def _final_round_and_checks(self) -> None:
        # Twice round: after the first, every change is on the server; after the second,
        # every laptop has pulled all of it.
        for _ in range(2):
            for index in range(LAPTOPS):
                self._sync(index)
        expected = server_snapshot(self.db, self.commune_code)
        for index, laptop in enumerate(self.laptops):
            held = laptop_snapshot(laptop.store)
            differing = sorted(
                key for key in held.keys() | expected.keys() if held.get(key) != expected.get(key)
            )
            assert not differing, (
                f"laptop {index} differs from the server on {len(differing)} rows, e.g. "
                f"{[(key, held.get(key), expected.get(key)) for key in differing[:3]]}"
            )

        on_server = {key[1] for key in expected if key[0] == "help_session"}
        assert on_server == self.logged_sessions, "a help session was lost or invented"
        # Nor hidden: a merge moves sessions to a household that stays (one merged into
        # a household that was itself merged away would be out of every list).
        for key, fields in expected.items():
            if key[0] == "help_session":
                household = expected[("household", str(fields["household_id"]))]
                assert not household["deleted"], f"session {key[1]} under a merged household"
        voided = {
            str(fields["session_id"])
            for key, fields in expected.items()
            if key[0] == "session_void"
        }
        assert voided == self.voids
        for index, laptop in enumerate(self.laptops):
            with laptop.store.reading() as session:
                voided_here = set(
                    session.scalars(select(HelpSession.id).where(HelpSession.voided.is_(True)))
                )
            assert voided_here == self.voids, f"laptop {index} counts a voided session"

        conflicts: Counter[ConflictKey] = Counter(
            (
                str(fields["row_id"]),
                str(fields["field"]),
                str(fields["server_value"]),
                str(fields["device_value"]),
                str(fields["device_id"]),
            )
            for key, fields in expected.items()
            if key[0] == "sync_conflict"
        )
        assert conflicts == self.expected_conflicts

        for name in EDITABLE:
            for (household_id, field_name), value in self.model.value.items():
                if field_name == name:
                    assert expected[("household", household_id)][name] == value
        for (member_id, field_name), value in self.model.value.items():
            if field_name == "full_name":
                assert expected[("member", member_id)]["full_name"] == value


CommuneSync.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCommuneSync = CommuneSync.TestCase


# --- what the machine found, pinned ---------------------------------------------------------
# Runs without an example database (CI's fresh clone) may not meet these again: they are
# checked here every time, on SQLite and on PostgreSQL.


@dataclass
class _Pair:
    """Two laptops of one commune holding the same three households, one session each."""

    first: Laptop
    second: Laptop
    volunteer_id: str
    x: str
    y: str
    z: str


@pytest.fixture
def pair(sync_server: LoopbackServer, tmp_path: Path) -> _Pair:
    commune = set_up_commune(sync_server, tmp_path)
    first = commune.leader
    ids = []
    for head in SHARED_HEADS:
        saved = households.create_household(first.store, HouseholdInput(commune.village_id, head))
        sessions.log_visit(
            first.store, VisitInput(saved.id, commune.member_id, [ServiceOutcome("VNEID_L1")])
        )
        ids.append(saved.id)
    first.sync()
    second = enrol_laptop(sync_server, open_laptop(tmp_path, "second"))
    second.sync()
    return _Pair(first, second, commune.member_id, *ids)


def _round(server: LoopbackServer, *laptops: Laptop) -> Snapshot:
    """Everyone syncs twice; every laptop then holds the server's rows, which are returned."""
    for _ in range(2):
        for laptop in laptops:
            laptop.sync()
    expected = server_snapshot(server.db)
    for laptop in laptops:
        assert laptop_snapshot(laptop.store) == expected
    return expected


def _homes(snapshot: Snapshot) -> tuple[dict[str, str], set[str]]:
    """Each session's household, and the households still live."""
    homes = {
        key[1]: str(f["household_id"]) for key, f in snapshot.items() if key[0] == "help_session"
    }
    live = {key[1] for key, f in snapshot.items() if key[0] == "household" and not f["deleted"]}
    return homes, live


def test_the_same_household_merged_on_two_laptops_keeps_the_first_merge(
    pair: _Pair, sync_server: LoopbackServer
) -> None:
    kept = duplicates.merge_households(pair.first.store, pair.y, pair.x, pair.volunteer_id)
    dropped = duplicates.merge_households(pair.second.store, pair.z, pair.x, pair.volunteer_id)
    pair.first.sync()
    pair.second.sync()  # used to fail on every download from here on (one merge per loser)
    snapshot = _round(sync_server, pair.first, pair.second)
    merges = {key[1] for key in snapshot if key[0] == "household_merge"}
    assert merges == {kept.merge_id}
    assert dropped.merge_id not in merges
    assert snapshot[("household", pair.x)]["merged_into"] == pair.y
    homes, live = _homes(snapshot)
    assert live == {pair.y, pair.z}
    assert sorted(homes.values()) == sorted([pair.y, pair.y, pair.z])


def test_two_households_merged_into_each_other_leave_one_of_them(
    pair: _Pair, sync_server: LoopbackServer
) -> None:
    duplicates.merge_households(pair.first.store, pair.y, pair.x, pair.volunteer_id)
    duplicates.merge_households(pair.second.store, pair.x, pair.y, pair.volunteer_id)
    pair.first.sync()
    pair.second.sync()
    snapshot = _round(sync_server, pair.first, pair.second)
    homes, live = _homes(snapshot)
    # The first merge stands: both households' sessions under the survivor, which lives.
    assert live == {pair.y, pair.z}
    assert sorted(homes.values()) == sorted([pair.y, pair.y, pair.z])


def test_a_visit_logged_on_a_household_merged_elsewhere_follows_the_first_merge(
    pair: _Pair, sync_server: LoopbackServer
) -> None:
    duplicates.merge_households(pair.first.store, pair.y, pair.x, pair.volunteer_id)
    pair.first.sync()
    # The second laptop has not heard of it: it logs a visit there, then merges it too.
    logged = sessions.log_visit(
        pair.second.store, VisitInput(pair.x, pair.volunteer_id, [ServiceOutcome("EHEALTH")])
    )
    duplicates.merge_households(pair.second.store, pair.z, pair.x, pair.volunteer_id)
    pair.second.sync()
    snapshot = _round(sync_server, pair.first, pair.second)
    homes, live = _homes(snapshot)
    assert homes[logged.session_ids[0]] == pair.y
    assert live == {pair.y, pair.z}


def test_merges_made_in_a_chain_on_two_laptops_follow_each_other(
    pair: _Pair, sync_server: LoopbackServer
) -> None:
    duplicates.merge_households(pair.first.store, pair.y, pair.x, pair.volunteer_id)
    duplicates.merge_households(pair.second.store, pair.z, pair.y, pair.volunteer_id)
    pair.second.sync()
    pair.first.sync()
    snapshot = _round(sync_server, pair.first, pair.second)
    homes, live = _homes(snapshot)
    assert live == {pair.z}
    assert set(homes.values()) == {pair.z}


def test_a_visit_logged_after_a_merge_the_server_did_not_keep_goes_where_the_server_put_it(
    pair: _Pair, sync_server: LoopbackServer
) -> None:
    duplicates.merge_households(pair.first.store, pair.y, pair.x, pair.volunteer_id)
    # Offline, the second laptop merges the other way round, then logs a visit there.
    duplicates.merge_households(pair.second.store, pair.x, pair.y, pair.volunteer_id)
    logged = sessions.log_visit(
        pair.second.store, VisitInput(pair.x, pair.volunteer_id, [ServiceOutcome("EHEALTH")])
    )
    pair.first.sync()
    pair.second.sync()
    snapshot = _round(sync_server, pair.first, pair.second)
    homes, live = _homes(snapshot)
    assert homes[logged.session_ids[0]] == pair.y
    assert live == {pair.y, pair.z}
