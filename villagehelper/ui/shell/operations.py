"""One way to run work off the GUI thread: an :class:`Operation`.

An operation is a function to run on a worker (:mod:`villagehelper.ui.shell.executor`)
plus what the window does with its answer::

    ctx.read(self, lambda: load_household(store, household_id)).success(self._show).run()
    ctx.write(self, lambda: log_visit(store, visit)).success(self._saved).run()

What it takes care of, so that no screen does it by hand:

- **its owner** (the widget or model that asked): once the owner is deleted, the answer
  is dropped, success and failure alike — a dialog closed while its query ran is never
  touched again;
- **read or write**: a write returns the core's :class:`~villagehelper.store.changelog.
  Changes` (or a result with a ``changes`` attribute); after the success callback, they
  are announced on the change hub once, even when the owner is gone, so every screen
  showing those records refreshes. A write whose owner is gone still reports a failure
  through the window's feedback: a lost save is never silent;
- **latest only**: ``.latest_only(key)`` keeps only the newest of an owner's operations
  with that key (a search answered after newer text was typed is dropped, and one that
  had not started yet is not even run);
- **progress**: ``.with_progress(label)`` shows a dialog if the work takes long;
- **failures**: ``.failure(callback)`` takes them; without it a :class:`UserError` is
  shown in plain words and anything else logged and apologised for (the worker's
  ``sig_user_error``/``sig_bug``, shown by the main window).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from villagehelper.store.changelog import Changes
    from villagehelper.ui.shell.executor import Worker

T = TypeVar("T")


class Operation(Generic[T]):
    """Work for a worker thread plus what to do with its answer on the GUI thread."""

    def __init__(
        self, worker: Worker, owner: QObject | None, work: Callable[[], T], *, writes: bool
    ) -> None:
        self._worker = worker
        self.owner = owner
        self.work = work
        self.writes = writes
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self.progress_label: str | None = None
        self.latest_key: Hashable | None = None

    def success(self, callback: Callable[[T], None]) -> Operation[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Operation[T]:
        self._on_failure = callback
        return self

    def with_progress(self, label: str) -> Operation[T]:
        """Show ``label`` in a progress dialog (over the owner) if the work takes long."""
        self.progress_label = label
        return self

    def latest_only(self, key: Hashable = "") -> Operation[T]:
        """Only the newest of the owner's operations with ``key`` is answered."""
        if self.writes:
            raise ValueError("a write is never skipped: latest_only is for reads")
        self.latest_key = key
        return self

    def run(self) -> None:
        self._worker.submit(self)

    # --- called by the worker, on the GUI thread -------------------------------------

    def owner_alive(self) -> bool:
        return self.owner is None or shiboken6.isValid(self.owner)

    def deliver(self, result: T) -> None:
        """The work succeeded: the owner's callback (if it is still there), then the
        announcement of a write's changes."""
        changes = changes_of(result) if self.writes else None
        try:
            if self._on_success is not None and self.owner_alive():
                self._on_success(result)
        finally:
            hub = self._worker.hub
            if changes and hub is not None:
                hub.sig_changed.emit(changes)

    def deliver_failure(self, error: BaseException) -> bool:
        """Hand ``error`` to the failure callback; ``False`` when the worker's own
        feedback should tell it (no callback, or the owner of a write is gone)."""
        if not self.owner_alive():
            return not self.writes  # a read's answer nobody waits for is dropped
        if self._on_failure is None:
            return False
        self._on_failure(error)
        return True


def changes_of(result: object) -> Changes:
    """The :class:`Changes` a write operation returned, itself or as ``.changes``."""
    from villagehelper.store.changelog import Changes  # loaded by the worker already

    if isinstance(result, Changes):
        return result
    changes = getattr(result, "changes", None)
    if isinstance(changes, Changes):
        return changes
    raise TypeError(
        f"a write operation returns the Changes it made, or a result carrying them as "
        f"'changes'; this one returned {type(result).__name__}"
    )


def read_op(worker: Worker, owner: QObject | None, work: Callable[[], T]) -> Operation[T]:
    """An operation that changes no records (a query, a file, a key check)."""
    return Operation(worker, owner, work, writes=False)


def write_op(worker: Worker, owner: QObject | None, work: Callable[[], T]) -> Operation[T]:
    """An operation that changes records and returns the :class:`Changes` it made."""
    return Operation(worker, owner, work, writes=True)
