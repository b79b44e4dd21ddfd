"""``villagehelper-server``: run the commune server and manage communes and devices.

    villagehelper-server [--db URL] serve [--host 127.0.0.1] [--port 8765]
                         [--tls-cert FILE --tls-key FILE] [--allow-plain-http]
                         [--trusted-proxy ADDRESS ...] [--api-docs]
    villagehelper-server [--db URL] add-commune CODE NAME
    villagehelper-server [--db URL] issue-code --commune CODE --role volunteer|leader
    villagehelper-server [--db URL] devices
    villagehelper-server [--db URL] revoke DEVICE_ID
    villagehelper-server [--db URL] backup FILE
    villagehelper-server [--db URL] restore FILE
    villagehelper-server [--db URL] quarantine list [--commune CODE]
    villagehelper-server [--db URL] quarantine repair ENTITY ROW_ID --set FIELD=VALUE ...
    villagehelper-server [--db URL] quarantine void SESSION_ID
    villagehelper-server [--db URL] waiting list [--commune CODE]
    villagehelper-server [--db URL] waiting drop --older-than DAYS [--commune CODE] [--yes]

The server's packages are an optional extra (``pip install villagehelper[server]``);
without them the command says so instead of failing with an import error.

``serve`` listens on a loopback address as it is; on any other it wants TLS (its own
certificate, or a reverse proxy in front that has one) or ``--allow-plain-http`` said
out loud, because tokens and residents' data would otherwise cross the network in clear
(docs/deployment.md).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import ssl
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.sync.server.addresses import TRUSTED_PROXIES_ENV, Address, trusted_proxies

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
READY_LINE = "Máy chủ xã đang chạy tại"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="villagehelper-server",
        description="Máy chủ đồng bộ cấp xã của VillageHelper / VillageHelper commune server",
    )
    parser.add_argument(
        "--db",
        metavar="URL|TỆP",
        help="SQLAlchemy URL, hoặc đường dẫn một tệp SQLite (mặc định: VILLAGEHELPER_SERVER_DB, "
        "hoặc tệp SQLite riêng) / a URL or a SQLite file's path",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="chạy máy chủ / run the server")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument(
        "--tls-cert", metavar="FILE", help="chứng chỉ TLS (PEM) / TLS certificate, PEM"
    )
    serve.add_argument(
        "--tls-key", metavar="FILE", help="khoá riêng của chứng chỉ (PEM) / its private key"
    )
    serve.add_argument(
        "--allow-plain-http",
        action="store_true",
        help="cho phép HTTP không mã hoá ngoài máy này (sau proxy TLS, mạng tin cậy) "
        "/ allow plain HTTP beyond this PC",
    )
    serve.add_argument(
        "--trusted-proxy",
        metavar="ĐỊA_CHỈ",
        action="append",
        default=[],
        help="địa chỉ IP của reverse proxy được tin X-Forwarded-For (lặp lại được; mặc định "
        f"không có, hoặc {TRUSTED_PROXIES_ENV}) / a reverse proxy whose X-Forwarded-For is "
        "believed (repeatable; default none)",
    )
    serve.add_argument(
        "--api-docs",
        action="store_true",
        help="mở /docs, /redoc và /openapi.json (mô tả API, có phiên bản) / serve the API's "
        "description pages (they name the version)",
    )
    add = commands.add_parser("add-commune", help="thêm xã / add a commune")
    add.add_argument("code")
    add.add_argument("name")
    issue = commands.add_parser("issue-code", help="cấp mã đăng ký máy / issue an enrolment code")
    issue.add_argument("--commune", required=True)
    issue.add_argument("--role", required=True, choices=["volunteer", "leader"])
    commands.add_parser("devices", help="danh sách máy / list devices")
    revoke = commands.add_parser("revoke", help="thu hồi quyền của máy / revoke a device")
    revoke.add_argument("device_id")
    backup = commands.add_parser("backup", help="sao lưu cơ sở dữ liệu / back the database up")
    backup.add_argument("file")
    restore = commands.add_parser(
        "restore", help="khôi phục từ bản sao lưu (dừng máy chủ trước) / restore a backup"
    )
    restore.add_argument("file")
    _add_quarantine_commands(commands)
    from villagehelper.sync.server.waiting_cli import add_waiting_commands

    add_waiting_commands(commands)
    return parser


def _add_quarantine_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    quarantine = commands.add_parser(
        "quarantine",
        help="dòng dữ liệu lỗi các máy để riêng / rows set aside as faulty (docs/deployment.md)",
    )
    actions = quarantine.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="liệt kê / list them")
    listing.add_argument("--commune")
    repair = actions.add_parser("repair", help="sửa một dòng / repair one row")
    repair.add_argument("entity")
    repair.add_argument("row_id")
    repair.add_argument("--set", dest="assignments", action="append", required=True)
    void = actions.add_parser("void", help="hủy một lượt hỗ trợ / void a help session")
    void.add_argument("session_id")


@dataclass(frozen=True)
class TLSFiles:
    cert: str
    key: str | None


def _run(args: argparse.Namespace) -> int:
    # Before the database is opened: a refused start leaves nothing behind.
    tls = _transport(args) if args.command == "serve" else None
    proxies = trusted_proxies(args.trusted_proxy) if args.command == "serve" else frozenset()

    from villagehelper.sync.server import accounts
    from villagehelper.sync.server.database import open_server_db

    if args.command == "restore":
        return _restore(args.db, args.file)
    db = open_server_db(args.db)
    try:
        if args.command == "serve":
            return _serve(db, args.host, args.port, tls, proxies, api_docs=args.api_docs)
        if args.command == "add-commune":
            accounts.add_commune(db, args.code, args.name)
            print(f"Đã thêm xã {args.code} / commune added")
        elif args.command == "issue-code":
            code = accounts.issue_code(db, args.commune, args.role)
            print(
                f"Mã đăng ký dùng một lần, hết hạn sau "
                f"{int(accounts.CODE_LIFETIME.total_seconds() // 3600)} giờ "
                "/ one-time enrolment code:"
            )
            print(code)
        elif args.command == "devices":
            _print_devices(accounts.list_devices(db))
        elif args.command == "revoke":
            accounts.revoke(db, args.device_id)
            print(f"Đã thu hồi máy {args.device_id} / device revoked")
        elif args.command == "backup":
            from villagehelper.sync.server.maintenance import backup

            written = backup(db, Path(args.file))
            print(f"Đã sao lưu vào {written} / backup written")
        elif args.command == "quarantine":
            from villagehelper.sync.server.quarantine_cli import run_quarantine

            return run_quarantine(db, args)
        elif args.command == "waiting":
            from villagehelper.sync.server.waiting_cli import run_waiting

            return run_waiting(db, args)
        return 0
    finally:
        db.close()


def _restore(url: str | None, file: str) -> int:
    from villagehelper.clock import utc_now
    from villagehelper.sync.server.database import resolve_url
    from villagehelper.sync.server.maintenance import restore

    epoch, kept = restore(resolve_url(url), Path(file), utc_now)
    if kept is not None:
        print(f"Cơ sở dữ liệu cũ được giữ ở {kept} / the replaced database is kept there")
    print(
        f"Đã khôi phục từ {file}; kỷ nguyên mới {epoch}: các laptop sẽ tự gửi lại và tải lại "
        "những gì còn thiếu ở lần đồng bộ tới. / Restored; new epoch: laptops heal at their "
        "next sync."
    )
    return 0


def _print_devices(devices: Sequence[object]) -> None:
    from villagehelper.sync.server.accounts import DeviceInfo

    print("device_id\tcommune\trole\tname\tenrolled\tlast_seen\tstate")
    for device in devices:
        assert isinstance(device, DeviceInfo)
        state = "revoked" if device.revoked else "active"
        print(
            f"{device.device_id}\t{device.commune_code}\t{device.role}\t{device.name}\t"
            f"{device.created_at}\t{device.last_seen_at}\t{state}"
        )


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: nothing sent there leaves this PC."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # another name: where it points is the resolver's to say
        return False


def _transport(args: argparse.Namespace) -> TLSFiles | None:
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


def _serve(
    db: object,
    host: str,
    port: int,
    tls: TLSFiles | None = None,
    proxies: frozenset[Address] = frozenset(),
    *,
    api_docs: bool = False,
) -> int:
    import uvicorn

    from villagehelper.sync.server.app import create_app
    from villagehelper.sync.server.database import ServerDB
    from villagehelper.sync.server.maintenance import checkpoint, stop_on_sigterm

    assert isinstance(db, ServerDB)
    listening = _listen(host, port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    scheme = "https" if tls else "http"
    shown = f"[{host}]" if ":" in host else host
    # Printed once the port accepts connections: scripts and tests wait for this line.
    print(f"{READY_LINE} {scheme}://{shown}:{port} / serving (Ctrl+C để dừng)", flush=True)
    config = uvicorn.Config(
        create_app(db, trusted_proxies=proxies, api_docs=api_docs),
        log_level="warning",
        proxy_headers=False,  # the app decides whose X-Forwarded-For to believe
        ssl_certfile=tls.cert if tls else None,
        ssl_keyfile=tls.key if tls else None,
    )
    server = uvicorn.Server(config)
    with stop_on_sigterm(lambda: setattr(server, "should_exit", True)):
        server.run(sockets=[listening])
    checkpoint(db)  # a copy of the database file alone, made now, holds everything
    return 0


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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except ModuleNotFoundError as exc:
        print(
            f"villagehelper-server: thiếu gói {exc.name}; "
            "cài bằng: pip install 'villagehelper[server]'\n"
            f"villagehelper-server: missing package {exc.name}; install villagehelper[server]",
            file=sys.stderr,
        )
        return 2
    except UserError as exc:
        print(f"villagehelper-server: {exc.message_vi}", file=sys.stderr)
        if exc.message_en != exc.message_vi:
            print(f"villagehelper-server: {exc.message_en}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
