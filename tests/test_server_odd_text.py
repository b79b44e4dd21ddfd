"""No request makes the commune server fail (5xx) with odd text or headers, and a failure
that does happen is still JSON in the usual shape, with a line in the access log.

Real HTTP on a loopback port (SQLite and PostgreSQL), bytes on the wire exactly as the
test writes them: a lone surrogate escaped in a pushed field's value or name (not text
at all: refused with a 400 that says so), a protocol header ``²`` (a digit to
``str.isdigit``, not to ``int``), and a property test that puts surrogates, control and
bidi characters and non-ASCII digits into headers, query parameters, field names and
values, and device names and codes.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync_support import COMMUNE, LoopbackServer
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.server import accounts
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import Throttles

INVALID_TEXT = "Dữ liệu gửi lên có ký tự không hợp lệ"
# Generous throttles: the property test makes hundreds of calls with one token.
UNTHROTTLED = Throttles(
    device_rate=10_000, device_burst=100_000, auth_failure_rate=10_000, auth_failure_burst=100_000
)


@pytest.fixture
def server(server_db: ServerDB) -> Iterator[LoopbackServer]:
    running = LoopbackServer(server_db, UNTHROTTLED)
    yield running
    running.stop()


@pytest.fixture
def token(server: LoopbackServer) -> str:
    code = accounts.issue_code(server.db, COMMUNE, "leader")
    return accounts.enrol(server.db, code, "máy tổ trưởng").token


def _post(
    server: LoopbackServer, path: str, body: bytes, token: str | None, **headers: str
) -> requests.Response:
    sent = {"Content-Type": "application/json", wire.PROTOCOL_HEADER: "1", **headers}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return requests.post(server.url + path, data=body, headers=sent, timeout=30)


def _village(**fields: Any) -> dict[str, Any]:
    return {
        "change_id": new_id(),
        "entity": "village",
        "row_id": new_id(),
        "op": "insert",
        "fields": {"commune_code": COMMUNE, "name": "Thôn Pấng", **fields},
    }


def _push_body(change: dict[str, Any]) -> bytes:
    # ensure_ascii: every non-ASCII character travels as a \\u escape, a lone surrogate too.
    return json.dumps({"changes": [change]}, ensure_ascii=True).encode("ascii")


def _refused_as_invalid_text(response: requests.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_text"
    assert response.json()["message_vi"].startswith(INVALID_TEXT)


def _records(server: LoopbackServer) -> int:
    from sqlalchemy import func, select

    from villagehelper.server.tables import Record

    with server.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Record)) or 0)


def test_a_lone_surrogate_in_a_pushed_value_is_refused_and_nothing_is_stored(
    server: LoopbackServer, token: str
) -> None:
    before = _records(server)
    refused = _post(server, "/v1/push", _push_body(_village(name="Lò \ud800")), token)
    _refused_as_invalid_text(refused)
    assert _records(server) == before
    # The same change with a correctly paired surrogate (an emoji escaped) is text.
    accepted = _post(server, "/v1/push", _push_body(_village(name="Lò 🙂")), token)
    assert accepted.status_code == 200, accepted.text


def test_a_lone_surrogate_in_a_field_name_is_refused(server: LoopbackServer, token: str) -> None:
    change = _village()
    change["fields"]["\udc80note"] = "x"
    _refused_as_invalid_text(_post(server, "/v1/push", _push_body(change), token))


def test_a_lone_surrogate_in_a_device_name_is_refused(server: LoopbackServer) -> None:
    code = accounts.issue_code(server.db, COMMUNE, "volunteer")
    body = json.dumps({"code": code, "device_name": "máy \udbff", "attempt": "a" * 32})
    _refused_as_invalid_text(_post(server, "/v1/enrol", body.encode(), None))
    assert accounts.list_devices(server.db) == []  # the code is not used up either


@pytest.mark.parametrize("protocol", ["²", "١", "1²", "٣", "𝟙", "1.0", "+1", "9" * 40])
def test_a_protocol_header_that_is_no_plain_number_is_an_old_client(
    server: LoopbackServer, token: str, protocol: str
) -> None:
    response = requests.get(
        server.url + "/v1/changes",
        headers={
            wire.PROTOCOL_HEADER.encode(): _on_the_wire(protocol),  # type: ignore[dict-item]
            "Authorization": f"Bearer {token}",
        },
        timeout=30,
    )
    assert response.status_code == 426, response.text
    assert response.json()["error"] == "client_too_old"


def _on_the_wire(value: str) -> bytes:
    # One byte each where Latin-1 has the character ("²" is byte B2, as the server reads
    # header bytes), UTF-8 otherwise.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def test_a_content_length_that_is_no_plain_number_is_no_server_error(
    server: LoopbackServer,
) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
        raw.sendall(
            b"POST /v1/enrol HTTP/1.1\r\nHost: x\r\n"
            + f"{wire.PROTOCOL_HEADER}: 1\r\n".encode()
            + "Content-Length: ²\r\nConnection: close\r\n\r\n".encode()
        )
        answer = raw.recv(4096)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer


def test_an_unexpected_failure_is_json_and_logged(
    server: LoopbackServer, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever fails inside (here the server's injected clock), the laptop gets the
    usual JSON shape it can show, and the request has its access-log line."""

    def broken_clock() -> datetime:
        raise RuntimeError("Lò Văn Pấng 0912 345 678")  # words that must not be logged

    working_clock = server.db.clock
    server.db.clock = broken_clock
    try:
        with caplog.at_level(logging.INFO, logger="villagehelper.server"):
            failed = requests.get(
                server.url + "/v1/health", headers={wire.PROTOCOL_HEADER: "1"}, timeout=30
            )
    finally:
        server.db.clock = working_clock
    assert failed.status_code == 500
    assert failed.headers["content-type"].startswith("application/json")
    body = failed.json()
    assert body["error"] == "server_error"
    assert body["message_vi"].startswith("Máy chủ xã gặp lỗi")
    logged = caplog.text
    assert "request method=GET path=/v1/health status=500" in logged
    assert "server error RuntimeError" in logged
    assert "Pấng" not in logged and "0912" not in logged


class _LineWatcher(logging.Handler):
    """Sets ``seen`` once a record of the server's logger holds ``wanted`` (the server
    answers from its own thread: wait for the line, never for a while)."""

    def __init__(self, wanted: str) -> None:
        super().__init__(logging.INFO)
        self.wanted = wanted
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.wanted in record.getMessage():
            self.seen.set()


def test_refusals_before_any_endpoint_are_logged_too(server: LoopbackServer) -> None:
    logger = logging.getLogger("villagehelper.server")
    watcher = _LineWatcher("request method=GET path=/v1/changes status=426")
    logger.addHandler(watcher)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        old = requests.get(server.url + "/v1/changes", timeout=30)
        assert old.status_code == 426
        assert watcher.seen.wait(timeout=10), "no access-log line for the refused request"
    finally:
        logger.removeHandler(watcher)
        logger.setLevel(level)


# --- the property: never a 5xx, always JSON ------------------------------------------------

# What a stranger can type or paste: lone surrogates, C0/C1 controls, bidi overrides and
# isolates, digits of other scripts, and ordinary Vietnamese.
ODD_CHARACTERS = st.sampled_from(
    [
        "\ud800",
        "\udfff",
        "\udbff\udbff",
        "\x00",
        "\x01",
        "\x1b",
        "\x7f",
        "\x85",
        "\u202e",
        "\u202d",
        "\u2066",
        "\u2069",
        "\u200f",
        "\ufeff",
        "²",
        "٣",
        "९",
        "𝟙",
        "Ⅻ",
        "ệ",
        "Đ",
        "1",
        "-",
        ".",
        "%",
        "\\",
        '"',
    ]
)
ODD_TEXT = st.lists(st.one_of(ODD_CHARACTERS, st.characters()), max_size=12).map("".join)


def _header_bytes(text: str) -> bytes:
    # The raw bytes a client could send: surrogates as their UTF-8-like bytes too.  CR and
    # LF end a header (no client can put them in one); other controls the HTTP layer
    # itself refuses before the application is reached.
    raw = text.encode("utf-8", "surrogatepass")
    return bytes(b for b in raw if b >= 0x20 and b != 0x7F) or b"x"


def _query(params: dict[str, str]) -> str:
    def raw(text: str) -> str:
        return quote(text.encode("utf-8", "surrogatepass"))

    return "&".join(f"{raw(name)}={raw(value)}" for name, value in params.items())


def _answered_in_json(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert set(body) >= {"error", "message_vi", "message_en"}, body


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=ODD_TEXT,
    value=ODD_TEXT,
    header=ODD_TEXT,
    query=ODD_TEXT,
    where=st.sampled_from(["protocol", "authorization", "forwarded", "encoding", "accept"]),
)
def test_odd_text_anywhere_is_never_a_server_error(  # noqa: PLR0917 - hypothesis gives each
    server: LoopbackServer, token: str, name: str, value: str, header: str, query: str, where: str
) -> None:
    header_name = {
        "protocol": wire.PROTOCOL_HEADER,
        "authorization": "Authorization",
        "forwarded": "X-Forwarded-For",
        "encoding": "Content-Encoding",
        "accept": "Accept",
    }[where]
    odd_header = {header_name.encode(): _header_bytes(header)}
    # A pushed field's name and value.
    change = _village(**{name or "x": value})
    _answered_in_json(_post(server, "/v1/push", _push_body(change), token))
    # An enrolment's code and device name.
    enrol = {"code": query or "xxxx", "device_name": value, "attempt": name}
    _answered_in_json(_post(server, "/v1/enrol", _push_body(enrol), None))
    # Query parameters of every reading endpoint, and an odd header on each call.
    for path, params in (
        ("/v1/changes", {"since": query, "limit": value}),
        ("/v1/tally/week", {"week": query, "format": value}),
        ("/v1/snapshot", {"schema": query}),
        ("/v1/changes", {name or "x": value}),
    ):
        headers: dict[Any, Any] = {
            wire.PROTOCOL_HEADER: "1",
            "Authorization": f"Bearer {token}",
        }
        headers.update(odd_header)
        response = requests.get(f"{server.url}{path}?{_query(params)}", headers=headers, timeout=30)
        _answered_in_json(response)
