"""Issue 13, case 4 (the laptop's half): over HTTPS a clock years off makes the server's
certificate look not yet valid (or expired).  The laptop must name the clock, not say
"cannot reach the server".  A real TLS server on loopback, with a certificate made here
by the ``openssl`` command whose validity lies outside the laptop's clock."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from villagehelper.clock import utc_now
from villagehelper.sync.http import (
    CertificateDateError,
    RetryPolicy,
    ServerConnection,
    ServerUnreachableError,
)

CA_CONFIG = """
[ ca ]
default_ca = here
[ here ]
dir = {folder}
database = {folder}/index.txt
new_certs_dir = {folder}
serial = {folder}/serial
default_md = sha256
policy = anything
copy_extensions = none
[ anything ]
commonName = supplied
[ server ]
subjectAltName = IP:127.0.0.1
basicConstraints = critical,CA:TRUE
"""


def _certificate(folder: Path, starts_in: timedelta, lasts: timedelta) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 valid from now + ``starts_in``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl command is needed")
    (folder / "index.txt").write_text("")
    (folder / "serial").write_text("01\n")
    config = folder / "ca.cnf"
    config.write_text(CA_CONFIG.format(folder=folder))
    key, request, certificate = folder / "key.pem", folder / "req.csr", folder / "cert.pem"
    start = utc_now() + starts_in
    end = start + lasts

    def stamp(moment: datetime) -> str:
        return moment.strftime("%Y%m%d%H%M%SZ")

    subprocess.run(
        [openssl, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(request), "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [openssl, "ca", "-batch", "-config", str(config), "-selfsign", "-keyfile", str(key),
         "-in", str(request), "-out", str(certificate), "-extensions", "server",
         "-startdate", stamp(start), "-enddate", stamp(end)],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, *_args: object) -> None:
        pass  # the refused handshakes are the point of the test


def _tls_server(certificate: Path, key: Path) -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _Health)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _connect(url: str) -> ServerConnection:
    return ServerConnection(url, retry=RetryPolicy(attempts=1), sleep=lambda _s: None)


@pytest.mark.parametrize(
    ("starts_in", "says_vi", "says_en"),
    [
        # The laptop's clock is two years behind the certificate (a dead CMOS battery).
        (timedelta(days=730), "chưa đến ngày có hiệu lực", "running behind"),
        # The laptop's clock is past the certificate's end (a clock set to 2031).
        (-timedelta(days=400), "đã hết hạn", "running ahead"),
    ],
)
def test_a_certificate_outside_the_clock_is_reported_as_a_clock_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    starts_in: timedelta,
    says_vi: str,
    says_en: str,
) -> None:
    certificate, key = _certificate(tmp_path, starts_in, timedelta(days=365))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))  # trusted, but for its dates
    for url in _tls_server(certificate, key):
        with pytest.raises(CertificateDateError) as refused:
            _connect(url).get("/v1/health")
        message = refused.value.message_vi
        assert says_vi in message and "ngày giờ" in message and "Windows" in message
        assert says_en in refused.value.message_en
        assert "clock" in refused.value.message_en


def test_a_certificate_valid_now_connects_and_a_closed_port_is_still_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate, key = _certificate(tmp_path, -timedelta(days=1), timedelta(days=365))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))
    for url in _tls_server(certificate, key):
        assert _connect(url).get("/v1/health") == {"ok": True}
        port = url.rsplit(":", 1)[1]
    with pytest.raises(ServerUnreachableError) as unreachable:
        _connect(f"https://127.0.0.1:{port}").get("/v1/health")
    assert not isinstance(unreachable.value, CertificateDateError)
