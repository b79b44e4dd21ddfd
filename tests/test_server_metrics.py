"""``/metrics`` in one process: who may read it, what it counts (pulls, builds, routes by
template only).  Across workers: test_server_workers.py.

The series live in the process (as in a worker): each test compares before and after.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import MutableMapping
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from tests.sync_support import COMMUNE, LoopbackServer
from villagehelper import __version__
from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.server import accounts, metrics
from villagehelper.server.app import create_app
from villagehelper.server.database import ServerDB
from villagehelper.server.ops_endpoints import metrics_networks
from villagehelper.store.migrate import HEAD_REVISION

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _parsed(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(server: LoopbackServer) -> Samples:
    with requests.get(server.url + "/metrics", timeout=30) as answer:
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain; version=")
        return _parsed(answer.text)


def test_metrics_are_not_answered_through_a_reverse_proxy(sync_server: LoopbackServer) -> None:
    _scrape(sync_server)  # on this PC, directly: answered
    for header in ({"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}):
        with requests.get(sync_server.url + "/metrics", headers=header, timeout=30) as refused:
            assert refused.status_code == 403
            body = refused.json()
            assert body["message_vi"].startswith("Chỉ đọc được /metrics từ chính máy chủ")
            assert "--metrics-from" in body["message_en"]
            assert "villagehelper_" not in refused.text


def _status_from(app: FastAPI, client: str, path: str = "/metrics") -> int:
    """The status ``app`` answers a GET from ``client``: the ASGI call a server makes,
    with a peer address no loopback socket could have."""
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"commune-server")],
        "client": (client, 40000),
        "server": ("commune-server", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))


def test_metrics_from_names_who_else_may_read(server_db: ServerDB) -> None:
    allowed = metrics_networks(["10.0.0.0/24", " 192.0.2.7 "])
    app = create_app(server_db, metrics_from=allowed)
    for address, status in (("10.0.0.5", 200), ("192.0.2.7", 200), ("10.0.1.5", 403)):
        assert _status_from(app, address) == status, address
    # Without --metrics-from, only this PC.
    only_here = create_app(server_db)
    assert _status_from(only_here, "10.0.0.5") == 403
    assert _status_from(only_here, "127.0.0.1") == 200
    assert _status_from(only_here, "::1") == 200
    with pytest.raises(UserError) as wrong:
        metrics_networks(["10.0.0.0/33"])
    assert wrong.value.message_vi.startswith("--metrics-from '10.0.0.0/33' không phải địa chỉ IP")


def test_feed_pages_behind_and_caught_up_are_counted_as_the_laptop_was_told(
    sync_server: LoopbackServer,
) -> None:
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    token = accounts.enrol(sync_server.db, code, "máy thành viên").token
    headers = {"Authorization": f"Bearer {token}", wire.PROTOCOL_HEADER: "1"}
    before = _scrape(sync_server)
    told = {"yes": 0, "no": 0}
    for limit in (1, 1, wire.MAX_PAGE):
        with requests.get(
            sync_server.url + "/v1/changes",
            params={"since": 0, "limit": limit},
            headers=headers,
            timeout=30,
        ) as page:
            assert page.status_code == 200
            told["no" if page.json()["more"] else "yes"] += 1
    after = _scrape(sync_server)
    for caught_up, count in told.items():
        key = ("villagehelper_pulls_total", (("caught_up", caught_up),))
        assert after.get(key, 0) - before.get(key, 0) == count, caught_up
    route = (("method", "GET"), ("route", "/v1/changes"), ("status", "200"))
    requests_key = ("villagehelper_requests_total", route)
    assert after[requests_key] - before.get(requests_key, 0) == 3


def test_build_times_and_unknown_addresses(sync_server: LoopbackServer) -> None:
    metrics.observe_build(COMMUNE, "snapshot", 1.7)
    odd = f"/v1/nothing-here-{uuid.uuid4().hex}"
    protocol = {wire.PROTOCOL_HEADER: "1"}
    with requests.get(sync_server.url + odd, headers=protocol, timeout=30) as missing:
        assert missing.status_code == 404
    exposed = requests.get(sync_server.url + "/metrics", timeout=30).text
    samples = _parsed(exposed)
    built = (("commune", COMMUNE), ("what", "snapshot"))
    assert samples[("villagehelper_build_seconds_count", built)] >= 1
    assert samples[("villagehelper_build_seconds_bucket", (*built[:1], ("le", "2.5"), built[1]))]
    # An address asked for is never a label: the series stay bounded whatever is asked.
    assert odd not in exposed
    assert "nothing-here" not in exposed


def test_a_snapshot_built_for_a_laptop_is_timed_once(sync_server: LoopbackServer) -> None:
    """The replicas' builds reach /metrics (app.py hands metrics.observe_build to them):
    the first snapshot is built (and the replica caught up from the feed), the second
    request is served the finished file, no build."""
    code = accounts.issue_code(sync_server.db, COMMUNE, "leader")
    token = accounts.enrol(sync_server.db, code, "máy tổ trưởng").token
    headers = {
        "Authorization": f"Bearer {token}",
        wire.PROTOCOL_HEADER: "1",
        wire.APP_VERSION_HEADER: __version__,
    }
    key = ("villagehelper_build_seconds_count", (("commune", COMMUNE), ("what", "snapshot")))
    counts = []
    for _ in range(3):
        counts.append(_scrape(sync_server).get(key, 0))
        with requests.get(
            sync_server.url + "/v1/snapshot",
            params={"schema": HEAD_REVISION},
            headers=headers,
            timeout=60,
        ) as answer:
            assert answer.status_code == 200, answer.text
    counts.append(_scrape(sync_server).get(key, 0))
    assert [count - counts[0] for count in counts] == [0, 1, 1, 1]
    replica = ("villagehelper_build_seconds_count", (("commune", COMMUNE), ("what", "replica")))
    assert _scrape(sync_server)[replica] >= 1
