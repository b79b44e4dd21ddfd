"""Filling and emptying the data folder from the command line.

    villagehelper demo [--households N] [--sessions N] [--seed N]
    villagehelper import households|sessions TỆP [--skip-invalid]
    villagehelper export households|sessions --out TỆP [--by TỔ_TRƯỞNG]

An import lists every bad row (file:line [column]: why) and imports nothing unless
``--skip-invalid``; an export of residents' personal data is a leader's once the laptop
has PINs (:mod:`villagehelper.cli.acting_member`), and recorded.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from villagehelper.cli.privacy import BY_HELP
from villagehelper.cli.telling import EXIT_USER_ERROR
from villagehelper.text import format_number as _fmt

if TYPE_CHECKING:
    from villagehelper.transfer.report import RowProblem


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
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
            sub.add_argument("--by", metavar="TỔ_TRƯỞNG", help=BY_HELP)


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


def cmd_demo(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.opening import open_unlocked
    from villagehelper.demo.generate import generate_demo

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


def cmd_import(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.opening import open_unlocked
    from villagehelper.transfer.households import import_households
    from villagehelper.transfer.report import ImportRejected
    from villagehelper.transfer.sessions import import_sessions

    importer = import_households if args.kind == "households" else import_sessions
    store = open_unlocked(data_dir)
    try:
        report = importer(
            store,
            args.file,
            skip_invalid=args.skip_invalid,
            progress=Progress(f"Đang nhập {args.file.name}"),
        )
    except ImportRejected as rejected:
        _print_problems(args.file, rejected.problems)  # every one, not just the first few
        print(f"Lỗi: {rejected.headline_vi}", file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        store.close()
    _print_problems(args.file, report.skipped, "bỏ qua — ")
    print(report.summary_vi())
    return 0


def cmd_export(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.acting_member import EXPORT, open_as_member
    from villagehelper.transfer.households import export_households
    from villagehelper.transfer.sessions import export_sessions

    exporter = export_households if args.kind == "households" else export_sessions
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


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    "demo": cmd_demo,
    "import": cmd_import,
    "export": cmd_export,
}
