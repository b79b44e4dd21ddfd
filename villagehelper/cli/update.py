"""``villagehelper update``: the app update the commune server offers, on the command line.

    villagehelper update [--check] [--download] [--install [--yes]]

Without options it shows the offer this laptop knows of (version, size, what changed);
``--check`` asks the server now; ``--download`` fetches the installer (resuming a cut
download, progress on stderr, SHA-256 checked); ``--install`` downloads if needed, asks
"Cài đặt phiên bản X.Y.Z? [c/K]" on a terminal (or takes ``--yes``) and only then
starts the installer.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from villagehelper.errors import UserError

if TYPE_CHECKING:
    from villagehelper.exchange.update_offer import UpdateOffer
    from villagehelper.store.engine import Store

_YES = frozenset({"c", "co", "có", "y", "yes"})


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    update = commands.add_parser(
        "update",
        parents=[common],
        help="bản cập nhật ứng dụng từ máy chủ xã / the app update the commune server offers",
    )
    update.add_argument(
        "--check", action="store_true", help="hỏi máy chủ xã ngay / ask the server now"
    )
    update.add_argument(
        "--download", action="store_true", help="tải tệp cài đặt về / download the installer"
    )
    update.add_argument(
        "--install",
        action="store_true",
        help="tải về (nếu cần) rồi cài đặt khi bạn đồng ý / download, then install once you agree",
    )
    update.add_argument(
        "--yes", action="store_true", help="đồng ý cài đặt, không hỏi lại / agree without asking"
    )


def cmd_update(args: argparse.Namespace, data_dir: Path) -> int:
    from villagehelper import __version__
    from villagehelper.cli.opening import open_unlocked
    from villagehelper.updates import handover
    from villagehelper.updates.download import download_installer

    store = open_unlocked(data_dir)
    try:
        offer = _known_offer(store, ask_now=args.check)
        if offer is None:
            print(
                f"Không có bản cập nhật mới (máy này đang dùng phiên bản {__version__}). / "
                f"No update available (this is version {__version__})."
            )
            return 0
        print(_describe(offer, __version__))
        if not (args.download or args.install):
            print("Tải về: villagehelper update --download / Download it with --download.")
            return 0
        installer = download_installer(store, offer, progress=_progress_on_stderr())
        print(f"Đã tải về và kiểm tra: {installer} / Downloaded and checked.")
    finally:
        store.close()
    if not args.install:
        return 0
    if not (args.yes or _agreed(offer.version)):
        print("Chưa cài đặt. / Not installed.")
        return 0
    handover.hand_over(data_dir, offer, consented=True)
    print(
        f"Đã mở trình cài đặt phiên bản {offer.version}; hãy đóng VillageHelper nếu đang mở "
        "rồi làm theo trình cài đặt. / The installer was started: close VillageHelper if it "
        "is open, then follow the installer."
    )
    return 0


def update_notice(store: Store) -> str | None:
    """One line after a sync when the server named a version newer than this app."""
    from villagehelper import __version__
    from villagehelper.exchange.update_offer import is_newer
    from villagehelper.store import sync_state

    with store.reading() as session:
        offered = sync_state.get(session, sync_state.UPDATE_VERSION) or ""
    if not offered or not is_newer(offered, __version__):
        return None
    return (
        f"Có phiên bản mới {offered}: xem bằng 'villagehelper update'. / "
        f"Version {offered} is available: see 'villagehelper update'."
    )


def _known_offer(store: Store, *, ask_now: bool) -> UpdateOffer | None:
    """The offer waiting; when not asked to check, a server out of reach is no failure:
    the offer learned before is shown."""
    from villagehelper.sync.http import ServerUnreachableError
    from villagehelper.updates.offers import check, waiting_offer

    try:
        return check(store, ask_now=ask_now)
    except ServerUnreachableError as error:
        if ask_now:
            raise
        print(f"{error.message_vi} / {error.message_en}", file=sys.stderr)
        return waiting_offer(store)


def _describe(offer: UpdateOffer, current: str) -> str:
    lines = [
        f"Có phiên bản mới: {offer.version} (máy này: {current}) / New version available",
        f"Tệp / File: {offer.filename} ({_megabytes(offer.size)} MB)",
        f"Phát hành / Published: {offer.published_at:%d/%m/%Y %H:%M} UTC",
    ]
    if offer.notes.strip():
        lines.append("Thay đổi / What changed:")
        lines += [f"  {line}" for line in offer.notes.strip().splitlines()]
    return "\n".join(lines)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".replace(".", ",")


def _progress_on_stderr() -> Callable[[int, int], None]:
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total if total else 0
        if percent != shown[0]:
            shown[0] = percent
            end = "\n" if done >= total else ""
            print(f"\rĐang tải / Downloading: {percent}%", end=end, file=sys.stderr, flush=True)

    return progress


def _agreed(version: str) -> bool:
    """The person's yes, typed on a terminal; without one, no."""
    if not sys.stdin.isatty():
        raise UserError(
            "Không có ai trả lời câu hỏi cài đặt (không chạy trên cửa sổ dòng lệnh): thêm "
            "--yes nếu bạn đồng ý cài đặt. Chưa cài gì.",
            "Nobody can answer the install question (no terminal): add --yes if you agree "
            "to install. Nothing was installed.",
        )
    answer = input(f"Cài đặt phiên bản {version}? / Install version {version}? [c/K] ")
    return answer.strip().lower() in _YES


COMMANDS: dict[str | None, Callable[[argparse.Namespace, Path], int]] = {
    "update": cmd_update,
}
