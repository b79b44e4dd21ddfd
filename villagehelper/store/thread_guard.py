"""Keeping the database off one thread: the desktop app's GUI thread.

A query on the GUI thread freezes the window for as long as it takes (a list over a
whole commune, a backup, a disk that stalls). The desktop app runs every store call on
its database worker instead (``villagehelper.ui.shell.operations``) and names the GUI
thread here; the store then refuses that thread with :class:`WrongThreadError`, so a
call that slips onto it fails at once in the tests instead of freezing a laptop in the
field. The core knows nothing of Qt: it is told a thread id, nothing more.

Code that rightly uses the store on that thread (a test seeding its data before it
clicks, or reading what a click saved) says so with :func:`allowed_here`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WrongThreadError(RuntimeError):
    """The store was used on the thread it was told to refuse (the GUI thread)."""


_allowed = threading.local()


@contextmanager
def allowed_here() -> Iterator[None]:
    """Let the current thread use any store inside the block, on purpose."""
    _allowed.depth = getattr(_allowed, "depth", 0) + 1
    try:
        yield
    finally:
        _allowed.depth -= 1


class ThreadGuard:
    """Refuses one thread, except inside :func:`allowed_here` on that thread."""

    def __init__(self) -> None:
        self._forbidden: int | None = None

    @property
    def forbidden(self) -> int | None:
        return self._forbidden

    def forbid(self, thread_id: int | None) -> None:
        """Refuse ``thread_id`` from now on (``None``: refuse no thread)."""
        self._forbidden = thread_id

    def check(self) -> None:
        if self._forbidden is None or threading.get_ident() != self._forbidden:
            return
        if getattr(_allowed, "depth", 0):
            return
        raise WrongThreadError(
            "the store was used on the GUI thread, which would freeze the window: run "
            "this call as an operation on the database worker (see docs/workers.md)"
        )
