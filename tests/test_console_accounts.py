"""Officers' accounts and the console's frame over plain HTTP, against a real server on
SQLite and PostgreSQL: the add-officer command, what the database keeps (hashes only),
sessions' ends, the throttle kept across a restart, CSRF refusals, the security headers
and cookie flags, the scope rule."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from tests.console_browser import (
    COMMUNE,
    NEW_PASSWORD,
    OTHER_COMMUNE,
    ConsoleServer,
    change_password_with,
    console,
    form_token,
    server_db_url,
    sign_in_with,
)
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.console import sessions, throttle
from villagehelper.server.console.frame import CheckedForm, CommunePage, require_admin
from villagehelper.server.database import open_server_db
from villagehelper.server.embedded import EmbeddedServer

__all__ = ["console", "server_db_url"]

ONE_TIME_SHAPE = re.compile(r"^[A-HJ-NP-Z2-9]{5}(-[A-HJ-NP-Z2-9]{5}){3}$")


def _run(db_url: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = server_cli.main(["--db", db_url, *args])
    return code, out.getvalue(), err.getvalue()


def test_add_officer_prints_a_one_time_password_kept_only_as_an_argon2id_hash(
    console: ConsoleServer,
) -> None:
    password = console.add_officer("Nguyễn Thị Hoa", "--commune", COMMUNE)
    assert ONE_TIME_SHAPE.match(password), password
    with console.db.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT password_hash, must_change_password, role, commune_code FROM officers")
        ).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert password not in stored.password_hash
    assert bool(stored.must_change_password)
    assert (stored.role, stored.commune_code) == ("admin", COMMUNE)
    code, out, _ = _run(console.db.url, "officers")
    assert code == 0
    assert "Nguyễn Thị Hoa\tadmin\t10999\t-\tone-time password" in out


@pytest.mark.parametrize(
    ("place", "said"),
    [
        (["--commune", "99999"], "không phải mã xã trong danh mục hành chính 2025"),
        (["--commune", "1099"], "không phải mã xã trong danh mục hành chính 2025"),
        (["--province", "99"], "không phải mã tỉnh trong danh mục hành chính 2025"),
    ],
)
def test_add_officer_refuses_a_code_of_no_commune_or_province(
    console: ConsoleServer, place: list[str], said: str
) -> None:
    code, out, err = _run(console.db.url, "add-officer", *place, "--role", "viewer", "Lê Văn B")
    assert code == 1
    assert said in err and "administrative list" in err
    assert out == ""
    with console.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM officers")).scalar() == 0


def test_add_officer_refuses_a_name_taken_whatever_its_case(console: ConsoleServer) -> None:
    console.add_officer("Trần Văn Cường", "--province", "31", role="viewer")
    code, _out, err = _run(
        console.db.url, "add-officer", "--commune", COMMUNE, "--role", "admin", "TRẦN VĂN CƯỜNG"
    )
    assert code == 1
    assert "Đã có cán bộ tên" in err


def test_session_cookie_is_httponly_strict_and_only_its_hash_is_stored(
    console: ConsoleServer,
) -> None:
    one_time = console.add_officer("Phạm Minh", "--commune", COMMUNE)
    client = requests.Session()
    answer = sign_in_with(client, console.url, "Phạm Minh", one_time)
    set_cookie = answer.history[0].headers["set-cookie"]
    assert "vh_session=" in set_cookie
    assert "HttpOnly" in set_cookie
    assert "SameSite=strict" in set_cookie
    assert "Secure" not in set_cookie  # plain HTTP on loopback: a Secure cookie never returns
    token = client.cookies["vh_session"]
    with console.db.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM officer_sessions")).scalars()
        assert list(stored) == [hashlib.sha256(token.encode()).hexdigest()]


def test_every_console_page_carries_the_security_headers(console: ConsoleServer) -> None:
    client = console.signed_in_session("Đỗ Lan", "--commune", COMMUNE)
    for path in ("/dang-nhap", "/", f"/xa/{COMMUNE}/", f"/xa/{OTHER_COMMUNE}/"):
        answer = client.get(f"{console.url}{path}", allow_redirects=False)
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["content-type"].startswith("text/html")
    style = client.get(f"{console.url}/static/console.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    # The laptops' API answers as it did.
    assert "content-security-policy" not in client.get(f"{console.url}/v1/health").headers


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(console: ConsoleServer) -> None:
    client = console.signed_in_session("Vũ Hải", "--commune", COMMUNE)
    for data in ({}, {"csrf": "0" * 64}):
        answer = client.post(f"{console.url}/dang-xuat-moi-noi", data=data)
        assert answer.status_code == 403
        assert "Biểu mẫu này thiếu mã bảo vệ" in answer.text
    assert client.get(f"{console.url}/", allow_redirects=False).status_code == 200
    # The sign-in form too: its token comes from the browser's own cookie.
    fresh = requests.Session()
    refused = fresh.post(
        f"{console.url}/dang-nhap", data={"name": "Vũ Hải", "password": NEW_PASSWORD}
    )
    assert refused.status_code == 403


def test_a_commune_account_gets_403_on_another_commune_and_a_province_one_sees_both(
    console: ConsoleServer,
) -> None:
    commune = console.signed_in_session("Hoàng Yến", "--commune", COMMUNE)
    assert commune.get(f"{console.url}/xa/{COMMUNE}/").status_code == 200
    refused = commune.get(f"{console.url}/xa/{OTHER_COMMUNE}/")
    assert refused.status_code == 403
    assert "không được xem xã này" in refused.text
    province = console.signed_in_session("Sở Hải Phòng", "--province", "31")
    home = province.get(f"{console.url}/").text
    assert "Thành phố Hải Phòng" in home
    for code in (COMMUNE, OTHER_COMMUNE):
        assert province.get(f"{console.url}/xa/{code}/").status_code == 200
    # 00004 is Phường Ba Đình, Hà Nội (province 01), not in Hải Phòng.
    assert province.get(f"{console.url}/xa/00004/").status_code == 403


def test_a_session_ends_when_idle_and_at_its_absolute_limit(console: ConsoleServer) -> None:
    idle = console.signed_in_session("Bùi An", "--commune", COMMUNE)
    console.clock.advance(seconds=sessions.IDLE_LIMIT.total_seconds() - 60)
    assert idle.get(f"{console.url}/", allow_redirects=False).status_code == 200
    console.clock.advance(seconds=sessions.IDLE_LIMIT.total_seconds() + 1)
    gone = idle.get(f"{console.url}/", allow_redirects=False)
    assert (gone.status_code, gone.headers["location"]) == (303, "/dang-nhap")

    busy = console.signed_in_session("Bùi Bình", "--commune", COMMUNE)
    steps = int(sessions.ABSOLUTE_LIMIT / (sessions.IDLE_LIMIT / 2))
    for _ in range(steps - 1):
        console.clock.advance(seconds=sessions.IDLE_LIMIT.total_seconds() / 2)
        assert busy.get(f"{console.url}/", allow_redirects=False).status_code == 200
    console.clock.advance(seconds=sessions.IDLE_LIMIT.total_seconds() / 2)
    assert busy.get(f"{console.url}/", allow_redirects=False).status_code == 303


def test_wrong_passwords_are_counted_in_the_database_across_a_restart(
    console: ConsoleServer,
) -> None:
    one_time = console.add_officer("Lý Thu", "--commune", COMMUNE)
    client = requests.Session()
    for _ in range(throttle.NAME_LIMIT - 1):
        assert sign_in_with(client, console.url, "Lý Thu", "sai-mat-khau").status_code == 401
    # Another server process on the same database: it knows the count.
    console.server.stop()
    other_db = open_server_db(console.db.url, clock=console.clock)
    other = EmbeddedServer(other_db)
    try:
        assert sign_in_with(client, other.url, "Lý Thu", "sai nữa").status_code == 401
        refused = sign_in_with(client, other.url, "Lý Thu", one_time)
        assert refused.status_code == 429
        assert "Đã nhập sai quá nhiều lần" in refused.text
        assert "vh_session" not in client.cookies
        console.clock.advance(seconds=throttle.WINDOW.total_seconds() + 1)
        allowed = sign_in_with(client, other.url, "Lý Thu", one_time)
        assert allowed.url == f"{other.url}/doi-mat-khau"
    finally:
        other.stop()
        other_db.close()
        console.server = EmbeddedServer(console.db)  # stopped by the fixture


def test_the_new_password_must_follow_the_rules(console: ConsoleServer) -> None:
    one_time = console.add_officer("Cao Nga", "--commune", COMMUNE)
    client = requests.Session()
    sign_in_with(client, console.url, "Cao Nga", one_time)
    for new, said in (
        ("ngắn quá", "ít nhất 12 ký tự"),
        (one_time, "phải khác mật khẩu dùng một lần"),
        ("Cao Nga", "ít nhất 12 ký tự"),
    ):
        answer = change_password_with(client, console.url, one_time, new)
        assert answer.status_code == 400, new
        assert said in answer.text
    # Still the one-time password: every page sends the officer back here.
    assert client.get(f"{console.url}/", allow_redirects=False).headers["location"] == (
        "/doi-mat-khau"
    )
    passphrase = "mưa to gió lớn"  # 4 words, under 12 characters
    answer = change_password_with(client, console.url, one_time, passphrase)
    assert answer.url == f"{console.url}/"


def test_deactivate_officer_ends_their_sessions(console: ConsoleServer) -> None:
    client = console.signed_in_session("Đinh Khoa", "--commune", COMMUNE)
    code, out, _ = _run(console.db.url, "deactivate-officer", "đinh khoa")
    assert code == 0 and "officer deactivated" in out
    assert client.get(f"{console.url}/", allow_redirects=False).status_code == 303
    assert sign_in_with(requests.Session(), console.url, "Đinh Khoa", NEW_PASSWORD).status_code == (
        401
    )
    code, _out, err = _run(console.db.url, "deactivate-officer", "Không Có Ai")
    assert code == 1 and "Không có cán bộ tên" in err


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl command is needed (.ci/run installs it)")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _browser_cookie(url: str, **headers: str) -> str:
    answer = requests.get(f"{url}/dang-nhap", headers=headers, timeout=30)
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("vh_browser=")
    return cookie


def test_cookies_are_secure_over_tls_or_behind_a_trusted_tls_proxy(
    console: ConsoleServer, tmp_path: Path
) -> None:
    cert, key = _certificate(tmp_path)
    over_tls = EmbeddedServer(console.db, tls=(cert, key))
    proxied = EmbeddedServer(console.db, trusted_proxies=["127.0.0.1"])
    try:
        one_time = console.add_officer("Tạ Quang", "--commune", COMMUNE)
        client = requests.Session()
        client.trust_env = False  # REQUESTS_CA_BUNDLE would win over this certificate
        client.verify = str(cert)
        answer = sign_in_with(client, over_tls.url, "Tạ Quang", one_time)
        assert answer.url == f"{over_tls.url}/doi-mat-khau"
        assert "Secure" in answer.history[0].headers["set-cookie"]
        # A TLS proxy in front, trusted: its X-Forwarded-Proto counts.
        assert "Secure" in _browser_cookie(proxied.url, **{"X-Forwarded-Proto": "https"})
        assert "Secure" not in _browser_cookie(proxied.url)
        # From anyone else the header means nothing.
        assert "Secure" not in _browser_cookie(console.url, **{"X-Forwarded-Proto": "https"})
    finally:
        over_tls.stop()
        proxied.stop()


def test_the_language_chosen_follows_the_officer_to_another_browser(
    console: ConsoleServer,
) -> None:
    client = console.signed_in_session("Mai Phương", "--commune", COMMUNE)
    assert '<html lang="vi">' in client.get(f"{console.url}/").text
    client.get(f"{console.url}/ngon-ngu/en?tiep=/")
    assert '<html lang="en">' in client.get(f"{console.url}/").text
    elsewhere = requests.Session()
    answer = sign_in_with(elsewhere, console.url, "Mai Phương", NEW_PASSWORD)
    assert answer.url == f"{console.url}/"
    assert '<html lang="en">' in answer.text


def test_an_officer_with_a_one_time_password_may_still_sign_out(console: ConsoleServer) -> None:
    one_time = console.add_officer("Hà My", "--commune", COMMUNE)
    client = requests.Session()
    sign_in_with(client, console.url, "Hà My", one_time)
    csrf = form_token(client, f"{console.url}/doi-mat-khau")
    answer = client.post(f"{console.url}/dang-xuat", data={"csrf": csrf})
    assert answer.url == f"{console.url}/dang-nhap"
    again = client.get(f"{console.url}/doi-mat-khau", allow_redirects=False)
    assert again.headers["location"] == "/dang-nhap"


def test_sessions_that_ended_are_deleted_at_the_next_sign_in(console: ConsoleServer) -> None:
    client = console.signed_in_session("Lâm Tùng", "--commune", COMMUNE)
    client.post(f"{console.url}/dang-xuat", data={"csrf": form_token(client, f"{console.url}/")})
    sign_in_with(requests.Session(), console.url, "Lâm Tùng", NEW_PASSWORD)
    with console.db.engine.connect() as connection:
        left = connection.execute(text("SELECT ended_at FROM officer_sessions")).scalars()
        assert list(left) == [None]  # the new one only


def test_the_api_description_pages_keep_the_frameworks_headers(console: ConsoleServer) -> None:
    # Swagger's page loads its script from a CDN: the console's policy would blank it.
    documented = EmbeddedServer(console.db, api_docs=True)
    try:
        docs = requests.get(f"{documented.url}/docs", timeout=30)
        assert docs.status_code == 200
        assert "content-security-policy" not in docs.headers
        sign_in = requests.get(f"{documented.url}/dang-nhap", timeout=30)
        assert "content-security-policy" in sign_in.headers
    finally:
        documented.stop()


# A page another room of the console would add, built from the frame's parts.
admin_router = APIRouter(include_in_schema=False)


@admin_router.post("/xa/{code}/thu-quan-tri")
def _admin_only(
    request: Request, code: str, officer: CommunePage, form: CheckedForm
) -> PlainTextResponse:
    require_admin(request, officer)
    return PlainTextResponse(f"ok {code} {form.get('field', '')}")


def test_a_page_added_by_a_router_gets_the_scope_csrf_and_admin_checks(
    console: ConsoleServer,
) -> None:
    server = EmbeddedServer(console.db, console_routers=(admin_router,))
    try:
        # Sessions are in the database: signed in on one server, known to the other.
        admin = console.signed_in_session("Quản Trị", "--commune", COMMUNE)
        viewer = console.signed_in_session("Người Xem", "--commune", COMMUNE, role="viewer")
        page = f"{server.url}/xa/{COMMUNE}/thu-quan-tri"
        admin_csrf = form_token(admin, f"{server.url}/")
        done = admin.post(page, data={"csrf": admin_csrf, "field": "một"})
        assert (done.status_code, done.text) == (200, f"ok {COMMUNE} một")
        assert admin.post(page, data={"field": "một"}).status_code == 403
        other = f"{server.url}/xa/{OTHER_COMMUNE}/thu-quan-tri"
        assert admin.post(other, data={"csrf": admin_csrf}).status_code == 403
        refused = viewer.post(page, data={"csrf": form_token(viewer, f"{server.url}/")})
        assert refused.status_code == 403
        assert "Tài khoản chỉ xem không được làm việc này" in refused.text
    finally:
        server.stop()
    with console.db.engine.connect() as connection:
        actions = connection.execute(text("SELECT officer_name, action FROM console_audit"))
        assert {("Quản Trị", "refused_commune"), ("Người Xem", "refused_viewer")} <= set(actions)
