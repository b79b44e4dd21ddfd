"""A commune server's update answers, played by a small HTTP server on loopback.

The download's hard cases — a connection cut mid-file, a server that ignores ``Range``,
bytes that are not the published ones, a body longer than announced — cannot be asked
of the real server; this one serves them on purpose, over a real socket, so the laptop's
real HTTP code meets them.  The end-to-end test (test_updates_end_to_end.py) runs the
same flow against the real commune server.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from villagehelper.exchange import update_offer
from villagehelper.exchange.update_offer import UpdateOffer
from villagehelper.store import sync_state
from villagehelper.store.engine import Store, open_store
from villagehelper.sync import device_history

INSTALLER = bytes(range(256)) * 4099  # about 1 MiB, not a multiple of a chunk


def offer_for(body: bytes, version: str = "9.1.0", *, size: int | None = None) -> UpdateOffer:
    return UpdateOffer(
        version=version,
        platform=update_offer.this_platform(),
        filename=f"VillageHelper-{version}-setup.exe",
        size=len(body) if size is None else size,
        sha256=hashlib.sha256(body).hexdigest(),
        notes="Sửa lỗi in báo cáo tuần.\nThêm dịch vụ VNeID mức 2.",
        published_at=datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
    )


@dataclass
class UpdateServer:
    """What the server serves and what it saw; change the fields between calls."""

    offer: UpdateOffer | None
    body: bytes = INSTALLER
    cut_after: int | None = None  # close the connection after this many bytes of the file
    ignore_range: bool = False
    too_old: bool = False  # every other /v1/ call refused with 426, naming the offer
    gate: threading.Event | None = None  # the file's bytes wait until it is set
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def paths(self) -> list[str]:
        return [path for path, _headers in self.requests]


def _handler(state: UpdateServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            pass

        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers)))
            offer = state.offer
            if self.path.startswith(update_offer.LATEST_PATH):
                if offer is None:
                    return self._json(404, {"error": "not_found"})
                return self._json(200, offer.to_json())
            if offer and self.path == update_offer.file_path(offer.platform, offer.version):
                return self._file()
            if state.too_old:
                return self._json(426, {"error": "client_too_old", "update": _offer_json(offer)})
            return self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            self.do_GET()

        def _headers_out(self) -> None:
            if state.offer is not None:
                self.send_header(update_offer.UPDATE_HEADER, state.offer.version)

        def _json(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self._headers_out()
            self.end_headers()
            self.wfile.write(data)

        def _file(self) -> None:
            body = state.body
            start = 0
            asked = self.headers.get("Range", "")
            if asked.startswith("bytes=") and not state.ignore_range:
                start = int(asked[len("bytes=") :].rstrip("-"))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(body) - start))
            self._headers_out()
            self.end_headers()
            if state.gate is not None:
                state.gate.wait(timeout=30)
            rest = body[start:]
            if state.cut_after is not None:
                self.wfile.write(rest[: state.cut_after])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(rest)

    return Handler


def _offer_json(offer: UpdateOffer | None) -> object:
    return None if offer is None else offer.to_json()


@pytest.fixture
def update_server() -> Iterator[UpdateServer]:
    state = UpdateServer(offer=offer_for(INSTALLER))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def enrolled_laptop(folder: Path, server_url: str) -> Store:
    """A laptop store enrolled with ``server_url`` (as enrolment leaves it)."""
    store = open_store(folder, clock=FakeClock())
    with store.transaction() as session:
        sync_state.put(session, sync_state.SERVER_URL, server_url)
        sync_state.put(session, sync_state.DEVICE_ID, "device-1")
        sync_state.put(session, sync_state.TOKEN, "token-1")
        sync_state.put(session, sync_state.ROLE, "volunteer")
        device_history.start_new_device(session)
    return store
