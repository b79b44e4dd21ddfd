"""The laptop waits as long as the server's Retry-After asks (issue 13, case 12): a real
HTTP server on loopback answers 503 first; only the sleep is injected, to measure it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from villagehelper.sync.http import ServerConnection, ServerRefusedError


class _Busy(BaseHTTPRequestHandler):
    """503 with the configured Retry-After for the first ``busy`` requests, then 200."""

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _BusyServer)
        server.calls += 1
        if server.calls <= server.busy:
            body = json.dumps({"error": "busy", "message_vi": "Bận", "message_en": "Busy"})
            self.send_response(503)
            self.send_header("Retry-After", server.retry_after)
        else:
            body = json.dumps({"ok": True})
            self.send_response(200)
        data = body.encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _BusyServer(ThreadingHTTPServer):
    busy = 1
    retry_after = "5"
    calls = 0


@pytest.fixture
def busy_server() -> Iterator[_BusyServer]:
    server = _BusyServer(("127.0.0.1", 0), _Busy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _call(server: _BusyServer) -> tuple[list[float], object]:
    slept: list[float] = []
    connection = ServerConnection(f"http://127.0.0.1:{server.server_address[1]}", None)
    connection.sleep = slept.append
    try:
        return slept, connection.get("/v1/health")
    finally:
        connection.close()


def test_a_503_with_retry_after_is_waited_for_as_asked(busy_server: _BusyServer) -> None:
    slept, answer = _call(busy_server)
    assert answer == {"ok": True}
    assert len(slept) == 1 and slept[0] >= 5.0


def test_retry_after_as_a_date_is_waited_for(busy_server: _BusyServer) -> None:
    busy_server.retry_after = format_datetime(datetime.now(UTC) + timedelta(seconds=20), True)
    slept, _answer = _call(busy_server)
    assert 15.0 <= slept[0] <= 20.0


def test_an_unreasonable_retry_after_is_bounded(busy_server: _BusyServer) -> None:
    busy_server.retry_after = "86400"
    slept, _answer = _call(busy_server)
    # Waited for, but not a day: a sync someone started answers within a minute.
    assert len(slept) == 1 and 5.0 <= slept[0] <= 60.0


def test_a_server_still_busy_after_every_try_is_reported(busy_server: _BusyServer) -> None:
    busy_server.busy = 100
    slept: list[float] = []
    connection = ServerConnection(f"http://127.0.0.1:{busy_server.server_address[1]}", None)
    connection.sleep = slept.append
    with pytest.raises(ServerRefusedError) as refused:
        connection.get("/v1/health")
    connection.close()
    assert refused.value.status == 503
    assert all(wait >= 5.0 for wait in slept)
    assert len(slept) == connection.retry.attempts - 1
