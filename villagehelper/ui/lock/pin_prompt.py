"""Who are you? — a list of the team members with a PIN and a field for the PIN.

Shared by the lock screen and the leader's permission dialog.  The PIN is checked by
the keyring on a worker thread: scrypt takes a good part of a second by design, and the
window must not freeze meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from villagehelper.errors import UserError
from villagehelper.keys.key_file import Keyring, PinHolder
from villagehelper.keys.pin_rules import PIN_MAX_DIGITS
from villagehelper.text import name_sort_key
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.operations import read_op
from villagehelper.ui.widgets.choice_lists import (
    ArrowKeysMoveList,
    TeamMemberModel,
    make_choice_list,
    select_row,
    selected_row,
)

ERROR_STYLE = "color: #b00020;"


@dataclass(frozen=True)
class Unlocked:
    """A team member proved who they are: their id and the laptop's data key (``None``
    as the id when nobody has a PIN and the app opened without asking)."""

    member_id: str | None
    data_key: bytes


class PinPrompt(QWidget):
    """Choose your name (↑/↓ work from the PIN field), type the PIN, Enter."""

    sig_verified = Signal(object)
    """The PIN was right: the argument is an :class:`Unlocked`."""

    def __init__(
        self,
        data_dir: Path,
        worker: Worker,
        language: str,
        button_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._worker = worker
        self._language = language
        self.model = TeamMemberModel[PinHolder](self)
        self.members = make_choice_list(self.model, "pinMembers")
        self.members.setParent(self)
        self.members.setMaximumHeight(self.fontMetrics().height() * 12)  # a team is small
        who = QLabel(self.tr("&Tên bạn:"), self)
        who.setBuddy(self.members)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("pinField")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_MAX_DIGITS)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]*"), self.pin))
        self.pin.setPlaceholderText(self.tr("6–8 chữ số"))
        self.pin.returnPressed.connect(self.submit)
        ArrowKeysMoveList(self.pin, self.members)
        pin_label = QLabel(self.tr("&Mã PIN:"), self)
        pin_label.setBuddy(self.pin)
        self.submit_button = QPushButton(button_text, self)
        self.submit_button.setObjectName("pinSubmit")
        self.submit_button.clicked.connect(self.submit)
        self.message = QLabel(self)
        self.message.setObjectName("pinMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(who)
        layout.addWidget(self.members, 1)
        layout.addWidget(pin_label)
        layout.addWidget(self.pin)
        layout.addWidget(self.submit_button)
        layout.addWidget(self.message)
        self.setFocusProxy(self.pin)

    def set_holders(self, holders: Sequence[PinHolder], preferred: str | None = None) -> None:
        ordered = sorted(holders, key=lambda holder: name_sort_key(holder.full_name))
        self.model.set_rows(ordered)
        ids = [holder.member_id for holder in ordered]
        select_row(self.members, ids.index(preferred) if preferred in ids else 0)

    def chosen(self) -> PinHolder | None:
        row = selected_row(self.members)
        return None if row is None else self.model.row(row)

    def clear(self) -> None:
        self.pin.clear()
        self.message.clear()
        self.submit_button.setEnabled(True)

    def submit(self) -> None:
        holder = self.chosen()
        pin = self.pin.text()
        if holder is None or not self.submit_button.isEnabled():
            return
        if not pin:
            self.message.setText(self.tr("Hãy nhập mã PIN của bạn."))
            return
        self.submit_button.setEnabled(False)
        self.message.setText(self.tr("Đang kiểm tra…"))
        data_dir, member_id = self._data_dir, holder.member_id

        def check() -> Unlocked:
            return Unlocked(member_id, Keyring.load(data_dir).unlock(member_id, pin))

        read_op(self._worker, self, check).success(self._verified).failure(self._refused).run()

    def _verified(self, unlocked: Unlocked) -> None:
        self.clear()
        self.sig_verified.emit(unlocked)

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, UserError):
            text = error.message(self._language)
        else:  # already logged with its traceback by the worker
            text = self.tr("Không kiểm tra được mã PIN do lỗi ngoài dự kiến.")
        self.pin.clear()
        self.message.setText(text)
        self.submit_button.setEnabled(True)
        self.pin.setFocus()
