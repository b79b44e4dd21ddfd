"""Files that appear complete or not at all.

A backup written straight to its name and cut short (a full disk, a USB stick pulled
out) left a file of 0 bytes, or half a database, under a backup's name: it looks like
a backup until the day it is needed.  Here a file is written under a temporary name
beside its target (same folder, so same disk) and renamed to its name only once
complete; a failure removes the temporary file (and a database's journals).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from villagehelper.disk_errors import folder_problem

T = TypeVar("T")

PARTIAL_SUFFIX = ".partial"  # not the database suffix: never listed as a backup
_JOURNALS = ("", "-journal", "-wal", "-shm")


def partial_path(target: Path) -> Path:
    return target.with_name(f".{target.name}{PARTIAL_SUFFIX}")


def write_whole_file(target: Path, write: Callable[[Path], T]) -> T:
    """``write`` the file to a temporary path beside ``target``, then rename it."""
    partial = partial_path(target)
    remove_partial(partial)  # left by a process killed mid-write
    try:
        result = write(partial)
        os.replace(partial, target)
    except BaseException as error:
        remove_partial(partial)
        problem = folder_problem(error, target.parent)
        if problem is not None and problem is not error:  # the folder named is the target's
            raise problem from error
        raise
    return result


def remove_partial(partial: Path) -> None:
    for suffix in _JOURNALS:
        # On a disk that refused the file there may be nothing (or no right) to remove.
        with contextlib.suppress(OSError):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)


def flush_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable: flush the folder itself to disk (POSIX;
    Windows cannot open a folder, and NTFS journals renames itself)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
