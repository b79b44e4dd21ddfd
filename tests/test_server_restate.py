"""A server put back from its backup, then the laptops sync as on any day: what they
state again (``op: restate``, sync/epoch.py) is the commune's real work, whoever made it,
and none of it may be refused or set aside.  A volunteer's laptop states again sessions
another laptop logged and voids a leader made; rows naming a village or team member a
leader added after the backup wait on the server for the leader's laptop to bring it
back, whichever laptop syncs first.

And the other side: outside a heal, a restatement is held to the rules of the insert or
edit it stands for, so a volunteer's device cannot forge a signature, void a leader's
session or delete a household by calling its change a restatement.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from tests import test_sync_security
from tests.sync_support import laptop_snapshot, server_snapshot
from tests.test_push_validation import FORBIDDEN_VOID, FORGED
from tests.test_server_restore_heal import Commune, commune_in
from tests.test_sync_security import (
    GiaLoc,
    assert_refused,
    change,
    fields_of,
    push,
    stored,
)
from tests.test_sync_security import token_of as token_of_laptop
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.ops import consent, households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server import waiting
from villagehelper.server.tables import Record
from villagehelper.store.models import HelpSession
from villagehelper.sync import set_aside
from villagehelper.sync import status as sync_status

gia_loc = test_sync_security.gia_loc  # the fixture: Gia Lộc, a leader, a volunteer


@pytest.fixture
def commune(tmp_path: Path) -> Iterator[Commune]:
    with commune_in(tmp_path) as here:
        yield here


def _nothing_set_aside_and_all_equal(commune: Commune) -> None:
    expected = server_snapshot(commune.running.db)
    for name, store in commune.laptops.items():
        with store.reading() as session:
            assert set_aside.count(session) == 0, (name, set_aside.listed(session))
        assert sync_status.status(store).last_error == "", name
        assert laptop_snapshot(store) == expected, name


def _server_sessions(commune: Commune) -> set[str]:
    with commune.running.db.reading() as session:
        return set(session.scalars(select(Record.row_id).where(Record.entity == "help_session")))


def test_a_volunteer_states_again_others_sessions_and_a_leaders_void(commune: Commune) -> None:
    commune.back_up()
    commune.enrol("binh")  # enrolled after the backup: its device comes back from the marker
    commune.sync("binh")
    commune.visit("binh", 0)  # logged on Bình's laptop
    commune.sync("binh")
    commune.sync("leader")
    voided = commune.logged[-1]
    sessions.void_session(commune.laptops["leader"], voided, commune.volunteer_id, "nhập nhầm")
    commune.visit("leader", 1)
    commune.sync("leader")
    commune.sync("an")  # An's laptop now holds Bình's session and the leader's void
    commune.put_back(commune.backups[0])
    commune.sync("an")  # first after the restore: states again what it holds
    assert _server_sessions(commune) == set(commune.logged)
    # Bình's laptop goes on signing its own work (An's restatement did not take its id).
    commune.visit("binh", 1)
    for name in ("binh", "leader", "an", "binh", "leader", "an"):
        commune.sync(name)
    assert _server_sessions(commune) == set(commune.logged)
    _nothing_set_aside_and_all_equal(commune)
    with commune.laptops["an"].reading() as session:
        row = session.get(HelpSession, voided)
        assert row is not None and row.voided


def test_rows_a_leader_made_after_the_backup_come_back_whoever_syncs_first(
    commune: Commune,
) -> None:
    commune.back_up()
    leader = commune.laptops["leader"]
    village = team.add_village(leader, "Thôn Đông")
    helper = team.add_team_member(leader, "Lò Thị Mai", "member", village.id)
    household = households.create_household(leader, HouseholdInput(village.id, "Hà Văn Sơn"))
    commune.sync("leader")
    commune.sync("an")
    volunteer = commune.laptops["an"]
    logged = sessions.log_visit(
        volunteer, VisitInput(household.id, helper.id, [ServiceOutcome("VNEID_L1")])
    )
    commune.logged.extend(logged.session_ids)
    person = households.add_member(volunteer, household.id, MemberInput("Hà Thị Lan", 1990))
    consent.record_consent(volunteer, person.id, helper.id)  # recorded by the new member
    commune.sync("an")
    commune.put_back(commune.backups[0])
    commune.sync("an")  # the volunteer's laptop first: what names the new rows waits
    with volunteer.reading() as session:
        assert set_aside.count(session) == 0
    assert waiting.waiting_count(commune.running.db) > 0
    for name in ("leader", "an", "leader"):
        commune.sync(name)
    assert waiting.waiting_count(commune.running.db) == 0
    assert _server_sessions(commune) == set(commune.logged)
    _nothing_set_aside_and_all_equal(commune)
    with commune.running.db.reading() as session:
        record = session.get(Record, ("member", person.id))
        assert record is not None and helper.id in record.fields  # its consent's recorder


# --- no loophole: a restatement outside a heal is an insert or an edit ------------------


def test_a_volunteer_cannot_forge_through_a_restatement(gia_loc: GiaLoc) -> None:
    token = token_of_laptop(gia_loc.volunteer)
    leader = gia_loc.commune.leader
    leader_stamp = leader.store.device_id
    theirs = gia_loc.session_id  # logged on the leader's laptop
    session_fields = fields_of(gia_loc.db, "help_session", theirs)
    forged_session = {**session_fields, "visit_id": new_id(), "device_id": leader_stamp}
    void_fields = {
        "session_id": theirs,
        "reason": "",
        "volunteer_id": gia_loc.commune.member_id,
        "voided_at": "2026-12-01T03:00:00.000000Z",
        "device_id": gia_loc.volunteer.store.device_id,
    }
    household = fields_of(gia_loc.db, "household", gia_loc.household_id)
    cases = {
        "session under the leader's laptop's id": (
            change("help_session", new_id(), "restate", forged_session),
            FORGED,
        ),
        "void of the leader's session": (
            change("session_void", new_id(), "restate", void_fields),
            FORBIDDEN_VOID,
        ),
        "household deleted": (
            change("household", gia_loc.household_id, "restate", {**household, "deleted": True}),
            "xóa hộ",
        ),
    }
    # Naming an epoch this server never had does not make a device one that heals.
    made_up = requests.get(
        gia_loc.server.url + "/v1/changes",
        headers={
            "Authorization": f"Bearer {token}",
            wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
            wire.EPOCH_HEADER: new_id(),
        },
        timeout=30,
    )
    assert made_up.status_code == 409, made_up.text
    for what, (bad, words) in cases.items():
        before = stored(gia_loc.db)
        assert_refused(push(gia_loc.server, token, [bad]), 403, "refused", words, what)
        assert stored(gia_loc.db) == before, what
    # Its own work it states again as ever.
    own = {**session_fields, "visit_id": new_id(), "device_id": gia_loc.volunteer.store.device_id}
    accepted = push(gia_loc.server, token, [change("help_session", new_id(), "restate", own)])
    assert accepted.status_code == 200, accepted.text
