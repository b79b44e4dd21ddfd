"""The commune server under many laptops at once, reduced: twenty simulated laptops
for a few seconds against a real server process, on SQLite and on PostgreSQL.

The same code as ``python -m benchmarks.load`` (200 laptops, a minute; figures in
benchmarks/README.md).  Speed is not asserted here, only what must hold at any speed:
nothing acknowledged is lost, nothing is stored twice or made up, no server error, and
every laptop ends up holding what the server holds.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlalchemy import delete, select

from benchmarks.load import LoadPlan, prepare, run
from benchmarks.load_checks import CountCheck, check_counts
from benchmarks.load_laptop import SimulatedLaptop
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.embedded import EmbeddedServer
from villagehelper.server.tables import AuditEntry, Record

# Pauses far shorter than the benchmark's, so each laptop syncs several times in the few
# seconds; still well inside the server's per-device limit (20 calls a second).
REDUCED = LoadPlan(laptops=20, seconds=3.0, communes=3, pause=(0.2, 0.6), baseline_rounds=5)


def test_many_laptops_at_once_lose_and_double_nothing(server_db_url: str, tmp_path: Path) -> None:
    figures = run(server_db_url, tmp_path, REDUCED)

    check = figures.check
    assert_nothing_lost(check)
    assert figures.server_errors == 0, figures.load.errors
    assert check.sessions_on_server == check.sessions_acknowledged
    # The load happened: every laptop synced during it, several times, and edited.
    assert all(laptop.acknowledged_sessions for laptop in figures.laptops)
    assert len(figures.load.push) >= 2 * REDUCED.laptops
    assert len(figures.load.pull) >= len(figures.load.push)
    assert any(laptop.notes for laptop in figures.laptops), "no edit: none was checked"

    # And the check can fail: a session lost, an edit undone, a change accepted twice.
    db = open_server_db(server_db_url)
    try:
        tampered = _tamper(db, figures.laptops)
    finally:
        db.close()
    assert tampered.lost_sessions == 1
    assert tampered.lost_edits == 1
    assert tampered.doubled == 2  # the change id, and the session, accepted twice
    # Every laptop of that commune holds the session the server no longer has.
    commune = figures.laptops[0].identity.commune_code
    assert tampered.unseen == sum(
        1 for laptop in figures.laptops if laptop.identity.commune_code == commune
    )
    assert not tampered.passed


def _tamper(db: ServerDB, laptops: list[SimulatedLaptop]) -> CountCheck:
    """Remove one acknowledged session of the first laptop from the server's database,
    change its last edited household there, write one change's audit entry twice; the
    count check of the result."""
    laptop = laptops[0]
    session_id = sorted(laptop.acknowledged_sessions)[0]
    edited = next(iter(laptop.notes)) if laptop.notes else None
    if edited is None:  # the first laptop edited nothing: another one that did
        laptop = next(other for other in laptops if other.notes)
        edited = next(iter(laptop.notes))
    with db.transaction() as session:
        session.execute(
            delete(Record).where(Record.entity == "help_session", Record.row_id == session_id)
        )
        household = session.get(Record, ("household", edited))
        assert household is not None
        fields = json.loads(household.fields)
        household.fields = json.dumps({**fields, "notes": "sửa ngoài máy chủ"})
        audit = session.scalars(select(AuditEntry).where(AuditEntry.row_id == session_id)).one()
        copy = {column: getattr(audit, column) for column in _AUDIT_COLUMNS}
        session.add(AuditEntry(**copy))
    return check_counts(db, laptops)


_AUDIT_COLUMNS = (
    "at",
    "commune_code",
    "device_id",
    "team_member_id",
    "change_id",
    "entity",
    "row_id",
    "op",
    "outcome",
)


BUSY = "Máy chủ xã đang bận; máy sẽ tự gửi lại sau ít phút, dữ liệu vẫn được giữ trên máy."


def test_a_server_its_database_keeps_waiting_says_busy_and_loses_nothing(tmp_path: Path) -> None:
    """Pushes queue for SQLite's one write lock; one kept waiting past the busy timeout
    (as the load test saw at 200 laptops) is a 503 the laptop retries, not a 500."""
    database = tmp_path / "server.sqlite3"
    db = open_server_db(f"sqlite+pysqlite:///{database}")
    server = EmbeddedServer(db)
    blocker = sqlite3.connect(database, isolation_level=None)
    try:
        (identity,) = prepare(db, LoadPlan(laptops=1, communes=1))
        laptop = SimulatedLaptop(server.url, identity, seed=1)
        laptop.log_work()
        body = {"team_member_id": identity.volunteer_id, "changes": laptop.outbox}
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock, too long
        refused = laptop.http.post(server.url + "/v1/push", json=body, timeout=30)
        blocker.execute("ROLLBACK")

        assert refused.status_code == 503
        assert refused.json()["message_vi"] == BUSY
        assert refused.json()["message_en"]
        assert refused.headers["Retry-After"] == "5"
        assert laptop.push() and laptop.pull_to_end()  # the same changes, sent again
        check = check_counts(db, [laptop])
        assert check.passed
        assert check.sessions_on_server == len(laptop.sent_sessions) > 0
    finally:
        blocker.close()
        server.stop()
        db.close()


def assert_nothing_lost(check: CountCheck) -> None:
    """The count check of a load run: nothing lost, doubled, made up or left unseen."""
    assert check.lost_changes == 0
    assert check.lost_sessions == 0
    assert check.lost_edits == 0
    assert check.doubled == 0
    assert check.extra == 0
    assert check.unseen == 0
    assert check.unconfirmed == 0
    assert check.passed
