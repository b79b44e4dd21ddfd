""" "Tạo chiến dịch…": a leader names a campaign, ticks its services in the catalog and
types its deadline.  The core (campaigns.store_ops.create_campaign) checks them; the
field its ValidationError names shows the message just below itself, and the dialog
stays open until the campaign is saved.  This module does not load the database layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError, ValidationError
from villagehelper.typed_dates import parse_typed_date
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_bug
from villagehelper.ui.shell.screen_fit import grow_for_wrapped_text
from villagehelper.ui.widgets.date_field import TypedDateField
from villagehelper.ui.widgets.fields import field_error_label, labelled

if TYPE_CHECKING:
    from villagehelper.campaigns.store_ops import Written
    from villagehelper.ops.team import ServiceInfo

CODE_ROLE = Qt.ItemDataRole.UserRole


def _read_deadline(text: str, today: date) -> date:
    return parse_typed_date(text, today, "deadline")


class CreateCampaignDialog(QDialog):
    sig_created = Signal(str)
    """The new campaign's id."""

    def __init__(
        self,
        ctx: AppContext,
        services: Sequence[ServiceInfo],
        leader_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("createCampaignDialog")
        self.setWindowTitle(self.tr("Tạo chiến dịch"))
        self._ctx = ctx
        self._leader_id = leader_id
        self.name = QLineEdit(self)
        self.name.setObjectName("campaignName")
        self.name.setMaxLength(200)
        self.name.setPlaceholderText(self.tr("ví dụ: Nhận lương hưu không dùng tiền mặt"))
        self.name_error = field_error_label("campaignNameError", self)
        self.services = QListWidget(self)
        self.services.setObjectName("campaignServices")
        language = ctx.preferences.language
        for service in services:
            item = QListWidgetItem(service.label(language), self.services)
            item.setData(CODE_ROLE, service.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.services_error = field_error_label("campaignServicesError", self)
        self.deadline = TypedDateField("campaignDeadline", _read_deadline, self._today, self)
        self.message = field_error_label("campaignMessage", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._errors = {
            "name": self.name_error,
            "service_codes": self.services_error,
            "deadline": self.deadline.error,
        }
        self._fields: dict[str, QWidget] = {
            "name": self.name,
            "service_codes": self.services,
            "deadline": self.deadline,
        }
        form = QFormLayout()
        form.addRow(labelled(self.tr("&Tên chiến dịch"), self.name, self), self.name)
        form.addRow("", self.name_error)
        form.addRow(
            labelled(self.tr("&Loại hỗ trợ (Space để chọn)"), self.services, self), self.services
        )
        form.addRow("", self.services_error)
        form.addRow(labelled(self.tr("&Hạn hoàn thành"), self.deadline, self), self.deadline)
        form.addRow("", self.deadline.error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        # Room for the catalog's longest label without scrolling sideways.
        frame = 2 * self.services.frameWidth()
        scroll_bar = self.services.verticalScrollBar().sizeHint().width()
        self.services.setMinimumWidth(self.services.sizeHintForColumn(0) + frame + scroll_bar)
        self.resize(
            max(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().width()),
            self.sizeHint().height(),
        )

    def _today(self) -> date:
        return vietnam_today()

    def chosen_codes(self) -> list[str]:
        chosen = []
        for row in range(self.services.count()):
            item = self.services.item(row)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                chosen.append(str(item.data(CODE_ROLE)))
        return chosen

    def show_error(self, error: UserError) -> None:
        """Say ``error`` next to the field it names (else under the form); the cursor
        goes to that field."""
        text = error.message(self._ctx.preferences.language)
        field = error.field if isinstance(error, ValidationError) else ""
        label = self._errors.get(field, self.message)
        label.setText(text)
        label.show()
        self._fields.get(field, self.name).setFocus()
        grow_for_wrapped_text(self)

    def _clear_errors(self) -> None:
        for label in (*self._errors.values(), self.message):
            label.clear()
            label.hide()

    def save(self) -> None:
        self._clear_errors()
        try:
            deadline = self.deadline.day()
        except ValidationError as error:
            self.show_error(error)
            return
        ctx, leader_id = self._ctx, self._leader_id
        name, codes = self.name.text(), self.chosen_codes()

        def create() -> Written:
            from villagehelper.campaigns.store_ops import create_campaign

            with ctx.store.transaction() as session:
                return create_campaign(
                    session,
                    name=name,
                    service_codes=codes,
                    deadline=deadline,
                    created_by=leader_id,
                )

        self.buttons.setEnabled(False)
        ctx.write(self, create).success(self._created).failure(self._failed).run()

    def _created(self, written: Written) -> None:
        self.buttons.setEnabled(True)
        self.sig_created.emit(written.row_id)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, UserError):
            self.show_error(error)
        else:
            show_bug(self, self._ctx.log_file)
