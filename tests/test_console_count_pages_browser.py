"""The console's count pages in Debian's headless Chromium after two laptops synced
through the real server: the overview's numbers equal the laptops' own tally of the
week, the report PDF downloaded by the browser reads back (pdftotext) with the same
total, the province's total is the sum of its communes, and no page scrolls sideways
on a phone (390 px) or an office PC (1366×768)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize

from tests.console_browser import (
    COMMUNE,
    ConsoleServer,
    browser,
    console,
    server_db_url,
)
from tests.console_pages_support import (
    RESIDENTS,
    count_shown,
    pdf_text,
    total_line,
    two_laptops_synced,
)
from tests.test_console_browser import OFFICE_PC, PHONE, _signed_in
from villagehelper.ops.team import list_villages
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week

__all__ = ["browser", "console", "server_db_url"]

WEEK = iso_week(2026, 48)  # the test clock's week


def _number(page: Page, selector: str) -> int:
    return count_shown(page.locator(selector).inner_text())


def _no_sideways_scroll(page: Page, paths: list[str], base: str) -> None:
    for size in (PHONE, OFFICE_PC):
        page.set_viewport_size(ViewportSize(width=size["width"], height=size["height"]))
        for path in paths:
            page.goto(f"{base}{path}")
            wider = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert wider == 0, (path, size)


def test_overview_and_report_in_the_browser_equal_the_laptops_tally(
    console: ConsoleServer, browser: Browser, tmp_path: Path
) -> None:
    synced = two_laptops_synced(console.server, tmp_path)
    leader = synced.leader.store
    tally = compute_tally(leader, WEEK)
    with _signed_in(browser, console, "Nguyễn Thị Hoa", "--commune", COMMUNE) as page:
        refusals: list[str] = []
        page.on("console", lambda message: refusals.append(message.text))
        page.set_viewport_size(ViewportSize(width=1366, height=768))
        page.get_by_role("link", name="Tổng quan").click()
        page.wait_for_url(f"{console.url}/xa/{COMMUNE}/")
        assert _number(page, "#tong-so-luot") == tally.totals.sessions
        assert _number(page, "#tong-so-nguoi") == tally.totals.people
        assert _number(page, "#tong-so-ho") == tally.totals.households
        assert _number(page, "#tong-hen-lai") == tally.totals.open_follow_ups
        for village in list_villages(leader):
            row = page.locator("#theo-thon tbody tr", has_text=village.name)
            cells = [count_shown(text) for text in row.locator("td").all_inner_texts()]
            counts = compute_tally(leader, WEEK, village_id=village.id).totals
            assert cells == [
                counts.sessions,
                counts.people,
                counts.households,
                counts.open_follow_ups,
            ]
        # The chart is drawn (inline SVG, allowed by the policy) and named for a reader.
        assert page.get_by_role("img", name="Số lượt trong 12 tuần").count() == 1
        body = page.locator("body").inner_text()
        assert not [name for name in RESIDENTS if name in body]

        page.get_by_role("link", name="Báo cáo").click()
        page.get_by_label("Kỳ báo cáo").select_option("2026-W48")
        page.get_by_label("Loại hỗ trợ theo hàng").check()
        with page.expect_download() as downloading:
            page.get_by_role("button", name="Tải PDF").click()
        download = downloading.value
        assert download.suggested_filename == "Báo cáo Xã Gia Lộc 2026-W48.pdf"
        saved = tmp_path / "report.pdf"
        download.save_as(saved)
        assert total_line(pdf_text(saved.read_bytes())) == [
            tally.totals.sessions,
            tally.totals.people,
            tally.totals.cumulative,
        ]
        _no_sideways_scroll(page, [f"/xa/{COMMUNE}/", f"/xa/{COMMUNE}/bao-cao"], console.url)
        assert not [text for text in refusals if "Content Security Policy" in text]


def test_province_page_in_the_browser_sums_its_communes(
    console: ConsoleServer, browser: Browser, tmp_path: Path
) -> None:
    synced = two_laptops_synced(console.server, tmp_path)
    tally = compute_tally(synced.leader.store, WEEK)
    with _signed_in(browser, console, "Sở VHTT", "--province", "31") as page:
        page.get_by_role("link", name="Các xã của tỉnh").click()
        page.wait_for_url(f"{console.url}/tinh/31/")
        rows = page.locator("#cac-xa tbody tr")
        sessions = [count_shown(row.locator("td").first.inner_text()) for row in rows.all()]
        assert sum(sessions) == tally.totals.sessions  # the other commune has none
        total = count_shown(page.locator("#cac-xa tfoot td").first.inner_text())
        assert total == sum(sessions)
        gia_loc = page.locator("#cac-xa tbody tr", has_text="Xã Gia Lộc")
        assert count_shown(gia_loc.locator("td").first.inner_text()) == tally.totals.sessions
        # Into a commune of the province: its overview, counts only.
        gia_loc.get_by_role("link", name="Xã Gia Lộc").click()
        page.wait_for_url(f"{console.url}/xa/{COMMUNE}/?ky=this_week")
        assert _number(page, "#tong-so-luot") == tally.totals.sessions
        _no_sideways_scroll(page, ["/tinh/31/", "/"], console.url)
