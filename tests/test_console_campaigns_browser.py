"""The campaigns page's form in a real headless Chromium on a phone's width: an
administrator names a campaign, ticks a service by its label, picks the deadline in the
date field and creates it; the page then lists it with no sideways scroll, and the
leader's laptop has it after its next sync."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser
from sqlalchemy import select

from tests.console_admin_support import (
    COMMUNE,
    commune_admin,
    leader_laptop,
    live_console,
    server_db_url,
    sync,
)
from tests.console_browser import ConsoleServer, browser, browser_page
from villagehelper.clock import vietnam_today
from villagehelper.store.models import Campaign

__all__ = ["browser", "live_console", "server_db_url"]

PAGE = f"/xa/{COMMUNE}/chien-dich/"
PHONE = {"width": 390, "height": 844}
NAME = "Cài VssID cho người cao tuổi"


def test_a_campaign_made_with_the_form_on_a_phone_reaches_the_leaders_laptop(
    live_console: ConsoleServer, browser: Browser, tmp_path: Path
) -> None:
    laptop = leader_laptop(live_console, tmp_path / "to-truong", real_clock=True)
    deadline = vietnam_today(live_console.db.clock()) + timedelta(days=10)
    cookie = commune_admin(live_console).cookies.get("vh_session")
    assert cookie is not None
    with browser_page(browser, viewport=PHONE) as page:
        page.context.add_cookies([{"name": "vh_session", "value": cookie, "url": live_console.url}])
        page.goto(f"{live_console.url}{PAGE}")
        page.get_by_label("Tên chiến dịch").fill(NAME)
        page.get_by_label("Cài đặt, sử dụng VssID (bảo hiểm xã hội)").check()
        page.get_by_label("Hạn hoàn thành").fill(deadline.isoformat())
        with page.expect_navigation():
            page.get_by_role("button", name="Tạo chiến dịch").click()
        assert page.url == f"{live_console.url}{PAGE}"
        assert page.get_by_role("heading", name=NAME).is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    sync(laptop)
    with laptop.reading() as session:
        arrived = session.scalars(select(Campaign)).one()
    assert (arrived.name, arrived.service_codes, arrived.deadline) == (NAME, "VSSID", deadline)
    laptop.close()
