"""``villagehelper-server waiting …``: restatements that wait for a row (waiting.py).

``list`` shows, per waiting row, its commune, the device that sent it, what kind of row
it is and what it waits for, and how many days it has waited: ids and kinds only, as
``quarantine list``.  ``drop --older-than DAYS`` drops the rows waiting longer, once the
operator has confirmed (or with ``--yes``, for a script).
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser is built without the server's packages (commands.py)
    from villagehelper.server.database import ServerDB


def add_waiting_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    waiting = commands.add_parser(
        "waiting",
        help="dòng gửi lại sau khôi phục đang chờ dòng chúng cần / restatements waiting for "
        "a row (docs/deployment.md)",
    )
    actions = waiting.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="liệt kê / list them")
    listing.add_argument("--commune")
    drop = actions.add_parser("drop", help="bỏ các dòng chờ đã lâu / drop old ones")
    drop.add_argument("--older-than", metavar="NGÀY", type=_days, required=True)
    drop.add_argument("--commune")
    drop.add_argument(
        "--yes", action="store_true", help="không hỏi lại / do not ask for confirmation"
    )


def _days(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(
            f"'{text}' không phải số ngày (ví dụ 30) / not a number of days (e.g. 30)"
        )
    return int(text)


def run_waiting(db: ServerDB, args: argparse.Namespace) -> int:
    from villagehelper.server import waiting_upkeep

    now = db.clock()
    if args.action == "list":
        rows = waiting_upkeep.listed(db, args.commune)
        print("commune\tdevice_id\tentity\trow_id\twaits_for\twaits_id\tdays")
        for row in rows:
            days = (now - row.held_at).days
            print(
                f"{row.commune_code}\t{row.device_id}\t{row.entity}\t{row.row_id}\t"
                f"{row.waits_entity}\t{row.waits_id}\t{days}"
            )
        print(f"{len(rows)} dòng đang chờ / rows waiting")
        return 0
    age = timedelta(days=args.older_than)
    old = [row for row in waiting_upkeep.listed(db, args.commune) if row.held_at < now - age]
    if not old:
        print(f"Không có dòng nào chờ quá {args.older_than} ngày / none waits that long")
        return 0
    if not args.yes and not _confirmed(len(old), args.older_than):
        print("Không bỏ dòng nào / nothing dropped")
        return 1
    with db.transaction() as session:
        dropped = waiting_upkeep.drop_older_than(session, age, now, args.commune)
    print(f"Đã bỏ {dropped} dòng chờ / rows dropped")
    return 0


def _confirmed(count: int, days: int) -> bool:
    try:
        answer = input(
            f"Bỏ {count} dòng chờ quá {days} ngày? Gõ 'y' để đồng ý "
            f"/ drop {count} rows waiting over {days} days? Type 'y' to agree: "
        )
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes", "có", "co"}
