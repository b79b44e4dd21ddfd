"""Residents' privacy rights on the command line.

    villagehelper consent MÃ_NHÂN_KHẨU [--by NGƯỜI] [--withdraw] [--on dd/mm/yyyy]
    villagehelper what-we-hold (--household MÃ | --member MÃ) --out TỆP.txt [--by TỔ_TRƯỞNG]
    villagehelper erase (--household MÃ | --member MÃ) [--by TỔ_TRƯỞNG] --yes
    villagehelper purge [--months N] [--yes]

Once the laptop has PINs, a command acts as the member whose PIN opened the store
(:mod:`villagehelper.cli.acting_member`): ``--by`` may be left out and cannot name anyone
else, and what-we-hold, erase and purge are refused unless that member is a leader.
Without PINs ``--by`` names the team member (full name or id); the purge then is the
leader laptop's, as its sync role says.  ``purge`` uses the retention rule of the
preferences (24 months unless changed) when ``--months`` is not given.  It lists
what would go (households, and the campaigns' list rows linked to nobody whose campaign
ended before the cutoff) and asks the leader to type how many households and rows;
``--yes`` confirms
without asking, and only on a clock the commune server confirmed.  Nothing is purged on
a clock found wrong (``villagehelper.ops.trusted_time``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from villagehelper.errors import UserError

if TYPE_CHECKING:
    from villagehelper.ops.retention import PurgePlan


BY_HELP = (
    "người làm, khi máy chưa đặt mã PIN (có mã PIN: người nhập mã) / who acts, on a laptop "
    "without PINs (with PINs: whose PIN opened it)"
)


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    consent = commands.add_parser(
        "consent",
        parents=[common],
        help="ghi nhận / rút lại đồng ý của một người / record or withdraw consent",
    )
    consent.add_argument("member", metavar="MÃ_NHÂN_KHẨU")
    consent.add_argument("--by", metavar="NGƯỜI", help=BY_HELP)
    consent.add_argument("--withdraw", action="store_true", help="rút lại đồng ý / withdraw")
    consent.add_argument("--on", type=_day, metavar="NGÀY", help="ngày đồng ý (dd/mm/yyyy)")

    held = commands.add_parser(
        "what-we-hold",
        parents=[common],
        help="xuất dữ liệu đang lưu về một người hoặc một hộ / what we hold about them",
    )
    _subject(held)
    held.add_argument("--out", type=Path, required=True, metavar="TỆP.txt")
    held.add_argument("--by", metavar="TỔ_TRƯỞNG", help=BY_HELP)

    erase = commands.add_parser(
        "erase", parents=[common], help="xóa dữ liệu theo yêu cầu / erase on request"
    )
    _subject(erase)
    erase.add_argument("--by", metavar="TỔ_TRƯỞNG", help=BY_HELP)
    erase.add_argument("--yes", action="store_true", help="đã xác nhận với người dân / confirmed")

    purge = commands.add_parser(
        "purge",
        parents=[common],
        help="xóa thông tin cá nhân quá thời hạn lưu / purge expired personal data",
    )
    purge.add_argument("--months", type=int, metavar="THÁNG", help="thời hạn lưu (tháng)")
    purge.add_argument(
        "--yes",
        action="store_true",
        help="xác nhận không cần hỏi (chỉ khi đồng hồ đã đối chiếu với máy chủ) / "
        "confirm without asking (only on a clock checked against the server)",
    )


def _subject(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--household", metavar="MÃ_HỘ")
    group.add_argument("--member", metavar="MÃ_NHÂN_KHẨU")


def _day(text: str) -> date:
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» không phải ngày dd/mm/yyyy") from None


def cmd_consent(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import open_as_member
    from villagehelper.ops import consent

    opened = open_as_member(data_dir)
    store = opened.store
    try:
        by = opened.member_needed(args.by)
        if args.withdraw:
            consent.withdraw_consent(store, args.member, by)
            print("Đã ghi nhận người này rút lại đồng ý.")
        else:
            consent.record_consent(store, args.member, by, args.on)
            print("Đã ghi nhận đồng ý.")
    finally:
        store.close()
    return 0


def cmd_what_we_hold(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import WHAT_WE_HOLD, open_as_member
    from villagehelper.ops.held_data import export_held_data

    opened = open_as_member(data_dir)
    store = opened.store
    try:
        by = opened.leader(args.by, WHAT_WE_HOLD)
        held = export_held_data(
            store, args.out, household_id=args.household, member_id=args.member, by=by
        )
    finally:
        store.close()
    print(
        f"Đã xuất dữ liệu về {held.subject} ({len(held.people)} người, "
        f"{len(held.sessions)} lượt hỗ trợ) ra {args.out}."
    )
    return 0


def cmd_erase(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import ERASE, open_as_member
    from villagehelper.ops import erasure

    if not args.yes:
        raise UserError(
            "Xóa dữ liệu không hoàn tác được: thêm --yes sau khi đã xác nhận với người dân.",
            "Erasure cannot be undone: add --yes once the resident has confirmed.",
        )
    opened = open_as_member(data_dir)
    store = opened.store
    try:
        by = opened.leader(args.by, ERASE)
        if args.household:
            done = erasure.erase_household(store, args.household, by)
        else:
            done = erasure.erase_member(store, args.member, by)
    finally:
        store.close()
    print(
        f"Đã xóa thông tin cá nhân của {done.people} người; "
        f"{done.sessions_kept} lượt hỗ trợ vẫn được tính (không còn tên). "
        "Lần đồng bộ tới sẽ xóa trên máy chủ và các máy khác."
    )
    return 0


def cmd_purge(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import PURGE, open_as_member
    from villagehelper.cli.clock_notice import print_clock_warning
    from villagehelper.ops.retention import carry_out_purge, plan_purge
    from villagehelper.preferences import LONGEST_RETENTION_MONTHS as LONGEST_MONTHS
    from villagehelper.preferences import load_preferences

    months = args.months if args.months is not None else load_preferences(data_dir).retention_months
    if not 1 <= months <= LONGEST_MONTHS:
        raise UserError(
            f"Thời hạn lưu phải từ 1 đến {LONGEST_MONTHS} tháng.",
            f"The retention period must be 1 to {LONGEST_MONTHS} months.",
        )
    opened = open_as_member(data_dir)
    store = opened.store
    try:
        opened.leader_if_known(None, PURGE)  # with PINs: the one who unlocked, a leader
        plan = plan_purge(store, months)
        if plan.skipped_not_leader:
            print("Máy này đăng ký quyền thành viên: việc xóa theo thời hạn do máy tổ trưởng làm.")
            return 0
        print_clock_warning(plan.clock)
        refused = plan.refusal()
        if refused is not None:
            raise refused
        if not plan.due:
            print(
                f"Không có hộ nào quá {months} tháng không liên hệ, không có dòng danh sách "
                "chiến dịch nào quá hạn; không xóa gì."
            )
            return 0
        _print_purge_plan(plan)
        if not _purge_confirmed(plan, args.yes):
            print("Không xóa gì. / Nothing was purged.")
            return 0
        purged = carry_out_purge(store, plan)
    finally:
        store.close()
    if purged.households or not purged.list_rows:
        print(
            f"Đã xóa thông tin cá nhân của {purged.households} hộ ({purged.people} người) "
            f"không liên hệ quá {months} tháng; các lượt hỗ trợ vẫn được tính."
        )
    if purged.list_rows:
        print(
            f"Đã xóa {purged.list_rows} dòng danh sách chiến dịch không gắn với ai; số liệu "
            "của các chiến dịch giữ nguyên."
        )
    return 0


def _print_purge_plan(plan: PurgePlan) -> None:
    from villagehelper.clock import format_vn_date, to_vietnam

    today = format_vn_date(to_vietnam(plan.now).date())
    cutoff = format_vn_date(to_vietnam(plan.cutoff).date())
    said_today = f"Theo đồng hồ máy này hôm nay là {today}. Thời hạn lưu {plan.months} tháng"
    if plan.households:
        print(
            f"{said_today}: các hộ không liên hệ từ trước {cutoff} sẽ bị xóa thông tin cá nhân "
            f"(không hoàn tác được), gồm {len(plan.households)} hộ, {plan.people} người:"
        )
    else:
        print(f"{said_today}.")
    for village, count in plan.by_village():
        print(f"  {village}: {count} hộ")
    for household in plan.households:
        last = format_vn_date(to_vietnam(household.last_contact).date())
        print(
            f"  - {household.village_name} — {household.head_name} "
            f"({household.people} người), liên hệ lần cuối {last}"
        )
    if plan.list_rows:
        print(
            f"{'Cũng xóa' if plan.households else 'Sẽ xóa'} họ tên, năm sinh, số điện thoại, "
            f"số giấy tờ của {len(plan.list_rows)} dòng danh sách chiến dịch không gắn với ai "
            f"trong sổ, của các chiến dịch đã hết hạn trước {cutoff} (không hoàn tác được; số "
            "liệu của chiến dịch giữ nguyên):"
        )
        for name, deadline, rows in plan.list_rows_by_campaign():
            print(f"  {name} (hạn {format_vn_date(deadline)}): {rows} dòng")
    print(f"({plan.clock.message_vi})")


def _purge_confirmed(plan: PurgePlan, yes: bool) -> bool:
    """``--yes`` on a clock the server confirmed; otherwise the leader types the count."""
    if yes:
        if not plan.clock.trusted:
            raise UserError(
                "--yes chỉ dùng được khi đồng hồ máy đã được máy chủ xã xác nhận trong 7 ngày "
                "qua. Hãy đồng bộ trước, hoặc chạy lại không có --yes để tự xác nhận sau khi "
                "xem danh sách và ngày hôm nay.",
                "--yes needs a clock the commune server confirmed in the last 7 days. Sync "
                "first, or run again without --yes to confirm after reading the list and "
                "today's date.",
            )
        return True
    households, rows = len(plan.households), len(plan.list_rows)
    count = households + rows
    what = "số hộ" if not rows else "số dòng danh sách"
    if households and rows:
        what = f"số hộ cộng số dòng danh sách: {households} + {rows}"
    print(
        f"Nếu ngày hôm nay và danh sách trên là đúng, hãy gõ {count} ({what}) rồi Enter để "
        f"xóa; Enter để thôi. / Type {count} to purge, Enter to stop: ",
        end="",
        flush=True,
    )
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip() == str(count)


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    "consent": cmd_consent,
    "what-we-hold": cmd_what_we_hold,
    "erase": cmd_erase,
    "purge": cmd_purge,
}
