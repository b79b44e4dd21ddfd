"""Sessions stamped by a wrong clock (2031, 2019): kept by the commune server but counted
by no tally, listed for the leader, counted once in their right week when the leader
corrects the date; the laptops' numbers and the server's agree at every step.

A real server on loopback, on SQLite and on PostgreSQL; laptops with their own clocks.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from tests.conftest import START, FakeClock, Team
from tests.sync_support import (
    COMMUNE,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    server_snapshot,
    set_up_commune,
)
from villagehelper.errors import UserError, ValidationError
from villagehelper.exchange import wire
from villagehelper.ops import households, implausible, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import list_sessions
from villagehelper.ops.timeline import SERVER_NAME, household_timeline
from villagehelper.session_times import QUARANTINE_DEVICE, Implausible
from villagehelper.store import sync_state
from villagehelper.store.engine import Store, open_store
from villagehelper.store.models import OutboxEntry
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import parse_week

WEEK = "2026-W48"  # the week of the test clock (START): Monday 23 November 2026
AHEAD = datetime(2031, 3, 12, 2, 0, tzinfo=UTC)  # a laptop whose clock runs years ahead
BEHIND = datetime(2019, 5, 6, 2, 0, tzinfo=UTC)  # a dead battery: back to its firmware
WRONG_WEEKS = ("2031-W11", "2019-W19")


def _tally(server: LoopbackServer, leader: Store, week: str, **extra: str) -> requests.Response:
    """The commune tally from the server, as the leader's laptop may ask for it."""
    with leader.reading() as session:
        credentials = sync_state.enrolled(session)
    assert credentials is not None
    answer = requests.get(
        f"{server.url}/v1/tally/week",
        params={"week": week, **extra},
        headers={"Authorization": f"Bearer {credentials.token}", wire.PROTOCOL_HEADER: "1"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer


def _tally_json(server: LoopbackServer, leader: Store, week: str) -> dict[str, Any]:
    body: dict[str, Any] = _tally(server, leader, week).json()
    return body


def _tally_csv(server: LoopbackServer, leader: Store, week: str) -> str:
    return _tally(server, leader, week, format="csv").content.decode("utf-8-sig")


def _laptop_sessions(store: Store, week: str) -> int:
    return compute_tally(store, parse_week(week, START.date())).totals.sessions


def _assert_all_agree(server: LoopbackServer, laptops: list[Laptop], leader: Store) -> None:
    for laptop in laptops:
        laptop.sync()
    for week in (WEEK, *WRONG_WEEKS):
        on_server = _tally_json(server, leader, week)["totals"]["sessions"]
        on_laptops = [_laptop_sessions(laptop.store, week) for laptop in laptops]
        assert on_laptops == [on_server] * len(laptops), week


def test_sessions_from_wrong_clocks_are_kept_not_counted_and_count_once_corrected(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    sync_server.db.clock = FakeClock(START + timedelta(hours=1))  # the server's clock is right
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    home = households.create_household(
        leader.store, HouseholdInput(commune.village_id, "Lê Văn Tám")
    )
    sessions.log_visit(
        leader.store, VisitInput(home.id, commune.leader_id, [ServiceOutcome("VNEID_L1")])
    )
    leader.sync()

    ahead = enrol_laptop(sync_server, open_store(tmp_path / "ahead", clock=FakeClock(AHEAD)))
    behind = enrol_laptop(sync_server, open_store(tmp_path / "behind", clock=FakeClock(BEHIND)))
    for laptop in (ahead, behind):
        laptop.sync()  # the household and the team come down
    two_services = [ServiceOutcome("VNEID_L1"), ServiceOutcome("DVC_ACCOUNT")]
    sessions.log_visit(ahead.store, VisitInput(home.id, commune.member_id, two_services))
    sessions.log_visit(
        behind.store, VisitInput(home.id, commune.member_id, [ServiceOutcome("OTHER")])
    )
    # The laptop ahead also logs a visit with the right date typed in: that one counts.
    right = START + timedelta(hours=2)
    sessions.log_visit(
        ahead.store,
        VisitInput(home.id, commune.member_id, [ServiceOutcome("OTHER")], occurred_at=right),
    )
    for laptop in (ahead, behind):
        laptop.sync()
        with laptop.store.reading() as session:  # nothing refused: the outbox is empty
            assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0

    # The server's tally counts only the sessions whose time can be right.
    for week in WRONG_WEEKS:
        assert _tally_json(sync_server, leader.store, week)["totals"]["sessions"] == 0
    body = _tally_json(sync_server, leader.store, WEEK)
    assert body["totals"]["sessions"] == 2  # the leader's and the typed-in one
    assert body["implausible_sessions"] == 3
    # It keeps every session (nothing lost) and voids the three in its own name.
    held = server_snapshot(sync_server.db)
    quarantine_voids = [
        fields
        for (entity, _), fields in held.items()
        if entity == "session_void" and fields["device_id"] == QUARANTINE_DEVICE
    ]
    assert len([key for key in held if key[0] == "help_session"]) == 5
    assert len(quarantine_voids) == 3
    csv_text = _tally_csv(sync_server, leader.store, WEEK)
    assert "implausible,,Lượt có ngày không hợp lý, không được tính,3" in csv_text.replace('"', "")
    _assert_all_agree(sync_server, [leader, ahead, behind], leader.store)

    # The leader sees them, each with why and what to do.
    waiting = implausible.list_implausible(leader.store)
    assert sorted(item.why for item in waiting) == [
        Implausible.FUTURE,
        Implausible.FUTURE,
        Implausible.TOO_EARLY,
    ]
    too_early = next(item for item in waiting if item.why == Implausible.TOO_EARLY)
    assert "06/05/2019" in too_early.message_vi and "06/05/2019" in too_early.message_en
    assert "sửa lại ngày" in too_early.message_vi
    future = next(item for item in waiting if item.why == Implausible.FUTURE)
    assert "12/03/2031" in future.message_vi and "23/11/2026" in future.message_vi
    # The household's history says the server set them aside, and why.
    timeline = household_timeline(leader.store, home.id)
    server_voids = [
        entry.void
        for visit in timeline
        for entry in visit.entries
        if entry.void is not None and entry.void.volunteer_name == SERVER_NAME
    ]
    assert len(server_voids) == 3 and all("Máy chủ xã không tính" in v.reason for v in server_voids)

    # The leader gives each its right date: that morning.
    morning = START - timedelta(hours=3)
    for item in waiting:
        implausible.redate_session(leader.store, item.session.id, commune.leader_id, morning)
    assert implausible.list_implausible(leader.store) == []
    with pytest.raises(UserError, match="đã được hủy hoặc sửa"):  # corrected once only
        implausible.redate_session(leader.store, waiting[0].session.id, commune.leader_id, morning)
    leader.sync()

    body = _tally_json(sync_server, leader.store, WEEK)
    assert body["totals"]["sessions"] == 5  # each once, in its right week
    assert body["implausible_sessions"] == 0
    _assert_all_agree(sync_server, [leader, ahead, behind], leader.store)
    for laptop in (ahead, behind):
        assert implausible.count_implausible(laptop.store) == 0


def test_the_push_reply_names_a_quarantined_session(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """The laptop that sent it learns at once (``quarantined``), and a batch sent again
    gets the same reply and adds no second void."""
    sync_server.db.clock = FakeClock(START + timedelta(hours=1))
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    home = households.create_household(leader.store, HouseholdInput(commune.village_id, "Đỗ Mai"))
    leader.sync()
    with leader.store.reading() as session:
        credentials = sync_state.enrolled(session)
    assert credentials is not None
    fields = {
        "visit_id": "0192f7a0-0000-7000-8000-000000000001",
        "household_id": home.id,
        "member_id": None,
        "service_code": "OTHER",
        "outcome": "done",
        "follow_up_date": None,
        "failure_reason": "",
        "note": "",
        "volunteer_id": commune.member_id,
        "occurred_at": "2031-03-12T02:00:00.000000Z",
        "device_id": credentials.device_id,
        "replaces_id": None,
    }
    change = {
        "change_id": "0192f7a0-0000-7000-8000-0000000000c1",
        "entity": "help_session",
        "row_id": "0192f7a0-0000-7000-8000-0000000000a1",
        "op": "insert",
        "base_version": None,
        "fields": fields,
    }
    headers = {"Authorization": f"Bearer {credentials.token}", wire.PROTOCOL_HEADER: "1"}
    replies = [
        requests.post(
            f"{sync_server.url}/v1/push", json={"changes": [change]}, headers=headers, timeout=30
        )
        for _ in range(2)
    ]
    for reply in replies:
        assert reply.status_code == 200, reply.text
    assert replies[0].json() == replies[1].json()
    assert replies[0].json()["results"][0]["quarantined"] == "future"
    voids = [key for key in server_snapshot(sync_server.db, COMMUNE) if key[0] == "session_void"]
    assert len(voids) == 1


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_leader_is_told_on_the_command_line_and_corrects_the_date_there(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """``villagehelper sync`` and ``tally`` say how many sessions are held back;
    ``villagehelper implausible`` lists them and gives one its right date."""
    commune = set_up_commune(sync_server, tmp_path)  # the server keeps the real time
    leader = commune.leader
    home = households.create_household(
        leader.store, HouseholdInput(commune.village_id, "Lò Văn Pả")
    )
    leader.sync()
    ahead = enrol_laptop(sync_server, open_store(tmp_path / "ahead", clock=FakeClock(AHEAD)))
    ahead.sync()
    sessions.log_visit(
        ahead.store, VisitInput(home.id, commune.member_id, [ServiceOutcome("VNEID_L1")])
    )
    ahead.sync()
    leader_folder = tmp_path / "leader"

    synced = _cli(leader_folder, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "1 lượt hỗ trợ có ngày không hợp lý" in synced.stdout
    assert "1 help sessions with an impossible date" in synced.stdout
    tally = _cli(leader_folder, "tally", "--week", WEEK)
    assert tally.returncode == 0, tally.stderr
    assert "1 lượt hỗ trợ có ngày không hợp lý" in tally.stdout

    listed = _cli(leader_folder, "implausible")
    assert listed.returncode == 0, listed.stderr
    [waiting] = implausible.list_implausible(leader.store)
    assert waiting.session.id in listed.stdout and "12/03/2031" in listed.stdout

    refused = _cli(leader_folder, "implausible", "--redate", waiting.session.id, "--by", "x")
    assert refused.returncode == 1 and "--at" in refused.stderr
    redated = _cli(
        leader_folder,
        "implausible",
        "--redate",
        waiting.session.id,
        "--at",
        "23/11/2026 10:00",
        "--by",
        "Phạm Đăng Xuyết",
    )
    assert redated.returncode == 0, redated.stderr
    synced = _cli(leader_folder, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "không hợp lý" not in synced.stdout
    assert _tally_json(sync_server, leader.store, WEEK)["totals"]["sessions"] == 1
    assert _tally_json(sync_server, leader.store, "2031-W11")["totals"]["sessions"] == 0


def test_a_corrected_date_must_itself_be_plausible(village_team: Team) -> None:
    """Checked on the laptop before anything is sent; a session that was never held
    back is corrected as every correction is (voided, and a new one names it)."""
    store = village_team.store
    home = households.create_household(store, HouseholdInput(village_team.village_id, "Hà Mỷ"))
    logged = sessions.log_visit(
        store, VisitInput(home.id, village_team.member_id, [ServiceOutcome("OTHER")])
    )
    [session_id] = logged.session_ids
    leader = village_team.leader_id
    with pytest.raises(ValidationError, match="tương lai"):
        implausible.redate_session(store, session_id, leader, store.now() + timedelta(hours=1))
    with pytest.raises(ValidationError, match="01/01/2025"):
        implausible.redate_session(store, session_id, leader, datetime(2024, 12, 31, tzinfo=UTC))
    earlier = store.now() - timedelta(days=2)
    [new_id] = implausible.redate_session(store, session_id, leader, earlier).session_ids
    every = list_sessions(store, SessionFilter(include_voided=True))
    rows = {row.id: row for row in every}
    assert rows[session_id].voided and not rows[new_id].voided
    assert rows[new_id].replaces_id == session_id and rows[new_id].occurred_at == earlier
    assert rows[new_id].volunteer_id == village_team.member_id  # who helped, still
