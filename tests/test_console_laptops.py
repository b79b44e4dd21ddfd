"""The console's laptops page over plain HTTP, against a real server on SQLite and
PostgreSQL with real laptops' stores syncing through it: the list (app version and
platform as the laptops said, last sync moved by downloads too, at most once a minute),
an enrolment code issued from the page and used, a laptop revoked (its next sync
refused), every action audited, and the refusals: a viewer, another commune, a
province officer, a form without its CSRF token."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from tests.console_admin_support import (
    COMMUNE,
    OTHER_COMMUNE,
    admin_console,
    audit_actions,
    device_of,
    enrolled_laptop,
    post_form,
    server_db_url,
    sync,
)
from tests.console_browser import ConsoleServer
from tests.sync_support import fast_connection
from villagehelper import __version__
from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.exchange.update_offer import PLATFORM_HEADER, this_platform
from villagehelper.server import accounts
from villagehelper.server.cli.serve import console_rooms
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.server.embedded import EmbeddedServer
from villagehelper.store.engine import open_store
from villagehelper.sync import client

__all__ = ["admin_console", "server_db_url"]

PAGE = f"/xa/{COMMUNE}/may-tinh/"
CODE_SHOWN = re.compile(r'<p class="code" id="ma-dang-ky"[^>]*>([A-Z2-9]{5}-[A-Z2-9]{5})</p>')


def _device_row(console: ConsoleServer, device_id: str) -> dict[str, object]:
    with console.db.engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT last_seen_at, app_version, platform, revoked_at FROM devices WHERE id = :id"
            ),
            {"id": device_id},
        ).one()
    return dict(row._mapping)


def _as_shown(stored: object) -> str:
    """A stored UTC time as the page shows it: Vietnam time (UTC+7, no summer time),
    counted here without the server's code."""
    assert isinstance(stored, str), stored
    moment = datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(hours=7)
    return moment.strftime("%d/%m/%Y %H:%M")


def _admin(console: ConsoleServer, name: str = "Nguyễn Thị Hoa") -> requests.Session:
    return console.signed_in_session(name, "--commune", COMMUNE)


def test_the_page_lists_each_laptop_with_what_it_said_it_runs_and_its_last_sync(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    store = enrolled_laptop(admin_console, tmp_path / "hoa")
    never = enrolled_laptop(admin_console, tmp_path / "moi", role="volunteer")
    sync(store)
    device = device_of(store)
    stored = _device_row(admin_console, device.device_id)
    assert (stored["app_version"], stored["platform"]) == (__version__, this_platform())

    page = _admin(admin_console).get(f"{admin_console.url}{PAGE}").text
    seen_at = _device_row(admin_console, device.device_id)["last_seen_at"]
    assert "may-hoa" in page and "may-moi" in page
    assert f"{__version__} ({this_platform()})" in page
    assert _as_shown(seen_at) in page  # the last sync, Vietnam time
    assert "chưa đồng bộ" in page  # the laptop enrolled but never synced
    never.close()
    store.close()


def test_a_download_moves_the_last_sync_at_most_once_a_minute_and_a_new_version_at_once(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    store = enrolled_laptop(admin_console, tmp_path / "hoa")
    sync(store)
    device = device_of(store)
    first = _device_row(admin_console, device.device_id)["last_seen_at"]

    def pull(version: str = __version__) -> None:
        answer = requests.get(
            f"{admin_console.url}/v1/changes",
            headers={
                "Authorization": f"Bearer {device.token}",
                wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
                wire.APP_VERSION_HEADER: version,
                PLATFORM_HEADER: "windows",
            },
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    admin_console.clock.advance(seconds=30)
    pull()  # a new platform: written at once
    after_platform = _device_row(admin_console, device.device_id)
    assert after_platform["platform"] == "windows"
    assert after_platform["last_seen_at"] != first
    admin_console.clock.advance(seconds=30)
    pull()  # the same words within the minute: nothing written
    assert _device_row(admin_console, device.device_id) == after_platform
    admin_console.clock.advance(seconds=31)
    pull()  # a minute on: the download is the laptop's last sync
    moved = _device_row(admin_console, device.device_id)
    assert str(moved["last_seen_at"]) > str(after_platform["last_seen_at"])
    pull("9.9.9<script>")  # another version shows at once, cut to plain characters
    assert _device_row(admin_console, device.device_id)["app_version"] == "9.9.9script"
    store.close()


def test_a_code_issued_on_the_page_is_shown_with_its_expiry_and_enrols_a_laptop(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    admin = _admin(admin_console)
    answer = post_form(admin, admin_console.url, PAGE, f"{PAGE}ma-dang-ky", role="leader")
    assert answer.status_code == 200, answer.text
    found = CODE_SHOWN.search(answer.text)
    assert found is not None, answer.text
    with admin_console.db.engine.connect() as connection:
        expires = connection.execute(
            text("SELECT expires_at, role, commune_code FROM enrolment_codes")
        ).one()
    assert (expires.role, expires.commune_code) == ("leader", COMMUNE)
    shown_expiry = answer.text[found.end() :]
    assert _as_shown(expires.expires_at) in shown_expiry.split("</section>")[0]
    store = enrolled_laptop(admin_console, tmp_path / "moi", code=found.group(1))
    assert device_of(store).is_leader
    assert ("Nguyễn Thị Hoa", "enrolment_code_issued", f"{COMMUNE} leader") in audit_actions(
        admin_console
    )
    store.close()


def test_a_laptop_revoked_on_the_page_is_refused_at_its_next_sync(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    store = enrolled_laptop(admin_console, tmp_path / "mat")
    sync(store)
    device = device_of(store).device_id
    admin = _admin(admin_console)
    confirm = f"{PAGE}{device}/thu-hoi"
    asked = admin.get(f"{admin_console.url}{confirm}")
    assert asked.status_code == 200 and "Thu hồi máy này" in asked.text
    assert _device_row(admin_console, device)["revoked_at"] is None  # asking changes nothing
    done = post_form(admin, admin_console.url, confirm, confirm)
    assert (done.status_code, done.headers["location"]) == (303, PAGE)
    assert _device_row(admin_console, device)["revoked_at"] is not None
    with pytest.raises(UserError) as refused:
        sync(store)
    assert "đã bị thu hồi" in refused.value.message_vi
    assert "revoked" in refused.value.message_en
    page = admin.get(f"{admin_console.url}{PAGE}").text
    assert "đã thu hồi lúc" in page and f"{device}/thu-hoi" not in page
    assert ("Nguyễn Thị Hoa", "laptop_revoked", device) in audit_actions(admin_console)
    store.close()


def test_a_viewer_sees_the_laptops_but_may_neither_issue_nor_revoke(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    store = enrolled_laptop(admin_console, tmp_path / "hoa")
    device = device_of(store).device_id
    viewer = admin_console.signed_in_session("Lê Văn Xem", "--commune", COMMUNE, role="viewer")
    page = viewer.get(f"{admin_console.url}{PAGE}")
    assert page.status_code == 200 and "may-hoa" in page.text
    assert "ma-dang-ky" not in page.text and "thu-hoi" not in page.text  # no forms offered
    issue = post_form(viewer, admin_console.url, PAGE, f"{PAGE}ma-dang-ky", role="leader")
    revoke = post_form(viewer, admin_console.url, PAGE, f"{PAGE}{device}/thu-hoi")
    assert (issue.status_code, revoke.status_code) == (403, 403)
    assert "chỉ xem không được làm việc này" in revoke.text
    with admin_console.db.engine.connect() as connection:
        codes = connection.execute(text("SELECT count(*) FROM enrolment_codes")).scalar_one()
    assert codes == 1  # the laptop's own, nothing issued by the viewer
    assert _device_row(admin_console, device)["revoked_at"] is None
    assert [a for _, a, _ in audit_actions(admin_console)].count("refused_viewer") == 2
    store.close()


def test_another_communes_officer_gets_403_and_its_laptops_stay_untouched(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    store = enrolled_laptop(admin_console, tmp_path / "hoa")
    device = device_of(store).device_id
    other = admin_console.signed_in_session("Trần Văn Khác", "--commune", OTHER_COMMUNE)
    assert other.get(f"{admin_console.url}{PAGE}").status_code == 403
    own_page = f"/xa/{OTHER_COMMUNE}/may-tinh/"
    revoke = post_form(other, admin_console.url, own_page, f"{PAGE}{device}/thu-hoi")
    assert revoke.status_code == 403
    # Through its own commune's address: no laptop of that id there.
    sideways = post_form(other, admin_console.url, own_page, f"{own_page}{device}/thu-hoi")
    assert sideways.status_code == 404
    assert _device_row(admin_console, device)["revoked_at"] is None
    province = admin_console.signed_in_session("Sở VHTT", "--province", "31")
    assert province.get(f"{admin_console.url}{PAGE}").status_code == 403  # counts only
    store.close()


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_done(
    admin_console: ConsoleServer, tmp_path: Path
) -> None:
    store = enrolled_laptop(admin_console, tmp_path / "hoa")
    device = device_of(store).device_id
    admin = _admin(admin_console)
    for fields in ({}, {"csrf": "sai"}):
        answer = admin.post(f"{admin_console.url}{PAGE}{device}/thu-hoi", data=fields)
        assert answer.status_code == 403 and "mã bảo vệ" in answer.text
        issue = f"{admin_console.url}{PAGE}ma-dang-ky"
        issued = admin.post(issue, data={"role": "leader", **fields})
        assert issued.status_code == 403
    assert _device_row(admin_console, device)["revoked_at"] is None
    with admin_console.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM enrolment_codes")).scalar_one() == 1
    store.close()


def test_the_served_app_has_the_laptops_and_team_pages(admin_console: ConsoleServer) -> None:
    """``villagehelper-server serve`` mounts what ``console_rooms`` gives: each page
    answers (the sign-in page for a browser not signed in), where it would be a 404."""
    served = EmbeddedServer(admin_console.db, console_routers=console_rooms())
    bare = EmbeddedServer(admin_console.db)
    try:
        for page in (PAGE, f"/xa/{COMMUNE}/thon/"):
            answer = requests.get(f"{served.url}{page}", allow_redirects=False, timeout=10)
            assert (answer.status_code, answer.headers["location"]) == (303, "/dang-nhap")
            missing = requests.get(f"{bare.url}{page}", allow_redirects=False, timeout=10)
            assert missing.status_code == 404  # what the check above tells apart
    finally:
        served.stop()
        bare.stop()


def test_a_download_is_answered_even_when_its_note_cannot_be_written(tmp_path: Path) -> None:
    """Another writer holds the SQLite file past the busy timeout: the laptop still gets
    its changes; the last sync is written at a later call."""
    db = open_server_db(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    server = EmbeddedServer(db)
    code = accounts.issue_code(db, COMMUNE, "volunteer")
    store = open_store(tmp_path / "laptop")
    try:
        client.enrol(store, server.url, code, "may", connect=fast_connection)
        device = device_of(store)
        headers = {
            "Authorization": f"Bearer {device.token}",
            wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION),
            wire.APP_VERSION_HEADER: "1.0.0",
        }
        requests.get(f"{server.url}/v1/changes", headers=headers, timeout=10).raise_for_status()
        blocker = sqlite3.connect(tmp_path / "server.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # the write lock, held past the busy timeout
        try:
            headers[wire.APP_VERSION_HEADER] = "1.0.1"  # a note is due at once
            held = requests.get(f"{server.url}/v1/changes", headers=headers, timeout=30)
            assert held.status_code == 200, held.text
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert _version_of(db, device.device_id) == "1.0.0"
        requests.get(f"{server.url}/v1/changes", headers=headers, timeout=10).raise_for_status()
        assert _version_of(db, device.device_id) == "1.0.1"
    finally:
        store.close()
        server.stop()
        db.close()


def _version_of(db: ServerDB, device_id: str) -> str:
    with db.engine.connect() as connection:
        found = connection.execute(
            text("SELECT app_version FROM devices WHERE id = :id"), {"id": device_id}
        ).scalar_one()
    assert isinstance(found, str)
    return found
