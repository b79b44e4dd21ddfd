"""Regenerate docs/screenshots/console-laptops*.png and console-team*.png: the console's
laptops page (with a code just issued, and the revoke confirmation) and its villages and
team page, at an office PC's width (1366x768) and a phone's (390x844).

    python scripts/screenshot_console_admin.py [--out docs/screenshots]

A server on a loopback port with a database in a temporary folder; the villages and
team written through the page's own writer; two laptops are real laptop stores that log
sessions and sync through the server (their villages on the page come from that work),
the others enrolled through the server's own functions, their calls noted as a laptop's
sync would note them.  Headless Chromium (/usr/bin/chromium) driven by Playwright, as
the tests drive it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from villagehelper.ops import households, sessions
from villagehelper.ops import team as laptop_team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.server import accounts, leader_writes
from villagehelper.server.console import laptops, officers, team
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.embedded import EmbeddedServer
from villagehelper.server.laptop_calls import LaptopCalls
from villagehelper.store.engine import open_store
from villagehelper.sync import client
from villagehelper.sync.device_history import CONFIG_DIR_ENV, MACHINE_ID_ENV

CHROMIUM = "/usr/bin/chromium"
COMMUNE = "10999"
OFFICER = "Nguyễn Thị Hoa"
PASSWORD = "trâu ăn cỏ bên đê làng"
SIZES = {"": {"width": 1366, "height": 768}, "-phone": {"width": 390, "height": 844}}
MOMENT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


class Clock:
    """The server's clock, moved by the script so the times shown are the same each run."""

    def __init__(self) -> None:
        self.now = MOMENT - timedelta(days=20)

    def __call__(self) -> datetime:
        return self.now


def fill(db: ServerDB, clock: Clock) -> None:
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    khay = leader_writes.add_village(db, COMMUNE, "Thôn Khay", "thon")
    chung = leader_writes.add_village(db, COMMUNE, "Thôn Hữu Chung", "thon")
    leader_writes.add_village(db, COMMUNE, "Tổ dân phố Nguyễn Trãi", "to_dan_pho")
    leader_writes.add_member(db, COMMUNE, "Phạm Đăng Xuyết", "leader", khay)
    leader_writes.add_member(db, COMMUNE, "Nguyễn Thị Hệ", "member", khay)
    leader_writes.add_member(db, COMMUNE, "Lò Văn Páo", "member", chung)
    gone = leader_writes.add_member(db, COMMUNE, "Đinh Thị Sáu", "member", None)
    leader_writes.set_member_active(db, COMMUNE, gone, False)


def enrol_laptops(db: ServerDB, clock: Clock, url: str, folder: Path) -> None:
    """Two laptops that log sessions and sync (a household of their villages each), one
    older laptop (revoked) and one never synced."""
    for name, role, homes in [
        ("may-to-truong-khay", "leader", ["Thôn Khay"]),
        ("may-thon-huu-chung", "volunteer", ["Thôn Hữu Chung", "Thôn Khay"]),
    ]:
        clock.now += timedelta(days=3, hours=2, minutes=17)
        os.environ[MACHINE_ID_ENV] = name  # each laptop a machine of its own
        store = open_store(folder / name, clock=clock)
        try:
            client.enrol(store, url, accounts.issue_code(db, COMMUNE, role), name)
            client.sync_once(store)
            villages = {v.name: v.id for v in laptop_team.list_villages(store)}
            [member] = [m for m in laptop_team.list_team_members(store) if m.role == "leader"]
            for village in homes:
                home = households.create_household(store, HouseholdInput(villages[village], "Hộ A"))
                visit = VisitInput(home.id, member.id, [ServiceOutcome("VNEID_L1")])
                sessions.log_visit(store, visit)
            client.sync_once(store)
        finally:
            store.close()
    calls = LaptopCalls(db)
    enrolled = []
    for name, version, platform in [
        ("laptop-cu-nha-van-hoa", "1.3.2", "linux"),
        ("may-moi-chua-dong-bo", None, None),
    ]:
        clock.now += timedelta(days=3, hours=2, minutes=17)
        code = accounts.issue_code(db, COMMUNE, "volunteer")
        device = accounts.enrol(db, code, name).device_id
        enrolled.append(device)
        if version is not None:
            calls.note(device, version, platform)  # an app too old to report its changes
    clock.now = MOMENT
    accounts.revoke(db, enrolled[0])


def sign_in(page: Page, base: str, db: ServerDB) -> None:
    one_time = officers.add_officer(db, OFFICER, "admin", commune=COMMUNE, province=None)
    page.goto(f"{base}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(OFFICER)
    page.get_by_label("Mật khẩu").fill(one_time)
    with page.expect_navigation():
        page.get_by_label("Mật khẩu").press("Enter")
    page.get_by_label("Mật khẩu hiện tại").fill(one_time)
    page.get_by_label("Mật khẩu mới", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()


def shoot(page: Page, base: str, out: Path, suffix: str) -> None:
    page.goto(f"{base}/xa/{COMMUNE}/may-tinh/")
    page.screenshot(path=out / f"console-laptops{suffix}.png", full_page=True)
    page.get_by_label("tổ trưởng").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Cấp mã").click()
    page.screenshot(path=out / f"console-laptop-code{suffix}.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name="Thu hồi").first.click()
    page.screenshot(path=out / f"console-laptop-revoke{suffix}.png", full_page=True)
    page.goto(f"{base}/xa/{COMMUNE}/thon/")
    page.screenshot(path=out / f"console-team{suffix}.png", full_page=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vh-console-shots-") as folder:
        os.environ[CONFIG_DIR_ENV] = f"{folder}/config"  # the laptops' machine notes
        clock = Clock()
        db = open_server_db(f"sqlite:///{folder}/server.sqlite3", clock=clock)
        fill(db, clock)
        server = EmbeddedServer(db, console_routers=(laptops.router, team.router))
        try:
            enrol_laptops(db, clock, server.url, Path(folder))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
                )
                for suffix, size in SIZES.items():
                    context = browser.new_context(viewport=size)  # type: ignore[arg-type]
                    page = context.new_page()
                    if suffix == "":
                        sign_in(page, server.url, db)
                        cookies = context.cookies()
                    else:
                        context.add_cookies(cookies)  # type: ignore[arg-type]
                    shoot(page, server.url, args.out, suffix)
                    context.close()
                browser.close()
        finally:
            server.stop()
            db.close()
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
