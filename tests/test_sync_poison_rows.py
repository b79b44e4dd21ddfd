"""A row the laptops' schema refuses, stored on the commune server before the push checked
what it took, never wedges the commune: the replica, the tally, the snapshot and every
laptop's download set it aside (counted, listed for a leader) and go on; a leader or the
server's administrator settles it and the commune's figures follow.

A real server on loopback, on SQLite and on PostgreSQL; the poison rows are written
straight into the server's ``records`` table, as an older server stored them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from tests.conftest import START, FakeClock
from tests.sync_support import (
    COMMUNE,
    Laptop,
    LoopbackServer,
    enrol_laptop,
    fast_connection,
    open_laptop,
    set_up_commune,
)
from villagehelper.exchange import wire
from villagehelper.ops import households, quarantined, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import quarantine as server_quarantine
from villagehelper.server.database import ServerDB
from villagehelper.server.feed_clock import VersionClock
from villagehelper.server.tables import Record
from villagehelper.store import sync_state
from villagehelper.store.models import HelpSession
from villagehelper.sync import client

WEEK = "2026-W48"  # the week of the test clock (START)
RESIDENT_NOTE = "Bà Hoàng Thị Bí Mật 0987654321 bị tiểu đường"
# What each poison row changes in a valid session (kinds the laptops' schema refuses).
POISON: dict[str, dict[str, Any]] = {
    "unknown_outcome": {"outcome": "xyz"},
    "year_9999": {"occurred_at": "9999-12-31T23:59:59.000000Z"},
    "year_0001_unreadable": {"occurred_at": "0001-01-01T00:00:00Z"},
    "follow_up_without_date": {"outcome": "follow_up", "follow_up_date": None},
    "failure_without_reason": {"outcome": "failed", "failure_reason": ""},
}
# Stored before the push validation too, and storable by a laptop: it must not be lost.
STORABLE = {"year_0001": {"occurred_at": "0001-01-01T00:00:00.000000Z"}}


def store_as_an_old_server_did(db: ServerDB, base: dict[str, Any], changed: dict[str, Any]) -> str:
    """A help session written straight into the server's records, with a new version."""
    row_id = str(uuid.uuid4())
    fields = {**base, **changed, "note": RESIDENT_NOTE}
    with db.transaction() as session:
        version = VersionClock(session, COMMUNE).next()
        session.add(
            Record(
                entity="help_session",
                row_id=row_id,
                commune_code=COMMUNE,
                version=version,
                fields=json.dumps(fields),
                field_versions="{}",
                deleted=False,
                household_id=fields["household_id"],
            )
        )
    return row_id


def _valid_session_fields(db: ServerDB) -> dict[str, Any]:
    with db.reading() as session:
        record = session.scalars(select(Record).where(Record.entity == "help_session")).first()
        assert record is not None
        fields: dict[str, Any] = json.loads(record.fields)
        return fields


def _tally(server: LoopbackServer, leader: Laptop) -> requests.Response:
    with leader.store.reading() as session:
        enrolled = sync_state.enrolled(session)
    assert enrolled is not None
    return requests.get(
        f"{server.url}/v1/tally/week",
        params={"week": WEEK},
        headers={
            "Authorization": f"Bearer {enrolled.token}",
            wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
        },
        timeout=60,
    )


def _sessions_held(laptop: Laptop) -> set[str]:
    with laptop.store.reading() as session:
        return set(session.scalars(select(HelpSession.id)))


def _faulty_ids(laptop: Laptop) -> set[str]:
    return {row.row_id for row in quarantined.list_faulty(laptop.store)}


def _cli_sync(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", "sync", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_poison_rows_on_the_server_are_set_aside_and_settled(  # noqa: PLR0915 (one story)
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    sync_server.db.clock = FakeClock(START + timedelta(hours=1))
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    home = households.create_household(
        leader.store, HouseholdInput(commune.village_id, "Lò Văn Pả")
    )
    sessions.log_visit(
        leader.store, VisitInput(home.id, commune.member_id, [ServiceOutcome("VNEID_L1")])
    )
    leader.sync()
    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    volunteer.sync()
    db = sync_server.db
    base = _valid_session_fields(db)
    poison = {kind: store_as_an_old_server_did(db, base, change) for kind, change in POISON.items()}
    storable = store_as_an_old_server_did(db, base, STORABLE["year_0001"])
    # Then a valid session, after them in the feed: it must reach everyone.
    sessions.log_visit(
        leader.store, VisitInput(home.id, commune.member_id, [ServiceOutcome("VNEID_L2")])
    )
    leader.sync()

    # The tally answers and says how many rows are set aside.
    answer = _tally(sync_server, leader)
    assert answer.status_code == 200, answer.text
    assert answer.json()["quarantined_rows"] == len(POISON)
    assert answer.json()["totals"]["sessions"] == 2
    listed = server_quarantine.listed(db, COMMUNE)
    assert {row.row_id for row in listed} == set(poison.values())
    assert all(RESIDENT_NOTE not in row.reason for row in listed)

    # An existing laptop's sync exits 0 and its summary counts the rows set aside.
    synced = _cli_sync(tmp_path / "volunteer")
    assert synced.returncode == 0, synced.stderr
    assert f"{len(POISON)} dòng dữ liệu lỗi" in synced.stdout
    assert _faulty_ids(volunteer) == set(poison.values())
    assert storable in _sessions_held(volunteer)

    # A new laptop's first sync, from the snapshot and from the feed.
    newcomers = []
    for name, use_snapshot in (("from-snapshot", True), ("from-feed", False)):
        laptop = enrol_laptop(sync_server, open_laptop(tmp_path, name), "leader")
        report = client.sync_once(laptop.store, connect=fast_connection, use_snapshot=use_snapshot)
        assert report.quarantined == len(POISON), name
        assert _faulty_ids(laptop) == set(poison.values()), name
        assert _sessions_held(laptop) == _sessions_held(leader) | {storable}, name
        newcomers.append(laptop)

    # The leader sees them and settles one: void + the visit logged again, rightly.
    leader.sync()
    seen = {row.row_id: row for row in quarantined.list_faulty(leader.store)}
    assert seen.keys() == set(poison.values())
    assert seen[poison["unknown_outcome"]].why_vi == "Kết quả không rõ"
    quarantined.settle_faulty_session(
        leader.store,
        poison["unknown_outcome"],
        commune.leader_id,
        replacement=ServiceOutcome("VNEID_L1"),
    )
    # The administrator repairs another where it is stored.
    server_quarantine.repair(
        db, "help_session", poison["follow_up_without_date"], {"follow_up_date": "2026-12-10"}
    )
    leader.sync()
    for laptop in (volunteer, *newcomers):
        report = laptop.sync()
        assert report.quarantined == len(POISON) - 2
        assert _faulty_ids(laptop) == set(poison.values()) - {
            poison["unknown_outcome"],
            poison["follow_up_without_date"],
        }
        held = _sessions_held(laptop)
        assert poison["follow_up_without_date"] in held
        with laptop.store.reading() as session:
            replacement = session.scalar(
                select(func.count())
                .select_from(HelpSession)
                .where(HelpSession.replaces_id == poison["unknown_outcome"])
            )
        assert replacement == 1
    answer = _tally(sync_server, leader)
    assert answer.status_code == 200
    assert answer.json()["quarantined_rows"] == len(POISON) - 2
    assert answer.json()["totals"]["sessions"] == 4  # two valid, the replacement, the repaired
    assert {row.row_id for row in server_quarantine.listed(db, COMMUNE)} == set(poison.values()) - {
        poison["unknown_outcome"],
        poison["follow_up_without_date"],
    }


def test_poison_rows_leave_no_residents_data_in_any_log(tmp_path: Path) -> None:
    """The commune server in a process of its own and ``villagehelper sync`` on the
    command line meet the poison rows; neither's output nor the laptop's log file quotes
    the residents' values (names, phones, notes), only ids and reasons."""
    from tests.crash_harness import CommuneServer
    from villagehelper.logs import log_path
    from villagehelper.ops import team
    from villagehelper.server import accounts
    from villagehelper.server.database import open_server_db

    server = CommuneServer(tmp_path)
    db = open_server_db(server.db_url)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    server.start()
    try:
        store = open_laptop(tmp_path, "leader")
        team.set_commune(store, COMMUNE)
        village = team.add_village(store, "Thôn Khay")
        leader_id = team.add_team_member(store, "Phạm Đăng Xuyết", "leader", village.id).id
        head = "Hoàng Thị Bí Mật"
        home = households.create_household(
            store, HouseholdInput(village.id, head, phone="0912345678")
        )
        sessions.log_visit(store, VisitInput(home.id, leader_id, [ServiceOutcome("VNEID_L1")]))
        client.enrol(
            store,
            server.url,
            accounts.issue_code(db, COMMUNE, "leader"),
            "leader laptop",
            connect=fast_connection,
        )
        client.sync_once(store, connect=fast_connection)
        store.close()
        base = _valid_session_fields(db)
        for change in POISON.values():
            store_as_an_old_server_did(db, base, change)

        synced = _cli_sync(tmp_path / "leader")
        assert synced.returncode == 0, synced.stderr
        reopened = open_laptop(tmp_path, "leader")
        with reopened.reading() as session:
            token = sync_state.enrolled(session).token  # type: ignore[union-attr]
        reopened.close()
        tally = requests.get(
            f"{server.url}/v1/tally/week",
            headers={"Authorization": f"Bearer {token}", wire.PROTOCOL_HEADER: "1"},
            timeout=60,
        )
        assert tally.status_code == 200, tally.text
        assert tally.json()["quarantined_rows"] == len(POISON)
    finally:
        server.stop()
        db.close()
    assert server.process is not None and server.process.stdout is not None
    outputs = {
        "server log": (tmp_path / "server.log").read_text(encoding="utf-8"),
        "laptop log": log_path(tmp_path / "leader").read_text(encoding="utf-8"),
        "sync output": synced.stdout + synced.stderr,
    }
    assert "set aside" in outputs["laptop log"]  # the failures were provoked and logged
    for where, text in outputs.items():
        for secret in ("Bí Mật", "0987654321", "tiểu đường", "0912345678", head):
            assert secret not in text, f"{secret!r} in the {where}"


def _server_command(url: str, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    from villagehelper.server.replicas import CACHE_ENV

    return subprocess.run(
        [sys.executable, "-m", "villagehelper.server.cli", "--db", url, "quarantine", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, CACHE_ENV: str(cache)},
    )


def test_the_administrator_lists_repairs_and_voids_faulty_rows(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    """``villagehelper-server quarantine list|repair|void`` in a process of its own, on the
    server's database: ids and reasons shown, a repair that still cannot apply said so, a
    good repair and a void flow down to the laptops."""
    sync_server.db.clock = FakeClock(START + timedelta(hours=1))
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    home = households.create_household(
        leader.store, HouseholdInput(commune.village_id, "Lò Văn Pả")
    )
    sessions.log_visit(
        leader.store, VisitInput(home.id, commune.member_id, [ServiceOutcome("VNEID_L1")])
    )
    leader.sync()
    db = sync_server.db
    base = _valid_session_fields(db)
    wrong_outcome = store_as_an_old_server_did(db, base, POISON["unknown_outcome"])
    no_reason = store_as_an_old_server_did(db, base, POISON["failure_without_reason"])
    cache = tmp_path / "admin-cache"

    listed = _server_command(db.url, cache, "list")
    assert listed.returncode == 0, listed.stderr
    assert wrong_outcome in listed.stdout and no_reason in listed.stdout
    assert "check:session_outcome_known" in listed.stdout
    assert "2 dòng để riêng" in listed.stdout
    assert RESIDENT_NOTE not in listed.stdout + listed.stderr

    still = _server_command(db.url, cache, "repair", "help_session", no_reason, "--set", "note=")
    assert still.returncode == 1, still.stdout + still.stderr
    assert "vẫn chưa dùng được" in still.stdout
    unreadable = _server_command(db.url, cache, "repair", "help_session", no_reason, "--set", "x")
    assert unreadable.returncode == 1 and "TÊN_TRƯỜNG=GIÁ_TRỊ" in unreadable.stderr
    repaired = _server_command(
        db.url, cache, "repair", "help_session", wrong_outcome, "--set", "outcome=done"
    )
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    voided = _server_command(db.url, cache, "void", no_reason)
    assert voided.returncode == 0, voided.stdout + voided.stderr

    after = _server_command(db.url, cache, "list")
    assert after.returncode == 0 and "0 dòng để riêng" in after.stdout, after.stdout
    report = leader.sync()
    assert report.quarantined == 0
    assert wrong_outcome in _sessions_held(leader)
    assert _faulty_ids(leader) == set()
    answer = _tally(sync_server, leader)
    assert answer.json()["quarantined_rows"] == 0
    assert answer.json()["totals"]["sessions"] == 2  # the valid one and the repaired one


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "villagehelper.cli", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_a_leader_lists_and_settles_faulty_rows_on_the_command_line(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader
    home = households.create_household(
        leader.store, HouseholdInput(commune.village_id, "Lò Văn Pả")
    )
    sessions.log_visit(
        leader.store, VisitInput(home.id, commune.member_id, [ServiceOutcome("VNEID_L1")])
    )
    leader.sync()
    db = sync_server.db
    base = _valid_session_fields(db)
    wrong_outcome = store_as_an_old_server_did(db, base, POISON["unknown_outcome"])
    no_date = store_as_an_old_server_did(db, base, POISON["follow_up_without_date"])
    leader.sync()
    folder = tmp_path / "leader"

    listed = _cli(folder, "faulty")
    assert listed.returncode == 0, listed.stderr
    assert wrong_outcome in listed.stdout and no_date in listed.stdout
    assert "Kết quả không rõ" in listed.stdout and "Lò Văn Pả" in listed.stdout
    voided = _cli(folder, "faulty", "--void", wrong_outcome, "--by", "Phạm Đăng Xuyết")
    assert voided.returncode == 0, voided.stderr
    again = _cli(folder, "faulty")
    assert wrong_outcome not in again.stdout and no_date in again.stdout
    leader.sync()
    with db.reading() as session:
        voids = [
            json.loads(record.fields)["session_id"]
            for record in session.scalars(select(Record).where(Record.entity == "session_void"))
        ]
    assert voids == [wrong_outcome]
    assert _faulty_ids(leader) == {no_date}
