"""``villagehelper-server``: run the commune server and manage communes and devices.

    villagehelper-server [--db URL] serve [--host 127.0.0.1] [--port 8765]
                         [--tls-cert FILE --tls-key FILE] [--allow-plain-http]
                         [--trusted-proxy ADDRESS ...] [--api-docs]
                         [--workers N] [--metrics-from ADDRESS|NETWORK ...]
    villagehelper-server [--db URL] add-commune CODE NAME
    villagehelper-server [--db URL] issue-code --commune CODE --role volunteer|leader
    villagehelper-server [--db URL] devices
    villagehelper-server [--db URL] revoke DEVICE_ID
    villagehelper-server [--db URL] backup FILE | --into FOLDER [--keep N]
    villagehelper-server [--db URL] restore FILE
    villagehelper-server [--db URL] quarantine list [--commune CODE]
    villagehelper-server [--db URL] quarantine repair ENTITY ROW_ID --set FIELD=VALUE ...
    villagehelper-server [--db URL] quarantine void SESSION_ID
    villagehelper-server [--db URL] waiting list [--commune CODE]
    villagehelper-server [--db URL] waiting drop --older-than DAYS [--commune CODE] [--yes]
    villagehelper-server [--db URL] publish-update FILE --version X.Y.Z
                         [--platform windows|linux] [--notes TEXT | --notes-file FILE]
    villagehelper-server [--db URL] list-updates
    villagehelper-server [--db URL] add-officer --commune CODE|--province CODE
                         --role admin|viewer NAME
    villagehelper-server [--db URL] officers
    villagehelper-server [--db URL] deactivate-officer NAME

The server's packages are an optional extra (``pip install villagehelper[server]``);
without them the command says so instead of failing with an import error.

How ``serve`` listens, and when it refuses to, is in :mod:`villagehelper.server.cli.serve`;
the ``quarantine`` and ``waiting`` commands in their own modules beside this one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.server.addresses import TRUSTED_PROXIES_ENV, trusted_proxies
from villagehelper.server.cli.serve import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ServeOptions,
    refuse_workers_on_sqlite,
    serve,
    transport,
)

# Far above what a province's PC has cores for: a typo (--workers 400) is a message, not
# 400 processes each opening its own connections to PostgreSQL.
MAX_WORKERS = 64


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
    serve.add_argument(
        "--workers",
        type=_process_count,
        default=1,
        metavar="N",
        help="số tiến trình máy chủ cùng trả lời trên một địa chỉ (mặc định 1; trên 1 cần "
        "PostgreSQL) / server processes answering on one address (default 1; more need "
        "PostgreSQL)",
    )
    serve.add_argument(
        "--metrics-from",
        metavar="ĐỊA_CHỈ|MẠNG",
        action="append",
        default=[],
        help="địa chỉ hoặc mạng được đọc /metrics ngoài chính máy này (lặp lại được) "
        "/ an address or network allowed to read /metrics besides this PC (repeatable)",
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
    backup.add_argument("file", nargs="?")
    backup.add_argument(
        "--into",
        metavar="THƯ_MỤC",
        help="sao lưu theo lịch: tệp mới mang tên theo giờ trong thư mục này / a scheduled "
        "backup: a new file named by its time in this folder",
    )
    backup.add_argument(
        "--keep",
        type=int,
        default=14,
        metavar="N",
        help="với --into: giữ N bản mới nhất (mặc định 14) / with --into: keep the newest N",
    )
    restore = commands.add_parser(
        "restore", help="khôi phục từ bản sao lưu (dừng máy chủ trước) / restore a backup"
    )
    restore.add_argument("file")
    _add_quarantine_commands(commands)
    from villagehelper.server.cli.waiting import add_waiting_commands

    add_waiting_commands(commands)
    from villagehelper.server.cli.updates import add_update_commands

    add_update_commands(commands)
    from villagehelper.server.cli.officers import add_officer_commands

    add_officer_commands(commands)
    return parser


def _process_count(given: str) -> int:
    try:
        count = int(given)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"cần một số từ 1 đến {MAX_WORKERS} / a number from 1 to {MAX_WORKERS}"
        )
    return count


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


def _run(args: argparse.Namespace) -> int:
    # Before the database is opened: a refused start leaves nothing behind.
    tls = transport(args) if args.command == "serve" else None
    proxies = trusted_proxies(args.trusted_proxy) if args.command == "serve" else frozenset()
    from villagehelper.server.cli import officers as officer_commands
    from villagehelper.server.cli import updates

    installer = updates.checked_installer(args) if args.command == "publish-update" else None
    if args.command == "backup" and (args.file is None) == (args.into is None):
        raise UserError(
            "Hãy cho một tệp sao lưu (backup TỆP) hoặc một thư mục (backup --into THƯ_MỤC), "
            "không cả hai.",
            "Give a backup file (backup FILE) or a folder (backup --into FOLDER), not both.",
        )

    from villagehelper.server import accounts
    from villagehelper.server.database import open_server_db

    if args.command == "restore":
        return _restore(args.db, args.file)
    if args.command == "serve":
        from villagehelper.server.database import resolve_url

        refuse_workers_on_sqlite(resolve_url(args.db), args.workers)
    db = open_server_db(args.db)
    try:
        if args.command == "serve":
            chosen = ServeOptions(
                tls,
                proxies,
                args.api_docs,
                args.workers,
                tuple(args.trusted_proxy),
                tuple(args.metrics_from),
            )
            return serve(db, args.host, args.port, options=chosen)
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
            _backup(db, args)
        elif args.command == "quarantine":
            from villagehelper.server.cli.quarantine import run_quarantine

            return run_quarantine(db, args)
        elif args.command == "waiting":
            from villagehelper.server.cli.waiting import run_waiting

            return run_waiting(db, args)
        elif installer is not None:
            return updates.run_publish(db, installer)
        elif args.command == "list-updates":
            return updates.run_list(db)
        elif args.command in officer_commands.COMMANDS:
            return officer_commands.run_officers(db, args)
        return 0
    finally:
        db.close()


def _backup(db: object, args: argparse.Namespace) -> None:
    from villagehelper.clock import utc_now
    from villagehelper.server.cli.backups import scheduled_backup
    from villagehelper.server.database import ServerDB
    from villagehelper.server.maintenance import backup

    assert isinstance(db, ServerDB)
    if args.into:
        written, removed = scheduled_backup(db, Path(args.into), args.keep, utc_now())
        for old in removed:
            print(f"Đã xoá bản sao lưu cũ {old} / old backup removed")
    else:
        written = backup(db, Path(args.file))
    print(f"Đã sao lưu vào {written} / backup written")


def _restore(url: str | None, file: str) -> int:
    from villagehelper.clock import utc_now
    from villagehelper.server.database import resolve_url
    from villagehelper.server.maintenance import restore

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
    from villagehelper.server.accounts import DeviceInfo

    print("device_id\tcommune\trole\tname\tenrolled\tlast_seen\tstate")
    for device in devices:
        assert isinstance(device, DeviceInfo)
        state = "revoked" if device.revoked else "active"
        print(
            f"{device.device_id}\t{device.commune_code}\t{device.role}\t{device.name}\t"
            f"{device.created_at}\t{device.last_seen_at}\t{state}"
        )


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
