"""``villagehelper-server``: run the commune server and manage communes and devices.

    villagehelper-server [--db URL] serve [--host 127.0.0.1] [--port 8765]
    villagehelper-server [--db URL] add-commune CODE NAME
    villagehelper-server [--db URL] issue-code --commune CODE --role volunteer|leader
    villagehelper-server [--db URL] devices
    villagehelper-server [--db URL] revoke DEVICE_ID

The server's packages are an optional extra (``pip install villagehelper[server]``);
without them the command says so instead of failing with an import error.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from collections.abc import Sequence

from villagehelper.errors import UserError

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
        metavar="URL",
        help="SQLAlchemy URL (mặc định: VILLAGEHELPER_SERVER_DB, hoặc tệp SQLite riêng)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="chạy máy chủ / run the server")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    add = commands.add_parser("add-commune", help="thêm xã / add a commune")
    add.add_argument("code")
    add.add_argument("name")
    issue = commands.add_parser("issue-code", help="cấp mã đăng ký máy / issue an enrolment code")
    issue.add_argument("--commune", required=True)
    issue.add_argument("--role", required=True, choices=["volunteer", "leader"])
    commands.add_parser("devices", help="danh sách máy / list devices")
    revoke = commands.add_parser("revoke", help="thu hồi quyền của máy / revoke a device")
    revoke.add_argument("device_id")
    return parser


def _run(args: argparse.Namespace) -> int:
    from villagehelper.sync.server import accounts
    from villagehelper.sync.server.database import open_server_db

    db = open_server_db(args.db)
    try:
        if args.command == "serve":
            return _serve(db, args.host, args.port)
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
        return 0
    finally:
        db.close()


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


def _serve(db: object, host: str, port: int) -> int:
    import uvicorn

    from villagehelper.sync.server.app import create_app
    from villagehelper.sync.server.database import ServerDB

    assert isinstance(db, ServerDB)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    listening = _listen(host, port)
    # Printed once the port accepts connections: scripts and tests wait for this line.
    print(f"{READY_LINE} http://{host}:{port} / serving (Ctrl+C để dừng)", flush=True)
    config = uvicorn.Config(create_app(db), log_level="warning")
    uvicorn.Server(config).run(sockets=[listening])
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
        listening.listen(128)
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
        return 1


if __name__ == "__main__":
    sys.exit(main())
