"""What every screen is handed: the store, the database worker, preferences, and the
one hub that tells screens what an operation changed (no global "reload everything").

Screens run their work with :meth:`AppContext.read` and :meth:`AppContext.write`
(:mod:`villagehelper.ui.shell.operations`); the store refuses the GUI thread, which
the context names to it (:mod:`villagehelper.store.thread_guard`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from villagehelper.logs import log_path
from villagehelper.preferences import Preferences, save_preferences
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.operations import Operation, read_op, write_op

if TYPE_CHECKING:  # loaded by the database worker, not at start-up
    from villagehelper.store.engine import Store

T = TypeVar("T")


class ChangeHub(QObject):
    sig_changed = Signal(object)
    """An operation changed records: the argument is its :class:`Changes`."""
    sig_volunteer_changed = Signal(object)
    """The team member logging on this laptop changed (id or ``None``)."""


class AppContext:
    """The store may arrive after the window: at start-up it is opened by the database
    worker while the window is already on screen.  Operations run on that same worker,
    after the opening, so they read ``ctx.store`` inside the work they submit."""

    def __init__(
        self,
        store: Store | None,
        executor: Worker,
        preferences: Preferences,
        hub: ChangeHub | None = None,
        *,
        data_dir: Path | None = None,
        data_key: bytes | None = None,
    ) -> None:
        if store is None and data_dir is None:
            raise ValueError("give the store or the folder it will be opened from")
        # Built on the GUI thread: the thread the store is told to refuse.
        self._gui_thread = threading.get_ident()
        self._store: Store | None = None
        if store is not None:
            self.attach_store(store)
        self._data_dir = store.data_dir if store is not None else data_dir
        self.executor = executor
        executor.folder = self._data_dir
        self.preferences = preferences
        self.hub = hub or ChangeHub()
        executor.hub = self.hub  # write operations announce their changes here
        # The laptop's data key (villagehelper.keys), known once the app is unlocked;
        # None where no key was given (tests that build a context by hand).
        self.data_key = data_key
        # The team member who last proved who they are with their PIN on this run: the
        # leader-only area trusts only them, not whoever was merely chosen as logging.
        self.unlocked_by: str | None = None
        self._key_worker: Worker | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is not open yet: read it inside an operation")
        return self._store

    @property
    def has_store(self) -> bool:
        return self._store is not None

    def attach_store(self, store: Store) -> None:
        """Hand over the opened store (on the database worker at start-up); from now on
        it refuses the GUI thread."""
        store.guard.forbid(self._gui_thread)
        self._store = store

    def read(self, owner: QObject | None, work: Callable[[], T]) -> Operation[T]:
        """A query (or other work that changes no records) on the database worker."""
        return read_op(self.executor, owner, work)

    def write(self, owner: QObject | None, work: Callable[[], T]) -> Operation[T]:
        """A change on the database worker; ``work`` returns the Changes it made."""
        return write_op(self.executor, owner, work)

    @property
    def data_dir(self) -> Path:
        assert self._data_dir is not None
        return self._data_dir

    @property
    def key_worker(self) -> Worker:
        """A worker of its own for PIN checks (scrypt is slow by design): neither the
        window nor queued saves wait for one. It reads and writes the key file, never
        the database."""
        if self._key_worker is None:
            self._key_worker = Worker(name="villagehelper-keys")
        return self._key_worker

    def shutdown_key_worker(self) -> None:
        if self._key_worker is not None:
            self._key_worker.shutdown()

    @property
    def log_file(self) -> Path:
        return log_path(self.data_dir)

    @property
    def volunteer_id(self) -> str | None:
        return self.preferences.volunteer_id

    def update_preferences(self, **changes: object) -> None:
        before = self.preferences
        self.preferences = before.with_changes(**changes)
        save_preferences(self.data_dir, self.preferences)
        if self.preferences.volunteer_id != before.volunteer_id:
            self.hub.sig_volunteer_changed.emit(self.preferences.volunteer_id)
