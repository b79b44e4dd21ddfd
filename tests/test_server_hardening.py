"""The commune server made hard to abuse: wrong tokens and enrolment codes guessed from one
address are throttled (and only there); ``villagehelper-server serve`` will not speak plain
HTTP beyond this PC unless told to; and the request limits test_sync_security.py does not
already show (corrupt gzip, ids, counts, the other endpoints' parameters).

Real HTTP on loopback ports (SQLite and PostgreSQL).  Other client addresses are other
loopback addresses (127.0.0.2, 127.0.0.3, …) the requests really come from; the real
command runs in a process of its own.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from tests.serve_process import run_to_the_end, start_serving
from tests.sync_support import COMMUNE, LoopbackServer, from_address
from villagehelper.exchange import wire
from villagehelper.ids import new_id
from villagehelper.server import accounts
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.cli import serve as server_serve
from villagehelper.server.database import ServerDB
from villagehelper.server.limits import RateLimiter, Throttles
from villagehelper.server.replicas import CACHE_ENV
from villagehelper.server.tables import EnrolmentCode, Record

BAD_TOKEN = "Máy này chưa được cấp quyền hoặc đã bị thu hồi: hãy đăng ký lại với mã mới."
NO_TOKEN = "Thiếu mã truy cập: hãy đăng ký máy với máy chủ xã."
BAD_CODE = "Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. Hãy xin tổ trưởng mã mới."
RATE_LIMITED = "Quá nhiều yêu cầu trong thời gian ngắn; máy sẽ thử lại sau ít phút."
MALFORMED = "Dữ liệu gửi lên không đúng dạng"
INVALID = "Dữ liệu gửi lên không hợp lệ"
PLAIN_HTTP_REFUSED = "Không chạy máy chủ xã bằng HTTP không mã hoá trên"
DEFAULTS = Throttles()


# --- clients at other addresses -----------------------------------------------------------


@dataclass
class Client:
    """A laptop (or an attacker) at one address."""

    server: LoopbackServer
    http: requests.Session

    def pull(self, token: str | None, **headers: str) -> requests.Response:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.get(
            self.server.url + "/v1/changes",
            params={"since": 0, "limit": 1},  # the lightest page there is
            headers={wire.PROTOCOL_HEADER: "1", **headers},
            timeout=30,
        )

    def enrol(self, code: str) -> requests.Response:
        return self.http.post(
            self.server.url + "/v1/enrol",
            json={"code": code, "device_name": "Máy tổ 3"},
            headers={wire.PROTOCOL_HEADER: "1"},
            timeout=30,
        )


ClientAt = Callable[[str], Client]


@pytest.fixture
def client_at(sync_server: LoopbackServer) -> Iterator[ClientAt]:
    sessions: list[requests.Session] = []

    def make(address: str) -> Client:
        http = from_address(address)
        sessions.append(http)
        return Client(sync_server, http)

    yield make
    for http in sessions:
        http.close()


def _token(server: LoopbackServer, role: str = "volunteer") -> str:
    return accounts.enrol(server.db, accounts.issue_code(server.db, COMMUNE, role), role).token


def _message(response: requests.Response) -> str:
    text: str = response.json()["message_vi"]
    return text


# --- guessing tokens --------------------------------------------------------------------------


def test_wrong_tokens_from_one_address_are_throttled_there_only(
    sync_server: LoopbackServer, client_at: ClientAt
) -> None:
    good = _token(sync_server)
    device_id = good.partition(".")[0]
    guesser, neighbour = client_at("127.0.0.2"), client_at("127.0.0.3")
    for attempt in range(DEFAULTS.auth_failure_burst):
        wrong = f"{device_id}.guess-{attempt}"
        refused = guesser.pull(wrong)
        assert (refused.status_code, _message(refused)) == (401, BAD_TOKEN), attempt
    throttled = guesser.pull(f"{device_id}.one-more-guess")
    assert throttled.status_code == 429, throttled.text
    assert throttled.json() == {
        "error": "rate_limited",
        "message_vi": RATE_LIMITED,
        "message_en": "Too many requests; the laptop will try again shortly.",
    }
    # The right token still goes in from there: the laptops of a cultural house share
    # its one address (test_server_shared_address.py); its wrong ones stay throttled.
    assert guesser.pull(good).status_code == 200
    assert guesser.pull(f"{device_id}.yet-another").status_code == 429
    # A forwarded address from a client that is no proxy of ours changes nothing.
    assert guesser.pull("nobody.x", **{"X-Forwarded-For": "127.0.0.9"}).status_code == 429

    # The same device from another address goes on, and that address has its own count.
    assert neighbour.pull(good).status_code == 200
    # (Claiming another device: this one's wrong tokens are counted wherever they come
    # from, test_server_shared_address.py.)
    assert neighbour.pull(f"{new_id()}.wrong").status_code == 401
    assert neighbour.pull(good).status_code == 200


def test_calls_without_a_token_are_not_counted_as_guesses(
    sync_server: LoopbackServer, client_at: ClientAt
) -> None:
    """A laptop not yet enrolled asks without a token: that guesses nothing."""
    good = _token(sync_server)
    laptop = client_at("127.0.0.4")
    for _ in range(DEFAULTS.auth_failure_burst + 5):
        missing = laptop.pull(None)
        assert (missing.status_code, _message(missing)) == (401, NO_TOKEN)
    assert laptop.pull(good).status_code == 200
    # Valid calls are the per-device limit's business, not this one's.
    for _ in range(DEFAULTS.auth_failure_burst + 5):
        assert laptop.pull(good).status_code == 200


def test_behind_a_reverse_proxy_on_this_pc_each_real_client_is_counted(
    server_db: ServerDB,
) -> None:
    """nginx or Caddy on the server PC connect from 127.0.0.1 and name the real client in
    X-Forwarded-For: once the server is told to trust that proxy (serve --trusted-proxy),
    the guesser behind it is throttled, not everyone behind it."""
    server = LoopbackServer(server_db, trusted_proxies=["127.0.0.1"])
    try:
        good = _token(server)
        with requests.Session() as http:
            proxy = Client(server, http)
            guesser, laptop = {"X-Forwarded-For": "127.0.0.5"}, {"X-Forwarded-For": "127.0.0.6"}
            for attempt in range(DEFAULTS.auth_failure_burst):
                assert proxy.pull(f"nobody{attempt}.{attempt}", **guesser).status_code == 401
            assert proxy.pull("nobody.again", **guesser).status_code == 429
            assert proxy.pull("nobody.else", **laptop).status_code == 401
            assert proxy.pull(good, **laptop).status_code == 200
    finally:
        server.stop()


def test_a_throttled_address_gets_one_more_try_per_window() -> None:
    """The window: after the burst, one more failure is allowed per refill interval."""
    now = [1000.0]
    failures = RateLimiter(
        DEFAULTS.auth_failure_rate, DEFAULTS.auth_failure_burst, clock=lambda: now[0]
    )
    for _ in range(DEFAULTS.auth_failure_burst):
        assert not failures.exhausted("127.0.0.2")
        assert failures.allow("127.0.0.2")
    assert failures.exhausted("127.0.0.2")
    assert not failures.exhausted("127.0.0.3")
    interval = 1 / DEFAULTS.auth_failure_rate
    now[0] += interval * 0.9
    assert failures.exhausted("127.0.0.2")  # exhausted() spends nothing
    now[0] += interval * 0.1
    assert not failures.exhausted("127.0.0.2")
    assert failures.allow("127.0.0.2")
    assert failures.exhausted("127.0.0.2")
    # A whole burst's worth of quiet, and the address starts afresh.
    now[0] += interval * DEFAULTS.auth_failure_burst
    assert all(failures.allow("127.0.0.2") for _ in range(DEFAULTS.auth_failure_burst))


def test_the_throttles_forget_addresses_that_calmed_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Addresses are the caller's to vary: the table of them cannot grow without end."""
    now = [0.0]
    monkeypatch.setattr(RateLimiter, "MAX_KEYS", 50)
    failures = RateLimiter(rate_per_second=1.0, burst=3, clock=lambda: now[0])
    for n in range(50):
        failures.allow(f"10.0.0.{n}")
    now[0] += 10  # every bucket full again
    failures.allow("10.0.1.1")
    assert len(failures._buckets) == 1


# --- guessing enrolment codes -------------------------------------------------------------------


def test_guessing_enrolment_codes_is_throttled_per_address(
    sync_server: LoopbackServer, client_at: ClientAt
) -> None:
    db = sync_server.db
    code = accounts.issue_code(db, COMMUNE, "leader")
    guesser, laptop = client_at("127.0.0.7"), client_at("127.0.0.8")
    for attempt in range(DEFAULTS.enrol_burst):
        wrong = guesser.enrol(f"ABCDE-{attempt:05d}")
        assert (wrong.status_code, _message(wrong)) == (401, BAD_CODE), attempt
    throttled = guesser.enrol(code)
    assert (throttled.status_code, throttled.json()["error"]) == (429, "rate_limited")
    assert _message(throttled) == RATE_LIMITED
    with db.reading() as session:
        assert session.scalars(select(EnrolmentCode.used_at)).all() == [None]
    # The laptop the code was read out to, at another address, still enrols with it.
    enrolled = laptop.enrol(code)
    assert enrolled.status_code == 200, enrolled.text
    assert enrolled.json()["role"] == "leader"


# --- serve: TLS, or loopback, or said out loud ------------------------------------------------


def test_only_loopback_counts_as_this_pc() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LocalHost"):
        assert server_serve.is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "example.org", "127.example", ""):
        assert not server_serve.is_loopback(host), host


def _command(tmp_path: Path, *serve: str) -> list[str]:
    db = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    return [sys.executable, "-m", "villagehelper.server.cli", "--db", db, "serve", *serve]


# Addresses this PC does not have (TEST-NET-1, the IPv6 documentation range, a name that
# never resolves): if the refusal ever broke, serving there would fail at once, instead
# of a test server listening beyond loopback.
ABSENT_ADDRESS = "192.0.2.1"
BEYOND_THIS_PC = (ABSENT_ADDRESS, "2001:db8::1", "commune-server.invalid")


def test_serve_refuses_plain_http_beyond_this_pc_and_says_what_to_do(tmp_path: Path) -> None:
    done = run_to_the_end(_command(tmp_path, "--host", ABSENT_ADDRESS, "--port", "8765"))
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"villagehelper-server: {PLAIN_HTTP_REFUSED} {ABSENT_ADDRESS}")
    vietnamese = done.stderr.partition("Refusing")[0]
    for advice in ("reverse proxy có TLS", "--tls-cert TỆP --tls-key TỆP", "--allow-plain-http"):
        assert advice in vietnamese, advice
    assert lines[-1].startswith(f"villagehelper-server: Refusing plain HTTP on {ABSENT_ADDRESS}")
    assert "Traceback" not in done.stderr
    # Refused before anything was opened: no database was made.
    assert not (tmp_path / "server.sqlite3").exists()


@pytest.mark.parametrize("host", BEYOND_THIS_PC)
def test_every_address_beyond_this_pc_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], host: str
) -> None:
    assert server_cli.main(["--db", "sqlite://", "serve", "--host", host]) == 1
    assert PLAIN_HTTP_REFUSED in capsys.readouterr().err


def test_plain_http_beyond_this_pc_starts_when_allowed_explicitly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Binding an absent address fails at once: reaching the bind shows the start was let
    # through.
    db = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    serve = ["--db", db, "serve", "--host", ABSENT_ADDRESS, "--allow-plain-http"]
    assert server_cli.main(serve) == 1
    err = capsys.readouterr().err
    assert PLAIN_HTTP_REFUSED not in err
    assert "HTTP không mã hoá trên 192.0.2.1 (--allow-plain-http)" in err  # the warning
    assert f"Không mở được cổng {ABSENT_ADDRESS}:8765" in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Served:
    process: subprocess.Popen[str]
    ready: str


Serve = Callable[..., Served]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """``villagehelper-server serve …`` in a process of its own, up to its ready line."""
    started: list[subprocess.Popen[str]] = []
    log = tmp_path / "server.log"

    def start(*options: str) -> Served:
        env = {**os.environ, CACHE_ENV: str(tmp_path / "cache")}
        process, ready = start_serving(_command(tmp_path, *options), env, log)
        started.append(process)
        return Served(process, ready)

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=30)


def test_serve_on_loopback_needs_nothing_more(serve: Serve) -> None:
    port = _free_port()
    served = serve("--host", "127.0.0.1", "--port", str(port))
    assert f"http://127.0.0.1:{port}" in served.ready
    with requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=30) as health:
        assert health.status_code == 200
        assert health.json()["ok"] is True


def _openssl(*arguments: str) -> bytes:
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command (Debian: openssl, needed by ca-certificates)"
    made = subprocess.run([openssl, *arguments], check=True, capture_output=True, timeout=60)
    return made.stdout


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made here (EC keys: milliseconds)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    _openssl(
        *("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2"),
        *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
    )
    return cert, key


def test_serve_with_a_certificate_speaks_tls_only(
    serve: Serve, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    port = _free_port()
    served = serve("--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key))
    assert f"https://127.0.0.1:{port}" in served.ready
    # Closed at once: a TLS connection left open (the suite collects no cycles) holds the
    # server's graceful stop for asyncio's 30-second TLS shutdown.
    with requests.get(
        f"https://127.0.0.1:{port}/v1/health", verify=str(cert), timeout=30
    ) as health:
        assert health.status_code == 200
        assert health.json()["ok"] is True
    # Plain HTTP to the same port gets no HTTP answer (a raw socket, closed here for the
    # same reason as above).
    with socket.create_connection(("127.0.0.1", port), timeout=30) as plain:
        plain.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while chunk := plain.recv(65536):
            answer += chunk
    assert not answer.startswith(b"HTTP/"), answer[:100]


def test_a_certificate_lets_serve_start_beyond_this_pc(
    tmp_path: Path, certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = certificate
    db = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    tls = ["--tls-cert", str(cert), "--tls-key", str(key)]
    assert server_cli.main(["--db", db, "serve", "--host", ABSENT_ADDRESS, *tls]) == 1
    err = capsys.readouterr().err
    assert PLAIN_HTTP_REFUSED not in err
    assert f"Không mở được cổng {ABSENT_ADDRESS}:8765" in err


def test_a_wrong_certificate_or_key_is_a_message(
    tmp_path: Path, certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = certificate
    other = tmp_path / "other"
    other.mkdir()
    stranger = _openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout")
    (other / "key.pem").write_bytes(stranger)
    cases = {
        "no such certificate": ["--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(key)],
        "another certificate's key": ["--tls-cert", str(cert), "--tls-key", str(other / "key.pem")],
        "the key as certificate": ["--tls-cert", str(key), "--tls-key", str(key)],
    }
    for what, tls in cases.items():
        assert server_cli.main(["--db", "sqlite://", "serve", *tls]) == 1, what
        err = capsys.readouterr().err
        assert f"villagehelper-server: Không dùng được chứng chỉ TLS {tls[1]}" in err, what
        assert "Traceback" not in err, what
    assert server_cli.main(["--db", "sqlite://", "serve", "--tls-key", str(key)]) == 1
    assert "Có --tls-key mà thiếu --tls-cert" in capsys.readouterr().err


# --- request limits test_sync_security.py does not show ---------------------------------------


def _call(
    server: LoopbackServer,
    method: str,
    path: str,
    token: str | None,
    *,
    body: Any = None,
    params: dict[str, Any] | None = None,
) -> requests.Response:
    headers = {wire.PROTOCOL_HEADER: "1"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(
        method, server.url + path, json=body, params=params, headers=headers, timeout=30
    )


def _change(**overrides: Any) -> dict[str, Any]:
    return {
        "change_id": new_id(),
        "entity": "household",
        "row_id": new_id(),
        "op": "update",
        "base_version": 1,
        "fields": {"notes": "Đã gọi"},
        **overrides,
    }


def test_ids_counts_and_numbers_past_their_limits_are_malformed(
    sync_server: LoopbackServer,
) -> None:
    """Each limit once past it (422, nothing stored) and once at it (read, then refused
    or not for its content: the server has no household of that id)."""
    token = _token(sync_server)
    many_fields = {f"field_{n}": n for n in range(40)}
    cases: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "change id": ({"change_id": "c" * 37}, {"change_id": "c" * 36}),
        "row id": ({"row_id": "r" * 41}, {"row_id": "r" * 40}),
        "entity": ({"entity": "e" * 33}, {"entity": "e" * 32}),
        "fields": ({"fields": {**many_fields, "one_more": 1}}, {"fields": many_fields}),
        "base version": ({"base_version": 2**62 + 1}, {"base_version": 2**62}),
        "negative base version": ({"base_version": -1}, {"base_version": 0}),
    }
    with sync_server.db.reading() as session:
        before = session.scalars(select(Record.row_id)).all()
    for what, (past, at) in cases.items():
        refused = _call(sync_server, "POST", "/v1/push", token, body={"changes": [_change(**past)]})
        assert refused.status_code == 422, f"{what}: {refused.text}"
        assert _message(refused).startswith(MALFORMED), what
        read = _call(sync_server, "POST", "/v1/push", token, body={"changes": [_change(**at)]})
        assert read.status_code == 400, f"{what}: {read.text}"
        assert _message(read).startswith(INVALID) or "Máy chủ không có bản ghi" in _message(read)
    member = {"changes": [], "team_member_id": "m" * 37}
    assert _call(sync_server, "POST", "/v1/push", token, body=member).status_code == 422
    member["team_member_id"] = "m" * 36  # not one of the commune's: simply not audited
    assert _call(sync_server, "POST", "/v1/push", token, body=member).status_code == 200
    with sync_server.db.reading() as session:
        assert session.scalars(select(Record.row_id)).all() == before


def test_a_number_field_past_32_bits_is_refused(sync_server: LoopbackServer) -> None:
    token = _token(sync_server)
    for value in (2**31, -(2**31), 1.5, True):
        birth = _change(entity="member", fields={"birth_year": value})
        refused = _call(sync_server, "POST", "/v1/push", token, body={"changes": [birth]})
        assert refused.status_code == 400, refused.text
        assert "birth_year: must be a whole number" in _message(refused), value


def test_the_other_endpoints_parameters_have_limits_too(sync_server: LoopbackServer) -> None:
    token, leader = _token(sync_server), _token(sync_server, "leader")
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    past: dict[str, tuple[str, str, str | None, dict[str, Any] | None, dict[str, Any] | None]] = {
        "since below 0": ("GET", "/v1/changes", token, None, {"since": -1}),
        "since past 2**62": ("GET", "/v1/changes", token, None, {"since": 2**62 + 1}),
        "week of 11 characters": ("GET", "/v1/tally/week", leader, None, {"week": "2026-W49-xx"}),
        "tally format": ("GET", "/v1/tally/week", leader, None, {"format": "pdf"}),
        "schema of 17 characters": ("GET", "/v1/snapshot", token, None, {"schema": "s" * 17}),
        "snapshot without schema": ("GET", "/v1/snapshot", token, None, {}),
        "code of 3 characters": ("POST", "/v1/enrol", None, {"code": "ABC"}, None),
        "code of 41 characters": ("POST", "/v1/enrol", None, {"code": "A" * 41}, None),
        "device name of 121 characters": (
            "POST",
            "/v1/enrol",
            None,
            {"code": code, "device_name": "M" * 121},
            None,
        ),
        "attempt of 65 characters": (
            "POST",
            "/v1/enrol",
            None,
            {"code": code, "attempt": "a" * 65},
            None,
        ),
    }
    for what, (method, path, auth, body, params) in past.items():
        refused = _call(sync_server, method, path, auth, body=body, params=params)
        assert refused.status_code == 422, f"{what}: {refused.text}"
        assert _message(refused).startswith(MALFORMED), what
    # None of them used the code: at the limits it enrols.
    at_limit = {"code": code, "device_name": "M" * 120, "attempt": "a" * 64}
    assert _call(sync_server, "POST", "/v1/enrol", None, body=at_limit).status_code == 200


def test_a_corrupt_or_cut_gzip_body_is_refused(sync_server: LoopbackServer) -> None:
    token = _token(sync_server)
    whole = gzip.compress(b'{"changes": []}')
    headers = {
        wire.PROTOCOL_HEADER: "1",
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
    }
    url = sync_server.url + "/v1/push"
    for what, body in (
        ("not gzip at all", b'{"changes": []}'),
        ("cut short", whole[:-6]),
        ("damaged", whole[:12] + bytes([whole[12] ^ 0xFF]) + whole[13:]),
    ):
        refused = requests.post(url, data=body, headers=headers, timeout=30)
        assert refused.status_code == 400, f"{what}: {refused.text}"
        assert refused.json()["error"] == "bad_gzip", what
        assert _message(refused) == "Dữ liệu nén bị hỏng.", what
    assert requests.post(url, data=whole, headers=headers, timeout=30).status_code == 200


def test_the_body_limit_holds_on_enrolment_too(sync_server: LoopbackServer) -> None:
    code = accounts.issue_code(sync_server.db, COMMUNE, "volunteer")
    padding = b" " * wire.MAX_BODY_BYTES
    body = b'{"code": "' + code.encode() + b'"' + padding + b"}"
    refused = requests.post(
        sync_server.url + "/v1/enrol",
        data=gzip.compress(body),
        headers={
            wire.PROTOCOL_HEADER: "1",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        },
        timeout=60,
    )
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"] == "too_large"
    with sync_server.db.reading() as session:
        assert session.scalars(select(EnrolmentCode.used_at)).all() == [None]
