"""Regenerate docs/screenshots/console-*.png: every page of the commune web console at an
office PC's width (1366×768) and a phone's (390×844), in Debian's headless Chromium
driven by Playwright, on the demo data the laptop's screenshots use.

    python scripts/screenshot_console.py [--out docs/screenshots]

The demo laptop (Xã Gia Lộc, 400 households, 2,500 sessions) enrols with a real
villagehelper-server on a loopback port and syncs everything to it; then a commune
officer and a province officer sign in through the pages themselves.  Each picture is
the whole page (``console-<page>-desktop.png``, ``console-<page>-phone.png``).  Needs
/usr/bin/chromium (apt chromium); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from villagehelper.demo.generate import generate_demo
from villagehelper.geography import commune_by_code
from villagehelper.server import accounts
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.database import open_server_db
from villagehelper.server.embedded import EmbeddedServer
from villagehelper.store import sync_state
from villagehelper.store.engine import open_store
from villagehelper.sync import client

# The moment of the laptop's screenshots (scripts/screenshot_support.py).
MOMENT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SIZES = {
    "desktop": ViewportSize(width=1366, height=768),
    "phone": ViewportSize(width=390, height=844),
}
PASSWORD = "trâu ăn cỏ bên đê làng"


class Ticking:
    """The server's clock: the demo's moment, a millisecond later at every reading."""

    def __init__(self) -> None:
        self.now = MOMENT

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def add_officer(db_url: str, name: str, *place: str) -> str:
    """The one-time password ``villagehelper-server add-officer`` printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            server_cli.main(["--db", db_url, "add-officer", *place, "--role", "viewer", name]) == 0
        )
    return out.getvalue().strip().splitlines()[-1]


@contextlib.contextmanager
def signed_in_page(browser: Browser, base: str, name: str, one_time: str) -> Iterator[Page]:
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    page.goto(f"{base}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(one_time)
    with page.expect_navigation():
        page.get_by_label("Mật khẩu").press("Enter")
    page.get_by_label("Mật khẩu hiện tại").fill(one_time)
    page.get_by_label("Mật khẩu mới", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    try:
        yield page
    finally:
        context.close()


def shoot(page: Page, url: str, out: Path, name: str) -> None:
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        page.goto(url)
        path = out / f"console-{name}-{size_name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        laptop = open_store(folder / "demo", clock=lambda: MOMENT)
        generate_demo(laptop, households=400, sessions=2500, seed=2025)
        commune = laptop.commune()
        assert commune is not None
        official = commune_by_code(commune.code)
        assert official is not None
        db_url = f"sqlite+pysqlite:///{folder / 'server.sqlite3'}"
        db = open_server_db(db_url, clock=Ticking())
        accounts.add_commune(db, commune.code, commune.name)
        server = EmbeddedServer(db)
        try:
            # A throwaway copy of the demo, on a throwaway server: the laptop's guard
            # against uploading sample data (sync/client.py) is lifted for it alone.
            with laptop.transaction() as session:
                sync_state.clear(session, sync_state.DEMO_DATA)
            code = accounts.issue_code(db, commune.code, "leader")
            client.enrol(laptop, server.url, code, "demo laptop")
            client.sync_once(laptop)
            commune_password = add_officer(db_url, "Nguyễn Thị Hoa", "--commune", commune.code)
            province_password = add_officer(db_url, "Sở VHTT", "--province", official.province_code)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                signed_out = browser.new_page()
                shoot(signed_out, f"{server.url}/dang-nhap", args.out, "sign-in")
                base = server.url
                with signed_in_page(browser, base, "Nguyễn Thị Hoa", commune_password) as page:
                    shoot(page, f"{base}/", args.out, "home")
                    shoot(page, f"{base}/xa/{commune.code}/", args.out, "overview")
                    shoot(
                        page,
                        f"{base}/xa/{commune.code}/?ky=this_quarter",
                        args.out,
                        "overview-quarter",
                    )
                    shoot(page, f"{base}/xa/{commune.code}/bao-cao", args.out, "reports")
                    shoot(page, f"{base}/xa/00004/", args.out, "refused")
                province = official.province_code
                with signed_in_page(browser, base, "Sở VHTT", province_password) as page:
                    shoot(page, f"{base}/tinh/{province}/", args.out, "province")
                browser.close()
        finally:
            server.stop()
            db.close()
            laptop.close()


if __name__ == "__main__":
    main()
