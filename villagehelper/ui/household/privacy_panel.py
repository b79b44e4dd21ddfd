"""The household page's privacy row, under the members table: the chosen person's
consent (with the day and who recorded it) and the residents' rights — record or
withdraw consent, hand over what the team holds about them, erase their data at their
request.

Exports of what is held and erasures are the leader's (``leader_gate.when_leader``);
recording consent is anyone's, as it is done at the cultural house in front of the
resident.  Every action is a core operation run on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import format_vn_date
from villagehelper.ops.households import HouseholdDetail, MemberInfo
from villagehelper.text import format_number
from villagehelper.ui.lock.leader_gate import when_leader_allows
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_failure


class PrivacyPanel(QWidget):
    """Consent and personal data of the person chosen in the members table."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._household: HouseholdDetail | None = None
        self._member: MemberInfo | None = None
        self._allowed_by: str | None = None  # the leader who allowed the action under way
        self._folder = str(Path.home())
        self.setObjectName("privacyPanel")
        self.consent_label = QLabel()
        self.consent_label.setObjectName("consentLabel")
        self.consent_label.setWordWrap(True)
        self.consent_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label = QLabel()
        self.status_label.setObjectName("privacyStatusLabel")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.consent_button = self._button("consentButton", self.toggle_consent)
        self.export_button = self._button("exportHeldDataButton", self.export_held_data)
        self.export_button.setText(self.tr("Xuất dữ liệu của người này…"))
        self.erase_button = self._button("eraseButton", self.erase)
        self.erase_button.setText(self.tr("Xóa dữ liệu theo yêu cầu…"))
        row = QHBoxLayout()
        for button in (self.consent_button, self.export_button, self.erase_button):
            row.addWidget(button)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.consent_label)
        column.addLayout(row)
        column.addWidget(self.status_label)
        self.status_label.hide()
        self.show_member(None, None)

    def _button(self, name: str, action: Callable[[], object]) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(action)
        return button

    # --- what is shown ----------------------------------------------------------------

    def show_member(self, household: HouseholdDetail | None, member: MemberInfo | None) -> None:
        self._household, self._member = household, member
        self.consent_label.setText(self.consent_text(member))
        withdraw = member is not None and member.consent
        self.consent_button.setText(
            self.tr("Rút lại đồng ý") if withdraw else self.tr("Ghi nhận đồng ý")
        )
        usable = member is not None and not member.erased
        self.consent_button.setEnabled(usable)
        self.export_button.setEnabled(member is not None)
        self.erase_button.setEnabled(household is not None and not household.erased)

    def consent_text(self, member: MemberInfo | None) -> str:
        if member is None:
            return self.tr("Chọn một nhân khẩu để xem việc đồng ý lưu thông tin.")
        if member.erased:
            return self.tr("Dữ liệu của người này đã được xóa theo yêu cầu.")
        lines = []
        if member.consent_date is not None:
            line = self.tr("Đồng ý cho lưu thông tin ngày %1").replace(
                "%1", format_vn_date(member.consent_date)
            )
            if member.consent_recorded_by:
                line += self.tr(", ghi nhận bởi %1").replace("%1", member.consent_recorded_by)
            lines.append(line)
        if member.consent_withdrawn_date is not None and not member.consent:
            line = self.tr("Đã rút lại đồng ý ngày %1").replace(
                "%1", format_vn_date(member.consent_withdrawn_date)
            )
            if member.consent_withdrawn_by:
                line += self.tr(", ghi nhận bởi %1").replace("%1", member.consent_withdrawn_by)
            lines.append(line)
        if not lines:
            lines.append(
                self.tr("%1 chưa đồng ý cho lưu thông tin.").replace("%1", member.full_name)
            )
        return "\n".join(lines)

    def _say(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    # --- consent ----------------------------------------------------------------------

    def _recorder(self) -> str | None:
        """The team member at the laptop (the one who proved it with a PIN, if any)."""
        recorder = self._ctx.unlocked_by or self._ctx.volunteer_id
        if recorder is None:
            QMessageBox.information(
                self,
                self.tr("Chưa chọn người nhập"),
                self.tr("Hãy chọn thành viên tổ đang nhập liệu trước."),
            )
        return recorder

    def toggle_consent(self) -> None:
        member, recorder = self._member, self._recorder()
        if member is None or recorder is None:
            return
        store = self._ctx.store
        member_id, withdraw = member.id, member.consent

        def work() -> Any:
            from villagehelper.ops import consent

            if withdraw:
                return consent.withdraw_consent(store, member_id, recorder)
            return consent.record_consent(store, member_id, recorder)

        done = (
            self.tr("Đã ghi nhận %1 rút lại đồng ý.")
            if withdraw
            else self.tr("Đã ghi nhận %1 đồng ý cho lưu thông tin.")
        ).replace("%1", member.full_name)

        self._run(work, lambda _result: self._say(done))

    def _run(
        self, work: Callable[[], Any], success: Callable[[Any], None], *, writes: bool = True
    ) -> None:
        """What a write changed is announced by the operation, panel or not."""
        operation = self._ctx.write(self, work) if writes else self._ctx.read(self, work)
        operation.success(success).failure(
            lambda error: show_failure(self, error, self._ctx.log_file)
        ).run()

    # --- what we hold -----------------------------------------------------------------

    def ask_path(self, title: str, name: str) -> Path | None:
        """Where to save the file (``None``: cancelled); ``.txt`` is added when left out."""
        chosen, _ = QFileDialog.getSaveFileName(
            self, title, str(Path(self._folder) / name), self.tr("Tệp văn bản (*.txt)")
        )
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".txt":
            path = path.with_name(path.name + ".txt")
        self._folder = str(path.parent)
        return path

    def export_held_data(self) -> None:
        if self._member is None:
            return
        when_leader_allows(
            self, self._ctx, self.tr("Xuất dữ liệu của người này"), self._as_allowed(self._export)
        )

    def _as_allowed(self, then: Callable[[], object]) -> Callable[[str], None]:
        def allowed(leader_id: str) -> None:
            self._allowed_by = leader_id or None
            then()

        return allowed

    def _leader_acting(self) -> str | None:
        """Who does a leader's action: the leader who allowed it, else the one at the
        laptop (the one who proved it with a PIN first)."""
        return self._allowed_by or self._ctx.unlocked_by or self._ctx.volunteer_id

    def _export(self) -> None:
        member = self._member
        if member is None:
            return
        path = self.ask_path(
            self.tr("Lưu dữ liệu đang lưu về %1").replace("%1", member.full_name),
            self.tr("du-lieu-dang-luu.txt"),
        )
        if path is None:
            return
        store, member_id = self._ctx.store, member.id
        by = self._leader_acting()

        def work() -> Any:
            from villagehelper.ops.held_data import export_held_data

            return export_held_data(store, path, member_id=member_id, by=by)

        self._run(
            work,
            lambda _held: self._say(
                self.tr("Đã lưu dữ liệu về %1 vào %2. Việc xuất này được ghi lại.")
                .replace("%1", member.full_name)
                .replace("%2", str(path))
            ),
            writes=False,  # a file and the log: no record changes
        )

    # --- erasure ----------------------------------------------------------------------

    def erase(self) -> None:
        if self._household is None:
            return
        when_leader_allows(
            self,
            self._ctx,
            self.tr("Xóa dữ liệu theo yêu cầu"),
            self._as_allowed(self.confirm_erasure),
        )

    def confirm_erasure(self) -> QMessageBox | None:
        """Say plainly what goes and what stays, then erase the person or the household."""
        household, member = self._household, self._member
        if household is None:
            return None
        text = self.tr(
            "Xóa theo yêu cầu của người dân sẽ xóa hẳn: họ tên, số điện thoại, năm sinh, "
            "địa chỉ, ghi chú, và ghi chú / lý do chưa thành công của các lượt hỗ trợ của họ. "
            "Việc xóa không hoàn tác được và sẽ được đồng bộ tới máy chủ xã và các máy khác.\n\n"
            "Vẫn giữ lại: số lượt hỗ trợ (loại hỗ trợ, kết quả, ngày) để các báo cáo không "
            "thay đổi, nhưng không còn biết là của ai."
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Xóa dữ liệu theo yêu cầu"),
            text,
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setObjectName("confirmErasure")
        erase_person = None
        if member is not None and not member.erased:
            erase_person = box.addButton(
                self.tr("Xóa dữ liệu của %1").replace("%1", member.full_name),
                QMessageBox.ButtonRole.DestructiveRole,
            )
            erase_person.setObjectName("erasePersonButton")
        erase_household = box.addButton(
            self.tr("Xóa dữ liệu của cả hộ (%1 người)").replace(
                "%1", format_number(len(household.members))
            ),
            QMessageBox.ButtonRole.DestructiveRole,
        )
        erase_household.setObjectName("eraseHouseholdButton")
        keep = box.addButton(self.tr("&Không xóa"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        household_id = household.id
        member_id = member.id if member is not None else None

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is erase_household:
                self._erase(household_id, None)
            elif erase_person is not None and clicked is erase_person:
                self._erase(household_id, member_id)

        box.finished.connect(answered)
        box.open()
        return box

    def _erase(self, household_id: str, member_id: str | None) -> None:
        by = self._leader_acting()
        if by is None:
            return
        store = self._ctx.store

        def work() -> Any:
            from villagehelper.ops import erasure

            if member_id is None:
                return erasure.erase_household(store, household_id, by)
            return erasure.erase_member(store, member_id, by)

        def erased(result: Any) -> None:
            self._say(
                self.tr(
                    "Đã xóa thông tin cá nhân của %1 người; %2 lượt hỗ trợ vẫn được tính "
                    "(không còn tên)."
                )
                .replace("%1", format_number(result.people))
                .replace("%2", format_number(result.sessions_kept))
            )

        self._run(work, erased)
