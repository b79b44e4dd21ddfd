"""Settings → PINs and the screen lock: my PIN, a leader resetting someone's forgotten
PIN, how soon the window locks, and a plain line saying whether the data is protected.

Every member may set or change their own PIN (changing asks the current one).  A leader
setting a first PIN while other leaders have one, and resetting anyone else's PIN, go
through the leader gate.  The key file is read and written on the PIN worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from villagehelper.errors import UserError
from villagehelper.keys.key_file import Keyring, PinHolder
from villagehelper.keys.pin_rules import PIN_MAX_DIGITS, check_pin_rules
from villagehelper.ops.team import TeamMemberInfo, list_team_members
from villagehelper.preferences import LONGEST_LOCK_MINUTES
from villagehelper.text import name_sort_key
from villagehelper.ui.lock.leader_gate import when_leader
from villagehelper.ui.lock.pin_prompt import ERROR_STYLE
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.operations import read_op


@dataclass(frozen=True)
class PinState:
    team: list[TeamMemberInfo]
    holders: list[PinHolder]

    def has_pin(self, member_id: str | None) -> bool:
        return any(h.member_id == member_id for h in self.holders)

    def member(self, member_id: str | None) -> TeamMemberInfo | None:
        return next((m for m in self.team if m.id == member_id), None)


def pin_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(PIN_MAX_DIGITS)
    field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]*"), field))
    return field


class PinSettings(QGroupBox):
    sig_pins_changed = Signal()
    """A PIN was set, changed or removed."""
    sig_lock_minutes_changed = Signal(int)
    """How many minutes without input lock the window (0: never)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._state = PinState([], [])
        self.setTitle(self.tr("Mã PIN và khóa màn hình"))
        self.protection = QLabel(self)
        self.protection.setObjectName("protectionStatus")
        self.protection.setWordWrap(True)
        self.my_pin = QPushButton(self.tr("Đặt mã PIN của tôi…"), self)
        self.my_pin.setObjectName("myPin")
        self.my_pin.clicked.connect(self.edit_my_pin)
        self.reset_choice = QComboBox(self)
        self.reset_choice.setObjectName("resetPinChoice")
        self.reset_button = QPushButton(self.tr("Xóa mã PIN để đặt lại"), self)
        self.reset_button.setObjectName("resetPin")
        self.reset_button.clicked.connect(self.reset_chosen)
        reset_row = QHBoxLayout()
        reset_row.addWidget(self.reset_choice, 1)
        reset_row.addWidget(self.reset_button)
        self.lock_minutes = QSpinBox(self)
        self.lock_minutes.setObjectName("lockAfterMinutes")
        self.lock_minutes.setRange(0, LONGEST_LOCK_MINUTES)
        self.lock_minutes.setSpecialValueText(self.tr("Không bao giờ"))
        self.lock_minutes.setSuffix(self.tr(" phút"))
        self.lock_minutes.setValue(ctx.preferences.lock_after_minutes)
        self.lock_minutes.valueChanged.connect(self._lock_minutes_changed)
        lock_label = QLabel(self.tr("&Khóa màn hình sau"), self)
        lock_label.setBuddy(self.lock_minutes)
        mine_row = QHBoxLayout()  # one row for both: the settings page is long already
        mine_row.addWidget(self.my_pin, 1)
        mine_row.addSpacing(self.fontMetrics().averageCharWidth() * 3)
        mine_row.addWidget(lock_label)
        mine_row.addWidget(self.lock_minutes)
        form = QFormLayout(self)
        form.addRow("", self.protection)
        form.addRow(self.tr("Mã PIN của tôi"), mine_row)
        form.addRow(self.tr("Đặt lại mã PIN (tổ trưởng)"), reset_row)
        ctx.hub.sig_volunteer_changed.connect(self._volunteer_changed)
        self.refresh()

    def _volunteer_changed(self, _volunteer_id: object) -> None:
        self.refresh()  # a slot of this widget: Qt disconnects it when the page goes

    def refresh(self) -> None:
        ctx = self._ctx

        def read() -> PinState:
            holders = Keyring.load(ctx.data_dir).members_with_pin()
            return PinState(list_team_members(ctx.store), holders)

        ctx.read(self, read).success(self._show).run()

    def _show(self, state: PinState) -> None:
        self._state = state
        count = len(state.holders)
        if count == 0:
            self.protection.setText(self.tr("Chưa đặt mã PIN: ai mở máy cũng xem được dữ liệu."))
            self.protection.setStyleSheet(ERROR_STYLE)
        else:
            self.protection.setText(
                self.tr(
                    "%1 thành viên đã đặt mã PIN: phải nhập mã PIN mới mở được ứng dụng. "
                    "Quên mã PIN thì nhờ tổ trưởng đặt lại."
                ).replace("%1", str(count))
            )
            self.protection.setStyleSheet("")
        mine = state.has_pin(self._ctx.volunteer_id)
        self.my_pin.setText(
            self.tr("Đổi mã PIN của tôi…") if mine else self.tr("Đặt mã PIN của tôi…")
        )
        self.my_pin.setEnabled(state.member(self._ctx.volunteer_id) is not None)
        self.reset_choice.clear()
        others = [h for h in state.holders if h.member_id != self._ctx.volunteer_id]
        for holder in sorted(others, key=lambda h: name_sort_key(h.full_name)):
            self.reset_choice.addItem(holder.full_name, holder.member_id)
        self.reset_button.setEnabled(bool(others))

    # --- my PIN -------------------------------------------------------------------

    def edit_my_pin(self) -> QDialog | None:
        me = self._state.member(self._ctx.volunteer_id)
        if me is None:
            return None
        changing = self._state.has_pin(me.id)
        dialog = SetPinDialog(self._ctx, me, changing=changing, parent=self)
        dialog.accepted.connect(self._pins_changed)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        other_leaders = any(
            h.member_id != me.id and (m := self._state.member(h.member_id)) and m.is_leader
            for h in self._state.holders
        )
        if me.is_leader and not changing and other_leaders:
            # A first PIN for a leader makes them a leader with a PIN: another leader
            # allows it, or anyone could claim a leader's name and give it a PIN.
            when_leader(self, self._ctx, self.tr("Đặt mã PIN của tổ trưởng"), dialog.open)
        else:
            dialog.open()
        return dialog

    # --- a leader resets a PIN -----------------------------------------------------

    def reset_chosen(self) -> None:
        member_id = self.reset_choice.currentData()
        name = self.reset_choice.currentText()
        if not isinstance(member_id, str):
            return
        when_leader(
            self, self._ctx, self.tr("Đặt lại mã PIN"), lambda: self._confirm_reset(member_id, name)
        )

    def _confirm_reset(self, member_id: str, name: str) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Xóa mã PIN?"),
            self.tr(
                "Xóa mã PIN của %1? Người này sẽ đặt mã PIN mới trong Cài đặt khi đang là "
                "người ghi."
            ).replace("%1", name),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_pin(member_id)

    def remove_pin(self, member_id: str) -> None:
        ctx = self._ctx

        def remove() -> None:
            keyring = Keyring.load(ctx.data_dir)
            key = ctx.data_key if ctx.data_key is not None else keyring.data_key()
            keyring.remove_pin(member_id, key)

        read_op(ctx.key_worker, self, remove).success(lambda _none: self._pins_changed()).run()

    def _pins_changed(self) -> None:
        self.refresh()
        self.sig_pins_changed.emit()

    # --- screen lock ----------------------------------------------------------------

    def _lock_minutes_changed(self, minutes: int) -> None:
        self._ctx.update_preferences(lock_after_minutes=minutes)
        self.sig_lock_minutes_changed.emit(minutes)


class SetPinDialog(QDialog):
    """Set (or change, after the current PIN) the PIN of the one logging."""

    def __init__(
        self, ctx: AppContext, me: TeamMemberInfo, *, changing: bool, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._me = me
        self._changing = changing
        self.setObjectName("setPinDialog")
        self.setWindowTitle(self.tr("Mã PIN của %1").replace("%1", me.full_name))
        advice = QLabel(
            self.tr(
                "Chọn 4 đến 8 chữ số, không lặp một chữ số (1111), không theo dãy (1234). "
                "Mã dài hơn thì an toàn hơn. Đừng cho người khác biết."
            ),
            self,
        )
        advice.setWordWrap(True)
        self.current = pin_field(self, "currentPin")
        self.new_pin = pin_field(self, "newPin")
        self.repeat = pin_field(self, "repeatPin")
        self.repeat.returnPressed.connect(self.save)
        self.message = QLabel(self)
        self.message.setObjectName("setPinMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        form = QFormLayout()
        if changing:
            form.addRow(self.tr("Mã PIN hiện tại"), self.current)
        else:
            self.current.hide()
        form.addRow(self.tr("Mã PIN mới"), self.new_pin)
        form.addRow(self.tr("Nhập lại mã PIN mới"), self.repeat)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(
            self.tr("Lưu mã PIN"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("savePin")
        buttons.addButton(self.tr("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(advice)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 64, self.sizeHint().height())
        (self.current if changing else self.new_pin).setFocus()

    def save(self) -> None:
        new_pin, current = self.new_pin.text(), self.current.text()
        try:
            check_pin_rules(new_pin)
            if self.repeat.text() != new_pin:
                raise UserError(
                    "Hai lần nhập mã PIN mới không giống nhau. Hãy nhập lại.",
                    "The two new PINs differ. Type them again.",
                )
        except UserError as error:
            self.message.setText(error.message(self._ctx.preferences.language))
            return
        ctx, me, changing = self._ctx, self._me, self._changing

        def store_pin() -> None:
            keyring = Keyring.load(ctx.data_dir)
            if changing:
                keyring.change_pin(me.id, current, new_pin)
                return
            key = ctx.data_key if ctx.data_key is not None else keyring.data_key()
            keyring.set_pin(me.id, me.full_name, new_pin, key, is_leader=me.is_leader)

        self.save_button.setEnabled(False)
        self.message.setText(self.tr("Đang lưu…"))
        read_op(ctx.key_worker, self, store_pin).success(lambda _none: self.accept()).failure(
            self._refused
        ).run()

    def _refused(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, UserError):
            self.message.setText(error.message(self._ctx.preferences.language))
        else:
            self.message.setText(self.tr("Không lưu được mã PIN do lỗi ngoài dự kiến."))
        self.current.clear()
