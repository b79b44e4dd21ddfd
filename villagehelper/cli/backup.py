"""Backing up the data folder and restoring a backup, from the command line.

    villagehelper backup [--out TỆP]
    villagehelper restore TỆP [--leave-unsent]

``restore`` shows what the backup holds, then replaces the laptop's data with it, carrying
changes not yet sent to the commune server across unless ``--leave-unsent``
(:mod:`villagehelper.ops.restore`).  When a command finds the database damaged, the
newest good backup is pointed out (:func:`point_to_a_good_backup`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from villagehelper.text import format_number as _fmt


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
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


def cmd_backup(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.backups.copies import backup_now
    from villagehelper.cli.clock_notice import warn_about_the_clock
    from villagehelper.cli.opening import say_waiting
    from villagehelper.clock import utc_now
    from villagehelper.keys.command_unlock import command_key
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


def cmd_restore(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.clock import utc_now
    from villagehelper.keys.command_unlock import command_key
    from villagehelper.ops import restore

    key = command_key(data_dir)
    preview = restore.preview_restore(data_dir, args.file, key=key)
    print(*restore.describe_preview(preview), sep="\n")
    done = restore.restore_laptop(
        data_dir, args.file, utc_now(), key=key, carry_unsent=not args.leave_unsent
    )
    print(*restore.describe_outcome(done), sep="\n")
    return 0


def point_to_a_good_backup(data_dir: Path) -> None:
    """After a damaged database: the newest backup that reads, and how to restore it."""
    from villagehelper.backups.copies import newest_good_backup
    from villagehelper.keys.command_unlock import command_key

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


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    "backup": cmd_backup,
    "restore": cmd_restore,
}
