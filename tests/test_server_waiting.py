"""Restatements that wait for a row (server/waiting.py) neither outlive an erasure
nor wait forever, and the operator sees and drops them (``villagehelper-server waiting``).

The heal itself runs on SQLite (a restore is put back as the restore tests do); the rest
on SQLite and PostgreSQL through a real server on loopback, with waiting rows written as a
restore leaves them: the row as the laptop sent it, and the id of the row it waits for.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import test_sync_security
from tests.conftest import FakeClock
from tests.sync_support import COMMUNE
from tests.test_server_restore_heal import commune_in
from tests.test_sync_security import GiaLoc
from villagehelper import personal_fields
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.ops import consent, erasure, households, retention, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server import waiting, waiting_upkeep
from villagehelper.server.database import ServerDB
from villagehelper.server.tables import Record, WaitingRestatement

gia_loc = test_sync_security.gia_loc  # the fixture: Gia Lộc, a leader, a volunteer

NEW_PERSON = "Hà Thị Lan"
NOTE = "tiểu đường, gọi 0987654321"


def _waiting_text(db: ServerDB) -> str:
    """Everything the waiting table holds, as one text."""
    with db.reading() as session:
        return "\n".join(
            f"{held.entity} {held.row_id} {held.fields}"
            for held in session.scalars(select(WaitingRestatement))
        )


def _wait(
    db: ServerDB,
    entity: str,
    fields: dict[str, object],
    *,
    held_at: datetime | None = None,
    device_id: str = "",
) -> str:
    """A restatement waiting for a team member nobody holds, as a restore leaves it."""
    row_id = new_id()
    with db.transaction() as session:
        session.add(
            WaitingRestatement(
                change_id=new_id(),
                commune_code=COMMUNE,
                device_id=device_id or new_id(),
                team_member_id=None,
                entity=entity,
                row_id=row_id,
                base_version=None,
                fields=wire.canonical_json(fields),
                waits_entity="team_member",
                waits_id=new_id(),
                held_at=held_at or db.clock(),
            )
        )
    return row_id


def _waiting_ids(db: ServerDB) -> set[str]:
    with db.reading() as session:
        return set(session.scalars(select(WaitingRestatement.row_id)))


# --- erasure: nothing erased stays in what waits ------------------------------------


def test_a_household_erased_after_a_restore_leaves_nothing_waiting(tmp_path: Path) -> None:
    """The heal for real: a volunteer's restatements of a household's new person and
    session wait for a team member only the first leader's laptop brings back; another
    leader erases the household meanwhile — the person's name and the session's note do
    not stay waiting, and the session still comes in and counts once the member does."""
    with commune_in(tmp_path) as commune:
        commune.enrol("chi", "leader")
        commune.sync("chi")
        commune.back_up()
        leader = commune.laptops["leader"]
        helper = team.add_team_member(leader, "Lò Thị Mai", "member", commune.village_id)
        commune.sync("leader")
        commune.sync("an")
        volunteer = commune.laptops["an"]
        household_id = commune.household_ids[0]
        logged = sessions.log_visit(
            volunteer,
            VisitInput(household_id, helper.id, [ServiceOutcome("VNEID_L1")], note=NOTE),
        )
        person = households.add_member(volunteer, household_id, MemberInput(NEW_PERSON, 1990))
        consent.record_consent(volunteer, person.id, helper.id)  # by the new team member
        commune.sync("an")
        commune.put_back(commune.backups[0])
        commune.sync("an")  # first after the restore: what names the new member waits
        db = commune.running.db
        assert NEW_PERSON in _waiting_text(db) and NOTE in _waiting_text(db)

        erasure.erase_household(commune.laptops["chi"], household_id, commune.volunteer_id)
        commune.sync("chi")  # a leader's laptop that never held the new team member

        assert waiting.waiting_count(db) > 0  # still waiting for the team member…
        assert NEW_PERSON not in _waiting_text(db) and NOTE not in _waiting_text(db)
        for name in ("leader", "an", "chi", "leader"):
            commune.sync(name)
        assert waiting.waiting_count(db) == 0
        with db.reading() as session:
            held = "\n".join(session.scalars(select(Record.fields)))
            arrived = set(session.scalars(select(Record.row_id)))
        assert NEW_PERSON not in held and NOTE not in held
        assert set(logged.session_ids) <= arrived  # …and its session counts


def test_erasing_a_person_then_the_household_erases_what_waits_carrying_them(
    gia_loc: GiaLoc,
) -> None:
    db = gia_loc.db
    leader = gia_loc.commune.leader
    of_person = _wait(
        db,
        "help_session",
        {"household_id": gia_loc.household_id, "member_id": gia_loc.person_id, "note": NOTE},
    )
    of_household = _wait(
        db, "help_session", {"household_id": gia_loc.household_id, "note": "Cựu chiến binh"}
    )
    new_person = _wait(
        db, "member", {"household_id": gia_loc.household_id, "full_name": NEW_PERSON}
    )
    conflict = _wait(
        db,
        "sync_conflict",
        {"entity": "member", "row_id": gia_loc.person_id, "device_value": "Lê Văn Tâm"},
    )
    elsewhere = _wait(db, "household", {"village_id": gia_loc.commune.village_id, "head": "Tư"})

    erasure.erase_member(leader.store, gia_loc.person_id, gia_loc.commune.leader_id)
    leader.sync()
    assert _waiting_ids(db) == {of_person, of_household, new_person, elsewhere}
    assert NOTE not in _waiting_text(db)  # that person's session: what counts stays
    assert "Cựu chiến binh" in _waiting_text(db) and NEW_PERSON in _waiting_text(db)
    assert conflict not in _waiting_ids(db)

    erasure.erase_household(leader.store, gia_loc.household_id, gia_loc.commune.leader_id)
    leader.sync()
    assert _waiting_ids(db) == {of_person, of_household, new_person, elsewhere}
    for gone in (NEW_PERSON, "Cựu chiến binh"):
        assert gone not in _waiting_text(db)
    assert personal_fields.ERASED_NAME in _waiting_text(db)  # the person arrives erased


def test_the_retention_purge_erases_what_waits_for_the_purged_household(
    gia_loc: GiaLoc,
) -> None:
    db = gia_loc.db
    leader = gia_loc.commune.leader
    clock = leader.store.clock
    assert isinstance(clock, FakeClock)
    old = households.create_household(
        leader.store,
        HouseholdInput(gia_loc.commune.village_id, "Lê Thị Quyên"),
        [MemberInput("Lê Thị Quyên", 1950)],
    )
    leader.sync()
    # Three years on, on the laptop and the server alike: the sync vouches for the clock.
    clock.advance(days=3 * 365)
    db.clock = FakeClock(clock.now)
    recent = households.create_household(
        leader.store, HouseholdInput(gia_loc.commune.village_id, "Vũ Văn Khải")
    )
    leader.sync()
    _wait(db, "member", {"household_id": old.id, "full_name": NEW_PERSON})
    _wait(db, "help_session", {"household_id": old.id, "note": NOTE})
    _wait(db, "member", {"household_id": recent.id, "full_name": "Vũ Thị Hoa"})

    plan = retention.plan_purge(leader.store, 24)
    assert old.id in [household.id for household in plan.households]
    assert recent.id not in [household.id for household in plan.households]
    retention.carry_out_purge(leader.store, plan)
    leader.sync()

    assert NEW_PERSON not in _waiting_text(db) and NOTE not in _waiting_text(db)
    assert "Vũ Thị Hoa" in _waiting_text(db)


# --- nothing waits forever ------------------------------------------------------------


def test_rows_waiting_past_the_bound_are_dropped_at_the_next_push_logged_without_data(
    gia_loc: GiaLoc, caplog: pytest.LogCaptureFixture
) -> None:
    db = gia_loc.db
    now = db.clock()
    too_old = _wait(
        db,
        "member",
        {"household_id": gia_loc.household_id, "full_name": NEW_PERSON},
        held_at=now - waiting_upkeep.LONGEST_WAIT - timedelta(hours=1),
    )
    recent = _wait(
        db,
        "member",
        {"household_id": gia_loc.household_id, "name": "Vũ Văn Khải"},
        held_at=now - waiting_upkeep.LONGEST_WAIT + timedelta(days=1),
    )

    volunteer = gia_loc.volunteer
    with caplog.at_level(logging.INFO, logger="villagehelper.server"):
        sessions.log_visit(
            volunteer.store,
            VisitInput(
                gia_loc.household_id, gia_loc.commune.member_id, [ServiceOutcome("VNEID_L1")]
            ),
        )
        volunteer.sync()

    assert _waiting_ids(db) == {recent}
    dropped = [r.getMessage() for r in caplog.records if "waited more than" in r.getMessage()]
    assert dropped == ["dropped 1 restatement(s) that waited more than 90 days for their row"]
    assert too_old not in caplog.text and NEW_PERSON not in caplog.text


# --- the operator's command -------------------------------------------------------------


def _waiting_command(
    db: ServerDB, *args: str, answer: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "villagehelper.server.cli", "--db", db.url, "waiting", *args],
        input=answer,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=dict(os.environ),
    )


def test_a_dropped_row_stays_readable_nowhere_in_the_file(gia_loc: GiaLoc) -> None:
    # Debian's SQLite overwrites what it frees by default; the sqlite3 of Python on
    # Windows does not: the drop must not rely on how SQLite was built.
    db = gia_loc.db
    on_sqlite = db.engine.dialect.name == "sqlite"
    old = _wait(
        db,
        "member",
        {"household_id": gia_loc.household_id, "full_name": NEW_PERSON},
        held_at=db.clock() - timedelta(days=40),
    )
    with db.transaction() as session:
        if on_sqlite:
            session.connection().exec_driver_sql("PRAGMA secure_delete = OFF")  # as on Windows
        assert waiting_upkeep.drop_older_than(session, timedelta(days=30), db.clock()) == 1
    assert old not in _waiting_ids(db)
    if not on_sqlite:
        return  # PostgreSQL's free space is VACUUM's business, not readable in a file
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database = Path(str(db.engine.url.database))
    for file in database.parent.glob(database.name + "*"):
        assert NEW_PERSON.encode() not in file.read_bytes(), file.name


def test_the_operator_lists_waiting_rows_and_drops_old_ones_once_confirmed(
    gia_loc: GiaLoc,
) -> None:
    db = gia_loc.db
    now = db.clock()
    device = new_id()
    old = _wait(
        db,
        "member",
        {"household_id": gia_loc.household_id, "full_name": NEW_PERSON},
        held_at=now - timedelta(days=40),
        device_id=device,
    )
    recent = _wait(
        db,
        "help_session",
        {"household_id": gia_loc.household_id, "note": "tiểu đường"},
        held_at=now - timedelta(days=2),
    )

    listing = _waiting_command(db, "list")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split("\t") == [
        "commune",
        "device_id",
        "entity",
        "row_id",
        "waits_for",
        "waits_id",
        "days",
    ]
    rows = {line.split("\t")[3]: line.split("\t") for line in lines[1:-1]}
    assert rows[old][:3] == [COMMUNE, device, "member"] and rows[old][4] == "team_member"
    assert rows[old][6] == "40" and rows[recent][6] == "2"
    assert lines[-1] == "2 dòng đang chờ / rows waiting"
    for secret in (NEW_PERSON, "tiểu đường"):
        assert secret not in listing.stdout

    refused = _waiting_command(db, "drop", "--older-than", "30", answer="n\n")
    assert refused.returncode == 1 and "nothing dropped" in refused.stdout
    assert "Bỏ 1 dòng chờ quá 30 ngày?" in refused.stdout
    assert _waiting_ids(db) == {old, recent}
    unanswered = _waiting_command(db, "drop", "--older-than", "30")  # no one at the keyboard
    assert unanswered.returncode == 1 and _waiting_ids(db) == {old, recent}

    agreed = _waiting_command(db, "drop", "--older-than", "30", answer="y\n")
    assert agreed.returncode == 0, agreed.stderr
    assert "Đã bỏ 1 dòng chờ / rows dropped" in agreed.stdout
    assert _waiting_ids(db) == {recent}

    scripted = _waiting_command(db, "drop", "--older-than", "1", "--yes")
    assert scripted.returncode == 0 and _waiting_ids(db) == set()


def test_a_number_of_days_that_is_not_one_is_refused_and_nothing_dropped(
    gia_loc: GiaLoc,
) -> None:
    db = gia_loc.db
    kept = _wait(db, "member", {"household_id": gia_loc.household_id, "full_name": NEW_PERSON})
    for days in ("ba", "-5", "²"):
        done = _waiting_command(db, "drop", "--older-than", days, "--yes")
        assert done.returncode == 2
        assert "not a number of days" in done.stderr
    assert _waiting_ids(db) == {kept}
