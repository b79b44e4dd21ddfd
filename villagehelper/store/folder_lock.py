"""Whose turn it is to use a data folder: a lock file in the folder, held by a process.

Two copies of the app opened on one folder by two people, or a command typed while the
app is open, must not step on each other: two copies started together on a folder not
yet encrypted both converted it at once, and one crashed ("disk I/O error", "table
alembic_version already exists").  Two locks, both files in the data folder, locked
with the operating system's own file locks (``fcntl.flock`` on Linux and macOS,
``msvcrt.locking`` on Windows), which die with the process that holds them, so a crash
or a power cut never leaves a folder locked:

- :data:`FOLDER_LOCK`: the folder's user.  The app holds it for as long as it is
  open; a command that changes data holds it while it runs, and waits a bounded time
  for it (then says who has it and what to do).  Commands that only read (backup,
  export, tally) do not need it: SQLite lets them read beside a writer.
- :data:`OPENING_LOCK`: held by :func:`villagehelper.store.engine.open_store` while it
  encrypts and migrates the file, so that every opener (the app, any command) does so
  one at a time; the next one then finds the work done.

The holder writes its process id and role into the file (readable by the one waiting,
for the message); the lock itself is on a byte far past them.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from villagehelper.errors import UserError

FOLDER_LOCK = "villagehelper.lock"
OPENING_LOCK = "villagehelper.opening.lock"
APP_ROLE = "app"
OPENING_ROLE = "opening"
WAIT_ENV = "VILLAGEHELPER_LOCK_WAIT"  # seconds a command waits for its turn
DEFAULT_COMMAND_WAIT_S = 30.0
OPENING_WAIT_S = 600.0  # encrypting or upgrading a district's data takes a while
_POLL_S = 0.1
# Windows locks byte ranges, and a locked range cannot be read by others: the lock is on
# a byte far past the holder's note (a range past the end of a file may be locked).
_LOCKED_BYTE = 1 << 30

Waiting = Callable[["Holder | None"], None]


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: a process and what it is doing (the app, a command's name)."""

    pid: int
    role: str

    def describe_vi(self) -> str:
        if self.role == APP_ROLE:
            return f"ứng dụng VillageHelper đang mở (tiến trình {self.pid})"
        if self.role == OPENING_ROLE:
            return f"VillageHelper đang chuẩn bị dữ liệu (tiến trình {self.pid})"
        return f"lệnh «villagehelper {self.role}» đang chạy (tiến trình {self.pid})"

    def describe_en(self) -> str:
        if self.role == APP_ROLE:
            return f"the VillageHelper app is open (process {self.pid})"
        if self.role == OPENING_ROLE:
            return f"VillageHelper is preparing the data (process {self.pid})"
        return f"the command «villagehelper {self.role}» is running (process {self.pid})"


class FolderBusyError(UserError):
    """The data folder's lock stayed with another process for longer than we wait."""

    def __init__(self, data_dir: Path, holder: Holder | None) -> None:
        who_vi = holder.describe_vi() if holder else "một chương trình khác đang dùng nó"
        who_en = holder.describe_en() if holder else "another program is using it"
        if holder is not None and holder.role == APP_ROLE:
            todo_vi = "Hãy làm việc này ngay trong ứng dụng, hoặc đóng ứng dụng rồi chạy lại lệnh."
            todo_en = "Do this in the app, or close the app and run the command again."
        else:
            todo_vi = "Hãy chờ việc đó xong rồi chạy lại lệnh."
            todo_en = "Wait for it to finish, then run the command again."
        super().__init__(
            f"Thư mục dữ liệu «{data_dir}» đang bận: {who_vi}. {todo_vi} "
            "Dữ liệu không bị thay đổi.",
            f"The data folder «{data_dir}» is busy: {who_en}. {todo_en} Nothing was changed.",
        )
        self.data_dir = data_dir
        self.holder = holder


class FolderLock:
    """One lock file in ``data_dir``, held by this process as ``role`` once acquired."""

    def __init__(self, data_dir: Path, role: str, file_name: str = FOLDER_LOCK) -> None:
        self.data_dir = data_dir
        self.path = data_dir / file_name
        self.role = role
        self._descriptor: int | None = None

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; ``False`` (at once) when another process has it."""
        if self._descriptor is not None:
            return True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # O_BINARY (Windows): the note is written as it is, no newline translation.
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
        descriptor = os.open(self.path, flags, 0o644)
        if not _lock(descriptor):
            os.close(descriptor)
            return False
        self._descriptor = descriptor
        note = f"{os.getpid()} {self.role}\n".encode()
        os.lseek(descriptor, 0, os.SEEK_SET)
        os.write(descriptor, note.ljust(64))
        return True

    def acquire(self, wait_s: float, on_wait: Waiting | None = None) -> None:
        """Take the lock, waiting up to ``wait_s`` seconds for it; ``on_wait`` is told
        once, with the holder, when waiting begins.  Raises :class:`FolderBusyError`."""
        deadline = time.monotonic() + wait_s
        told = False
        while not self.try_acquire():
            if not told and on_wait is not None:
                on_wait(self.holder())
                told = True
            if time.monotonic() >= deadline:
                raise FolderBusyError(self.data_dir, self.holder())
            time.sleep(_POLL_S)  # the OS offers no bounded wait for a file lock

    def release(self) -> None:
        if self._descriptor is None:
            return
        descriptor, self._descriptor = self._descriptor, None
        try:
            _unlock(descriptor)
        finally:
            os.close(descriptor)

    def holder(self) -> Holder | None:
        """Who holds the lock, as its holder wrote it (``None`` if unknown)."""
        try:
            words = self.path.read_text(encoding="ascii", errors="replace").split()
        except OSError:
            return None
        if len(words) != 2 or not words[0].isdigit():
            return None
        return Holder(int(words[0]), words[1])


@contextmanager
def turn(
    data_dir: Path,
    role: str,
    *,
    wait_s: float,
    on_wait: Waiting | None = None,
    file_name: str = FOLDER_LOCK,
) -> Iterator[FolderLock]:
    """Hold ``data_dir``'s lock as ``role`` for the block (see :meth:`FolderLock.acquire`)."""
    lock = FolderLock(data_dir, role, file_name)
    lock.acquire(wait_s, on_wait)
    try:
        yield lock
    finally:
        lock.release()


def opening(data_dir: Path, on_wait: Waiting | None = None) -> AbstractContextManager[FolderLock]:
    """Hold the lock serialising the encryption and migration of ``data_dir``'s store."""
    return turn(
        data_dir, OPENING_ROLE, wait_s=OPENING_WAIT_S, on_wait=on_wait, file_name=OPENING_LOCK
    )


def command_wait_s(environ: Mapping[str, str] | None = None) -> float:
    """How long a command waits for its turn: ``VILLAGEHELPER_LOCK_WAIT`` seconds."""
    value = (environ if environ is not None else os.environ).get(WAIT_ENV, "")
    try:
        return max(0.0, float(value)) if value.strip() else DEFAULT_COMMAND_WAIT_S
    except ValueError:
        return DEFAULT_COMMAND_WAIT_S


if sys.platform == "win32":
    import msvcrt

    def _lock(descriptor: int) -> bool:
        os.lseek(descriptor, _LOCKED_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        os.lseek(descriptor, _LOCKED_BYTE, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
