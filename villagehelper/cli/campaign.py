"""Campaigns on the command line, so everything is reachable without the app's window.

    villagehelper campaign list
    villagehelper campaign progress MÃ

``list`` shows every campaign of the commune with its deadline, services and counts;
``progress`` prints one campaign's table by village (reached / total, done, follow-up,
failed, not yet), Vietnamese headers first.  Counts only, never residents' names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from villagehelper.cli.tables import table_text
from villagehelper.text import format_number as _fmt

if TYPE_CHECKING:
    from villagehelper.campaigns.progress import VillageProgress

HEADERS = (
    "Thôn / Village",
    "Đã tiếp cận / Reached",
    "Tổng / Total",
    "Thành công / Done",
    "Hẹn lại / Follow-up",
    "Chưa thành công / Failed",
    "Chưa làm / Not yet",
)


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    campaign = commands.add_parser(
        "campaign", parents=[common], help="chiến dịch: danh sách, tiến độ / campaigns"
    )
    actions = campaign.add_subparsers(dest="campaign_action", metavar="VIỆC", required=True)
    actions.add_parser("list", parents=[common], help="các chiến dịch của xã / the campaigns")
    progress = actions.add_parser(
        "progress", parents=[common], help="tiến độ theo thôn / progress by village"
    )
    progress.add_argument("campaign_id", metavar="MÃ", help="mã chiến dịch / campaign id")


def _cells(row: VillageProgress) -> list[str]:
    counts = (row.done, row.follow_up, row.failed, row.not_yet)
    return [row.village_name, f"{_fmt(row.reached)}", f"{_fmt(row.total)}"] + [
        _fmt(count) for count in counts
    ]


def progress_table(rows: Sequence[VillageProgress], total: VillageProgress) -> str:
    """The progress table as text: villages, a rule, the total."""
    return table_text(HEADERS, [*(_cells(row) for row in rows), _cells(total)], label_column=0)


def cmd_campaign(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.campaigns.listing import list_campaigns
    from villagehelper.campaigns.progress import campaign_progress
    from villagehelper.cli.opening import open_unlocked

    store = open_unlocked(data_dir)
    try:
        with store.reading() as session:
            if args.campaign_action == "list":
                campaigns = list_campaigns(session)
            else:
                progress = campaign_progress(session, args.campaign_id)
    finally:
        store.close()
    if args.campaign_action == "list":
        if not campaigns:
            print("Xã chưa có chiến dịch nào. / No campaign yet.")
        for item in campaigns:
            state = "đã đóng / closed" if item.closed else "đang mở / open"
            print(f"{item.campaign_id}  {item.name}")
            print(f"    Hạn / Deadline: {item.deadline:%d/%m/%Y}  ({state})")
            print(f"    Loại hỗ trợ / Services: {', '.join(item.service_codes)}")
            print(
                f"    Đã tiếp cận / Reached: {_fmt(item.reached)}/{_fmt(item.total)}, "
                f"thành công / done: {_fmt(item.done)}"
            )
        return 0
    print(f"Chiến dịch / Campaign: {progress.name}")
    print(f"Hạn / Deadline: {progress.deadline:%d/%m/%Y}")
    print(progress_table(progress.by_village, progress.total))
    return 0


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {"campaign": cmd_campaign}
