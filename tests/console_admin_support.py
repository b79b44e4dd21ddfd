"""Fixtures for the console's laptops and villages and team pages: a real server on
loopback with those pages mounted (as ``villagehelper-server serve`` mounts them), on
SQLite and PostgreSQL, and laptops enrolled and synced through it.

Use them in a test file with
``from tests.console_admin_support import admin_console, server_db_url  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from tests.conftest import FakeClock
from tests.console_browser import ConsoleServer, form_token, running_console
from tests.sync_support import COMMUNE, OTHER_COMMUNE, fast_connection, server_db_url
from villagehelper.ops import team
from villagehelper.server import accounts
from villagehelper.server.console import audit_page, campaigns_page, laptops
from villagehelper.server.console import team as team_page
from villagehelper.store import sync_state
from villagehelper.store.engine import Store, open_store
from villagehelper.sync import client

__all__ = ["COMMUNE", "OTHER_COMMUNE", "admin_console", "server_db_url"]

ROUTERS = (laptops.router, team_page.router, campaigns_page.router, audit_page.router)


@pytest.fixture
def admin_console(server_db_url: str) -> Iterator[ConsoleServer]:
    """The console with the laptops, team and campaigns pages; its clock moved by the test."""
    with running_console(server_db_url, clock=FakeClock(), routers=ROUTERS) as running:
        yield running


def enrolled_laptop(
    console: ConsoleServer, folder: Path, role: str = "leader", code: str | None = None
) -> Store:
    """A laptop's store enrolled with the server (a code from the command line's own
    function unless given), not yet synced."""
    store = open_store(folder, clock=FakeClock())
    issued = code or accounts.issue_code(console.db, COMMUNE, role)
    client.enrol(store, console.url, issued, f"may-{folder.name}", connect=fast_connection)
    return store


def leader_laptop(console: ConsoleServer, folder: Path, *, real_clock: bool = False) -> Store:
    """A leader's laptop that set the commune up (a village, a leader) and synced; on
    the test's clock, or on the real one beside a :func:`live_console`."""
    store = open_store(folder) if real_clock else open_store(folder, clock=FakeClock())
    team.set_commune(store, COMMUNE)
    village = team.add_village(store, "Thôn Khay")
    team.add_team_member(store, "Phạm Đăng Xuyết", "leader", village.id)
    code = accounts.issue_code(console.db, COMMUNE, "leader")
    client.enrol(store, console.url, code, "may-to-truong", connect=fast_connection)
    sync(store)
    return store


def sync(store: Store) -> client.SyncReport:
    return client.sync_once(store, connect=fast_connection)


def device_of(store: Store) -> sync_state.Enrolled:
    with store.reading() as session:
        credentials = sync_state.enrolled(session)
    assert isinstance(credentials, sync_state.Enrolled)
    return credentials


def post_form(
    client_: requests.Session, base: str, page: str, action: str, **fields: str
) -> requests.Response:
    """Submit a form of ``page`` (its CSRF token read from the page) to ``action``."""
    csrf = form_token(client_, f"{base}{page}")
    return client_.post(f"{base}{action}", data={"csrf": csrf, **fields}, allow_redirects=False)


def commune_admin(console: ConsoleServer) -> requests.Session:
    """The commune's administrator, signed in over plain HTTP."""
    return console.signed_in_session("Nguyễn Thị Hoa", "--commune", COMMUNE)


def server_rows(console: ConsoleServer) -> int:
    """How many rows the server holds, by plain SQL: a refused write changes nothing."""
    with console.db.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM records")).scalar_one())


def audit_actions(console: ConsoleServer) -> list[tuple[str, str, str]]:
    """(officer, action, target) of the console's audit log, oldest first, by plain SQL."""
    with console.db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT officer_name, action, target FROM console_audit ORDER BY id")
        ).all()
    return [(r.officer_name, r.action, r.target) for r in rows]


@pytest.fixture
def live_console(server_db_url: str) -> Iterator[ConsoleServer]:
    """The console with the laptops and team pages on the real clock: the laptops the
    test runs are the real command line in processes of their own, on their real clock,
    and would question a server living in another week."""
    with running_console(server_db_url, routers=ROUTERS) as running:
        yield running
