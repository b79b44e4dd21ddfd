"""The console's count pages over plain HTTP against a real server (SQLite and
PostgreSQL): a commune's overview and reports, a province's communes, each after two
laptops synced through that server, compared with the laptops' own tally; and who is
refused (403)."""

from __future__ import annotations

import io
import re
import socket
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import requests

from tests.console_browser import (
    COMMUNE,
    OTHER_COMMUNE,
    ConsoleServer,
    console,
    server_db_url,
)
from tests.console_pages_support import (
    RESIDENTS,
    number_with_id,
    pdf_text,
    table_rows,
    total_line,
    two_laptops_synced,
)
from villagehelper.ops.team import list_villages
from villagehelper.server.console.words import ENGLISH, VIETNAMESE, count_text
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week, month

__all__ = ["console", "server_db_url"]

WEEK = iso_week(2026, 48)  # the test clock's week
PROVINCE = "31"  # Hải Phòng: both communes of the fixture
OTHER_PROVINCE_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội


def _no_resident_named(page: str) -> None:
    for name in RESIDENTS:
        assert name not in page


def test_overview_shows_the_laptops_tally_of_the_week(
    console: ConsoleServer, tmp_path: Path
) -> None:
    synced = two_laptops_synced(console.server, tmp_path)
    leader = synced.leader.store
    client = console.signed_in_session("Nguyễn Thị Hoa", "--commune", COMMUNE, role="viewer")
    answer = client.get(f"{console.url}/xa/{COMMUNE}/")
    assert answer.status_code == 200
    page = answer.text
    tally = compute_tally(leader, WEEK)
    assert number_with_id(page, "tong-so-luot") == tally.totals.sessions == 8
    assert number_with_id(page, "tong-so-nguoi") == tally.totals.people
    assert number_with_id(page, "tong-so-ho") == tally.totals.households
    assert number_with_id(page, "tong-hen-lai") == tally.totals.open_follow_ups
    grid = table_rows(page, "luoi")
    used = [row for row in tally.rows if row.counts.sessions]
    for village in list_villages(leader):
        of_village = compute_tally(leader, WEEK, village_id=village.id)
        by_code = {row.service_code: row.counts.sessions for row in of_village.rows}
        expected = [by_code.get(row.service_code, 0) for row in used]
        assert grid[village.name] == [*expected, of_village.totals.sessions]
    assert grid["Tổng cộng"] == [*(row.counts.sessions for row in used), tally.totals.sessions]
    services = table_rows(page, "theo-loai")
    assert services["Tổng cộng"][:6] == [
        tally.totals.sessions,
        tally.totals.people,
        tally.totals.households,
        tally.totals.done,
        tally.totals.follow_up,
        tally.totals.failed,
    ]
    chart = table_rows(page, "so-lieu-bieu-do")
    assert chart["W48"] == [tally.totals.sessions]
    assert "<svg" in page and 'role="img"' in page
    skills = tally.basic_skills
    assert f"{skills.households_covered} trên {skills.households} hộ" in page
    _no_resident_named(page)


def test_overview_periods_and_a_bad_one(console: ConsoleServer, tmp_path: Path) -> None:
    synced = two_laptops_synced(console.server, tmp_path)
    client = console.signed_in_session("Hoa", "--commune", COMMUNE)
    page = client.get(f"{console.url}/xa/{COMMUNE}/", params={"ky": "this_month"}).text
    assert (
        number_with_id(page, "tong-so-luot")
        == compute_tally(synced.leader.store, month(2026, 11)).totals.sessions
    )
    console.clock.advance(days=7)  # a week on, nothing logged: this week is empty
    client = console.signed_in_session("Lan", "--commune", COMMUNE)  # the session expired
    page = client.get(f"{console.url}/xa/{COMMUNE}/", params={"ky": "this_week"}).text
    assert number_with_id(page, "tong-so-luot") == 0
    last = client.get(f"{console.url}/xa/{COMMUNE}/", params={"ky": "last_week"}).text
    assert number_with_id(last, "tong-so-luot") == 8
    # Both villages' laptops last synced 7 days and some milliseconds ago: stale.
    stale = client.get(f"{console.url}/xa/{COMMUNE}/").text
    assert "Thôn chưa đồng bộ quá 7 ngày" in stale
    assert set(table_rows(stale, "chua-dong-bo")) == {"Thôn Khay", "Thôn Hữu Chung"}
    bad = client.get(f"{console.url}/xa/{COMMUNE}/", params={"ky": "next_year"})
    assert bad.status_code == 400
    assert "Kỳ không hợp lệ" in bad.text and "Bad period" in bad.text


def test_report_pdf_and_xlsx_carry_the_laptops_figures(
    console: ConsoleServer, tmp_path: Path
) -> None:
    synced = two_laptops_synced(console.server, tmp_path)
    tally = compute_tally(synced.leader.store, WEEK)
    client = console.signed_in_session("Hoa", "--commune", COMMUNE, role="viewer")
    form = client.get(f"{console.url}/xa/{COMMUNE}/bao-cao")
    assert form.status_code == 200 and 'value="2026-W48" selected' in form.text
    pdf = client.get(
        f"{console.url}/xa/{COMMUNE}/bao-cao.pdf", params={"ky": "2026-W48", "xep": "services"}
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    disposition = pdf.headers["content-disposition"]
    assert 'filename="bao-cao-10999-2026-W48.pdf"' in disposition
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert encoded is not None and unquote(encoded[1]) == "Báo cáo Xã Gia Lộc 2026-W48.pdf"
    text = pdf_text(pdf.content)
    assert total_line(text) == [
        tally.totals.sessions,
        tally.totals.people,
        tally.totals.cumulative,
    ]
    _no_resident_named(text)
    xlsx = client.get(
        f"{console.url}/xa/{COMMUNE}/bao-cao.xlsx", params={"ky": "2026-11", "xep": "villages"}
    )
    assert xlsx.status_code == 200
    assert 'filename="bao-cao-10999-2026-11.xlsx"' in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Báo cáo"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert (
        rows["Tổng cộng"][-3] == compute_tally(synced.leader.store, month(2026, 11)).totals.sessions
    )
    for query, message in (
        ({"ky": "2026-W99", "xep": "villages"}, "không có tuần 99"),
        ({"ky": "tuần này", "xep": "villages"}, "Kỳ báo cáo không hợp lệ"),
        ({"ky": "2026-W48", "xep": "sideways"}, "Cách xếp bảng không hợp lệ"),
    ):
        refused = client.get(f"{console.url}/xa/{COMMUNE}/bao-cao.pdf", params=query)
        assert refused.status_code == 400 and message in refused.text, query
    odd = client.get(f"{console.url}/xa/{COMMUNE}/bao-cao.doc", params={"ky": "2026-W48"})
    assert odd.status_code == 404


def test_province_page_sums_its_communes_and_exports_them(
    console: ConsoleServer, tmp_path: Path
) -> None:
    synced = two_laptops_synced(console.server, tmp_path)
    tally = compute_tally(synced.leader.store, WEEK)
    client = console.signed_in_session("Sở VHTT", "--province", PROVINCE, role="viewer")
    page = client.get(f"{console.url}/tinh/{PROVINCE}/").text
    rows = table_rows(page, "cac-xa")
    assert rows["Xã Gia Lộc (10999)"][:3] == [
        tally.totals.sessions,
        tally.totals.people,
        tally.totals.households,
    ]
    assert rows["Phường Thạch Khôi (11002)"][:3] == [0, 0, 0]
    communes = [row for name, row in rows.items() if name != "Tổng cộng"]
    assert rows["Tổng cộng"][:4] == [sum(column) for column in zip(*communes, strict=True)][:4]
    # A province officer opens its communes' counts, not another province's.
    assert client.get(f"{console.url}/xa/{COMMUNE}/").status_code == 200
    assert client.get(f"{console.url}/xa/{COMMUNE}/bao-cao").status_code == 200
    export = client.get(f"{console.url}/tinh/{PROVINCE}/cac-xa.xlsx", params={"ky": "this_week"})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    lines = {row[2]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert lines["Xã Gia Lộc"][3:6] == (
        tally.totals.sessions,
        tally.totals.people,
        tally.totals.households,
    )
    assert lines["Tổng cộng"][3] == tally.totals.sessions
    _no_resident_named(page)


def test_who_is_refused(console: ConsoleServer) -> None:
    commune_officer = console.signed_in_session("Hoa", "--commune", COMMUNE)
    province_officer = console.signed_in_session("Hà Nội", "--province", "01")
    refused: list[tuple[requests.Session, str]] = [
        (commune_officer, f"/xa/{OTHER_COMMUNE}/"),
        (commune_officer, f"/xa/{OTHER_COMMUNE}/bao-cao"),
        (commune_officer, f"/xa/{OTHER_COMMUNE}/bao-cao.pdf?ky=2026-W48"),
        (commune_officer, f"/xa/{OTHER_COMMUNE}/bao-cao.xlsx?ky=2026-W48"),
        (commune_officer, f"/tinh/{PROVINCE}/"),
        (commune_officer, f"/tinh/{PROVINCE}/cac-xa.xlsx"),
        (province_officer, f"/xa/{COMMUNE}/"),
        (province_officer, f"/xa/{COMMUNE}/bao-cao.pdf?ky=2026-W48"),
        (province_officer, f"/tinh/{PROVINCE}/"),
        (province_officer, f"/tinh/{PROVINCE}/cac-xa.xlsx"),
    ]
    for client, path in refused:
        answer = client.get(f"{console.url}{path}")
        assert answer.status_code == 403, path
        assert "Không được phép" in answer.text
    signed_out = requests.get(f"{console.url}/xa/{COMMUNE}/", allow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/dang-nhap"


def test_the_embedded_server_answers_kept_alive_connections_without_a_delayed_ack(
    console: ConsoleServer,
) -> None:
    """Its listening socket names TCP, as ``serve``'s does (getaddrinfo): asyncio then
    sets TCP_NODELAY on each connection, and a page's second write does not wait ~40 ms
    for the browser's delayed ACK."""
    assert console.server.socket.proto == socket.IPPROTO_TCP


def test_counts_are_written_as_each_language_writes_them() -> None:
    """A year's cumulative count runs into thousands: a Vietnamese reader reads 2.167,
    an English one 2,167 (a dot in English would read as a decimal)."""
    assert count_text(VIETNAMESE, 2167) == "2.167"
    assert count_text(VIETNAMESE, 1_234_567) == "1.234.567"
    assert count_text(ENGLISH, 2167) == "2,167"
    assert count_text(VIETNAMESE, 999) == count_text(ENGLISH, 999) == "999"
