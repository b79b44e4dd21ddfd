"""The key file on disk (``keyring.json``): its format, and writes a power cut cannot half-do.

The file is JSON: the format version, the plain data key while nobody has a PIN
(``open_key``), its check value, one wrapped copy per member with a PIN (with their
display name and leader flag in clear, for the lock screen's list), and the wrong-PIN
count with the end of the current wait (:mod:`villagehelper.keys.lockout`).

An existing but unreadable file is never replaced (:class:`KeyringDamagedError`): a new
key would lock the data out for good.  A new file is only ever created exclusively, so
that two programs starting at once cannot each make a key.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from villagehelper.errors import UserError

KEYRING_FILE = "keyring.json"
FORMAT_VERSION = 1


class KeyringDamagedError(UserError):
    """The key file exists but cannot be read: never replaced by a new key."""


def parse_key_file(raw: str, path: Path) -> dict[str, Any]:
    """The file's content; :class:`KeyringDamagedError` when it is not a key file."""
    try:
        content = json.loads(raw)
        if not isinstance(content, dict) or content.get("version") != FORMAT_VERSION:
            raise ValueError("unknown keyring format")
        if not isinstance(content.get("members"), dict) or not content.get("key_check"):
            raise ValueError("keyring without members or key check")
        content.setdefault("failed_attempts", 0)
        content.setdefault("wait_until", None)
        return content
    except ValueError:
        raise KeyringDamagedError(
            f"Tệp khóa {path} bị hỏng nên không mở được dữ liệu. Đừng xóa tệp này; hãy "
            "khôi phục nó từ bản sao của cả thư mục dữ liệu, hoặc nhờ cán bộ xã tải lại "
            "dữ liệu từ máy chủ xã.",
            f"The key file {path} is damaged, so the data cannot be opened. Do not delete "
            "it; restore it from a copy of the data folder, or download the data again "
            "from the commune server.",
        ) from None


def read_key_file(path: Path) -> dict[str, Any]:
    """The content of the key file at ``path`` (``FileNotFoundError`` when there is none)."""
    return parse_key_file(path.read_text(encoding="utf-8"), path)


def _encode(content: dict[str, Any]) -> bytes:
    return json.dumps(content, indent=2, ensure_ascii=False).encode("utf-8")


def write_atomically(path: Path, content: dict[str, Any]) -> None:
    """A power cut leaves the old file or the new one, never half of either."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(_encode(content))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_folder(path.parent)


def write_new(path: Path, content: dict[str, Any]) -> bool:
    """Write the file only if none exists (``False`` if one appeared first)."""
    temporary = path.with_name(f"{path.name}.{secrets.token_hex(4)}.new")
    with open(temporary, "wb") as handle:
        handle.write(_encode(content))
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)  # atomic and exclusive: never replaces a key
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    _sync_folder(path.parent)
    return True


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows has no directory handles to flush; os.replace is enough there
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
