"""``villagehelper-server publish-update`` and ``list-updates``: the installers of the
app the commune offers its laptops (server/publishing.py, docs/deployment.md).

``publish-update FILE --version X.Y.Z`` checks the file and the version before the
database is opened, copies the installer into the server's updates folder and prints
what the laptops will be offered: version, platform, size and SHA-256 (to compare with
the one the installer's maker gave).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from villagehelper.errors import UserError

if TYPE_CHECKING:  # the parser is built without the server's packages (commands.py)
    from villagehelper.server.database import ServerDB
    from villagehelper.server.publishing import Installer


def add_update_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    publish = commands.add_parser(
        "publish-update",
        help="phát hành bộ cài VillageHelper mới cho các laptop / publish an installer "
        "for the laptops (docs/deployment.md)",
    )
    publish.add_argument("file", metavar="TỆP", help="bộ cài: .exe .msi .deb .AppImage .tar.gz")
    publish.add_argument("--version", required=True, metavar="X.Y.Z")
    publish.add_argument(
        "--platform",
        choices=["windows", "linux"],
        help="mặc định: theo đuôi tệp / default: from the file's extension",
    )
    notes = publish.add_mutually_exclusive_group()
    notes.add_argument("--notes", default="", help="những gì thay đổi / what changed")
    notes.add_argument(
        "--notes-file", metavar="TỆP", help="ghi chú từ tệp văn bản UTF-8 / notes from a file"
    )
    commands.add_parser("list-updates", help="các bản đã phát hành / published installers")


def checked_installer(args: argparse.Namespace) -> Installer:
    """What ``publish-update`` was given, refused before the database is opened."""
    from villagehelper.server.publishing import check_installer

    notes = _read_notes(Path(args.notes_file)) if args.notes_file else args.notes
    return check_installer(Path(args.file), args.version, args.platform, notes.strip())


def _read_notes(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "không phải văn bản UTF-8 / not UTF-8 text"
        raise UserError(
            f"Không đọc được tệp ghi chú {path} ({reason}): hãy lưu nó dạng văn bản UTF-8; "
            "chưa có gì được phát hành.",
            f"Cannot read the notes file {path} ({reason}): save it as UTF-8 text; nothing "
            "was published.",
        ) from exc


def run_publish(db: ServerDB, installer: Installer) -> int:
    from villagehelper.server.publishing import publish, stored_file

    offer = publish(db, installer)
    print(f"Đã phát hành / published: VillageHelper {offer.version} ({offer.platform})")
    print(f"tệp / file:\t{stored_file(db, offer)}")
    print(f"dung lượng / size:\t{offer.size} bytes")
    print(f"SHA-256:\t{offer.sha256}")
    print(
        "Các laptop thấy bản này ở lần đồng bộ tới. / Laptops see it at their next sync.",
    )
    return 0


def run_list(db: ServerDB) -> int:
    from villagehelper.server.publishing import published

    print("platform\tversion\tsize\tsha256\tpublished_at\tfilename")
    for offer in published(db):
        print(
            f"{offer.platform}\t{offer.version}\t{offer.size}\t{offer.sha256}\t"
            f"{offer.published_at.isoformat(timespec='seconds')}\t{offer.filename}"
        )
    return 0
