"""Sessions the commune server held back for an impossible date, on the command line.

    villagehelper implausible
    villagehelper implausible --redate MÃ_LƯỢT --at "05/12/2026 14:30" [--by TỔ_TRƯỞNG]

The first lists those still waiting, each with why; the second gives one its right date
(a time without an offset is Vietnam time), which the next sync sends.  Correcting is
a leader's: the one whose PIN opened the store, or ``--by`` on a laptop without PINs
(:mod:`villagehelper.cli.acting_member`).  The app's
"Review conflicts" screen does the same (:mod:`villagehelper.ops.implausible`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from villagehelper.cli.listing import print_listing
from villagehelper.cli.privacy import BY_HELP
from villagehelper.errors import UserError

if TYPE_CHECKING:
    from villagehelper.ops.implausible import ImplausibleSession


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    held = commands.add_parser(
        "implausible",
        parents=[common],
        help="lượt hỗ trợ có ngày không hợp lý, sửa ngày / sessions with an impossible date",
    )
    held.add_argument("--redate", metavar="MÃ_LƯỢT", help="lượt cần sửa ngày / session id")
    held.add_argument("--at", metavar="NGÀY_GIỜ", help="ngày giờ đúng, dd/mm/yyyy HH:MM")
    held.add_argument("--by", metavar="TỔ_TRƯỞNG", help=BY_HELP)


def cmd_implausible(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import REDATE, open_as_member
    from villagehelper.ops import implausible
    from villagehelper.transfer.cells import parse_moment

    if args.redate and not args.at:
        raise UserError(
            "Sửa ngày cần --at (ngày giờ đúng).",
            "--redate needs --at (the right date and time).",
        )
    opened = open_as_member(data_dir)
    store = opened.store
    try:
        if args.redate:
            by = opened.leader(args.by, REDATE)
            implausible.redate_session(store, args.redate, by, parse_moment("at", args.at))
            print(
                "Đã sửa ngày; lượt hỗ trợ sẽ được tính sau lần đồng bộ tới. / "
                "Date corrected; the session counts after the next sync."
            )
            return 0
        waiting = implausible.list_implausible(store)
    finally:
        store.close()
    return print_listing(
        waiting,
        none="Không có lượt hỗ trợ nào có ngày không hợp lý. / No session with an impossible date.",
        entry=_entry,
        how_to_settle="Sửa ngày / correct the date: villagehelper implausible --redate MÃ --at "
        '"dd/mm/yyyy HH:MM" --by "Tên tổ trưởng"',
    )


def _entry(item: ImplausibleSession) -> list[str]:
    from villagehelper.clock import to_vietnam

    row = item.session
    when = to_vietnam(row.occurred_at).strftime("%d/%m/%Y %H:%M")
    return [
        f"{row.id}  {when}  {row.head_name} ({row.village_name})  {row.service_label}",
        item.message_vi,
        item.message_en,
    ]


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    "implausible": cmd_implausible
}
