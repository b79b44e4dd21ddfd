"""What the commune server and the laptops agree on about app updates.

A commune officer publishes an installer on the commune server
(``villagehelper-server publish-update FILE --version X.Y.Z``); laptops often reach that
server and nothing else, so updates travel the way the data does:

1. every request of a laptop names its platform (:data:`PLATFORM_HEADER`);
2. every answer of the server — the 426 "please update" refusal included — names the
   newest version published for that platform (:data:`UPDATE_HEADER`), so a laptop learns
   of it in any sync round without a call of its own;
3. a laptop that sees a version newer than its own asks :data:`LATEST_PATH` for the
   :class:`UpdateOffer` (what changed, size, SHA-256), and downloads the installer from
   :func:`file_path` only when the person asks, resuming with HTTP ``Range`` and checking
   the hash before it hands the file to the installer.

The update calls need the device token but not the protocol header: a laptop too old to
sync may still fetch the installer that makes it new again.
No FastAPI and no requests here: both sides import this module.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PLATFORM_HEADER = "X-VillageHelper-Platform"
UPDATE_HEADER = "X-VillageHelper-Update"

WINDOWS = "windows"
LINUX = "linux"
PLATFORMS = (WINDOWS, LINUX)

LATEST_PATH = "/v1/updates/latest"  # ?platform=windows → UpdateOffer as JSON, 404 if none

_VERSION = re.compile(r"(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Installer names as they are stored and offered: no folders, nothing a shell or a URL
# would read differently on either platform.
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,150}")
MAX_NOTES = 4000


class UpdateOfferError(ValueError):
    """A version, file name or offer that does not follow the rules above."""


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.2.10"`` → ``(1, 2, 10)``; anything but three plain numbers is refused."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise UpdateOfferError(f"version {text!r} is not X.Y.Z (three whole numbers)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def is_newer(candidate: str, current: str) -> bool:
    """Whether ``candidate`` is a later release than ``current``."""
    return parse_version(candidate) > parse_version(current)


def this_platform() -> str:
    """The platform whose installer this machine runs."""
    return WINDOWS if sys.platform.startswith("win") else LINUX


def file_path(platform: str, version: str) -> str:
    """Where the installer of ``version`` for ``platform`` is downloaded from."""
    return f"/v1/updates/{platform}/{version}/file"


@dataclass(frozen=True)
class UpdateOffer:
    """One published installer, as the server offers it to a laptop."""

    version: str
    platform: str
    filename: str
    size: int
    sha256: str
    notes: str  # what changed, as the commune wrote it (Vietnamese first)
    published_at: datetime

    def __post_init__(self) -> None:
        parse_version(self.version)
        if self.platform not in PLATFORMS:
            raise UpdateOfferError(
                f"platform {self.platform!r} is not one of {', '.join(PLATFORMS)}"
            )
        if not _FILENAME.fullmatch(self.filename):
            raise UpdateOfferError(f"file name {self.filename!r} is not a plain installer name")
        if self.size <= 0:
            raise UpdateOfferError("an installer has a size above zero")
        if not _SHA256.fullmatch(self.sha256):
            raise UpdateOfferError("sha256 is 64 lowercase hexadecimal digits")
        if len(self.notes) > MAX_NOTES:
            raise UpdateOfferError(f"notes are at most {MAX_NOTES} characters")
        if self.published_at.tzinfo is None:
            raise UpdateOfferError("published_at carries its time zone")

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "platform": self.platform,
            "filename": self.filename,
            "size": self.size,
            "sha256": self.sha256,
            "notes": self.notes,
            "published_at": self.published_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Any) -> UpdateOffer:
        """The offer in a server's answer; :class:`UpdateOfferError` for anything malformed."""
        if not isinstance(data, dict):
            raise UpdateOfferError("an update offer is a JSON object")
        try:
            return cls(
                version=str(data["version"]),
                platform=str(data["platform"]),
                filename=str(data["filename"]),
                size=_whole(data["size"]),
                sha256=str(data["sha256"]),
                notes=str(data.get("notes") or ""),
                published_at=datetime.fromisoformat(str(data["published_at"])),
            )
        except (KeyError, ValueError) as exc:
            raise UpdateOfferError(f"update offer unreadable: {exc}") from exc


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UpdateOfferError("size is a whole number of bytes")
    return value
