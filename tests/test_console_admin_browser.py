"""The laptops and the villages and team pages in a real headless Chromium, with real
laptops: the ``villagehelper`` command line in processes of their own, each with its own
data folder.  An enrolment code issued in the browser enrols a laptop that then syncs; a
laptop revoked with the keyboard alone is refused at its next sync with its clear
message; a village added in the browser is in the laptop's store after its next sync;
no sideways scroll on a phone or a 1366×768 office PC, a laptop's villages and changes
waiting in view on both."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from tests.console_admin_support import COMMUNE, live_console, server_db_url
from tests.console_browser import ConsoleServer, browser, browser_page
from tests.sync_support import fast_connection
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts
from villagehelper.store.engine import open_store
from villagehelper.store.models import Village
from villagehelper.sync import client
from villagehelper.sync.device_history import CONFIG_DIR_ENV, MACHINE_ID_ENV

__all__ = ["browser", "live_console", "server_db_url"]

LAPTOPS = f"/xa/{COMMUNE}/may-tinh/"
TEAM = f"/xa/{COMMUNE}/thon/"
PHONE = {"width": 390, "height": 844}
OFFICE_PC = {"width": 1366, "height": 768}


@contextmanager
def _admin_page(browser: Browser, console: ConsoleServer, **options: object) -> Iterator[Page]:
    """A browser page signed in as the commune's administrator (signed in over HTTP, its
    session cookie handed to the browser: the sign-in pages have tests of their own)."""
    client = console.signed_in_session("Nguyễn Thị Hoa", "--commune", COMMUNE)
    with browser_page(browser, **options) as page:
        cookie = client.cookies.get("vh_session")
        assert cookie is not None
        page.context.add_cookies([{"name": "vh_session", "value": cookie, "url": console.url}])
        yield page


class LaptopCli:
    """The laptop's own command line on a data folder of its own, as a user runs it."""

    def __init__(self, folder: Path) -> None:
        self.data = folder / "data"
        self.env = {
            **os.environ,
            CONFIG_DIR_ENV: str(folder / "config"),
            MACHINE_ID_ENV: f"laptop-{folder.name}",
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "villagehelper.cli", *args, "--data-dir", str(self.data)],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            check=False,
        )

    def village_names(self) -> list[str]:
        store = open_store(self.data)
        try:
            with store.reading() as session:
                return sorted(session.scalars(select(Village.name)).all())
        finally:
            store.close()


def test_a_code_from_the_browser_enrols_a_laptop_and_a_keyboard_revoke_stops_its_sync(
    live_console: ConsoleServer, browser: Browser, tmp_path: Path
) -> None:
    laptop = LaptopCli(tmp_path / "hoa")
    with _admin_page(browser, live_console, viewport=OFFICE_PC) as page:
        page.goto(f"{live_console.url}{LAPTOPS}")
        page.get_by_label("tổ trưởng").check()
        with page.expect_navigation():  # the new page loaded, its style sheet too
            page.get_by_role("button", name="Cấp mã").click()
        shown = page.locator("#ma-dang-ky")
        code = shown.inner_text().strip()
        size = shown.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")
        assert size >= 32  # shown large: read out across a room

        enrolled = laptop.run("enroll", "--server", live_console.url, "--code", code)
        assert enrolled.returncode == 0, enrolled.stderr
        assert "quyền tổ trưởng" in enrolled.stdout
        synced = laptop.run("sync")
        assert synced.returncode == 0, synced.stderr

        # Keyboard only: Tab to the laptop's revoke link, Enter, then Enter on the
        # confirmation, whose button has the focus when the page opens.
        page.goto(f"{live_console.url}{LAPTOPS}")
        for _ in range(40):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.getAttribute('href') || ''")
            if focused.endswith("/thu-hoi"):
                break
        else:
            pytest.fail("no revoke link reached with Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        # Chromium moves focus to an autofocus element at its next rendering step,
        # which may come after the load event: wait for it (fails after the timeout).
        page.wait_for_function(
            "document.activeElement.textContent.trim() === 'Thu hồi máy này'", timeout=5000
        )
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{live_console.url}{LAPTOPS}"
        assert "đã thu hồi lúc" in page.locator("table").inner_text()

    refused = laptop.run("sync")
    assert refused.returncode == 1
    assert "đã bị thu hồi: hãy đăng ký lại với mã mới" in refused.stderr
    assert "revoked" in refused.stderr


def test_a_village_added_in_the_browser_is_on_the_laptop_after_its_next_sync(
    live_console: ConsoleServer, browser: Browser, tmp_path: Path
) -> None:
    laptop = LaptopCli(tmp_path / "to-truong")
    code = accounts.issue_code(live_console.db, COMMUNE, "leader")
    assert laptop.run("enroll", "--server", live_console.url, "--code", code).returncode == 0
    assert laptop.run("sync").returncode == 0
    assert laptop.village_names() == []
    with _admin_page(browser, live_console, viewport=PHONE) as page:
        page.goto(f"{live_console.url}{TEAM}")
        page.get_by_label("Tên thôn").fill("Thôn Hữu Chung")
        with page.expect_navigation():
            page.get_by_role("button", name="Thêm thôn").click()
        assert page.get_by_label("Tên mới của Thôn Hữu Chung").input_value() == "Thôn Hữu Chung"
    synced = laptop.run("sync")
    assert synced.returncode == 0, synced.stderr
    assert laptop.village_names() == ["Thôn Hữu Chung"]


def _laptop_with_work(console: ConsoleServer, folder: Path, village_name: str) -> None:
    """A leader's laptop (the real clock, as the live console's) that logged a session
    for a household of ``village_name`` and synced it."""
    store = open_store(folder)
    try:
        team.set_commune(store, COMMUNE)
        village = team.add_village(store, village_name)
        member = team.add_team_member(store, "Nguyễn Thị Phương Thảo", "leader", village.id)
        home = households.create_household(store, HouseholdInput(village.id, "Lò Văn Páo"))
        visit = VisitInput(home.id, member.id, [ServiceOutcome("VNEID_L1")])
        sessions.log_visit(store, visit)
        code = accounts.issue_code(console.db, COMMUNE, "leader")
        name = "may-tinh-nha-van-hoa-thon-khay-so-2"
        client.enrol(store, console.url, code, name, connect=fast_connection)
        client.sync_once(store, connect=fast_connection)
    finally:
        store.close()


@pytest.mark.parametrize("size", [PHONE, OFFICE_PC], ids=["phone", "office-pc"])
def test_the_pages_fit_the_width_of_a_phone_and_an_office_pc(
    live_console: ConsoleServer, browser: Browser, size: dict[str, int], tmp_path: Path
) -> None:
    db = live_console.db
    accounts.issued_code(db, COMMUNE, "volunteer")
    long_village = "Tổ dân phố Nguyễn Thái Học mở rộng phía Đông"
    _laptop_with_work(live_console, tmp_path / "laptop", long_village)
    with _admin_page(browser, live_console, viewport=size) as page:
        page.goto(f"{live_console.url}{TEAM}")
        page.get_by_label("Tên thôn").fill("Tổ dân phố Nguyễn Thái Học mở rộng phía Tây")
        with page.expect_navigation():
            page.get_by_role("button", name="Thêm thôn").click()
        page.get_by_label("Họ tên").fill("Nguyễn Thị Phương Thảo Hoàng Lan")
        with page.expect_navigation():
            page.get_by_role("button", name="Thêm thành viên").click()
        for path, issue in ((TEAM, False), (LAPTOPS, True)):
            page.goto(f"{live_console.url}{path}")
            if issue:
                with page.expect_navigation():
                    page.get_by_role("button", name="Cấp mã").click()
                # The laptop's row, its villages and changes waiting in view and labelled
                # (on a phone each cell is a line of its own, named by data-label).
                villages = page.locator("td.villages")
                assert villages.inner_text() == long_village
                waiting = page.locator("td.waiting")
                assert waiting.get_attribute("data-label") == "Thay đổi chờ gửi"
                assert waiting.inner_text().startswith("0 tính đến ")
                assert villages.is_visible() and waiting.is_visible()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (path, size)
