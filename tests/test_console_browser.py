"""The console's frame driven in Debian's headless Chromium: sign-in with the one-time
password and the forced change, the throttle, CSRF, another commune's page, signing out
everywhere, the language switch, keyboard use and widths from a phone to an office PC;
the audit log read back with plain SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import text

from tests.console_browser import (
    COMMUNE,
    NEW_PASSWORD,
    OTHER_COMMUNE,
    ConsoleServer,
    browser,
    browser_page,
    console,
    server_db_url,
)
from villagehelper.server.console import throttle

__all__ = ["browser", "console", "server_db_url"]

PHONE = {"width": 390, "height": 844}
OFFICE_PC = {"width": 1366, "height": 768}


def _sign_in(page: Page, base: str, name: str, password: str) -> int:
    """Fill the sign-in form by its labels (what a screen reader announces) and send it
    with Enter; the status of the page it led to."""
    page.goto(f"{base}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_label("Mật khẩu").press("Enter")
    answer = navigation.value
    assert answer is not None
    return answer.status


def _change_password(page: Page, one_time: str) -> None:
    page.get_by_label("Mật khẩu hiện tại").fill(one_time)
    page.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()


@contextmanager
def _signed_in(browser: Browser, console: ConsoleServer, name: str, *place: str) -> Iterator[Page]:
    """A page of a browser context of its own, signed in as a new officer whose one-time
    password is changed."""
    one_time = console.add_officer(name, *place)
    with browser_page(browser) as page:
        _sign_in(page, console.url, name, one_time)
        _change_password(page, one_time)
        yield page


def _audit(console: ConsoleServer) -> list[tuple[str, str]]:
    with console.db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT officer_name, action FROM console_audit ORDER BY id")
        )
        return [(row.officer_name, row.action) for row in rows]


def test_first_sign_in_forces_a_new_password_then_shows_the_commune(
    console: ConsoleServer, browser: Browser
) -> None:
    one_time = console.add_officer("Nguyễn Thị Hoa", "--commune", COMMUNE)
    with browser_page(browser) as page:
        assert _sign_in(page, console.url, "Nguyễn Thị Hoa", one_time) == 200
        assert page.url == f"{console.url}/doi-mat-khau"
        # Any other page sends the officer back to the change first.
        page.goto(f"{console.url}/")
        assert page.url == f"{console.url}/doi-mat-khau"
        _change_password(page, one_time)
        assert page.url == f"{console.url}/"
        assert page.get_by_role("heading", level=1).inner_text() == "Xã Gia Lộc"
        assert "Nguyễn Thị Hoa" in page.locator("header").inner_text()
    with browser_page(browser) as again:
        # The one-time password is spent; the new one signs in straight to the home page.
        assert _sign_in(again, console.url, "Nguyễn Thị Hoa", one_time) == 401
        _sign_in(again, console.url, "Nguyễn Thị Hoa", NEW_PASSWORD)
        assert again.url == f"{console.url}/"
    assert _audit(console) == [
        ("Nguyễn Thị Hoa", "officer_added"),
        ("Nguyễn Thị Hoa", "sign_in"),
        ("Nguyễn Thị Hoa", "password_changed"),
        ("Nguyễn Thị Hoa", "sign_in_failed"),
        ("Nguyễn Thị Hoa", "sign_in"),
    ]


def test_wrong_passwords_are_throttled_until_the_window_passes(
    console: ConsoleServer, browser: Browser
) -> None:
    one_time = console.add_officer("Lê Văn Bình", "--commune", COMMUNE)
    with browser_page(browser) as page:
        for attempt in range(throttle.NAME_LIMIT):
            assert _sign_in(page, console.url, "Lê Văn Bình", f"doan-sai-{attempt}") == 401
            assert page.get_by_role("alert").inner_text().startswith("Tên hoặc mật khẩu")
        # The next one is refused before its password is looked at: even the right one.
        assert _sign_in(page, console.url, "Lê Văn Bình", one_time) == 429
        assert "Đã nhập sai quá nhiều lần" in page.get_by_role("alert").inner_text()
        console.clock.advance(seconds=throttle.WINDOW.total_seconds() - 60)
        assert _sign_in(page, console.url, "Lê Văn Bình", one_time) == 429
        console.clock.advance(seconds=61)
        assert _sign_in(page, console.url, "Lê Văn Bình", one_time) == 200
        assert page.url == f"{console.url}/doi-mat-khau"
    actions = [action for _name, action in _audit(console)]
    assert actions.count("sign_in_failed") == throttle.NAME_LIMIT
    assert actions.count("sign_in_throttled") == 2
    assert actions[-1] == "sign_in"


def test_a_post_without_the_csrf_token_is_refused_in_the_browser(
    console: ConsoleServer, browser: Browser
) -> None:
    with _signed_in(browser, console, "Vũ Hải", "--commune", COMMUNE) as page:
        status = page.evaluate(
            """async () => (await fetch('/dang-xuat-moi-noi', {method: 'POST',
                headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                body: 'x=1'})).status"""
        )
        assert status == 403
        # Nothing was done: still signed in.
        page.goto(f"{console.url}/")
        assert page.url == f"{console.url}/"
        assert ("Vũ Hải", "sign_out_everywhere") not in _audit(console)


def test_a_commune_account_is_refused_another_communes_page(
    console: ConsoleServer, browser: Browser
) -> None:
    with _signed_in(browser, console, "Hoàng Yến", "--commune", COMMUNE) as page:
        own = page.goto(f"{console.url}/xa/{COMMUNE}/")
        assert own is not None and own.status == 200
        other = page.goto(f"{console.url}/xa/{OTHER_COMMUNE}/")
        assert other is not None and other.status == 403
        assert "không được xem xã này" in page.get_by_role("alert").inner_text()
        assert ("Hoàng Yến", "refused_commune") in _audit(console)


def test_signing_out_everywhere_ends_the_session_in_another_browser(
    console: ConsoleServer, browser: Browser
) -> None:
    with (
        _signed_in(browser, console, "Đỗ Lan", "--commune", COMMUNE) as first,
        browser_page(browser) as second,
    ):
        _sign_in(second, console.url, "Đỗ Lan", NEW_PASSWORD)
        assert second.url == f"{console.url}/"
        with first.expect_navigation():
            first.get_by_role("button", name="Đăng xuất mọi nơi").click()
        assert first.url == f"{console.url}/dang-nhap"
        second.reload()
        assert second.url == f"{console.url}/dang-nhap"
        assert second.get_by_role("heading", level=1).inner_text() == ("Đăng nhập trang quản lý")
    assert _audit(console)[-1] == ("Đỗ Lan", "sign_out_everywhere")


def test_sign_out_ends_this_browsers_session(console: ConsoleServer, browser: Browser) -> None:
    with _signed_in(browser, console, "Cao Nga", "--commune", COMMUNE) as page:
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng xuất", exact=True).click()
        page.goto(f"{console.url}/")
        assert page.url == f"{console.url}/dang-nhap"
    assert _audit(console)[-1] == ("Cao Nga", "sign_out")


def test_english_switch_is_kept_and_vietnamese_comes_first(
    console: ConsoleServer, browser: Browser
) -> None:
    with browser_page(browser) as page:
        page.goto(f"{console.url}/dang-nhap")
        assert page.locator("html").get_attribute("lang") == "vi"
        with page.expect_navigation():
            page.get_by_role("link", name="Switch to English").click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", level=1).inner_text() == "Sign in to the console"
        page.goto(f"{console.url}/")  # another page, the same choice
        assert page.get_by_label("Password").count() == 1


@pytest.mark.parametrize("size", [PHONE, OFFICE_PC], ids=["phone", "office-pc"])
def test_pages_fit_the_width_and_work_by_keyboard(
    console: ConsoleServer, browser: Browser, size: dict[str, int]
) -> None:
    one_time = console.add_officer("Bùi An", "--province", "31", role="viewer")
    with browser_page(browser, viewport=size) as page:
        refusals: list[str] = []
        page.on("console", lambda message: refusals.append(message.text))
        # The sign-in page puts the cursor in the name field; the password by Enter.
        _sign_in(page, console.url, "Bùi An", one_time)
        _change_password(page, one_time)
        # On a page, the first Tab reaches the skip link, which takes the focus to the
        # content past the header's links and buttons.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == ("Bỏ qua, tới nội dung chính")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "noi-dung"
        for path in ("/", f"/xa/{COMMUNE}/"):
            page.goto(f"{console.url}{path}")
            wider = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert wider == 0, path
            # The header leaves most of the screen to the page, on a phone too.
            header = page.evaluate("document.querySelector('header').offsetHeight")
            assert header < size["height"] / 3, path
        page.goto(f"{console.url}/")
        assert page.get_by_role("link", name="Phường Thạch Khôi (11002)").count() == 1
        # The style sheet loaded (the policy allows this server's own files).
        color = page.evaluate("getComputedStyle(document.querySelector('button')).color")
        assert color == "rgb(255, 255, 255)"
        assert not [text for text in refusals if "Content Security Policy" in text]
