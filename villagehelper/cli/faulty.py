"""Rows of the commune server this laptop set aside as faulty, on the command line.

    villagehelper faulty
    villagehelper faulty --void MÃ_LƯỢT --by NGƯỜI
    villagehelper faulty --log-again MÃ_LƯỢT --at "05/12/2026 14:30" --by NGƯỜI

The first lists them (id, household, why); the others settle a faulty help session as
the app's "Review conflicts → Faulty rows" does (:mod:`villagehelper.ops.quarantined`):
voided, or voided and logged again as done at the given time.  The next sync sends it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from villagehelper.cli.listing import print_listing


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    faulty = commands.add_parser(
        "faulty",
        parents=[common],
        help="dòng dữ liệu lỗi từ máy chủ xã, hủy hoặc ghi lại / faulty rows from the server",
    )
    settle = faulty.add_mutually_exclusive_group()
    settle.add_argument("--void", metavar="MÃ_LƯỢT", help="hủy lượt lỗi / void a faulty session")
    settle.add_argument(
        "--log-again", metavar="MÃ_LƯỢT", help="hủy và ghi lại là đã xong / void and log again"
    )
    faulty.add_argument("--at", metavar="NGÀY_GIỜ", help="ngày giờ hỗ trợ, dd/mm/yyyy HH:MM")
    faulty.add_argument("--by", metavar="NGƯỜI", help="tổ trưởng xử lý / the leader settling")


def cmd_faulty(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import SETTLE_FAULTY, open_as_member
    from villagehelper.ops import quarantined
    from villagehelper.ops.inputs import ServiceOutcome
    from villagehelper.transfer.cells import parse_moment

    chosen = args.void or args.log_again
    opened = open_as_member(data_dir)
    store = opened.store
    try:
        if chosen:
            by = opened.leader(args.by, SETTLE_FAULTY)
            quarantined.settle_faulty_session(
                store,
                chosen,
                by,
                replacement=ServiceOutcome("") if args.log_again else None,
                occurred_at=parse_moment("at", args.at) if args.at else None,
            )
            print(
                "Đã lưu; thay đổi được gửi ở lần đồng bộ tới. / "
                "Saved; the change is sent at the next sync."
            )
            return 0
        rows = quarantined.list_faulty(store)
    finally:
        store.close()
    return print_listing(
        rows,
        none="Không có dòng dữ liệu lỗi nào. / No faulty rows.",
        entry=lambda row: [
            f"{row.row_id}  {row.entity}  {row.household_name}  {row.why_vi} / {row.why_en}"
        ],
        how_to_settle='Xử lý / settle: villagehelper faulty --void MÃ --by "Tên tổ trưởng", '
        'hoặc / or --log-again MÃ --at "dd/mm/yyyy HH:MM" --by "Tên tổ trưởng"',
    )


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {"faulty": cmd_faulty}
