"""Changes the commune server refused, on the command line.

    villagehelper set-aside
    villagehelper set-aside --resend MÃ
    villagehelper set-aside --discard MÃ

The first lists them with the server's reason; ``--resend`` puts one back in the outbox
as its row is now (after the row was put right), ``--discard`` forgets it
(:mod:`villagehelper.sync.set_aside`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from villagehelper.cli.listing import print_listing


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    listed = commands.add_parser(
        "set-aside",
        parents=[common],
        help="thay đổi máy chủ từ chối / changes the server refused",
    )
    what = listed.add_mutually_exclusive_group()
    what.add_argument("--resend", metavar="MÃ", help="gửi lại sau khi sửa / send again")
    what.add_argument("--discard", metavar="MÃ", help="bỏ thay đổi này / discard it")
    listed.add_argument("--by", metavar="TỔ_TRƯỞNG", help="tổ trưởng (máy chưa có mã PIN) / leader")


def cmd_set_aside(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import SETTLE_REFUSED, open_as_member
    from villagehelper.sync import set_aside

    opened = open_as_member(data_dir)
    store = opened.store
    try:
        if args.resend or args.discard:
            opened.leader(args.by, SETTLE_REFUSED)  # the app's list is a leader's too
        if args.resend:
            set_aside.resend(store, args.resend)
            print("Sẽ gửi lại ở lần đồng bộ tới. / Sent again with the next sync.")
            return 0
        if args.discard:
            set_aside.discard(store, args.discard)
            print("Đã bỏ thay đổi này. / Change discarded.")
            return 0
        with store.reading() as session:
            kept = set_aside.listed(session)
    finally:
        store.close()
    return print_listing(
        kept,
        none="Không có thay đổi nào bị từ chối. / No refused change.",
        entry=lambda change: [
            f"{change.change_id}  {change.entity} {change.row_id} ({change.op})",
            change.reason_vi,
            change.reason_en,
        ],
        how_to_settle="Sửa lại rồi gửi lại / fix, then send again: villagehelper set-aside "
        "--resend MÃ; hoặc bỏ / or discard: villagehelper set-aside --discard MÃ",
    )


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {"set-aside": cmd_set_aside}
