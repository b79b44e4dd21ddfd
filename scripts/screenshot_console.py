"""Regenerate docs/screenshots/console-*.png: every page of the commune web console at an
office PC's width (1366×768) and a phone's (390×844), in Debian's headless Chromium
driven by Playwright, on the demo data the laptop's screenshots use.

    python scripts/screenshot_console.py [--out docs/screenshots]

A real villagehelper-server on a loopback port, its database in a temporary folder:
three more laptops enrolled over the three weeks before (one revoked since), then the
demo laptop (Xã Gia Lộc, 400 households, 2,500 sessions) enrols and syncs everything,
its villages and team and a campaign with its list and visits among it.  A commune
administrator and a province officer sign in through the pages themselves, the
administrator's forced password change pictured on the way.  Each picture is the whole
page: ``console-<page>-desktop.png`` and ``console-<page>-phone.png``, one pair per
entry of :data:`PAGES`.  Needs /usr/bin/chromium (apt chromium); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from demo_campaign import demo_campaign
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from villagehelper.demo.generate import generate_demo
from villagehelper.geography import commune_by_code
from villagehelper.ops.team import list_team_members
from villagehelper.server import accounts
from villagehelper.server.cli.serve import console_rooms
from villagehelper.server.console import audit, officers
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.embedded import EmbeddedServer
from villagehelper.server.laptop_calls import LaptopCalls
from villagehelper.store import sync_state
from villagehelper.store.engine import Store, open_store
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
ADMIN = "Nguyễn Thị Hoa"
PROVINCE_OFFICER = "Sở VHTT"
OTHER_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội: another province's, so refused
# The other laptops of the commune: name, role, app version, platform (None: never
# synced), changes waiting as its last call said (None: an app too old to say).
OTHER_LAPTOPS = [
    ("may-to-truong-khay", "leader", "1.4.0", "windows", "0"),
    ("may-thon-huu-chung", "volunteer", "1.4.0", "windows", "3"),  # its upload cut short
    ("laptop-cu-nha-van-hoa", "volunteer", "1.3.2", "linux", None),
    ("may-moi-chua-dong-bo", "volunteer", None, None, None),
]
REVOKED = "laptop-cu-nha-van-hoa"
# The campaign the administrator creates on the campaigns page (no list yet); the
# leader's laptop brings another, with its list and visits (demo_campaign.py).
CONSOLE_CAMPAIGN = "Định danh điện tử mức 2 cho người trên 60 tuổi"


class Ticking:
    """The server's clock: set by the script, a millisecond later at every reading."""

    def __init__(self) -> None:
        self.now = MOMENT

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@dataclass(frozen=True)
class Shot:
    """One page to picture: its file name and how to reach it from a signed-in page."""

    name: str
    reach: Callable[[Page, str], None]  # (page, server address): navigates there


def visit(path: str) -> Callable[[Page, str], None]:
    return lambda page, base: _goto(page, f"{base}{path}")


def _goto(page: Page, url: str) -> None:
    page.goto(url)  # an error page's status (403, 404) is the picture, not a failure


def issue_code(commune: str) -> Callable[[Page, str], None]:
    def reach(page: Page, base: str) -> None:
        page.goto(f"{base}/xa/{commune}/may-tinh/")
        page.get_by_label("tổ trưởng").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Cấp mã").click()

    return reach


def revoke_confirmation(commune: str) -> Callable[[Page, str], None]:
    def reach(page: Page, base: str) -> None:
        page.goto(f"{base}/xa/{commune}/may-tinh/")
        with page.expect_navigation():
            page.get_by_role("link", name="Thu hồi").first.click()

    return reach


def campaigns_page(commune: str) -> Callable[[Page, str], None]:
    """The campaigns page, once the administrator created a campaign on it (the first
    time only: the page is pictured at both sizes)."""

    def reach(page: Page, base: str) -> None:
        page.goto(f"{base}/xa/{commune}/chien-dich/")
        if CONSOLE_CAMPAIGN in page.content():
            return
        page.get_by_label("Tên chiến dịch").fill(CONSOLE_CAMPAIGN)
        page.locator('input[name="service_VNEID_L2"]').check()
        page.get_by_label("Hạn hoàn thành").fill("2026-12-31")
        with page.expect_navigation():
            page.get_by_role("button", name="Tạo chiến dịch").click()

    return reach


def commune_pages(commune: str) -> list[Shot]:
    """What the commune's administrator sees, in the order of the README's table."""
    base = f"/xa/{commune}"
    return [
        Shot("home", visit("/")),
        Shot("overview", visit(f"{base}/")),
        Shot("overview-quarter", visit(f"{base}/?ky=this_quarter")),
        Shot("reports", visit(f"{base}/bao-cao")),
        Shot("laptops", visit(f"{base}/may-tinh/")),
        Shot("laptop-code", issue_code(commune)),
        Shot("laptop-revoke", revoke_confirmation(commune)),
        Shot("team", visit(f"{base}/thon/")),
        Shot("campaigns", campaigns_page(commune)),
        Shot("audit", visit(f"{base}/nhat-ky/")),
        Shot("refused", visit(f"/xa/{OTHER_COMMUNE}/")),
        Shot("bad-input", visit(f"{base}/?ky=nam-ngoai")),
        Shot("not-found", visit(f"{base}/khong-co")),
    ]


def shoot(page: Page, base: str, out: Path, shot: Shot) -> None:
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        shot.reach(page, base)
        # A page wider than the screen scrolls sideways on a phone: not a picture to keep.
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > size["width"]:
            raise SystemExit(f"{shot.name} ({size_name}) is {wide} px wide: it scrolls sideways")
        path = out / f"console-{shot.name}-{size_name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"wrote {path}")


def add_officer(
    db: ServerDB, name: str, role: str, commune: str | None, province: str | None
) -> str:
    """An officer added as ``villagehelper-server add-officer`` adds one, but on the
    server's clock (the command opens the database on the real one): the audit log's
    first line then reads the demo's time like the others.  The one-time password."""
    one_time = officers.add_officer(db, name, role, commune=commune, province=province)
    place = f"commune {commune}" if commune else f"province {province}"
    audit.record(db, name, "officer_added", place, audit.COMMAND_LINE)
    return one_time


@contextlib.contextmanager
def signed_in_page(
    browser: Browser, base: str, name: str, one_time: str, first_shot: Callable[[Page], None]
) -> Iterator[Page]:
    """A page signed in through the sign-in form; ``first_shot`` sees the forced
    password change before the new password is saved."""
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    page.goto(f"{base}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(one_time)
    with page.expect_navigation():
        page.get_by_label("Mật khẩu").press("Enter")
    first_shot(page)
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{base}/doi-mat-khau")
    page.get_by_label("Mật khẩu hiện tại").fill(one_time)
    page.get_by_label("Mật khẩu mới", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    try:
        yield page
    finally:
        context.close()


def enrol_other_laptops(db: ServerDB, clock: Ticking, commune: str) -> None:
    """The commune's other laptops, enrolled over the three weeks before the demo's
    moment, their calls noted as their syncs would note them; one revoked since."""
    clock.now = MOMENT - timedelta(days=20)
    calls = LaptopCalls(db)
    for name, role, version, platform, waiting in OTHER_LAPTOPS:
        clock.now += timedelta(days=3, hours=2, minutes=17)
        device = accounts.enrol(db, accounts.issue_code(db, commune, role), name).device_id
        if version is not None:
            calls.note(device, version, platform, waiting)
        if name == REVOKED:
            clock.now += timedelta(days=1)
            accounts.revoke(db, device)
    clock.now = MOMENT


def demo_laptop(folder: Path) -> Store:
    laptop = open_store(folder / "demo", clock=lambda: MOMENT)
    generate_demo(laptop, households=400, sessions=2500, seed=2025)
    leader = next(member for member in list_team_members(laptop) if member.is_leader)
    demo_campaign(laptop, leader.id, MOMENT)
    # A throwaway copy of the demo, on a throwaway server: the laptop's guard against
    # uploading sample data (sync/client.py) is lifted for it alone.
    with laptop.transaction() as session:
        sync_state.clear(session, sync_state.DEMO_DATA)
    return laptop


def photograph(base: str, db: ServerDB, commune: str, province: str, out: Path) -> None:
    admin_password = add_officer(db, ADMIN, "admin", commune, None)
    province_password = add_officer(db, PROVINCE_OFFICER, "viewer", None, province)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        signed_out = browser.new_page()
        shoot(signed_out, base, out, Shot("sign-in", visit("/dang-nhap")))

        def password_change(page: Page) -> None:
            shoot(page, base, out, Shot("change-password", visit("/doi-mat-khau")))

        with signed_in_page(browser, base, ADMIN, admin_password, password_change) as page:
            for shot in commune_pages(commune):
                shoot(page, base, out, shot)
        with signed_in_page(
            browser, base, PROVINCE_OFFICER, province_password, lambda _: None
        ) as page:
            shoot(page, base, out, Shot("province", visit(f"/tinh/{province}/")))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vh-console-shots-") as work:
        folder = Path(work)
        laptop = demo_laptop(folder)
        commune = laptop.commune()
        assert commune is not None
        official = commune_by_code(commune.code)
        assert official is not None
        db_url = f"sqlite+pysqlite:///{folder / 'server.sqlite3'}"
        clock = Ticking()
        db = open_server_db(db_url, clock=clock)
        accounts.add_commune(db, commune.code, commune.name)
        server = EmbeddedServer(db, console_routers=console_rooms())
        try:
            enrol_other_laptops(db, clock, commune.code)
            code = accounts.issue_code(db, commune.code, "leader")
            client.enrol(laptop, server.url, code, "may-demo-gia-loc")
            client.sync_once(laptop)
            photograph(server.url, db, commune.code, official.province_code, args.out)
        finally:
            server.stop()
            db.close()
            laptop.close()


if __name__ == "__main__":
    main()
