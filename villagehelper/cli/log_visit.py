"""Logging a visit on the command line, as the log-a-visit screen does, and the catalog.

    villagehelper log-visit (--household MÃ_HỘ | --find TÊN_HOẶC_SĐT
                             | --new-household "TÊN CHỦ HỘ" --village THÔN [--phone SĐT])
                            --service MÃ[=KẾT_QUẢ] [--service …] [--member MÃ_HOẶC_TÊN
                            | --whole-household] [--consent] [--note TEXT] [--by NGƯỜI]
                            [--at "dd/mm/yyyy HH:MM"]
    villagehelper services

The visit is saved by the screen's own operation (:func:`villagehelper.ops.sessions.log_visit`)
and so counts, syncs and shows wherever a visit from the screen does.  As on the screen:
the person helped is the head of the household unless named (or ``--whole-household``);
a new household is first compared with the households it may duplicate, and is created
only when none is found or ``--new-anyway`` says it is really new; ``--find`` is the
screen's search box, and must find exactly one household.  Everything is checked before
anything is written: a refused visit leaves no new household behind.  Who logs it is the
member whose PIN opened the store, or ``--by`` on a laptop without PINs
(:mod:`villagehelper.cli.acting_member`).  RESULT: :mod:`villagehelper.cli.visit_options`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from villagehelper.catalog import FIRST_CATALOG
from villagehelper.cli.privacy import BY_HELP
from villagehelper.errors import UserError

if TYPE_CHECKING:
    from datetime import date, datetime

    from villagehelper.ops.households import HouseholdDetail
    from villagehelper.ops.inputs import ServiceOutcome, VisitInput
    from villagehelper.ops.team import ServiceInfo
    from villagehelper.store.engine import Store

CATALOG_EPILOG = (
    "Kết quả / results: done | follow-up:dd/mm/yyyy | failed:LÝ_DO.\n"
    "Mã loại hỗ trợ của danh mục ban đầu / the first catalog's codes "
    "(danh mục của máy này / this laptop's: villagehelper services):\n  "
    + "\n  ".join(f"{code:<14} {label_vi}" for code, label_vi, _en, _basic in FIRST_CATALOG)
)


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    visit = commands.add_parser(
        "log-visit",
        parents=[common],
        help="ghi một lượt hỗ trợ / log a visit",
        description="Ghi một lượt hỗ trợ như màn hình «Ghi lượt hỗ trợ». / "
        "Log a visit as the log-a-visit screen does.",
        epilog=CATALOG_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    visit.add_argument("--household", metavar="MÃ_HỘ", help="mã hộ / household id")
    visit.add_argument(
        "--find", metavar="TÌM", help="tìm đúng một hộ theo tên, SĐT, thôn / find one household"
    )
    visit.add_argument("--new-household", metavar="TÊN_CHỦ_HỘ", help="hộ mới / a new household")
    visit.add_argument("--village", metavar="THÔN", help="thôn của hộ mới / its village")
    visit.add_argument("--phone", metavar="SĐT", help="SĐT của hộ mới / its phone")
    visit.add_argument(
        "--new-anyway",
        action="store_true",
        help="tạo hộ mới dù có hộ giống / create it even if similar households exist",
    )
    visit.add_argument(
        "--service",
        action="append",
        default=[],
        metavar="MÃ=KẾT_QUẢ",
        help="loại hỗ trợ và kết quả, lặp lại được / a service and its result, repeatable",
    )
    visit.add_argument("--member", metavar="MÃ_HOẶC_TÊN", help="người được hỗ trợ / who")
    visit.add_argument(
        "--whole-household",
        action="store_true",
        help="cả hộ, không ghi tên / nobody named",
    )
    visit.add_argument(
        "--consent", action="store_true", help="người dân đồng ý cho ghi thông tin / consented"
    )
    visit.add_argument("--note", default="", metavar="GHI_CHÚ", help="ghi chú / a note")
    visit.add_argument("--by", metavar="NGƯỜI", help=BY_HELP)
    visit.add_argument("--at", metavar="NGÀY_GIỜ", help="dd/mm/yyyy HH:MM (mặc định: bây giờ)")
    commands.add_parser(
        "services", parents=[common], help="danh mục loại hỗ trợ / the service catalog"
    )


def _check_options(args: argparse.Namespace) -> None:
    """What can be refused before the store is opened."""
    chosen = [args.household, args.find, args.new_household]
    if sum(option is not None for option in chosen) != 1:
        raise UserError(
            "Hãy chọn đúng một hộ: --household MÃ_HỘ, --find TÊN hoặc --new-household "
            '"TÊN CHỦ HỘ" --village THÔN.',
            "Choose exactly one household: --household ID, --find TEXT or --new-household "
            '"HEAD NAME" --village NAME.',
        )
    if args.new_household is None and (args.village or args.phone or args.new_anyway):
        raise UserError(
            "--village, --phone và --new-anyway chỉ dùng với --new-household.",
            "--village, --phone and --new-anyway go with --new-household only.",
        )
    if args.new_household is not None and not args.village:
        raise UserError(
            "Hộ mới cần thôn: thêm --village THÔN.", "A new household needs --village NAME."
        )
    if not args.service:
        raise UserError(
            "Chưa chọn loại hỗ trợ nào: thêm --service MÃ=KẾT_QUẢ (xem villagehelper services).",
            "No service: add --service CODE=RESULT (see villagehelper services).",
        )
    if args.member and (args.whole_household or args.new_household is not None):
        raise UserError(
            "--member không đi cùng --whole-household hay --new-household (hộ mới: người "
            "được hỗ trợ là chủ hộ).",
            "--member goes with neither --whole-household nor --new-household (a new "
            "household: the head is the one helped).",
        )


def _catalog_codes(
    services: list[ServiceOutcome], catalog: list[ServiceInfo]
) -> list[ServiceOutcome]:
    """``services`` with their codes spelled as the catalog does (typed in any case)."""
    from dataclasses import replace

    known = {info.code.casefold(): info.code for info in catalog}
    unknown = [item.service_code for item in services if item.service_code.casefold() not in known]
    if unknown:
        listed = ", ".join(info.code for info in catalog)
        raise UserError(
            f"Không có loại hỗ trợ mã «{', '.join(unknown)}» trong danh mục. Các mã: {listed} "
            "(xem villagehelper services).",
            f"No service coded {', '.join(unknown)!r} in the catalog. Codes: {listed} "
            "(see villagehelper services).",
        )
    return [replace(item, service_code=known[item.service_code.casefold()]) for item in services]


def cmd_log_visit(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import open_as_member

    _check_options(args)
    opened = open_as_member(data_dir)
    try:
        return _log(opened.store, args, opened.member_needed(args.by))
    finally:
        opened.store.close()


def _log(store: Store, args: argparse.Namespace, volunteer_id: str) -> int:
    from villagehelper.cli.visit_household import (
        check_new_household,
        create_checked,
        existing_household,
        member_helped,
    )
    from villagehelper.cli.visit_options import parse_service_option
    from villagehelper.clock import vietnam_today
    from villagehelper.ops.inputs import VisitInput
    from villagehelper.ops.sessions import log_visit
    from villagehelper.ops.team import list_services

    today = vietnam_today(store.now())
    at = _moment(store, args.at)
    parsed = [parse_service_option(text, today) for text in args.service]
    services = _catalog_codes(parsed, list_services(store))
    _precheck(store, services, args.note, today)
    if args.new_household is None:
        detail = existing_household(store, household_id=args.household, query=args.find)
    else:
        new = check_new_household(store, args.new_household, args.village, args.phone)
        detail = create_checked(store, new, even_if_similar=args.new_anyway)
    member_id = member_helped(detail, args.member, whole_household=args.whole_household)
    visit = VisitInput(
        household_id=detail.id,
        volunteer_id=volunteer_id,
        services=services,
        member_id=member_id,
        note=args.note,
        consent=args.consent and member_id is not None,
        occurred_at=at,
    )
    logged = log_visit(store, visit)
    _tell_saved(store, detail, visit, logged.visit_id, logged.session_ids)
    return 0


def _moment(store: Store, typed: str | None) -> datetime | None:
    from villagehelper.errors import ValidationError
    from villagehelper.transfer.cells import parse_moment

    if typed is None:
        return None
    try:
        at = parse_moment("at", typed)
    except ValidationError as error:  # the import's message, which has no English
        raise ValidationError(
            "at",
            f"--at: {error.message_vi}",
            f"--at: {typed!r} is not a day/month/year hour:minute, e.g. 05/12/2026 14:30.",
        ) from error
    if at > store.now():  # said before a new household is created, not after
        raise ValidationError(
            "at",
            f"Thời điểm hỗ trợ {typed} ở tương lai: hãy kiểm tra --at (và đồng hồ của máy).",
            f"The visit's time {typed} is in the future: check --at (and the laptop's clock).",
        )
    return at


def _precheck(store: Store, services: list[ServiceOutcome], note: str, today: date) -> None:
    """The core's own checks of the services and the note, run before anything is
    written (a new household is created before its visit)."""
    from villagehelper.ops import validate
    from villagehelper.ops.sessions import clean_service_outcome

    validate.note("note", note)
    with store.reading() as session:
        for item in services:
            clean_service_outcome(session, item, today)
    if len({item.service_code for item in services}) != len(services):
        raise UserError(
            "Một loại hỗ trợ được ghi hai lần: mỗi mã một --service.",
            "A service is given twice: one --service per code.",
        )


def _tell_saved(
    store: Store,
    detail: HouseholdDetail,
    visit: VisitInput,
    visit_id: str,
    session_ids: tuple[str, ...],
) -> None:
    from villagehelper.clock import format_vn_date, to_vietnam
    from villagehelper.ops.team import list_services, list_team_members

    labels = {info.code: info for info in list_services(store, include_inactive=True)}
    names = {m.id: m.full_name for m in list_team_members(store)}
    helped = next((m.full_name for m in detail.members if m.id == visit.member_id), None)
    when = to_vietnam(visit.occurred_at or store.now())
    print("Đã lưu lượt hỗ trợ. / Visit saved.")
    print(f"  Hộ / household: {detail.head_name} — {detail.village_name} ({detail.id})")
    print(f"  Người được hỗ trợ / helped: {helped or 'cả hộ / whole household'}")
    print(f"  Người ghi / logged by: {names.get(visit.volunteer_id, visit.volunteer_id)}")
    print(f"  Thời gian / at: {format_vn_date(when.date())} {when:%H:%M}")
    for item, session_id in zip(visit.services, session_ids, strict=True):
        info = labels[item.service_code]
        if item.follow_up_date is not None:
            result = f"hẹn lại {format_vn_date(item.follow_up_date)} / follow-up"
        elif item.failure_reason:
            result = f"chưa thành công: {item.failure_reason} / failed"
        else:
            result = "thành công / done"
        print(f"  {item.service_code} {info.label_vi} / {info.label_en}: {result}")
        print(f"    mã lượt / session id: {session_id}")
    print(f"  Mã lần đến / visit id: {visit_id}")


def cmd_services(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.opening import open_unlocked
    from villagehelper.ops.team import list_services

    store = open_unlocked(data_dir)
    try:
        catalog = list_services(store)
    finally:
        store.close()
    width = max((len(info.code) for info in catalog), default=0)
    for info in catalog:
        print(f"{info.code:<{width}}  {info.label_vi} / {info.label_en}")
    return 0


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    "log-visit": cmd_log_visit,
    "services": cmd_services,
}
