"""Locking the running window: its contents give way to the lock screen.

While locked, the window shows nothing of the residents' data: the screens are swapped
for the lock screen, the window's open dialogs (household pages, conflicts, messages)
are hidden — and shown again, as they were, after unlocking — and its shortcuts are off.
Saves already queued and the sync carry on: they run on their own workers.

Without any PIN on the laptop there is nobody to unlock with, so the window does not
lock (the settings page says the data is unprotected).
"""

from __future__ import annotations

from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QStackedWidget, QWidget

from villagehelper.keys.key_file import Keyring, PinHolder
from villagehelper.ui.lock.inactivity import InactivityWatch
from villagehelper.ui.lock.lock_screen import LockScreen
from villagehelper.ui.lock.pin_prompt import Unlocked
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.operations import read_op


class WindowLock(QObject):
    sig_locked = Signal()
    """The window's contents are covered by the lock screen."""
    sig_unlocked = Signal(str)
    """A member unlocked (and is now the one logging): the argument is their id."""

    def __init__(self, window: QMainWindow, body: QWidget, ctx: AppContext, place: str) -> None:
        super().__init__(window)
        self._window = window
        self._ctx = ctx
        self.pages = QStackedWidget(window)
        self.pages.setObjectName("lockPages")
        self.body = body
        self.pages.addWidget(body)
        self.screen = LockScreen(
            ctx.data_dir, ctx.key_worker, ctx.preferences.language, place, self.pages
        )
        self.screen.sig_unlocked.connect(self._uncover)
        self.pages.addWidget(self.screen)
        window.setCentralWidget(self.pages)
        self.idle = InactivityWatch(ctx.preferences.lock_after_minutes, self)
        self.idle.sig_idle.connect(self.lock)
        self._hidden: list[QWidget] = []
        self._disabled: list[QShortcut] = []
        self.idle.resume()

    @property
    def is_locked(self) -> bool:
        return self.pages.currentWidget() is self.screen

    def set_minutes(self, minutes: int) -> None:
        self.idle.set_minutes(minutes)

    def lock(self) -> None:
        """Lock now if anyone has a PIN (after inactivity: silently nothing otherwise)."""
        self._ask_holders(tell_if_none=False)

    def lock_now(self) -> None:
        """ "Khóa ngay": as :meth:`lock`, but say why nothing happens without PINs."""
        self._ask_holders(tell_if_none=True)

    def _ask_holders(self, *, tell_if_none: bool) -> None:
        if self.is_locked:
            return
        data_dir = self._ctx.data_dir
        # Owned by the pages: the answer is dropped once the window is gone.
        read_op(
            self._ctx.key_worker, self.pages, lambda: Keyring.load(data_dir).members_with_pin()
        ).success(lambda holders: self._cover(holders, tell_if_none)).run()

    def _cover(self, holders: Sequence[PinHolder], tell_if_none: bool) -> None:
        if self.is_locked:
            return
        if not holders:
            self.idle.resume()
            if tell_if_none:
                QMessageBox.information(
                    self._window,
                    self.tr("Chưa khóa được"),
                    self.tr(
                        "Chưa thành viên nào đặt mã PIN, nên không có gì để mở khóa. Hãy đặt "
                        "mã PIN trong Cài đặt (F6) trước."
                    ),
                )
            return
        self.idle.pause()
        self._hidden = [w for w in QApplication.topLevelWidgets() if self._owned_and_shown(w)]
        for widget in self._hidden:
            widget.hide()
        self._disabled = [s for s in self._window.findChildren(QShortcut) if s.isEnabled()]
        for shortcut in self._disabled:
            shortcut.setEnabled(False)
        self.pages.setCurrentWidget(self.screen)
        # A hidden dialog had the keyboard: give it back to the window, to the PIN field.
        self._window.activateWindow()
        self.screen.show_holders(holders, self._ctx.volunteer_id)
        self.sig_locked.emit()

    def _owned_and_shown(self, widget: QWidget) -> bool:
        if widget is self._window or not widget.isVisible():
            return False
        parent = widget.parentWidget()
        while parent is not None:
            if parent is self._window:
                return True
            parent = parent.parentWidget()
        return False

    def _uncover(self, unlocked: Unlocked) -> None:
        assert unlocked.member_id is not None
        self._ctx.unlocked_by = unlocked.member_id
        self._ctx.update_preferences(volunteer_id=unlocked.member_id)
        self.pages.setCurrentWidget(self.body)
        for shortcut in self._disabled:
            if shiboken6.isValid(shortcut):
                shortcut.setEnabled(True)
        for widget in self._hidden:
            if shiboken6.isValid(widget):
                widget.show()
        self._hidden, self._disabled = [], []
        self.idle.resume()
        self.sig_unlocked.emit(unlocked.member_id)
