"""The leader-only area: settings, conflict resolution, exports of residents' personal
data, erasure.  Every such action goes through :func:`when_leader`, so the rule lives in
one place and a screen added later cannot forget it.

The person at the laptop is the team member chosen as the one logging
(``ctx.volunteer_id``).  Who is a leader is decided by the team in the database, never by
the key file (whose names are only hints for the lock screen).

- While no leader has a PIN, a leader logging goes straight on; anyone else is told that
  the action is the leader's, and nothing happens.
- Once a leader has a PIN, choosing a leader as the one logging is not enough (anyone
  can choose a name with F9): a leader goes straight on only after unlocking the app
  with their own PIN.  Otherwise a leader picks their name and types their PIN to allow
  this one action; nothing is remembered after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from villagehelper.keys.key_file import Keyring, PinHolder
from villagehelper.ui.lock.pin_prompt import PinPrompt, Unlocked
from villagehelper.ui.shell.context import AppContext


@dataclass(frozen=True)
class LeaderCheck:
    """What the gate needs to know, read on the database worker."""

    me_is_leader: bool
    me_proven: bool  # the one logging unlocked the app with their own PIN
    leaders_with_pin: list[PinHolder]

    @property
    def goes_straight_on(self) -> bool:
        return self.me_is_leader and (not self.leaders_with_pin or self.me_proven)


def check_leader(ctx: AppContext) -> LeaderCheck:
    """Run on the database worker: the team from the store, the PINs from the key file."""
    from villagehelper.ops.team import list_team_members

    leaders = {m.id for m in list_team_members(ctx.store) if m.is_leader}
    holders = Keyring.load(ctx.data_dir).members_with_pin()
    me = ctx.volunteer_id
    return LeaderCheck(
        me_is_leader=me in leaders,
        me_proven=me is not None and ctx.unlocked_by == me,
        leaders_with_pin=[h for h in holders if h.member_id in leaders],
    )


def when_leader(
    parent: QWidget, ctx: AppContext, action: str, proceed: Callable[[], object]
) -> None:
    """Run ``proceed`` (on the GUI thread) once the person at the laptop is known to be
    a leader; ``action`` names what they asked for, in the message shown otherwise."""
    when_leader_allows(parent, ctx, action, lambda _leader: proceed())


def when_leader_allows(
    parent: QWidget, ctx: AppContext, action: str, proceed: Callable[[str], object]
) -> None:
    """:func:`when_leader`, handing ``proceed`` the id of the leader who allowed it (the
    one logging, or the one who typed their PIN): an erasure is recorded as theirs."""

    def decide(check: LeaderCheck) -> None:
        if check.goes_straight_on and ctx.volunteer_id is not None:
            proceed(ctx.volunteer_id)
        elif check.leaders_with_pin:
            ask_leader(parent, ctx, action, check.leaders_with_pin, proceed)
        else:
            QMessageBox.information(
                parent,
                # Literal translate() calls: lupdate finds the strings only written so.
                QCoreApplication.translate("LeaderGate", "Chỉ dành cho tổ trưởng"),
                QCoreApplication.translate(
                    "LeaderGate", "“%1” chỉ tổ trưởng làm được. Hãy nhờ tổ trưởng của tổ."
                ).replace("%1", action),
            )

    ctx.read(parent, lambda: check_leader(ctx)).success(decide).run()


class LeaderGuard(QObject):
    """Leader-only controls of a screen (the settings page), disabled once a leader has a
    PIN until a leader allows them; allowed until :meth:`refresh` runs again (the page
    is shown anew, the window locks, someone else logs).  While no leader has a PIN they
    stay open to all, as before PINs existed: anyone can choose to log as the leader
    then, so a gate would protect nothing and only hinder a team without PINs."""

    def __init__(self, parent: QWidget, ctx: AppContext, action: str, note: str) -> None:
        super().__init__(parent)
        self._parent = parent
        self._ctx = ctx
        self._action = action
        self._controls: list[QWidget] = []
        self._closed = False
        self.banner = QWidget(parent)
        self.banner.setObjectName("leaderGuardBanner")
        told = QLabel(note, self.banner)
        told.setWordWrap(True)
        self.allow_button = QPushButton(self.tr("Mở phần của tổ trưởng…"), self.banner)
        self.allow_button.setObjectName("allowLeaderSettings")
        self.allow_button.clicked.connect(self.ask)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(told, 1)
        row.addWidget(self.allow_button)
        self.banner.hide()

    def guard(self, *controls: QWidget) -> None:
        for control in controls:
            self._controls.append(control)
            control.setEnabled(not self._closed)

    @property
    def closed(self) -> bool:
        return self._closed

    def refresh(self) -> None:
        ctx = self._ctx
        ctx.read(self._parent, lambda: check_leader(ctx)).success(self._apply).run()

    def _apply(self, check: LeaderCheck) -> None:
        self._set_closed(bool(check.leaders_with_pin) and not check.goes_straight_on)

    def _set_closed(self, closed: bool) -> None:
        self._closed = closed
        for control in self._controls:
            if shiboken6.isValid(control):
                control.setEnabled(not closed)
        self.banner.setVisible(closed)

    def ask(self) -> None:
        when_leader(self._parent, self._ctx, self._action, lambda: self._set_closed(False))


class LeaderPermission(QDialog):
    """A leader allows one action on a laptop where someone else is logging."""

    def __init__(
        self, parent: QWidget, ctx: AppContext, action: str, leaders: Sequence[PinHolder]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("leaderPermission")
        self.setWindowTitle(self.tr("Cần tổ trưởng cho phép"))
        self.allowed_by: str | None = None
        question = QLabel(
            self.tr(
                "“%1” chỉ tổ trưởng làm được. Tổ trưởng chọn tên và nhập mã PIN để cho phép."
            ).replace("%1", action),
            self,
        )
        question.setWordWrap(True)
        self.prompt = PinPrompt(
            ctx.data_dir, ctx.key_worker, ctx.preferences.language, self.tr("Cho phép"), self
        )
        self.prompt.set_holders(leaders, ctx.volunteer_id)
        self.prompt.sig_verified.connect(self._verified)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.prompt, 1)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 64, metrics.height() * 22)
        self.prompt.pin.setFocus()

    def _verified(self, unlocked: Unlocked) -> None:
        self.allowed_by = unlocked.member_id
        self.accept()


def ask_leader(
    parent: QWidget,
    ctx: AppContext,
    action: str,
    leaders: Sequence[PinHolder],
    proceed: Callable[[str], object],
) -> LeaderPermission:
    dialog = LeaderPermission(parent, ctx, action, leaders)
    dialog.accepted.connect(lambda: proceed(dialog.allowed_by or ""))
    dialog.finished.connect(lambda _result: dialog.deleteLater())
    dialog.open()
    return dialog
