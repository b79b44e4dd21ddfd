"""Sync readiness of the store: a correct outbox, and remote changes that never clobber
local edits.  Remote changes here are made by hand, as the server will send them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Team
from villagehelper.errors import ValidationError
from villagehelper.ids import new_id
from villagehelper.ops import duplicates as dup
from villagehelper.ops import households as hh
from villagehelper.ops import sessions as ss
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.session_queries import list_sessions
from villagehelper.store.changelog import Changes, row_payload
from villagehelper.store.kinds import SyncState
from villagehelper.store.models import HelpSession, Household, Member, OutboxEntry
from villagehelper.store.remote import Applied, RemoteChange, apply_remote_change


def _outbox(t: Team) -> list[OutboxEntry]:
    with t.store.reading() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))


def _apply(t: Team, *remote: RemoteChange) -> list[Applied]:
    results = []
    with t.store.transaction() as session:
        for change in remote:
            results.append(apply_remote_change(session, change, Changes()))
    return results


def _row(t: Team, model: type[Any], row_id: str) -> Any:
    with t.store.reading() as session:
        return session.get(model, row_id)


def _household_fields(t: Team, **changed: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "village_id": t.village_id,
        "head_name": "Trần Văn Bảy",
        "address_detail": "Xóm 1",
        "phone": None,
        "notes": "",
        "merged_into": None,
        "deleted": False,
    }
    fields.update(changed)
    return fields


def _synced_household(t: Team, version: int = 5) -> str:
    """A household that arrived from the server (clean, at ``version``)."""
    household_id = new_id()
    _apply(t, RemoteChange("household", household_id, version, _household_fields(t)))
    return household_id


def test_every_change_has_an_outbox_entry_in_order(village_team: Team) -> None:
    before = len(_outbox(village_team))
    household_id = hh.create_household(
        village_team.store,
        HouseholdInput(village_team.village_id, "Lý Thị Nga"),
        [MemberInput("Lý Thị Nga", 1955)],
    ).id
    ss.log_visit(
        village_team.store,
        VisitInput(household_id, village_team.member_id, [ServiceOutcome("VSSID")]),
    )

    entries = _outbox(village_team)[before:]
    assert [(e.entity, e.op) for e in entries] == [
        ("household", "insert"),
        ("member", "insert"),
        ("help_session", "insert"),
    ]
    assert entries[0].row_id == household_id
    assert len({e.change_id for e in entries}) == 3
    household = _row(village_team, Household, household_id)
    assert json.loads(entries[0].payload) == row_payload(household)
    assert household.sync_state == SyncState.DIRTY


def test_failed_operation_leaves_neither_rows_nor_outbox(village_team: Team) -> None:
    household_id = hh.create_household(
        village_team.store, HouseholdInput(village_team.village_id, "Lý Thị Nga")
    ).id
    before = len(_outbox(village_team))
    with pytest.raises(ValidationError):
        ss.log_visit(
            village_team.store,
            VisitInput(
                household_id,
                village_team.member_id,
                [
                    ServiceOutcome("VSSID"),  # valid, written first …
                    ServiceOutcome("EHEALTH", "failed"),  # … then this one is refused
                ],
            ),
        )
    assert len(_outbox(village_team)) == before
    assert list_sessions(village_team.store) == []


def test_edit_of_a_synced_row_sends_only_changed_fields_with_its_base(village_team: Team) -> None:
    household_id = _synced_household(village_team, version=5)
    assert _outbox(village_team)[-1].row_id != household_id  # remote rows are not uploaded

    hh.update_household(
        village_team.store,
        household_id,
        HouseholdInput(village_team.village_id, "Trần Văn Bảy", "Xóm 9"),
    )

    entry = _outbox(village_team)[-1]
    assert (entry.entity, entry.op, entry.base_version) == ("household", "update", 5)
    assert json.loads(entry.payload) == {"address_detail": "Xóm 9"}
    row = _row(village_team, Household, household_id)
    assert (row.sync_state, row.base_version, row.server_version) == ("dirty", 5, 5)


def test_saving_unchanged_values_writes_nothing(village_team: Team) -> None:
    household_id = _synced_household(village_team)
    before = len(_outbox(village_team))
    hh.update_household(
        village_team.store,
        household_id,
        HouseholdInput(village_team.village_id, "Trần Văn Bảy", "Xóm 1"),
    )
    assert len(_outbox(village_team)) == before
    assert _row(village_team, Household, household_id).sync_state == SyncState.SYNCED


def test_remote_update_of_a_clean_row_is_applied_and_searchable(village_team: Team) -> None:
    household_id = _synced_household(village_team, version=5)
    result = _apply(
        village_team,
        RemoteChange(
            "household",
            household_id,
            6,
            _household_fields(village_team, head_name="Trần Văn Tám", phone="0912000111"),
        ),
    )
    assert result == [Applied.UPDATED]
    row = _row(village_team, Household, household_id)
    assert (row.head_name, row.server_version, row.sync_state) == ("Trần Văn Tám", 6, "synced")
    assert [h.id for h in hh.find_households(village_team.store, "tran van tam").hits] == [
        household_id
    ]


def test_remote_change_never_clobbers_a_dirty_field(village_team: Team) -> None:
    household_id = _synced_household(village_team, version=5)
    hh.update_household(
        village_team.store,
        household_id,
        HouseholdInput(village_team.village_id, "Trần Văn Bảy", "Xóm 9 (sửa trên máy này)"),
    )

    result = _apply(
        village_team,
        RemoteChange(
            "household",
            household_id,
            7,
            _household_fields(
                village_team,
                head_name="Trần Văn Bẩy",
                address_detail="Xóm 3 (sửa trên máy khác)",
                notes="Ghi chú mới",
            ),
        ),
    )

    assert result == [Applied.MERGED_WITH_LOCAL]
    row = _row(village_team, Household, household_id)
    assert row.address_detail == "Xóm 9 (sửa trên máy này)"  # our pending edit stays
    assert (row.head_name, row.notes) == ("Trần Văn Bẩy", "Ghi chú mới")  # theirs arrive
    # Still dirty and still based on 5, so the server can see the same-field conflict.
    assert (row.sync_state, row.base_version, row.server_version) == ("dirty", 5, 7)
    assert json.loads(_outbox(village_team)[-1].payload) == {
        "address_detail": "Xóm 9 (sửa trên máy này)"
    }


def test_remote_delete_of_a_dirty_row_waits_for_the_server(village_team: Team) -> None:
    household_id = _synced_household(village_team, version=5)
    hh.update_household(
        village_team.store,
        household_id,
        HouseholdInput(village_team.village_id, "Trần Văn Bảy", "Xóm 9"),
    )
    _apply(village_team, RemoteChange("household", household_id, 8, {}, deleted=True))
    assert not _row(village_team, Household, household_id).deleted


def test_remote_delete_of_a_clean_row_tombstones_it(village_team: Team) -> None:
    household_id = _synced_household(village_team, version=5)
    _apply(village_team, RemoteChange("household", household_id, 8, {}, deleted=True))
    assert _row(village_team, Household, household_id).deleted
    assert hh.find_households(village_team.store, "tran van bay").hits == ()


def test_stale_or_repeated_remote_change_changes_nothing(village_team: Team) -> None:
    household_id = _synced_household(village_team, version=5)
    stale = RemoteChange("household", household_id, 4, {"head_name": "Tên cũ"})
    assert _apply(village_team, stale) == [Applied.STALE]
    assert _row(village_team, Household, household_id).head_name == "Trần Văn Bảy"


def _remote_session(t: Team, household_id: str, version: int, **extra: Any) -> RemoteChange:
    fields: dict[str, Any] = {
        "visit_id": new_id(),
        "household_id": household_id,
        "member_id": None,
        "service_code": "VNEID_L1",
        "outcome": "done",
        "follow_up_date": None,
        "failure_reason": "",
        "note": "",
        "volunteer_id": t.leader_id,
        "occurred_at": "2026-11-20T02:00:00.000000Z",
        "device_id": new_id(),
        "replaces_id": None,
        "deleted": False,
    }
    fields.update(extra)
    return RemoteChange("help_session", new_id(), version, fields)


def test_remote_session_made_before_a_merge_follows_it(village_team: Team) -> None:
    survivor = _synced_household(village_team)
    loser = _synced_household(village_team)
    dup.merge_households(village_team.store, survivor, loser, village_team.leader_id)

    change = _remote_session(village_team, loser, 11)
    _apply(village_team, change)

    assert _row(village_team, HelpSession, change.row_id).household_id == survivor


def test_remote_merge_and_void_are_replayed(village_team: Team) -> None:
    survivor = _synced_household(village_team)
    loser = _synced_household(village_team)
    session_change = _remote_session(village_team, loser, 20)
    member_id = new_id()
    _apply(
        village_team,
        session_change,
        RemoteChange(
            "member",
            member_id,
            21,
            {
                "household_id": loser,
                "full_name": "Trần Thị Mười",
                "birth_year": 1990,
                "phone": None,
                "consent": True,
                "consent_date": "2026-11-20",
                "deleted": False,
            },
        ),
    )

    _apply(
        village_team,
        RemoteChange(
            "household_merge",
            new_id(),
            22,
            {
                "survivor_id": survivor,
                "loser_id": loser,
                "volunteer_id": village_team.leader_id,
                "merged_at": "2026-11-21T02:00:00.000000Z",
                "device_id": new_id(),
                "deleted": False,
            },
        ),
        RemoteChange(
            "session_void",
            new_id(),
            23,
            {
                "session_id": session_change.row_id,
                "reason": "Nhầm",
                "deleted": False,
                "volunteer_id": village_team.leader_id,
                "voided_at": "2026-11-21T03:00:00.000000Z",
                "device_id": new_id(),
            },
        ),
    )

    assert _row(village_team, Member, member_id).household_id == survivor
    replayed = _row(village_team, HelpSession, session_change.row_id)
    assert (replayed.household_id, replayed.voided) == (survivor, True)
    assert _row(village_team, Household, loser).merged_into == survivor
    assert list_sessions(village_team.store) == []


def test_our_own_event_coming_back_is_marked_synced_once_acknowledged(village_team: Team) -> None:
    household_id = _synced_household(village_team)
    logged = ss.log_visit(
        village_team.store,
        VisitInput(household_id, village_team.member_id, [ServiceOutcome("VSSID")]),
    )
    session_id = logged.session_ids[0]
    with village_team.store.reading() as session:
        payload = json.loads(
            session.scalars(
                select(OutboxEntry.payload).where(OutboxEntry.row_id == session_id)
            ).one()
        )
    echo = RemoteChange("help_session", session_id, 30, payload)

    _apply(village_team, echo)  # outbox entry still there: upload not acknowledged
    assert _row(village_team, HelpSession, session_id).sync_state == SyncState.DIRTY

    with village_team.store.transaction() as session:
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.row_id == session_id)):
            session.delete(entry)
    _apply(village_team, RemoteChange("help_session", session_id, 31, payload))
    row = _row(village_team, HelpSession, session_id)
    assert (row.sync_state, row.server_version) == (SyncState.SYNCED, 31)


def test_unknown_entity_is_refused(village_team: Team) -> None:
    with pytest.raises(ValueError, match="unknown entity"):
        _apply(village_team, RemoteChange("password", "x", 1, {}))
