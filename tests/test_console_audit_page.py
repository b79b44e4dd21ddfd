"""The audit log page (``/xa/<code>/nhat-ky/``) over plain HTTP, against a real server on
SQLite and PostgreSQL: the commune's lines only, newest first, in Vietnam time, each
action in words, fifty a page; for the commune's administrators only; no resident's
name anywhere in it."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import text

from tests.console_admin_support import (
    COMMUNE,
    OTHER_COMMUNE,
    admin_console,
    audit_actions,
    post_form,
    server_db_url,
)
from tests.console_browser import ConsoleServer, sign_in_with
from tests.sync_support import fast_connection
from villagehelper.demo.generate import generate_demo
from villagehelper.server import accounts
from villagehelper.server.console import audit
from villagehelper.store import sync_state
from villagehelper.store.engine import open_store
from villagehelper.sync import client

__all__ = ["admin_console", "server_db_url"]

PAGE = f"/xa/{COMMUNE}/nhat-ky/"
ADMIN = "Nguyễn Thị Hoa"
ROW = re.compile(
    r'<tr>\s*<th scope="row"[^>]*>([^<]*)</th>\s*<td[^>]*>([^<]*)</td>\s*'
    r"<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>"
)
# What the officer reads for each action the test makes (the page's promise, in words).
IN_WORDS = {
    "officer_added": "Được thêm làm cán bộ",
    "sign_in": "Đăng nhập",
    "sign_in_failed": "Đăng nhập sai mật khẩu",
    "password_changed": "Đổi mật khẩu",
    "village_added": "Thêm thôn",
    "refused_commune": "Bị từ chối: trang của xã khác",
}


def _rows(page: str) -> list[tuple[str, ...]]:
    return [tuple(html.unescape(cell).strip() for cell in row) for row in ROW.findall(page)]


def _stored_times(console: ConsoleServer) -> list[str]:
    """Every line's time as stored, newest first, by plain SQL."""
    with console.db.engine.connect() as connection:
        stored = connection.execute(text("SELECT at FROM console_audit ORDER BY id DESC")).all()
    return [row.at for row in stored]


def _as_shown(stored: str) -> str:
    """A stored UTC time in Vietnam time (UTC+7, no summer time), counted here."""
    moment = datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(hours=7)
    return moment.strftime("%d/%m/%Y %H:%M:%S")


def test_the_communes_lines_newest_first_in_words_and_vietnam_time(
    admin_console: ConsoleServer,
) -> None:
    base = admin_console.url
    admin = admin_console.signed_in_session(ADMIN, "--commune", COMMUNE)
    added = post_form(admin, base, f"/xa/{COMMUNE}/thon/", f"/xa/{COMMUNE}/thon/them-thon",
                      name="Thôn Khay", kind="thon")  # fmt: skip
    assert added.status_code == 303
    other = admin_console.signed_in_session("Trần Văn Khác", "--commune", OTHER_COMMUNE)
    assert other.get(f"{base}/xa/{COMMUNE}/").status_code == 403
    assert sign_in_with(requests.Session(), base, ADMIN, "sai mật khẩu").status_code == 401

    page = admin.get(f"{base}{PAGE}")
    assert page.status_code == 200
    rows = _rows(page.text)
    everything = audit_actions(admin_console)  # oldest first, every commune's
    expected = [
        (officer, IN_WORDS[action], target)
        for officer, action, target in reversed(everything)
        if officer == ADMIN or (action == "refused_commune" and target == COMMUNE)
    ]
    assert [(officer, action) for _at, officer, action, _target, _address in rows] == [
        (officer, action) for officer, action, _target in expected
    ]
    assert len(rows) == 6  # added, signed in, changed, village, refused other, failed
    assert all(officer != "Trần Văn Khác" or action.startswith("Bị từ chối")
               for _at, officer, action, _t, _a in rows)  # fmt: skip
    village_id = next(t for _o, action, t in everything if action == "village_added")
    assert ("Thêm thôn", f"Thôn Khay ({village_id})") in {(r[2], r[3]) for r in rows}
    assert rows[-1][4] == "dòng lệnh trên máy chủ"  # added by the server's command line
    assert rows[0][4] == "127.0.0.1"
    assert rows[0][0] == _as_shown(_stored_times(admin_console)[0])


def test_fifty_lines_a_page_with_links_to_the_newer_and_older(
    admin_console: ConsoleServer,
) -> None:
    admin = admin_console.signed_in_session(ADMIN, "--commune", COMMUNE)
    before = len(_rows(admin.get(f"{admin_console.url}{PAGE}").text))
    for number in range(120 - before):
        audit.record(admin_console.db, ADMIN, "laptop_revoked", f"may-{number:03}", "10.0.0.9")
    pages = [admin.get(f"{admin_console.url}{PAGE}?trang={n}").text for n in (1, 2, 3, 4)]
    shown = [_rows(page) for page in pages]
    assert [len(rows) for rows in shown] == [50, 50, 20, 0]
    targets = [row[3] for rows in shown for row in rows]
    assert targets[0] == f"may-{119 - before:03}" and targets[1] == f"may-{118 - before:03}"
    added = sorted(target for target in targets if target.startswith("may-"))
    assert added == [f"may-{number:03}" for number in range(120 - before)]
    assert 'rel="next" href="/xa/10999/nhat-ky/?trang=2"' in pages[0]
    assert 'rel="prev"' not in pages[0]
    assert 'rel="prev" href="/xa/10999/nhat-ky/?trang=1"' in pages[1]
    assert 'rel="next" href="/xa/10999/nhat-ky/?trang=3"' in pages[1]
    assert 'rel="next"' not in pages[2]
    assert "Trang này không có dòng nào" in pages[3]
    for wrong in ("0", "-1", "abc", "٣"):
        refused = admin.get(f"{admin_console.url}{PAGE}?trang={wrong}")
        assert refused.status_code == 400 and "Số trang phải là một số nguyên" in refused.text


def test_only_the_communes_administrators_see_it_and_its_link(
    admin_console: ConsoleServer,
) -> None:
    base = admin_console.url
    admin = admin_console.signed_in_session(ADMIN, "--commune", COMMUNE)
    viewer = admin_console.signed_in_session("Lê Văn Xem", "--commune", COMMUNE, role="viewer")
    other = admin_console.signed_in_session("Trần Văn Khác", "--commune", OTHER_COMMUNE)
    province = admin_console.signed_in_session("Sở Hải Phòng", "--province", "31")
    assert f'href="{PAGE}"' in admin.get(f"{base}/xa/{COMMUNE}/").text
    assert f'href="{PAGE}"' not in viewer.get(f"{base}/xa/{COMMUNE}/").text
    assert f'href="{PAGE}"' not in province.get(f"{base}/xa/{COMMUNE}/").text
    for refused in (viewer, other, province):
        answer = refused.get(f"{base}{PAGE}")
        assert answer.status_code == 403 and "Không được phép" in answer.text
        assert ADMIN not in answer.text
    signed_out = requests.get(f"{base}{PAGE}", allow_redirects=False)
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/dang-nhap")
    english = admin.get(f"{base}/ngon-ngu/en?tiep={PAGE}")
    assert "<h1>Audit log" in english.text and "Signed in" in english.text


def test_no_residents_name_reaches_the_log(admin_console: ConsoleServer, tmp_path: Path) -> None:
    laptop = open_store(tmp_path / "demo")
    generate_demo(laptop, households=6, sessions=12, seed=7)
    with laptop.transaction() as session:
        sync_state.clear(session, sync_state.DEMO_DATA)  # a throwaway copy, this server only
    code = accounts.issue_code(admin_console.db, COMMUNE, "leader")
    client.enrol(laptop, admin_console.url, code, "may-demo", connect=fast_connection)
    client.sync_once(laptop, connect=fast_connection)
    laptop.close()
    base = admin_console.url
    admin = admin_console.signed_in_session(ADMIN, "--commune", COMMUNE)
    post_form(admin, base, f"/xa/{COMMUNE}/thon/", f"/xa/{COMMUNE}/thon/them-thon",
              name="Thôn Mới", kind="thon")  # fmt: skip
    with admin_console.db.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT fields FROM records WHERE entity = 'member' AND commune_code = :c"),
            {"c": COMMUNE},
        ).all()
    residents = [json.loads(row.fields)["full_name"] for row in stored]
    assert len(residents) >= 6
    page = html.unescape(admin.get(f"{base}{PAGE}").text)
    assert "Thôn Mới" in page
    assert not [name for name in residents if name in page]
