"""Campaigns on the command line, so everything is reachable without the app's window.

    villagehelper campaign list
    villagehelper campaign progress MÃ
    villagehelper campaign left MÃ [--village TÊN] [--pdf TỆP]

``list`` shows every campaign of the commune with its deadline, services and counts;
``progress`` prints one campaign's table by village (reached / total, done, follow-up,
failed, not yet), Vietnamese headers first.  Counts only, never residents' names —
but ``left``, the team's own "who is left" list of one village (on screen, or printed
to PDF in the layout of Decree 30 with ``--pdf``), which names the people still to reach.
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
    left = actions.add_parser(
        "left", parents=[common], help="ai còn lại ở một thôn / who is left in a village"
    )
    left.add_argument("campaign_id", metavar="MÃ", help="mã chiến dịch / campaign id")
    left.add_argument(
        "--village", metavar="TÊN", help="thôn (bỏ trống: người chưa rõ thôn) / village"
    )
    left.add_argument("--pdf", type=Path, metavar="TỆP", help="in danh sách ra PDF / to PDF")


def _cells(row: VillageProgress) -> list[str]:
    counts = (row.done, row.follow_up, row.failed, row.not_yet)
    return [row.village_name, f"{_fmt(row.reached)}", f"{_fmt(row.total)}"] + [
        _fmt(count) for count in counts
    ]


def progress_table(rows: Sequence[VillageProgress], total: VillageProgress) -> str:
    """The progress table as text: villages, a rule, the total."""
    return table_text(HEADERS, [*(_cells(row) for row in rows), _cells(total)], label_column=0)


def cmd_campaign(args: argparse.Namespace, data_dir: Path) -> int:
    if args.campaign_action == "left":
        return _who_is_left(args, data_dir)
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


def _who_is_left(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.campaigns.left_list import standing
    from villagehelper.campaigns.left_printout import left_printout
    from villagehelper.campaigns.village_names import VillageNames
    from villagehelper.cli.opening import open_unlocked
    from villagehelper.clock import vietnam_today
    from villagehelper.errors import UserError
    from villagehelper.ops.team import list_villages
    from villagehelper.reports.saving import write_atomically

    store = open_unlocked(data_dir)
    try:
        villages = {village.id: village.name for village in list_villages(store)}
        village_id = VillageNames(villages).find(args.village) if args.village else None
        if args.village and village_id is None:
            raise UserError(
                f"Không tìm thấy thôn «{args.village}». Các thôn: {', '.join(villages.values())}.",
                f"No village called {args.village!r}.",
            )
        printout = left_printout(store, args.campaign_id, village_id)
    finally:
        store.close()
    left = printout.lists[0].left
    print(f"Chiến dịch / Campaign: {left.campaign_name} — {left.village_name}")
    for number, entry in enumerate(left.people, start=1):
        person = entry.person
        year = f" ({person.birth_year})" if person.birth_year else ""
        print(f"{number:>4}. {person.full_name}{year} — {standing(entry)}")
    print(f"Còn {_fmt(len(left.people))} người / {_fmt(len(left.people))} left")
    if args.pdf:
        from villagehelper.reports.campaign_left import write_left_pdf

        pages = write_atomically(
            args.pdf, lambda partial: write_left_pdf(printout, partial, vietnam_today())
        )
        print(f"Đã ghi PDF ({_fmt(pages)} trang): {args.pdf}")
    return 0
