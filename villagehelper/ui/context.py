"""What every screen is handed: the store, the database executor, preferences, and the
one hub that tells screens what an operation changed (no global "reload everything")."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from villagehelper.logs import log_path
from villagehelper.preferences import Preferences, save_preferences
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.ui.executor import DbExecutor


class ChangeHub(QObject):
    sig_changed = Signal(object)
    """An operation changed records: the argument is its :class:`Changes`."""
    sig_volunteer_changed = Signal(object)
    """The team member logging on this laptop changed (id or ``None``)."""


@dataclass
class AppContext:
    store: Store
    executor: DbExecutor
    preferences: Preferences
    hub: ChangeHub = field(default_factory=ChangeHub)

    @property
    def data_dir(self) -> Path:
        return self.store.data_dir

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

    def announce(self, changes: Changes) -> None:
        if changes:
            self.hub.sig_changed.emit(changes)
