"""``villagehelper-server serve``: how the server listens, and whether it may.

``serve`` listens on a loopback address as it is; on any other it wants TLS (its own
certificate, or a reverse proxy in front that has one) or ``--allow-plain-http`` said
out loud, because tokens and residents' data would otherwise cross the network in clear
(docs/deployment.md).  The refusal comes before the database is opened, so a refused
start leaves nothing behind.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import ssl
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from villagehelper.errors import UserError
from villagehelper.server.addresses import Address

if TYPE_CHECKING:
    from fastapi import APIRouter

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
READY_LINE = "Máy chủ xã đang chạy tại"


@dataclass(frozen=True)
class TLSFiles:
    cert: str
    key: str | None


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: nothing sent there leaves this PC."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # another name: where it points is the resolver's to say
        return False


def transport(args: argparse.Namespace) -> TLSFiles | None:
    """The TLS files to serve with (None: plain HTTP), or the refusal to start."""
    if args.tls_key and not args.tls_cert:
        raise UserError(
            "Có --tls-key mà thiếu --tls-cert: hãy đưa cả chứng chỉ lẫn khoá riêng.",
            "--tls-key needs --tls-cert: give the certificate and its private key.",
        )
    if args.tls_cert:
        tls = TLSFiles(args.tls_cert, args.tls_key)
        _check_tls(tls)
        return tls
    if is_loopback(args.host):
        return None
    if args.allow_plain_http:
        print(
            f"villagehelper-server: cảnh báo: HTTP không mã hoá trên {args.host} "
            "(--allow-plain-http) / warning: plain HTTP beyond this PC",
            file=sys.stderr,
        )
        return None
    raise UserError(
        f"Không chạy máy chủ xã bằng HTTP không mã hoá trên {args.host}: mã truy cập của "
        "các máy và dữ liệu người dân sẽ đi qua mạng ở dạng ai cũng đọc được. "
        "Hãy chọn một cách:\n"
        "  1. chạy sau một reverse proxy có TLS (nginx, Caddy) trên chính máy này, "
        "với --host 127.0.0.1;\n"
        "  2. đưa chứng chỉ cho máy chủ: --tls-cert TỆP --tls-key TỆP;\n"
        "  3. nếu TLS đã do proxy lo, hoặc mạng này tin cậy được: thêm --allow-plain-http.\n"
        "Xem docs/deployment.md.",
        f"Refusing plain HTTP on {args.host}: device tokens and residents' data would cross "
        "the network in clear. Run behind a TLS reverse proxy on this PC (--host 127.0.0.1), "
        "or pass --tls-cert FILE --tls-key FILE, or, behind a TLS proxy or on a trusted "
        "network, --allow-plain-http. See docs/deployment.md.",
    )


def _check_tls(tls: TLSFiles) -> None:
    # Loaded once here so a wrong path or a key of another certificate is a message
    # before anything is announced, not a traceback from inside uvicorn.
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(tls.cert, tls.key)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise UserError(
            f"Không dùng được chứng chỉ TLS {tls.cert} với khoá {tls.key or tls.cert} "
            f"({reason}): hãy kiểm tra đường dẫn, và khoá phải là của chính chứng chỉ đó.",
            f"Cannot use TLS certificate {tls.cert} with key {tls.key or tls.cert} ({reason}).",
        ) from exc


@dataclass(frozen=True)
class ServeOptions:
    """``serve``'s options beyond where it listens."""

    tls: TLSFiles | None = None
    proxies: frozenset[Address] = frozenset()
    api_docs: bool = False
    workers: int = 1
    # As given on the command line: the workers read them again (workers.py).
    proxies_given: tuple[str, ...] = ()
    metrics_from: tuple[str, ...] = ()


def refuse_workers_on_sqlite(url: str, workers: int) -> None:
    """Several processes need PostgreSQL: said before the database is opened."""
    if workers > 1 and url.startswith("sqlite"):
        raise UserError(
            f"--workers {workers} cần PostgreSQL: SQLite chỉ cho một tiến trình máy chủ "
            "ghi vào cơ sở dữ liệu. Hãy bỏ --workers (một tiến trình), hoặc chuyển sang "
            "PostgreSQL (--db postgresql+psycopg://…) để chạy nhiều tiến trình. "
            "Xem docs/deployment.md.",
            f"--workers {workers} needs PostgreSQL: SQLite means one server process. "
            "Leave --workers out, or use PostgreSQL for several. See docs/deployment.md.",
        )


def serve(
    db: object,
    host: str,
    port: int,
    tls: TLSFiles | None = None,
    proxies: frozenset[Address] = frozenset(),
    *,
    api_docs: bool = False,
    options: ServeOptions | None = None,
) -> int:
    import uvicorn

    from villagehelper.server.app import create_app
    from villagehelper.server.database import ServerDB
    from villagehelper.server.limits import Throttles
    from villagehelper.server.maintenance import checkpoint, stop_on_sigterm
    from villagehelper.server.ops_endpoints import metrics_networks
    from villagehelper.server.start_up import ready_to_serve

    assert isinstance(db, ServerDB)
    chosen = options or ServeOptions(tls, proxies, api_docs)
    tls = chosen.tls
    refuse_workers_on_sqlite(db.url, chosen.workers)
    if chosen.workers > 1:
        from villagehelper.server.cli.workers import warn_if_connections_short

        warn_if_connections_short(db, chosen.workers)
    # Read now (every worker reads it again) so that a bad value stops serve before it
    # says it is ready.
    Throttles.from_environment()
    allowed = metrics_networks(chosen.metrics_from)
    listening = _listen(host, port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    scheme = "https" if tls else "http"
    shown = f"[{host}]" if ":" in host else host
    # Printed once the port accepts connections: scripts and tests wait for this line.
    print(f"{READY_LINE} {scheme}://{shown}:{port} / serving (Ctrl+C để dừng)", flush=True)
    uvicorn_options: dict[str, object] = {
        "log_level": "warning",
        "proxy_headers": False,  # the app decides whose X-Forwarded-For to believe
        "ssl_certfile": tls.cert if tls else None,
        "ssl_keyfile": tls.key if tls else None,
    }
    if chosen.workers > 1:
        from villagehelper.server.cli import workers

        given = workers.WorkerOptions(
            db.url, chosen.proxies_given, chosen.metrics_from, chosen.api_docs
        )
        return workers.serve_workers(listening, uvicorn_options, given, chosen.workers)
    app = create_app(
        db,
        trusted_proxies=chosen.proxies,
        api_docs=chosen.api_docs,
        console_routers=console_rooms(),
        metrics_from=allowed,
    )
    ready_to_serve(app)
    config = uvicorn.Config(app, **uvicorn_options)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    with stop_on_sigterm(lambda: setattr(server, "should_exit", True)):
        server.run(sockets=[listening])
    checkpoint(db)  # a copy of the database file alone, made now, holds everything
    return 0


def console_rooms() -> tuple[APIRouter, ...]:
    """The console's pages beyond its frame that ``serve`` mounts (console/frame.py)."""
    from villagehelper.server.console import audit_page, campaigns_page, laptops, team

    return (laptops.router, team.router, campaigns_page.router, audit_page.router)


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is announced; a busy port is a
    message, not a traceback."""
    try:
        family, kind, protocol, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )[0]
        listening = socket.socket(family, kind, protocol)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
        # uvicorn's own default (the kernel caps it at somaxconn): a province's laptops
        # coming back online together, after a power cut, queue instead of being refused.
        listening.listen(2048)
    except OSError as exc:
        raise UserError(
            f"Không mở được cổng {host}:{port} ({exc.strerror}): cổng đang bận hoặc địa chỉ "
            "sai. Hãy chọn cổng khác bằng --port.",
            f"Cannot listen on {host}:{port} ({exc.strerror}).",
        ) from exc
    return listening
