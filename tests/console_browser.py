"""Fixtures for the web console's tests: a real villagehelper-server on a loopback port
(SQLite, and PostgreSQL when ``VILLAGEHELPER_TEST_PG_URL`` is set) whose clock the test
moves, officers made through the server's own command, and pages of Debian's headless
Chromium driven by Playwright.

Playwright, not Selenium: one Python package, no chromedriver whose version must match
the browser, and its waits are on events (a navigation, an element), never on sleeps.
It is pointed at /usr/bin/chromium (``.ci/run`` installs it); ``playwright install`` is
never run, nothing is downloaded.  Each ``launch`` gets a fresh profile folder of its own
(Playwright makes it; a ``--user-data-dir`` flag is refused by ``launch``).

Use them in a test file with
``from tests.console_browser import browser, console, server_db_url  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from fastapi import APIRouter
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.conftest import FakeClock
from tests.sync_support import COMMUNE, OTHER_COMMUNE, server_db_url
from villagehelper.server import accounts
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.embedded import EmbeddedServer

__all__ = ["COMMUNE", "OTHER_COMMUNE", "browser", "console", "server_db_url"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NEW_PASSWORD = "trâu ăn cỏ bên đê làng"


@dataclass
class ConsoleServer:
    """The server, its database and clock, and the way officers are added to it."""

    server: EmbeddedServer
    db: ServerDB
    clock: FakeClock

    @property
    def url(self) -> str:
        return self.server.url

    def add_officer(self, name: str, *place: str, role: str = "admin") -> str:
        """Add an officer through ``villagehelper-server add-officer``; the one-time
        password it printed."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = server_cli.main(
                ["--db", self.db.url, "add-officer", *place, "--role", role, name]
            )
        assert code == 0
        return out.getvalue().strip().splitlines()[-1]

    def signed_in_session(self, name: str, *place: str, role: str = "admin") -> requests.Session:
        """A plain HTTP client signed in as a new officer whose password is changed."""
        one_time = self.add_officer(name, *place, role=role)
        client = requests.Session()
        sign_in_with(client, self.url, name, one_time)
        answer = change_password_with(client, self.url, one_time, NEW_PASSWORD)
        assert answer.url == f"{self.url}/", answer.text
        return client


def form_token(client: requests.Session, url: str) -> str:
    """The CSRF token of the first form of the page at ``url``."""
    page = client.get(url).text
    marker = 'name="csrf" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def sign_in_with(
    client: requests.Session, base: str, name: str, password: str
) -> requests.Response:
    csrf = form_token(client, f"{base}/dang-nhap")
    return client.post(f"{base}/dang-nhap", data={"csrf": csrf, "name": name, "password": password})


def change_password_with(
    client: requests.Session, base: str, current: str, new: str
) -> requests.Response:
    url = f"{base}/doi-mat-khau"
    fields = {"current_password": current, "new_password": new, "repeat_password": new}
    return client.post(url, data={"csrf": form_token(client, url), **fields})


@contextlib.contextmanager
def running_console(
    db_url: str, *, clock: FakeClock | None = None, routers: tuple[APIRouter, ...] = ()
) -> Iterator[ConsoleServer]:
    """A real server on loopback with two communes and the given pages beyond the
    console's frame; on the real clock when no ``clock`` is given (its ``clock`` then
    moves nothing)."""
    db = open_server_db(db_url, clock=clock) if clock else open_server_db(db_url)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    accounts.add_commune(db, OTHER_COMMUNE, "Phường Thạch Khôi")
    server = EmbeddedServer(db, console_routers=routers)
    try:
        yield ConsoleServer(server, db, clock or FakeClock())
    finally:
        server.stop()
        db.close()


@pytest.fixture
def console(server_db_url: str) -> Iterator[ConsoleServer]:
    with running_console(server_db_url, clock=FakeClock()) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@contextlib.contextmanager
def browser_page(browser: Browser, **options: object) -> Iterator[Page]:
    """A page in a context of its own (its own cookies), closed at the end."""
    context: BrowserContext = browser.new_context(**options)  # type: ignore[arg-type]
    try:
        yield context.new_page()
    finally:
        context.close()
