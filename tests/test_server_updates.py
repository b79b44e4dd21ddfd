"""Updates through the commune server, over real HTTP to a server on loopback (SQLite
and PostgreSQL): an installer published with the real ``publish-update`` command is
named on every answer (the 426 "please update" refusal included), offered as it was
published, and downloaded whole or resumed from the middle; a revoked laptop gets
nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests

from tests.sync_support import COMMUNE, LoopbackServer
from villagehelper.exchange import wire
from villagehelper.exchange.update_offer import (
    LATEST_PATH,
    PLATFORM_HEADER,
    UPDATE_HEADER,
    UpdateOffer,
    file_path,
)
from villagehelper.server import accounts, publishing
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import Throttles
from villagehelper.server.update_notice import NewestUpdates

NOTES = "Sửa lỗi in báo cáo tuần; thêm nút «Có phiên bản mới»."


@pytest.fixture
def server(server_db: ServerDB) -> Iterator[LoopbackServer]:
    # Read at every request: what a test publishes shows at its next call.
    running = LoopbackServer(server_db, update_refresh_seconds=0)
    yield running
    running.stop()


@pytest.fixture
def token(server_db: ServerDB) -> str:
    code = accounts.issue_code(server_db, COMMUNE, "volunteer")
    return accounts.enrol(server_db, code, "laptop Thôn Khay", "attempt-1").token


def _installer(folder: Path, name: str, size: int = 700_001) -> bytes:
    content = os.urandom(size)
    (folder / name).write_bytes(content)
    return content


def _publish(db: ServerDB, file: Path, version: str, *more: str) -> None:
    assert (
        server_cli.main(["--db", db.url, "publish-update", str(file), "--version", version, *more])
        == 0
    )


def _get(server: LoopbackServer, path: str, token: str | None, **headers: str) -> requests.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(server.url + path, headers=headers, timeout=30)


def test_a_published_installer_is_offered_as_it_was_published(
    server: LoopbackServer,
    token: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    content = _installer(tmp_path, "VillageHelper-1.4.0.msi")
    with caplog.at_level(logging.INFO, logger="villagehelper.server"):
        _publish(server.db, tmp_path / "VillageHelper-1.4.0.msi", "1.4.0", "--notes", NOTES)
    printed = capsys.readouterr().out
    expected_hash = hashlib.sha256(content).hexdigest()
    assert expected_hash in printed and str(len(content)) in printed and "windows" in printed
    # The server's log keeps what was published, and when.
    assert f"update published platform=windows version=1.4.0 size={len(content)}" in caplog.text

    # No protocol header: a laptop too old to sync still learns of its update.
    answer = _get(server, f"{LATEST_PATH}?platform=windows", token)
    assert answer.status_code == 200, answer.text
    offer = answer.json()
    published_at = offer.pop("published_at")
    assert offer == {
        "version": "1.4.0",
        "platform": "windows",
        "filename": "VillageHelper-1.4.0.msi",
        "size": len(content),
        "sha256": expected_hash,
        "notes": NOTES,
    }
    assert datetime.fromisoformat(published_at).tzinfo is not None
    assert UpdateOffer.from_json(answer.json()).sha256 == expected_hash

    nothing = _get(server, f"{LATEST_PATH}?platform=linux", token)
    assert nothing.status_code == 404
    assert nothing.json()["error"] == "no_update"
    assert "linux" in nothing.json()["message_vi"]


def test_every_answer_names_the_newest_version_for_the_laptops_platform(
    server: LoopbackServer, token: str, tmp_path: Path
) -> None:
    sync = {wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION)}
    before = _get(server, "/v1/changes", token, **sync, **{PLATFORM_HEADER: "windows"})
    assert before.status_code == 200 and UPDATE_HEADER not in before.headers

    for version in ("1.4.0", "1.10.0", "1.9.3"):  # newest by number, not by text
        _installer(tmp_path, f"setup-{version}.exe")
        _publish(server.db, tmp_path / f"setup-{version}.exe", version)
    _installer(tmp_path, "villagehelper_1.5.0_amd64.deb")
    _publish(server.db, tmp_path / "villagehelper_1.5.0_amd64.deb", "1.5.0")

    for path in ("/v1/changes", "/v1/health"):
        windows = _get(server, path, token, **sync, **{PLATFORM_HEADER: "windows"})
        assert windows.status_code == 200
        assert windows.headers[UPDATE_HEADER] == "1.10.0"
        linux = _get(server, path, token, **sync, **{PLATFORM_HEADER: "linux"})
        assert linux.headers[UPDATE_HEADER] == "1.5.0"
        unnamed = _get(server, path, token, **sync)
        assert UPDATE_HEADER not in unnamed.headers
    refused = _get(server, "/v1/changes", "nobody.wrong", **sync, **{PLATFORM_HEADER: "linux"})
    assert refused.status_code == 401 and refused.headers[UPDATE_HEADER] == "1.5.0"

    # The newest installer's file lost (a database restored without its updates folder):
    # the one before it is offered, never a file the server cannot send.
    newest = publishing.find(server.db, "windows", "1.10.0")
    assert newest is not None
    publishing.stored_file(server.db, newest).unlink()
    windows = _get(server, "/v1/changes", token, **sync, **{PLATFORM_HEADER: "windows"})
    assert windows.headers[UPDATE_HEADER] == "1.9.3"
    assert _get(server, file_path("windows", "1.10.0"), token).status_code == 404


def test_the_please_update_refusal_points_to_the_installer(
    server: LoopbackServer, token: str, tmp_path: Path
) -> None:
    old_laptop = {wire.PROTOCOL_HEADER: "0", PLATFORM_HEADER: "windows"}
    plain = _get(server, "/v1/changes", token, **old_laptop)
    assert plain.status_code == 426
    assert "update" not in plain.json() and UPDATE_HEADER not in plain.headers

    content = _installer(tmp_path, "setup.exe")
    _publish(server.db, tmp_path / "setup.exe", "2.0.0", "--notes", NOTES)
    refused = _get(server, "/v1/changes", token, **old_laptop)
    assert refused.status_code == 426
    assert refused.headers[UPDATE_HEADER] == "2.0.0"
    body = refused.json()
    assert body["error"] == "client_too_old"
    assert "2.0.0" in body["message_vi"] and "2.0.0" in body["message_en"]
    offered = UpdateOffer.from_json(body["update"])
    assert offered.sha256 == hashlib.sha256(content).hexdigest()
    assert offered.notes == NOTES
    latest = _get(server, f"{LATEST_PATH}?platform=windows", token)
    assert body["update"] == latest.json()


def test_a_download_resumed_from_the_middle_equals_the_file(
    server: LoopbackServer, token: str, tmp_path: Path
) -> None:
    content = _installer(tmp_path, "villagehelper.AppImage", size=1_500_007)
    _publish(server.db, tmp_path / "villagehelper.AppImage", "1.4.2")
    offer = UpdateOffer.from_json(_get(server, f"{LATEST_PATH}?platform=linux", token).json())
    path = file_path(offer.platform, offer.version)

    whole = _get(server, path, token, **{"Accept-Encoding": "gzip"})
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Length"] == str(len(content))
    assert "Content-Encoding" not in whole.headers  # never gzipped: its ranges stay bytes
    assert whole.content == content

    # The line dropped after the first 600,000 bytes: the laptop asks for the rest.
    kept = content[:600_000]
    rest = _get(server, path, token, Range=f"bytes={len(kept)}-", **{"Accept-Encoding": "gzip"})
    assert rest.status_code == 206
    assert rest.headers["Content-Range"] == f"bytes {len(kept)}-{len(content) - 1}/{len(content)}"
    assert rest.headers["Content-Length"] == str(len(content) - len(kept))
    assert kept + rest.content == content
    assert hashlib.sha256(kept + rest.content).hexdigest() == offer.sha256

    past_the_end = _get(server, path, token, Range=f"bytes={len(content)}-")
    assert past_the_end.status_code == 416
    assert past_the_end.headers["Content-Range"] == f"bytes */{len(content)}"

    missing = _get(server, file_path("linux", "9.9.9"), token)
    assert missing.status_code == 404 and missing.json()["error"] == "no_update"


def test_a_revoked_laptop_gets_no_update(
    server: LoopbackServer, token: str, tmp_path: Path, server_db: ServerDB
) -> None:
    _installer(tmp_path, "setup.exe")
    _publish(server.db, tmp_path / "setup.exe", "1.4.0")
    paths = (f"{LATEST_PATH}?platform=windows", file_path("windows", "1.4.0"))
    for path in paths:
        assert _get(server, path, token).status_code == 200
        assert _get(server, path, None).status_code == 401
    device_id = token.partition(".")[0]
    accounts.revoke(server_db, device_id)
    for path in paths:
        refused = _get(server, path, token)
        assert refused.status_code == 401
        assert refused.json()["error"] == "unauthorized"
        assert "thu hồi" in refused.json()["message_vi"]


def test_the_update_calls_are_throttled_like_the_rest(
    server_db: ServerDB, token: str, tmp_path: Path
) -> None:
    _installer(tmp_path, "setup.exe")
    _publish(server_db, tmp_path / "setup.exe", "1.4.0")
    tight = Throttles(device_rate=1e-6, device_burst=3)
    server = LoopbackServer(server_db, tight, update_refresh_seconds=0)
    try:
        answers = [
            _get(server, path, token).status_code
            for path in (f"{LATEST_PATH}?platform=windows", file_path("windows", "1.4.0")) * 2
        ]
    finally:
        server.stop()
    assert answers == [200, 200, 200, 429]


def test_a_publish_by_another_process_shows_at_the_next_call(
    server: LoopbackServer, token: str, tmp_path: Path
) -> None:
    _installer(tmp_path, "setup.exe")
    command = [sys.executable, "-m", "villagehelper.server.cli", "--db", server.db.url]
    done = subprocess.run(
        [*command, "publish-update", str(tmp_path / "setup.exe"), "--version", "3.1.4"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    headers = {wire.PROTOCOL_HEADER: str(wire.PROTOCOL_VERSION), PLATFORM_HEADER: "windows"}
    assert _get(server, "/v1/changes", token, **headers).headers[UPDATE_HEADER] == "3.1.4"
    listed = subprocess.run(
        [*command, "list-updates"], capture_output=True, text=True, timeout=120, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert "windows\t3.1.4\t700001\t" in listed.stdout


def test_the_newest_versions_are_read_again_only_every_few_seconds(
    server_db: ServerDB, tmp_path: Path
) -> None:
    ticks = [0.0]
    newest = NewestUpdates(server_db, refresh_seconds=5, clock=lambda: ticks[0])
    assert newest.current("windows") is None
    _installer(tmp_path, "setup.exe")
    installer = publishing.check_installer(tmp_path / "setup.exe", "1.4.0", None, "")
    publishing.publish(server_db, installer)
    ticks[0] = 4.9
    assert newest.current("windows") is None  # the copy in memory still serves
    ticks[0] = 5.0
    offer = newest.current("windows")
    assert offer is not None and offer.version == "1.4.0"
