"""The weekly tally on the command line: printed as a table, written to PDF, XLSX or CSV.

    villagehelper tally --week 2026-W47|this|last [--village TÊN] [--member TÊN]
                        [--pdf TỆP] [--xlsx TỆP] [--csv TỆP]

The week is read before the store is opened (a typo costs nothing); a village or member
is named as people write it, matched ignoring case and diacritics but never guessed.
Sessions the commune server held back for an impossible date are said to be uncounted.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from villagehelper.cli.tables import table_text
from villagehelper.errors import UserError
from villagehelper.text import format_number as _fmt

if TYPE_CHECKING:
    from villagehelper.ops.team import TeamMemberInfo


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    tally = commands.add_parser(
        "tally", parents=[common], help="báo cáo tuần: in bảng, xuất PDF/XLSX/CSV / weekly tally"
    )
    tally.add_argument(
        "--week", required=True, metavar="YYYY-Www", help="tuần ISO (2026-W47), this hoặc last"
    )
    tally.add_argument("--village", metavar="TÊN", help="chỉ một thôn / one village")
    tally.add_argument("--member", metavar="TÊN", help="chỉ một thành viên tổ / one member")
    tally.add_argument("--pdf", type=Path, metavar="TỆP", help="ghi báo cáo in ra PDF")
    tally.add_argument("--xlsx", type=Path, metavar="TỆP", help="ghi bảng tính Excel")
    tally.add_argument("--csv", type=Path, metavar="TỆP", help="ghi CSV (UTF-8 có BOM)")


def _pick_by_name(what_vi: str, what_en: str, wanted: str, names: dict[str, str]) -> str:
    """The id whose name matches ``wanted`` ignoring case and diacritics ("Khay" would
    not do for "Thôn Khay": a near miss should be corrected, not guessed)."""
    from villagehelper.text import search_key

    key = search_key(wanted)
    for item_id, name in names.items():
        if search_key(name) == key:
            return item_id
    known = ", ".join(sorted(names.values(), key=search_key)) or "(chưa có)"
    raise UserError(
        f"Không có {what_vi} «{wanted}». Các tên hiện có: {known}.",
        f"No {what_en} named {wanted!r}. Known: {known}.",
    )


def cmd_tally(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.campaigns.report_lines import campaign_lines
    from villagehelper.cli.clock_notice import warn_about_the_clock
    from villagehelper.cli.opening import open_unlocked
    from villagehelper.clock import vietnam_today
    from villagehelper.ops import implausible
    from villagehelper.ops.team import list_team_members, list_villages, require_commune
    from villagehelper.reports.saving import write_atomically
    from villagehelper.reports.spreadsheet import (
        column_headers,
        compute_breakdown,
        scope_line,
        table_rows,
        write_tally_csv,
        write_tally_xlsx,
    )
    from villagehelper.tally.engine import compute_tally
    from villagehelper.tally.periods import parse_week
    from villagehelper.tally.report_wording import REPORT_TITLE, period_title

    period = parse_week(args.week, vietnam_today())  # before opening: a typo costs nothing
    store = open_unlocked(data_dir)
    try:
        warn_about_the_clock(store)  # "this" and "last" week follow the clock
        commune = require_commune(store)
        villages = {village.id: village.name for village in list_villages(store)}
        members = list_team_members(store)
        names = {member.id: member.full_name for member in members}
        village_id = (
            _pick_by_name("thôn", "village", args.village, villages) if args.village else None
        )
        member_id = (
            _pick_by_name("thành viên", "team member", args.member, names) if args.member else None
        )
        tally = compute_tally(store, period, village_id=village_id, volunteer_id=member_id)
        held_back = implausible.count_implausible(store)
        not_counted = implausible.not_counted_notice(held_back)
        village_name = villages[village_id] if village_id else None
        breakdown = compute_breakdown(store, tally) if args.xlsx else None
        with store.reading() as session:
            campaigns = campaign_lines(session, period.first, village_id)
    finally:
        store.close()

    rows = [[number, label, *map(_fmt, values)] for number, label, values in table_rows(tally)]
    print(REPORT_TITLE)
    print(period_title(tally.period))
    print(scope_line(commune.name, village_name) + (f" – {names[member_id]}" if member_id else ""))
    print()
    print(table_text(column_headers(), rows, label_column=1))  # STT, then the service
    if not_counted:
        print("\n" + "\n".join(not_counted))

    if args.csv:
        write_atomically(args.csv, lambda partial: write_tally_csv(tally, partial))
        print(f"Đã ghi CSV: {args.csv}")
    if args.xlsx:
        write_atomically(
            args.xlsx,
            lambda partial: write_tally_xlsx(
                tally,
                partial,
                commune_name=commune.name,
                village_name=village_name,
                breakdown=breakdown,
            ),
        )
        print(f"Đã ghi Excel: {args.xlsx}")
    if args.pdf:
        from villagehelper.reports.weekly import write_weekly_pdf  # Qt: only for a PDF

        signers = _signers(members, names[member_id] if member_id else "")
        pages = write_atomically(
            args.pdf,
            lambda partial: write_weekly_pdf(
                tally,
                partial,
                commune_name=commune.name,
                village_name=village_name,
                prepared_by=signers[0],
                leader_name=signers[1],
                printed_on=vietnam_today(),
                held_back=held_back,
                campaigns=campaigns,
            ),
        )
        print(f"Đã ghi PDF ({_fmt(pages)} trang): {args.pdf}")
    return 0


def _signers(members: list[TeamMemberInfo], prepared_by: str) -> tuple[str, str]:
    """Who prepared the printed report (the member it is filtered to, else the first
    volunteer by name) and the leader who signs it."""
    leaders = sorted((m for m in members if m.is_leader), key=lambda m: m.full_name)
    others = sorted((m for m in members if not m.is_leader), key=lambda m: m.full_name)
    preparer = prepared_by or (others[0].full_name if others else "")
    return preparer, leaders[0].full_name if leaders else ""


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {"tally": cmd_tally}
