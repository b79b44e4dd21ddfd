"""The ``villagehelper`` command: the GUI by default, and the core operations by name.

Every command takes ``--data-dir``.  Errors a person can fix go to stderr in plain
Vietnamese (then English) with exit code 1; bugs are logged with a traceback to the
data folder's log file and reported briefly with exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from villagehelper import (
    __version__,
    faulty_commands,
    implausible_commands,
    privacy_commands,
    set_aside_commands,
)
from villagehelper.disk_errors import folder_problem
from villagehelper.errors import UserError
from villagehelper.logs import setup_logging
from villagehelper.paths import DATA_DIR_ENV, resolve_data_dir
from villagehelper.store import folder_lock
from villagehelper.store.migrate import DamagedDatabaseError
from villagehelper.sync import commands as sync_commands
from villagehelper.text import format_number as _fmt

if TYPE_CHECKING:
    from villagehelper.transfer import RowProblem

log = logging.getLogger("villagehelper.cli")

EXIT_USER_ERROR = 1
EXIT_BUG = 2


def _data_dir_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        metavar="THƯ_MỤC",
        help=f"thư mục dữ liệu (mặc định: ${DATA_DIR_ENV} hoặc thư mục người dùng) / data folder",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    common = _data_dir_parent()
    parser = argparse.ArgumentParser(
        prog="villagehelper",
        description="Sổ theo dõi hỗ trợ người dân của Tổ công nghệ số cộng đồng. "
        "Không có lệnh: mở cửa sổ ứng dụng. / Without a command: opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"VillageHelper {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="LỆNH")

    demo = commands.add_parser(
        "demo", parents=[common], help="tạo dữ liệu mẫu để dùng thử / fill with demo data"
    )
    demo.add_argument("--households", type=_positive, default=300, help="số hộ (300)")
    demo.add_argument("--sessions", type=_positive, default=1200, help="số lượt hỗ trợ (1200)")
    demo.add_argument("--seed", type=int, default=2025, help="hạt giống ngẫu nhiên (2025)")

    for name, help_text in (
        ("import", "nhập hộ gia đình hoặc lượt hỗ trợ từ CSV/XLSX / import"),
        ("export", "xuất hộ gia đình hoặc lượt hỗ trợ ra CSV/XLSX / export"),
    ):
        sub = commands.add_parser(name, parents=[common], help=help_text)
        sub.add_argument("kind", choices=("households", "sessions"), metavar="households|sessions")
        if name == "import":
            sub.add_argument("file", type=Path, metavar="TỆP")
            sub.add_argument(
                "--skip-invalid",
                action="store_true",
                help="bỏ qua dòng lỗi, nhập các dòng đúng / skip bad rows",
            )
        else:
            sub.add_argument("--out", type=Path, required=True, metavar="TỆP")
            sub.add_argument("--by", metavar="TỔ_TRƯỞNG", help=privacy_commands.BY_HELP)

    backup = commands.add_parser("backup", parents=[common], help="sao lưu dữ liệu / back up")
    backup.add_argument("--out", type=Path, metavar="TỆP", help="tệp sao lưu (mặc định: backups/)")

    restore = commands.add_parser(
        "restore", parents=[common], help="khôi phục từ bản sao lưu / restore a backup"
    )
    restore.add_argument("file", type=Path, metavar="TỆP")
    restore.add_argument(
        "--leave-unsent",
        action="store_true",
        help="không mang các thay đổi chưa gửi sang dữ liệu khôi phục (vẫn giữ trong backups/)"
        " / leave unsent changes out",
    )

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
    sync_commands.add_commands(commands, common)
    privacy_commands.add_commands(commands, common)
    implausible_commands.add_commands(commands, common)
    faulty_commands.add_commands(commands, common)
    set_aside_commands.add_commands(commands, common)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» không phải số nguyên") from None
    if value < 1:
        raise argparse.ArgumentTypeError("phải lớn hơn 0")
    return value


class Progress:
    """One self-rewriting line on stderr for slow work (only on a terminal)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = min(100, done * 100 // total)
        if percent != self._last:
            self._last = percent
            end = "\n" if done >= total else ""
            print(f"\r{self.label}… {percent}%", end=end, file=sys.stderr, flush=True)


# --- commands ----------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.command_key import open_unlocked
    from villagehelper.demo import generate_demo

    store = open_unlocked(data_dir)
    try:
        summary = generate_demo(
            store,
            households=args.households,
            sessions=args.sessions,
            seed=args.seed,
            progress=Progress("Đang tạo dữ liệu mẫu"),
        )
    finally:
        store.close()
    print(
        f"Đã tạo dữ liệu mẫu cho {summary.commune_name}: {_fmt(summary.villages)} thôn, "
        f"{_fmt(summary.team_members)} thành viên tổ, {_fmt(summary.households)} hộ, "
        f"{_fmt(summary.members)} nhân khẩu, {_fmt(summary.sessions)} lượt hỗ trợ "
        f"({_fmt(summary.voided)} đã hủy) trong {data_dir}."
    )
    return 0


def _print_problems(file: Path, problems: Sequence[RowProblem], prefix: str = "") -> None:
    for problem in problems:
        column = f" [{problem.column}]" if problem.column else ""
        print(f"{file.name}:{problem.line}{column}: {prefix}{problem.message_vi}", file=sys.stderr)


def _cmd_import(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper import transfer
    from villagehelper.command_key import open_unlocked

    importer = transfer.import_households if args.kind == "households" else transfer.import_sessions
    store = open_unlocked(data_dir)
    try:
        report = importer(
            store,
            args.file,
            skip_invalid=args.skip_invalid,
            progress=Progress(f"Đang nhập {args.file.name}"),
        )
    except transfer.ImportRejected as rejected:
        _print_problems(args.file, rejected.problems)  # every one, not just the first few
        print(f"Lỗi: {rejected.headline_vi}", file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        store.close()
    _print_problems(args.file, report.skipped, "bỏ qua — ")
    print(report.summary_vi())
    return 0


def _cmd_export(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper import transfer
    from villagehelper.command_member import EXPORT, open_as_member

    exporter = transfer.export_households if args.kind == "households" else transfer.export_sessions
    opened = open_as_member(data_dir)
    store = opened.store
    try:
        by = opened.leader_if_known(args.by, EXPORT)  # personal data: a leader's, recorded
        rows = exporter(store, args.out, progress=Progress(f"Đang xuất {args.out.name}"), by=by)
    finally:
        store.close()
    what = "dòng hộ gia đình/nhân khẩu" if args.kind == "households" else "lượt hỗ trợ"
    print(f"Đã xuất {_fmt(rows)} {what} ra {args.out}.")
    return 0


def _cmd_backup(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.backup import backup_now
    from villagehelper.clock import utc_now
    from villagehelper.clock_notice import warn_about_the_clock
    from villagehelper.command_key import command_key, say_waiting
    from villagehelper.store.engine import open_store

    key = command_key(data_dir)
    # Opening first brings an old database up to date and proves it is readable.
    store = open_store(data_dir, key=key, on_wait=say_waiting)
    warn_about_the_clock(store)  # the backup is named by the clock
    store.close()
    check = backup_now(data_dir, utc_now(), args.out, key=key)
    print(
        f"Đã sao lưu {_fmt(check.households)} hộ, {_fmt(check.sessions)} lượt hỗ trợ "
        f"vào {check.path}."
    )
    return 0


def _cmd_restore(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.clock import utc_now
    from villagehelper.command_key import command_key
    from villagehelper.ops import restore

    key = command_key(data_dir)
    preview = restore.preview_restore(data_dir, args.file, key=key)
    print(*restore.describe_preview(preview), sep="\n")
    done = restore.restore_laptop(
        data_dir, args.file, utc_now(), key=key, carry_unsent=not args.leave_unsent
    )
    print(*restore.describe_outcome(done), sep="\n")
    return 0


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


def _table_text(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        # Label column (the second) to the left, numbers to the right.
        parts = [
            cell.ljust(width) if index == 1 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "-" * len(line(["-" * width for width in widths]))
    return "\n".join([line(headers), rule, *(line(row) for row in rows[:-1]), rule, line(rows[-1])])


def _cmd_tally(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.clock import vietnam_today
    from villagehelper.clock_notice import warn_about_the_clock
    from villagehelper.command_key import open_unlocked
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
    from villagehelper.reports.titles import REPORT_TITLE, period_title
    from villagehelper.tally import engine, periods

    period = periods.parse_week(args.week, vietnam_today())  # before opening: a typo costs nothing
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
        tally = engine.compute_tally(store, period, village_id=village_id, volunteer_id=member_id)
        held_back = implausible.count_implausible(store)
        not_counted = implausible.not_counted_notice(held_back)
        village_name = villages[village_id] if village_id else None
        breakdown = compute_breakdown(store, tally) if args.xlsx else None
    finally:
        store.close()

    rows = [[number, label, *map(_fmt, values)] for number, label, values in table_rows(tally)]
    print(REPORT_TITLE)
    print(period_title(tally.period))
    print(scope_line(commune.name, village_name) + (f" – {names[member_id]}" if member_id else ""))
    print()
    print(_table_text(column_headers(), rows))
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
        leaders = sorted((m for m in members if m.is_leader), key=lambda m: m.full_name)
        others = sorted((m for m in members if not m.is_leader), key=lambda m: m.full_name)
        prepared_by = names[member_id] if member_id else (others[0].full_name if others else "")
        leader = leaders[0].full_name if leaders else ""
        from villagehelper.clock import vietnam_today
        from villagehelper.reports.weekly import write_weekly_pdf

        pages = write_atomically(
            args.pdf,
            lambda partial: write_weekly_pdf(
                tally,
                partial,
                commune_name=commune.name,
                village_name=village_name,
                prepared_by=prepared_by,
                leader_name=leader,
                printed_on=vietnam_today(),
                held_back=held_back,
            ),
        )
        print(f"Đã ghi PDF ({_fmt(pages)} trang): {args.pdf}")
    return 0


def _cmd_gui(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.ui.shell.app import run_gui

    return run_gui(data_dir)


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    None: _cmd_gui,
    "demo": _cmd_demo,
    "import": _cmd_import,
    "export": _cmd_export,
    "backup": _cmd_backup,
    "restore": _cmd_restore,
    "tally": _cmd_tally,
    "enroll": sync_commands.cmd_enroll,
    "sync": sync_commands.cmd_sync,
    **privacy_commands.COMMANDS,
    **implausible_commands.COMMANDS,
    **faulty_commands.COMMANDS,
    **set_aside_commands.COMMANDS,
}


def _point_to_a_good_backup(data_dir: Path) -> None:
    from villagehelper.backup import newest_good_backup
    from villagehelper.command_key import command_key

    good = newest_good_backup(data_dir, key=command_key(data_dir))
    if good is None:
        print(
            "Không có bản sao lưu tốt nào trong thư mục backups. / No good backup found.",
            file=sys.stderr,
        )
        return
    print(
        f"Bản sao lưu tốt mới nhất ({good.households} hộ, {good.sessions} lượt hỗ trợ): "
        f'{good.path}\nKhôi phục bằng / restore with: villagehelper restore "{good.path}"',
        file=sys.stderr,
    )


# Commands that change the data hold the data folder's lock while they run (the app
# holds it while open): one user of a folder at a time.  Backup, export and tally only
# read, beside whoever writes.
WRITERS = frozenset(
    {
        "demo",
        "import",
        "restore",
        "enroll",
        "sync",
        "consent",
        "erase",
        "purge",
        "implausible",
        "faulty",
        "set-aside",
    }
)


def _turn(command: str | None, data_dir: Path) -> AbstractContextManager[object]:
    if command not in WRITERS:
        return nullcontext()
    from villagehelper.command_key import say_waiting

    return folder_lock.turn(
        data_dir, command, wait_s=folder_lock.command_wait_s(), on_wait=say_waiting
    )


def _log_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An error in a finaliser (openpyxl closing a file on a full disk once more, after
    the person was told) goes to the log, not as a traceback under the message."""
    log.warning("ignored in %r", unraisable.object, exc_info=unraisable.exc_value)


def _tell(error: UserError) -> int:
    """Say what went wrong and what to do, Vietnamese then English; exit code 1."""
    print(f"Lỗi: {error.message_vi}", file=sys.stderr)
    if error.message_en != error.message_vi:
        print(f"Error: {error.message_en}", file=sys.stderr)
    return EXIT_USER_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    try:
        log_file = setup_logging(data_dir)
    except OSError as exc:
        return _tell(
            folder_problem(exc, data_dir)
            or UserError(
                f"Không ghi được vào thư mục dữ liệu {data_dir}: {exc.strerror}. "
                "Hãy chọn thư mục khác bằng --data-dir.",
                f"Cannot write to the data folder {data_dir}: {exc.strerror}. "
                "Choose another folder with --data-dir.",
            )
        )
    sys.unraisablehook = _log_unraisable
    try:
        with _turn(args.command, data_dir):
            return COMMANDS[args.command](args, data_dir)
    except UserError as error:
        if isinstance(error, DamagedDatabaseError):
            _tell(error)
            _point_to_a_good_backup(data_dir)
            return EXIT_USER_ERROR
        return _tell(error)
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu. / Interrupted.", file=sys.stderr)
        return 130
    except Exception as error:
        problem = folder_problem(error, data_dir)
        if problem is not None:  # a full or unplugged disk: not a bug, and the log can't tell
            return _tell(problem)
        log.exception("command %s failed", args.command)
        print(
            "Xin lỗi, VillageHelper gặp lỗi ngoài dự kiến; dữ liệu đã lưu không bị mất. "
            f"Chi tiết được ghi vào {log_file} — hãy gửi tệp này cho người hỗ trợ.\n"
            f"Sorry, an unexpected error occurred. Details: {log_file}",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
