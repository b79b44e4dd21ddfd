"""The audit log page in a real headless Chromium: reached from the commune's overview
with the keyboard alone, its older page too; no sideways scroll on a phone."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.console_admin_support import COMMUNE, admin_console, server_db_url
from tests.console_browser import ConsoleServer, browser, browser_page
from villagehelper.server.console import audit

__all__ = ["admin_console", "browser", "server_db_url"]

PAGE = f"/xa/{COMMUNE}/nhat-ky/"
PHONE = {"width": 390, "height": 844}


def _tab_to(page: Page, name: str, most: int = 40) -> None:
    """Press Tab until the focused element is the link called ``name``."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused == name:
            return
    raise AssertionError(f"{name!r} is not reachable with Tab")


def test_the_log_is_reached_and_paged_with_the_keyboard_alone_on_a_phone(
    admin_console: ConsoleServer, browser: Browser
) -> None:
    client = admin_console.signed_in_session("Nguyễn Thị Hoa", "--commune", COMMUNE)
    for number in range(60):
        audit.record(admin_console.db, "Nguyễn Thị Hoa", "laptop_revoked", f"may-{number}", "")
    cookie = client.cookies.get("vh_session")
    assert cookie is not None
    with browser_page(browser, viewport=PHONE) as page:
        page.context.add_cookies(
            [{"name": "vh_session", "value": cookie, "url": admin_console.url}]
        )
        page.goto(f"{admin_console.url}/xa/{COMMUNE}/")
        _tab_to(page, "Nhật ký")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{admin_console.url}{PAGE}"
        assert page.get_by_role("heading", level=1).inner_text().startswith("Nhật ký thao tác")
        assert page.locator("table.audit tbody tr").count() == 50
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"sideways scroll: {wide} px"
        _tab_to(page, "Trang sau (cũ hơn)", most=400)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{admin_console.url}{PAGE}?trang=2"
        assert page.locator("table.audit tbody tr").count() > 0
