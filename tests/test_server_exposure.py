"""What a stranger learns from the commune server, and where a laptop sends its data.

Seen before: /docs, /redoc and /openapi.json (the app's version and every endpoint)
and the health answer's version were open to anyone; and a laptop accepted ``http://``
to any host, so tokens and residents' details could cross the Internet in clear.

Real HTTP on a loopback port; the laptop side through the real command line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.sync_support import COMMUNE, LoopbackServer
from villagehelper import __version__
from villagehelper.cli import dispatch
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB
from villagehelper.store import sync_state
from villagehelper.store.engine import open_store
from villagehelper.sync.http import SyncError, normalise_url

PAGES = ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect")


def test_the_api_pages_and_the_version_are_closed_by_default(sync_server: LoopbackServer) -> None:
    for page in PAGES:
        answer = requests.get(sync_server.url + page, timeout=30)
        assert answer.status_code == 404, page
        assert answer.json()["error"] == "not_found", page
        assert __version__ not in answer.text, page
    health = requests.get(sync_server.url + "/v1/health", timeout=30)
    assert health.status_code == 200
    assert health.json() == {"ok": True, "protocol": 1}
    assert __version__ not in health.text


@pytest.fixture
def documented(server_db: ServerDB) -> Iterator[LoopbackServer]:
    server = LoopbackServer(server_db, api_docs=True)
    yield server
    server.stop()


def test_the_api_pages_open_when_the_server_is_told_to(documented: LoopbackServer) -> None:
    """serve --api-docs (for the administrator setting the server up, or a developer)."""
    for page in ("/docs", "/redoc", "/openapi.json"):
        assert requests.get(documented.url + page, timeout=30).status_code == 200, page
    schema = requests.get(documented.url + "/openapi.json", timeout=30).json()
    assert "/v1/push" in schema["paths"]


# --- plain HTTP from the laptop -----------------------------------------------------------

LOCAL = (
    "http://127.0.0.1:8765",
    "http://localhost:8765",
    "http://[::1]:8765",
    "http://192.168.1.10:8765",
    "http://10.20.30.40",
    "http://172.16.0.5:8765",
    "http://169.254.10.20:8765",
    "http://[fd12:3456::1]:8765",
    "http://mayxa:8765",
    "http://may-chu-xa.local:8765",
    "http://server.lan",
    "http://server.home.arpa",
    "https://203.0.113.5:8765",
    "https://xagialoc.example.vn",
)
PUBLIC = (
    "http://203.0.113.5:8765",
    "http://8.8.8.8",
    "http://[2001:db8::1]:8765",
    "http://[::ffff:8.8.8.8]",
    "http://100.64.0.1:8765",
    "http://xagialoc.example.vn:8765",
    "http://server.example.org.",
)


@pytest.mark.parametrize("url", LOCAL)
def test_plain_http_on_this_pc_and_the_local_network_is_allowed(url: str) -> None:
    assert normalise_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", PUBLIC)
def test_plain_http_beyond_the_local_network_is_refused(url: str) -> None:
    with pytest.raises(SyncError) as refused:
        normalise_url(url)
    assert "nằm ngoài mạng nội bộ" in refused.value.message_vi
    assert "https://" in refused.value.message_vi and "https://" in refused.value.message_en


def test_enroll_refuses_plain_http_to_a_public_address_and_keeps_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "laptop"
    # TEST-NET-3: nothing answers there; the refusal comes before any connection.
    command = ["enroll", "--data-dir", str(data), "--server", "http://203.0.113.5:8765"]
    assert dispatch.main([*command, "--code", "ABCDE-FGHJK"]) == 1
    err = capsys.readouterr().err
    assert "nằm ngoài mạng nội bộ: không gửi dữ liệu qua HTTP không mã hoá" in err
    assert "outside the local network" in err
    assert "Traceback" not in err
    store = open_store(data)
    try:
        with store.reading() as session:
            assert sync_state.enrolled(session) is None
    finally:
        store.close()


def test_enroll_over_plain_http_on_the_local_network_still_works(
    sync_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    data = str(tmp_path / "laptop")
    assert (
        dispatch.main(["enroll", "--data-dir", data, "--server", sync_server.url, "--code", code])
        == 0
    )
    assert "Đã đăng ký" in capsys.readouterr().out
