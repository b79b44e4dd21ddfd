"""Publishing an installer of the app on the commune server (``publish-update``) and
reading back what is published: the server's side of ``exchange/update_offer.py``.

The installer is copied into the server's updates folder
(``<folder>/<platform>/<version>/<filename>``), hashed while it is copied, under a
hidden temporary name until it is whole and on disk; it gets its name in the same
transaction that records its row, so a laptop is never offered a half file, and a refused
publish leaves the folder and the table as they were.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url, select

from villagehelper.errors import UserError
from villagehelper.exchange.update_offer import (
    LINUX,
    MAX_NOTES,
    PLATFORMS,
    WINDOWS,
    UpdateOffer,
    UpdateOfferError,
    parse_version,
)
from villagehelper.server.database import ServerDB
from villagehelper.server.epochs import database_key, state_folder
from villagehelper.server.tables import PublishedUpdate
from villagehelper.whole_files import flush_folder

log = logging.getLogger("villagehelper.server")

_PLATFORM_OF_SUFFIX = {
    ".exe": WINDOWS,
    ".msi": WINDOWS,
    ".deb": LINUX,
    ".appimage": LINUX,
    ".tar.gz": LINUX,
}
_CHUNK = 1 << 20
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")
_LONGEST_NAME = 151


@dataclass(frozen=True)
class Installer:
    """What ``publish-update`` was given, checked: the file and what it will be offered as."""

    source: Path
    version: str
    platform: str
    filename: str
    notes: str


def updates_folder(url: str) -> Path:
    """Where the installers of the server database ``url`` are kept: beside a SQLite file
    (``server.sqlite3.updates``), else in the server's data folder under a name made from
    the URL (without its password), as the epoch markers are (epochs.py): the
    ``publish-update`` command and the running server find the same folder."""
    parsed = make_url(url)
    database = parsed.database or ":memory:"
    if parsed.get_backend_name() == "sqlite" and not database.startswith((":memory:", "file:")):
        path = Path(database)
        return path.with_name(path.name + ".updates")
    return state_folder() / "updates" / database_key(url)


def stored_file(db: ServerDB, offer: UpdateOffer) -> Path:
    return updates_folder(db.url) / offer.platform / offer.version / offer.filename


def platform_of(name: str) -> str | None:
    """The platform an installer's file name says it is for, or None."""
    lowered = name.lower()
    for suffix, platform in _PLATFORM_OF_SUFFIX.items():
        if lowered.endswith(suffix):
            return platform
    return None


def plain_name(name: str) -> str:
    """``name`` as the offer may carry it: Vietnamese letters without their marks ("đ"
    as "d"), anything else a shell or a URL would read differently as "-"."""
    bare = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    kept = "".join(
        ch if ch in _NAME_CHARACTERS else "-" for ch in bare if not unicodedata.combining(ch)
    )
    kept = re.sub("-{2,}", "-", kept).lstrip("._+-")
    return kept[-_LONGEST_NAME:].lstrip("._+-")


def check_installer(file: Path, version: str, platform: str | None, notes: str) -> Installer:
    """The checks of ``publish-update`` that need no database; :class:`UserError` says
    what to do when one fails."""
    try:
        parse_version(version)
    except UpdateOfferError:
        raise UserError(
            f"Phiên bản {version!r} không đúng dạng X.Y.Z (ba số, ví dụ 1.4.0): hãy sửa "
            "--version; chưa có gì được phát hành.",
            f"Version {version!r} is not X.Y.Z (three whole numbers, e.g. 1.4.0): fix "
            "--version; nothing was published.",
        ) from None
    if not file.is_file():
        raise UserError(
            f"Không thấy tệp cài đặt {file}: hãy kiểm tra đường dẫn; chưa có gì được phát hành.",
            f"No installer file at {file}: check the path; nothing was published.",
        )
    if file.stat().st_size == 0:
        raise UserError(
            f"Tệp {file} rỗng (0 byte), không phải bộ cài: hãy chép lại bộ cài; chưa có gì "
            "được phát hành.",
            f"{file} is empty (0 bytes), not an installer: copy it again; nothing was published.",
        )
    chosen = platform or platform_of(file.name)
    if chosen not in PLATFORMS:
        raise UserError(
            f"Không biết tệp {file.name} dành cho Windows hay Linux: hãy thêm --platform "
            "windows hoặc --platform linux; chưa có gì được phát hành.",
            f"Cannot tell whether {file.name} is for Windows or Linux: add --platform "
            "windows or --platform linux; nothing was published.",
        )
    if len(notes) > MAX_NOTES:
        raise UserError(
            f"Ghi chú thay đổi dài {len(notes)} ký tự, tối đa {MAX_NOTES}: hãy rút gọn; chưa "
            "có gì được phát hành.",
            f"The notes are {len(notes)} characters, at most {MAX_NOTES}: shorten them; "
            "nothing was published.",
        )
    filename = plain_name(file.name) or f"villagehelper-{version}{_suffix(file.name)}"
    return Installer(file, version.strip(), chosen, filename, notes)


def _suffix(name: str) -> str:
    lowered = name.lower()
    return next((s for s in _PLATFORM_OF_SUFFIX if lowered.endswith(s)), "")


def publish(db: ServerDB, installer: Installer) -> UpdateOffer:
    """Copy the installer into the updates folder and record it; refused, with the
    folder and the table untouched, if this version is already published for the
    platform or the copy fails (a full disk)."""
    _refuse_published(db, installer.platform, installer.version)
    target = updates_folder(db.url) / installer.platform / installer.version / installer.filename
    partial = target.with_name(f".{installer.filename}.{uuid.uuid4().hex}.partial")
    made_folder = not target.parent.exists()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        size, sha256 = _copy_and_hash(installer.source, partial)
        offer = UpdateOffer(
            version=installer.version,
            platform=installer.platform,
            filename=installer.filename,
            size=size,
            sha256=sha256,
            notes=installer.notes,
            published_at=db.clock(),
        )
        with db.transaction() as session:
            if session.get(PublishedUpdate, (offer.platform, offer.version)) is not None:
                raise _already_published(offer.platform, offer.version)
            session.add(_row(offer))
            session.flush()
            # Named in the transaction that records it: a failed rename records nothing.
            # (A commit failing after it leaves a file no row names: never offered, and
            # replaced by the next publish of that version.)
            os.replace(partial, target)
            flush_folder(target.parent)
    except BaseException as failure:
        partial.unlink(missing_ok=True)
        if made_folder:
            with contextlib.suppress(OSError):
                target.parent.rmdir()
        if isinstance(failure, OSError):
            raise _not_copied(target.parent, failure) from failure
        raise
    log.info(
        "update published platform=%s version=%s size=%d sha256=%s",
        offer.platform,
        offer.version,
        offer.size,
        offer.sha256,
    )
    return offer


def _not_copied(folder: Path, failure: OSError) -> UserError:
    reason = failure.strerror or type(failure).__name__
    return UserError(
        f"Không chép được bộ cài vào {folder} ({reason}): hãy kiểm tra chỗ trống trên ổ đĩa "
        "và quyền ghi vào thư mục đó rồi chạy lại; chưa có gì được phát hành.",
        f"Cannot copy the installer into {folder} ({reason}): check the disk's free space "
        "and the right to write there, then run again; nothing was published.",
    )


def _refuse_published(db: ServerDB, platform: str, version: str) -> None:
    if find(db, platform, version) is not None:
        raise _already_published(platform, version)


def find(db: ServerDB, platform: str, version: str) -> UpdateOffer | None:
    """The installer published as ``version`` for ``platform``, if there is one."""
    with db.reading() as session:
        row = session.get(PublishedUpdate, (platform, version))
    return None if row is None else _offer(row)


def _already_published(platform: str, version: str) -> UserError:
    return UserError(
        f"Phiên bản {version} cho {platform} đã được phát hành rồi: một phiên bản không "
        "được thay bằng tệp khác (các máy đã tải có thể đang cài nó). Hãy phát hành với số "
        "phiên bản mới hơn; không có gì bị thay đổi.",
        f"Version {version} for {platform} is already published: a published version is "
        "never replaced (laptops may be installing it). Publish it under a newer version "
        "number; nothing was changed.",
    )


def _copy_and_hash(source: Path, destination: Path) -> tuple[int, str]:
    """Copy ``source`` to ``destination`` (made new), flushed to disk; its size and
    SHA-256, of the bytes written."""
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reading, destination.open("xb") as writing:
        while chunk := reading.read(_CHUNK):
            digest.update(chunk)
            writing.write(chunk)
            size += len(chunk)
        writing.flush()
        os.fsync(writing.fileno())
    return size, digest.hexdigest()


def _row(offer: UpdateOffer) -> PublishedUpdate:
    return PublishedUpdate(**dataclasses.asdict(offer))


def _offer(row: PublishedUpdate) -> UpdateOffer:
    return UpdateOffer(**{f.name: getattr(row, f.name) for f in dataclasses.fields(UpdateOffer)})


def published(db: ServerDB) -> list[UpdateOffer]:
    """Every published installer, by platform, the newest version first."""
    with db.reading() as session:
        rows = list(session.scalars(select(PublishedUpdate)))
    offers = [_offer(row) for row in rows]
    return sorted(offers, key=lambda o: (o.platform, _descending(o.version)))


def _descending(version: str) -> tuple[int, int, int]:
    major, minor, patch = parse_version(version)
    return -major, -minor, -patch


def newest(db: ServerDB) -> dict[str, UpdateOffer]:
    """The newest installer of each platform that has one and whose file is in place
    (a database restored without its updates folder offers nothing it cannot serve)."""
    found: dict[str, UpdateOffer] = {}
    for offer in published(db):
        if offer.platform not in found and stored_file(db, offer).is_file():
            found[offer.platform] = offer
    return found
