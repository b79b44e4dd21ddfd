"""``villagehelper enroll`` and ``villagehelper sync``: the sync client on the command line.

    villagehelper enroll --server URL --code CODE [--device-name NAME]
    villagehelper sync

``sync`` runs one full round and prints one line (pushed, pulled, conflicts); it exits 0
only when everything uploaded was acknowledged and the download reached the end.  While
the app is open on the data folder, ``sync`` does not wait for it (the app holds the
folder for hours, and syncs by itself every few minutes): it says so in one line and
exits with :data:`~villagehelper.cli.telling.EXIT_SKIPPED_APP_OPEN`, which a scheduled
sync counts as done (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from villagehelper.store.folder_lock import APP_ROLE, Holder


class SkippedForTheApp(Exception):  # noqa: N818 (not an error: the app does the work)
    """``sync`` found the app open on the data folder: nothing to do, nothing changed."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(
            f"Bỏ qua: ứng dụng VillageHelper đang mở trên thư mục dữ liệu này (tiến trình "
            f"{holder.pid}) và tự đồng bộ. / Skipped: the app is open on this data folder "
            "and syncs by itself."
        )


def skip_if_the_app_is_open(holder: Holder | None) -> None:
    """``sync``'s wait for the data folder: none when the app holds it (see above); the
    usual wait, told on stderr, when a command does."""
    if holder is not None and holder.role == APP_ROLE:
        raise SkippedForTheApp(holder)
    from villagehelper.cli.opening import say_waiting

    say_waiting(holder)


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    enroll = commands.add_parser(
        "enroll",
        parents=[common],
        help="đăng ký máy này với máy chủ xã / enrol this laptop with the commune server",
    )
    enroll.add_argument("--server", required=True, metavar="URL", help="http(s)://máy-chủ:8765")
    enroll.add_argument("--code", required=True, metavar="MÃ", help="mã đăng ký của tổ trưởng")
    enroll.add_argument("--device-name", default=None, metavar="TÊN", help="tên máy (tùy chọn)")
    commands.add_parser("sync", parents=[common], help="đồng bộ với máy chủ xã ngay / sync now")


def cmd_enroll(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.opening import open_unlocked
    from villagehelper.sync.client import enrol

    store = open_unlocked(data_dir)
    try:
        name = args.device_name or platform.node() or "laptop"
        done = enrol(store, args.server, args.code, name)
        commune = store.commune()
    finally:
        store.close()
    role = "tổ trưởng" if done.is_leader else "thành viên"
    place = f"{commune.name} ({commune.code})" if commune else ""
    print(f"Đã đăng ký máy với máy chủ {done.server_url}: {place}, quyền {role}.")
    print("Chạy 'villagehelper sync' để đồng bộ lần đầu.")
    return 0


def cmd_sync(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper.cli.clock_notice import warn_about_the_clock
    from villagehelper.cli.opening import open_unlocked
    from villagehelper.cli.update import update_notice
    from villagehelper.ops import implausible
    from villagehelper.preferences import load_preferences
    from villagehelper.sync.client import sync_once

    show_progress = sys.stderr.isatty()

    def progress(phase: str, done: int, total: int) -> None:
        if show_progress:
            what = "gửi" if phase == "push" else "nhận"
            of_total = f"/{total}" if total else ""
            print(f"\r{what} {done}{of_total}…", end="", file=sys.stderr, flush=True)

    store = open_unlocked(data_dir)
    try:
        report = sync_once(
            store,
            team_member_id=load_preferences(data_dir).volunteer_id,
            progress=progress,
        )
        not_counted = implausible.not_counted_notice(implausible.count_implausible(store))
        update = update_notice(store)
    finally:
        if show_progress:
            print(file=sys.stderr)
        warn_about_the_clock(store)  # a sync, even a failed one, may have measured it
        store.close()
    print(f"{report.summary_vi()} / {report.summary_en()}")
    if not_counted:  # held back by the server for a wrong clock (ops/implausible.py)
        print("\n".join(not_counted))
    if update:
        print(update)
    return 0


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    "enroll": cmd_enroll,
    "sync": cmd_sync,
}
