"""The laptops page's villages and changes waiting, against a real server on loopback
(SQLite and PostgreSQL) with real laptops' stores syncing through it.

- each laptop is listed with the villages of the households it logged sessions for,
  recounted here in plain SQL on the laptop's own file; a laptop that logged none says so;
- every sync call says how many changes the laptop still holds unsent
  (``X-VillageHelper-Waiting``): an ordinary round ends at 0, a round with a change the
  server refused ends at the changes set aside, a download-only round with the work not
  yet sent; each recounted in plain SQL on the laptop's file;
- a changed count is written at once, not a minute later;
- a value the server cannot read, or none (an older app), is stored as not known and
  never fails the sync;
- revision 0005 adds the column and can be undone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import requests
from alembic import command
from sqlalchemy import create_engine, inspect, text

from tests.console_admin_support import (
    admin_console,
    device_of,
    enrolled_laptop,
    leader_laptop,
    server_db_url,
    sync,
)
from tests.console_browser import ConsoleServer
from tests.sync_support import COMMUNE, fast_connection
from villagehelper.exchange import wire
from villagehelper.exchange.feed import no_progress
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import schema_upgrade
from villagehelper.store.engine import Store, configure_sqlite
from villagehelper.store.models import OutboxEntry
from villagehelper.sync import client, download

__all__ = ["admin_console", "server_db_url"]

PAGE = f"/xa/{COMMUNE}/may-tinh/"
_admins: dict[str, requests.Session] = {}  # by server address: one server per test
ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
VILLAGES_CELL = re.compile(r'class="villages">(.*?)</td>', re.S)
WAITING_CELL = re.compile(r'class="waiting">(.*?)</td>', re.S)


def _page(console: ConsoleServer) -> str:
    """The page as the commune's administrator sees it (signed in once per test)."""
    admin = _admins.get(console.url)
    if admin is None:
        admin = _admins[console.url] = console.signed_in_session(
            "Nguyễn Thị Hoa", "--commune", COMMUNE
        )
    answer = admin.get(f"{console.url}{PAGE}")
    assert answer.status_code == 200, answer.text
    return answer.text


def _cell(page: str, laptop_name: str, cell: re.Pattern[str]) -> str:
    """The text of one cell of the laptop's row (its name is in the row's header)."""
    [row] = [row for row in ROW.findall(page) if f">{laptop_name}\n" in row]
    found = cell.search(row)
    assert found is not None, row
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def _villages_logged(store: Store) -> set[str]:
    """The laptop's own answer, in plain SQL on its file: the villages of the households
    of the sessions stamped with its id."""
    with store.engine.connect() as connection:
        names = connection.execute(
            text(
                "SELECT DISTINCT v.name FROM help_sessions s"
                " JOIN households h ON h.id = s.household_id"
                " JOIN villages v ON v.id = h.village_id WHERE s.device_id = :stamp"
            ),
            {"stamp": store.device_id},
        ).scalars()
        return set(names)


def _unsent(store: Store) -> int:
    """The laptop's changes the server does not have, in plain SQL on its file: its
    outbox and the changes set aside (settings keys of sync/set_aside.py)."""
    with store.engine.connect() as connection:
        outbox = connection.execute(text("SELECT count(*) FROM outbox")).scalar_one()
        aside = connection.execute(
            text("SELECT count(*) FROM settings WHERE substr(key, 1, 15) = 'sync_set_aside:'")
        ).scalar_one()
    return int(outbox) + int(aside)


def _stored_waiting(console: ConsoleServer, store: Store) -> object:
    with console.db.engine.connect() as connection:
        return connection.execute(
            text("SELECT waiting_changes FROM devices WHERE id = :id"),
            {"id": device_of(store).device_id},
        ).scalar_one()


def _log(store: Store, household_id: str, member_id: str) -> None:
    sessions.log_visit(store, VisitInput(household_id, member_id, [ServiceOutcome("VNEID_L1")]))


def _leader_with_a_visit(console: ConsoleServer, folder: Path) -> tuple[Store, str, str]:
    """The leader's laptop (synced once) with a household of Thôn Khay and a session
    logged for it, not yet sent: the store, the household's id, the leader's id."""
    leader = leader_laptop(console, folder)
    [khay] = team.list_villages(leader)
    [member] = team.list_team_members(leader)
    home = households.create_household(leader, HouseholdInput(khay.id, "Lò Văn A"))
    _log(leader, home.id, member.id)
    return leader, home.id, member.id


def test_each_laptop_is_listed_with_the_villages_it_logged_sessions_for(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    leader, near, member = _leader_with_a_visit(admin_console, tmp_path / "truong")
    pac = team.add_village(leader, "Bản Pắc Ngòi")
    sync(leader)
    volunteer = enrolled_laptop(admin_console, tmp_path / "hoa", role="volunteer")
    sync(volunteer)
    far = households.create_household(volunteer, HouseholdInput(pac.id, "Lò Thị B"))
    _log(volunteer, far.id, member)
    _log(volunteer, near, member)
    sync(volunteer)
    idle = enrolled_laptop(admin_console, tmp_path / "moi", role="volunteer")
    sync(idle)

    page = _page(admin_console)
    for store, name in ((leader, "may-to-truong"), (volunteer, "may-hoa")):
        shown = set(_cell(page, name, VILLAGES_CELL).split(", "))
        assert shown == _villages_logged(store)
    assert _villages_logged(volunteer) == {"Thôn Khay", "Bản Pắc Ngòi"}  # the recount itself
    assert _cell(page, "may-moi", VILLAGES_CELL) == "chưa ghi lượt nào"
    for store in (leader, volunteer, idle):
        store.close()


def test_an_ordinary_round_ends_with_nothing_waiting_a_refused_change_stays_counted(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    leader = leader_laptop(admin_console, tmp_path / "truong")
    assert _unsent(leader) == 0
    assert _stored_waiting(admin_console, leader) == 0
    page = _page(admin_console)
    assert _cell(page, "may-to-truong", WAITING_CELL).startswith("0 tính đến ")

    # A household the server refuses (a name longer than the rules allow, as an older
    # app could write it): set aside on the laptop, still not on the server.
    [khay] = team.list_villages(leader)
    saved = households.create_household(leader, HouseholdInput(khay.id, "Lò Văn A"))
    with leader.transaction() as session:
        entry = session.query(OutboxEntry).filter_by(row_id=saved.id).one()
        entry.payload = json.dumps({**json.loads(entry.payload), "head_name": "L" * 121})
    report = sync(leader)
    assert report.set_aside == 1
    assert _unsent(leader) == 1
    assert _stored_waiting(admin_console, leader) == 1  # within the minute: a change
    page = _page(admin_console)
    assert _cell(page, "may-to-truong", WAITING_CELL).startswith("1 tính đến ")
    leader.close()


def test_a_download_only_round_reports_the_work_not_yet_sent(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    leader, home, member = _leader_with_a_visit(admin_console, tmp_path / "truong")
    _log(leader, home, member)
    unsent = _unsent(leader)
    assert unsent >= 3  # the household and two sessions

    connection = client.round_connection(leader, device_of(leader), fast_connection)
    try:
        download.pull_all(leader, connection, no_progress, wire.DEFAULT_PAGE, False)
    finally:
        connection.close()
    assert _stored_waiting(admin_console, leader) == unsent
    page = _page(admin_console)
    assert _cell(page, "may-to-truong", WAITING_CELL).startswith(f"{unsent} tính đến ")

    sync(leader)  # the work goes up: 0 at once, not a minute later
    assert _unsent(leader) == 0
    assert _stored_waiting(admin_console, leader) == 0
    leader.close()


# Not plain decimal digits, or too many of them; "٣" and "²" are digits to Python's
# str.isdigit, not to the server.
UNREADABLE = ("", "abc", "-3", "1e3", "+4", "3.0", "1234567890", "0x10", "7 7", "٣", "²")


def test_an_unreadable_count_is_stored_as_not_known_and_the_sync_goes_on(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    store = enrolled_laptop(admin_console, tmp_path / "hoa")
    device = device_of(store)

    def pull(waiting: str | None) -> None:
        headers: dict[str, str | bytes] = {
            "Authorization": f"Bearer {device.token}",
            wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
            wire.APP_VERSION_HEADER: "1.0.0",
        }
        if waiting is not None:
            headers[wire.WAITING_HEADER] = waiting.encode()  # UTF-8 bytes, as sent
        answer = requests.get(f"{admin_console.url}/v1/changes", headers=headers, timeout=10)
        assert answer.status_code == 200, (waiting, answer.text)

    for bad in UNREADABLE:  # each after a readable count: a change, written at once
        pull("7")
        assert _stored_waiting(admin_console, store) == 7
        pull(bad)
        assert _stored_waiting(admin_console, store) is None, bad
    pull("123456789")  # nine digits: the most a count may have
    assert _stored_waiting(admin_console, store) == 123456789
    pull(None)  # an app older than the header: not known
    assert _stored_waiting(admin_console, store) is None
    page = _page(admin_console)
    assert _cell(page, "may-hoa", WAITING_CELL) == "máy chưa báo"
    store.close()


def test_revision_0005_adds_the_column_and_can_be_undone(server_db_url: str) -> None:
    engine = create_engine(server_db_url)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    try:
        schema_upgrade.upgrade(engine, "test", "0004")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO devices (id, commune_code, role, name, token_hash, created_at)"
                    " VALUES ('d1', :c, 'leader', 'may', 'h', '2026-12-07T00:00:00.000000Z')"
                ),
                {"c": COMMUNE},
            )
        schema_upgrade.upgrade(engine, "test")
        with engine.connect() as connection:
            waiting = connection.execute(text("SELECT waiting_changes FROM devices")).all()
        assert waiting == [(None,)]
        with engine.begin() as connection:
            command.downgrade(schema_upgrade.alembic_config(connection), "0004")
        with engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("devices")}
            kept = connection.execute(text("SELECT id, app_version FROM devices")).all()
        assert "waiting_changes" not in columns and "app_version" in columns
        assert kept == [("d1", None)]
    finally:
        engine.dispose()
