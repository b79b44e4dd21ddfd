"""``villagehelper-server add-officer | officers | deactivate-officer``: the people who
sign in to the web console (server/console/officers.py).

``add-officer`` prints the officer's one-time password once: the server keeps only its
Argon2id hash, and the console asks for a new password at the first sign-in.  What each
command did is in the console's audit log, "from" the command line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser is built without the server's packages (commands.py)
    from villagehelper.server.database import ServerDB

COMMANDS = ("add-officer", "officers", "deactivate-officer")


def add_officer_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add = commands.add_parser(
        "add-officer",
        help="thêm cán bộ dùng trang quản lý trên web / add a console officer",
    )
    place = add.add_mutually_exclusive_group(required=True)
    place.add_argument("--commune", metavar="MÃ_XÃ", help="mã xã 5 chữ số / commune code")
    place.add_argument("--province", metavar="MÃ_TỈNH", help="mã tỉnh 2 chữ số / province code")
    add.add_argument("--role", required=True, choices=["admin", "viewer"])
    add.add_argument("name", metavar="TÊN")
    commands.add_parser("officers", help="danh sách cán bộ / list console officers")
    deactivate = commands.add_parser(
        "deactivate-officer", help="khoá tài khoản cán bộ / deactivate a console officer"
    )
    deactivate.add_argument("name", metavar="TÊN")


def run_officers(db: ServerDB, args: argparse.Namespace) -> int:
    from villagehelper.server.console import audit, officers

    if args.command == "add-officer":
        password = officers.add_officer(
            db, args.name, args.role, commune=args.commune, province=args.province
        )
        place = f"commune {args.commune}" if args.commune else f"province {args.province}"
        audit.record(db, args.name, "officer_added", place, audit.COMMAND_LINE)
        print(
            "Mật khẩu dùng một lần (chỉ hiện lần này; phải đổi khi đăng nhập lần đầu) "
            "/ one-time password (shown once; to be changed at the first sign-in):"
        )
        print(password)
        return 0
    if args.command == "officers":
        print("name\trole\tcommune\tprovince\tstate")
        for officer in officers.list_officers(db):
            state = "active" if officer.active else "deactivated"
            if officer.active and officer.must_change_password:
                state = "one-time password"
            print(
                f"{officer.name}\t{officer.role}\t{officer.commune_code or '-'}\t"
                f"{officer.province_code or '-'}\t{state}"
            )
        return 0
    officers.deactivate_officer(db, args.name)
    audit.record(db, args.name, "officer_deactivated", "", audit.COMMAND_LINE)
    print(f"Đã khoá tài khoản {args.name} / officer deactivated")
    return 0
