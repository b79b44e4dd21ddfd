"""Laptops syncing through a real server on a loopback port (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from tests.sync_support import (
    Commune,
    LoopbackServer,
    enrol_laptop,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server.feed_clock import database_end, move_end
from villagehelper.server.tables import Record
from villagehelper.store.models import HelpSession, Household, OutboxEntry, SyncConflict
from villagehelper.sync import status as sync_status


@pytest.fixture
def commune(sync_server: LoopbackServer, tmp_path: Path) -> Commune:
    return set_up_commune(sync_server, tmp_path)


def _household(store_village: str, head: str, phone: str | None = None) -> HouseholdInput:
    return HouseholdInput(village_id=store_village, head_name=head, phone=phone)


def test_a_new_laptop_receives_the_commune_and_its_work(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    leader = commune.leader.store
    saved = households.create_household(leader, _household(commune.village_id, "Lê Văn Tám"))
    sessions.log_visit(
        leader,
        VisitInput(saved.id, commune.leader_id, [ServiceOutcome("VNEID_L1")]),
    )
    report = commune.leader.sync()
    assert report.pushed >= 2  # household + session (and the head as a member)

    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    pulled = volunteer.sync()
    assert pulled.pulled > 0
    with volunteer.store.reading() as session:
        household = session.get(Household, saved.id)
        assert household is not None and household.head_name == "Lê Văn Tám"
        assert session.scalar(select(func.count()).select_from(HelpSession)) == 1
    detail = households.get_household(volunteer.store, saved.id)
    assert detail.head_name == "Lê Văn Tám"
    with leader.reading() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


def test_edits_to_different_fields_merge_and_the_same_field_is_a_conflict(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    leader = commune.leader.store
    saved = households.create_household(leader, _household(commune.village_id, "Lê Văn Tám"))
    commune.leader.sync()
    other = enrol_laptop(sync_server, open_laptop(tmp_path, "other"))
    other.sync()

    # Offline on both: the leader fixes the phone, the other laptop the address and notes.
    households.update_household(
        leader,
        saved.id,
        HouseholdInput(commune.village_id, "Lê Văn Tám", phone="0912345678", notes="Bác sĩ"),
    )
    households.update_household(
        other.store,
        saved.id,
        HouseholdInput(
            commune.village_id, "Lê Văn Tám", address_detail="Xóm 3", notes="Cựu chiến binh"
        ),
    )
    commune.leader.sync()
    report = other.sync()
    assert report.conflicts == 1
    commune.leader.sync()

    for laptop in (leader, other.store):
        with laptop.reading() as session:
            household = session.get(Household, saved.id)
            assert household is not None
            assert household.phone == "0912345678"
            assert household.address_detail == "Xóm 3"
            # The first edit to reach the server stands; the other is kept for review.
            assert household.notes == "Bác sĩ"
            conflict = session.scalars(select(SyncConflict)).one()
            assert (conflict.entity, conflict.row_id, conflict.field) == (
                "household",
                saved.id,
                "notes",
            )
            assert json.loads(conflict.server_value) == "Bác sĩ"
            assert json.loads(conflict.device_value) == "Cựu chiến binh"
            assert not conflict.resolved


def test_sync_status_tells_pending_and_last_success(commune: Commune) -> None:
    leader = commune.leader.store
    households.create_household(leader, _household(commune.village_id, "Đỗ Thị Mai"))
    before = sync_status.status(leader)
    assert before.pending > 0
    assert before.last_success is not None  # the commune's first sync
    commune.leader.sync()
    after = sync_status.status(leader)
    assert after.pending == 0
    assert after.last_error == ""


def test_after_a_round_every_laptop_holds_exactly_the_servers_rows(
    commune: Commune, sync_server: LoopbackServer, tmp_path: Path
) -> None:
    other = enrol_laptop(sync_server, open_laptop(tmp_path, "other"))
    other.sync()  # brings the commune's villages and team
    saved = households.create_household(
        other.store, _household(commune.village_id, "Trần Văn Ba", "0987654321")
    )
    sessions.log_visit(
        other.store, VisitInput(saved.id, commune.member_id, [ServiceOutcome("DVC_ACCOUNT")])
    )
    other.sync()
    commune.leader.sync()
    expected = server_snapshot(sync_server.db)
    assert laptop_snapshot(commune.leader.store) == expected
    assert laptop_snapshot(other.store) == expected


def test_a_laptop_past_a_restored_servers_feed_sends_back_what_it_lacks(
    commune: Commune, sync_server: LoopbackServer
) -> None:
    # The server's database rolled back under it (no new epoch: the fallback for a server
    # that cannot tell): the laptop's cursor stands past the feed's end.  It used to be
    # refused for good; it now states again what it holds and downloads again.
    leader = commune.leader.store
    households.create_household(leader, _household(commune.village_id, "Lê Văn Tám"))
    commune.leader.sync()
    with sync_server.db.reading() as session:
        before_backup = database_end(session)
    saved = households.create_household(leader, _household(commune.village_id, "Đỗ Thị Ánh"))
    commune.leader.sync()
    # The server's database as a backup taken before the second household holds it.
    with sync_server.db.transaction() as session:
        session.execute(delete(Record).where(Record.version > before_backup))
        move_end(session, before_backup)
    later = households.create_household(leader, _household(commune.village_id, "Vũ Văn Hà"))
    commune.leader.sync()
    with sync_server.db.reading() as session:
        assert session.get(Record, ("household", saved.id)) is not None
        assert session.get(Record, ("household", later.id)) is not None
    with leader.reading() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
    assert laptop_snapshot(leader) == server_snapshot(sync_server.db)
    assert sync_status.status(leader).last_error == ""
