"""A full, read-only or vanished folder, told as such instead of as a bug.

The cultural house's laptop fills its disk; a data folder lives on a USB stick that is
pulled out; a folder is on a share that turned read-only.  What fails then is a
system call (``ENOSPC``, ``EROFS``, ``EIO`` …) or SQLite ("database or disk is full",
"disk I/O error", "attempt to write a readonly database").  None of these is a bug, and
the log cannot be written either: the person must be told, in plain words, which
folder and what to do.  Nothing that was acknowledged is lost: the failing write was a
transaction that did not commit, or a file written beside its target that is removed.

:func:`folder_problem` recognises such an error (anywhere in its chain of causes) and
returns the :class:`FolderError` to show instead.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from enum import Enum
from pathlib import Path

from villagehelper.errors import UserError


class Trouble(Enum):
    FULL = "full"
    READ_ONLY = "read-only"
    GONE = "gone"  # unplugged, removed, or failing


_ERRNO_TROUBLE = {
    errno.ENOSPC: Trouble.FULL,
    errno.EDQUOT: Trouble.FULL,
    errno.EFBIG: Trouble.FULL,
    errno.EROFS: Trouble.READ_ONLY,
    errno.EACCES: Trouble.READ_ONLY,
    errno.EPERM: Trouble.READ_ONLY,
    errno.EIO: Trouble.GONE,
    errno.ENXIO: Trouble.GONE,
    errno.ENODEV: Trouble.GONE,
    errno.ESTALE: Trouble.GONE,
}
# SQLite's words for the same troubles (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR,
# SQLITE_CANTOPEN), in SQLite's and SQLCipher's messages alike.
_SQLITE_FULL = "database or disk is full"
_SQLITE_READ_ONLY = "readonly database"
_SQLITE_IO = "disk i/o error"
_SQLITE_CANT_OPEN = "unable to open database file"
# Below this much free space a "disk I/O error" is taken for a full disk: SQLite reports
# some failed writes (of its journal, of a page past the end) as I/O errors.
_NEARLY_FULL_BYTES = 1 << 20


class FolderError(UserError):
    """The folder ``folder`` cannot be written (or read) for the reason ``trouble``."""

    def __init__(self, trouble: Trouble, folder: Path) -> None:
        vi, en = _MESSAGES[trouble]
        super().__init__(vi.format(folder=folder), en.format(folder=folder))
        self.trouble = trouble
        self.folder = folder


_MESSAGES = {
    Trouble.FULL: (
        "Ổ đĩa chứa thư mục «{folder}» đã đầy nên việc vừa làm chưa được lưu; những gì đã "
        "lưu trước đó vẫn còn nguyên. Hãy giải phóng chỗ trống (xóa bớt tệp không cần, dọn "
        "Thùng rác) hoặc chọn thư mục khác, rồi làm lại.",
        "The disk holding «{folder}» is full, so what you just did was not saved; "
        "everything saved before is intact. Free some space (delete files you do not need, "
        "empty the Recycle Bin) or choose another folder, then try again.",
    ),
    Trouble.READ_ONLY: (
        "Không ghi được vào thư mục «{folder}»: thư mục hoặc ổ đĩa chỉ cho đọc, hoặc tài "
        "khoản này không có quyền ghi. Việc vừa làm chưa được lưu; dữ liệu đã lưu vẫn còn "
        "nguyên. Hãy chọn thư mục khác (--data-dir), hoặc nhờ người quản lý máy cho quyền "
        "ghi, rồi làm lại.",
        "Cannot write to «{folder}»: the folder or disk is read-only, or this account may "
        "not write there. What you just did was not saved; the data saved before is "
        "intact. Choose another folder (--data-dir) or ask for write permission, then try "
        "again.",
    ),
    Trouble.GONE: (
        "Không đọc/ghi được thư mục «{folder}»: ổ đĩa hoặc USB chứa nó đã bị rút ra, chưa "
        "cắm, hoặc đang bị lỗi. Hãy cắm lại đúng USB/ổ đĩa đó rồi làm lại; dữ liệu đã lưu "
        "trên đó không bị mất. Nếu vẫn lỗi, hãy chép thư mục sang ổ khác.",
        "Cannot read or write «{folder}»: the disk or USB stick holding it was unplugged, "
        "is not plugged in, or is failing. Plug that USB stick or disk back in and try "
        "again; the data saved on it is not lost. If it keeps failing, copy the folder to "
        "another disk.",
    ),
}


def folder_problem(error: BaseException, data_dir: Path) -> FolderError | None:
    """The :class:`FolderError` behind ``error`` (or one of its causes), if any.

    ``data_dir`` is the folder named when the error does not say which file failed
    (SQLite's errors never do)."""
    for cause in _chain(error):
        if isinstance(cause, FolderError):
            return cause
        if isinstance(cause, OSError):
            found = _from_os_error(cause, data_dir)
            if found is not None:
                return found
        elif _is_sqlite_error(cause):
            found = _from_sqlite_text(str(cause).lower(), data_dir)
            if found is not None:
                return found
    return None


def unreported_write_failure(path: Path) -> OSError:
    """The error for a file that a library failed to write without saying so (Qt's PDF
    writer leaves a cut file on a full disk): ``ENOSPC`` when the disk has no room
    left, else ``EIO``."""
    code = errno.ENOSPC if _free_bytes(path.parent) < _NEARLY_FULL_BYTES else errno.EIO
    return OSError(code, os.strerror(code), str(path))


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]


def _from_os_error(error: OSError, data_dir: Path) -> FolderError | None:
    folder = _folder_of(error.filename, data_dir)
    trouble = _ERRNO_TROUBLE.get(error.errno or 0)
    # A missing folder (ENOENT) is far more often a mistyped path than a stick pulled
    # out, and the caller's own message says which path it was; but a missing drive
    # (Windows' E:\ once the stick is out) is the stick.
    if error.errno == errno.ENOENT and not _exists(Path(folder.anchor or "/")):
        trouble = Trouble.GONE
    # Permission refused on one file of a writable folder (a file open in Excel on
    # Windows): not this folder's trouble; the caller says what it can.
    if trouble is Trouble.READ_ONLY and error.errno != errno.EROFS and _writable(folder):
        return None
    return None if trouble is None else FolderError(trouble, folder)


def _is_sqlite_error(error: BaseException) -> bool:
    """An error of SQLite's driver or SQLCipher's, known by its module: importing the
    drivers here would load the database layer into screens that do not need it yet."""
    return type(error).__module__.split(".", 1)[0] in ("sqlite3", "sqlcipher3")


def _from_sqlite_text(text: str, data_dir: Path) -> FolderError | None:
    if _SQLITE_FULL in text:
        return FolderError(Trouble.FULL, data_dir)
    if _SQLITE_READ_ONLY in text:
        return FolderError(Trouble.READ_ONLY, data_dir)
    if _SQLITE_IO in text or _SQLITE_CANT_OPEN in text:
        if not _exists(data_dir):
            return FolderError(Trouble.GONE, data_dir)
        if not _writable(data_dir):
            return FolderError(Trouble.READ_ONLY, data_dir)
        if _free_bytes(data_dir) < _NEARLY_FULL_BYTES:
            return FolderError(Trouble.FULL, data_dir)
        if _SQLITE_IO in text:
            return FolderError(Trouble.GONE, data_dir)
    return None


def _folder_of(filename: object, data_dir: Path) -> Path:
    """The folder to name: the data folder for any file in it (its backups, its log),
    else the folder of the file that failed (an export's chosen place)."""
    if not isinstance(filename, (str, os.PathLike)):
        return data_dir
    path = Path(filename).absolute()
    if path == data_dir or data_dir in path.parents:
        return data_dir
    return path if _exists(path) else path.parent


def _exists(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except OSError:
        return False


def _writable(folder: Path) -> bool:
    """Whether files can be made in ``folder``: its permissions and its file system
    (``os.access`` alone ignores a read-only mount for root)."""
    try:
        if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & os.ST_RDONLY:
            return False
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0
