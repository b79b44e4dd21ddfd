"""The visit form of the log-a-visit screen: the chosen household, who was helped, the
services with their results, a note, consent, and the save button.

The form only shows and collects; the screen (villagehelper.ui.log_visit.screen) loads
the household, saves the visit and wires the buttons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import format_vn_date, to_vietnam
from villagehelper.errors import ValidationError
from villagehelper.ops.inputs import VisitInput
from villagehelper.store.kinds import Outcome
from villagehelper.text import format_number
from villagehelper.ui.log_visit.campaign_hint import CampaignHint, Suggestion
from villagehelper.ui.log_visit.service_picker import ServicePicker
from villagehelper.ui.shell.screen_fit import service_row_height

if TYPE_CHECKING:
    from villagehelper.ops.households import HouseholdDetail
    from villagehelper.ops.session_queries import SessionRow

NO_MEMBER = ""
PREVIOUS_SHOWN = 3  # the latest services; the household page has the full history
SERVICE_ROWS_VISIBLE = 3


class VisitForm(QWidget):
    """The visit form: Enter saves from any field or button of it that does not use the
    key itself (line edits, the date, the services and the results all pass it on)."""

    sig_enter = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.household_title = QLabel(self)
        self.household_title.setObjectName("chosenHousehold")
        self.household_title.setTextFormat(Qt.TextFormat.RichText)
        self.household_title.setWordWrap(True)
        self.open_page = QPushButton(self.tr("Xem hộ… (Ctrl+O)"), self)
        self.open_page.setObjectName("openHouseholdPage")
        self.open_page.setAutoDefault(True)  # Enter on it opens the page
        self.campaign_hint = CampaignHint(self)
        self.previous = QLabel(self)
        self.previous.setObjectName("previousServices")
        self.previous.setWordWrap(True)
        self.member = QComboBox(self)
        self.member.setObjectName("memberHelped")
        self.services = ServicePicker(self)
        self.services.setObjectName("servicePicker")
        self.services_scroll = self._build_services_scroll()
        self.note = QLineEdit(self)
        self.note.setObjectName("visitNote")
        self.note.setPlaceholderText(self.tr("Ghi chú (không bắt buộc)"))
        self.consent = QCheckBox(self.tr("Người dân đồng ý cho ghi thông tin"), self)
        self.consent.setObjectName("visitConsent")
        self._build_actions()
        self._arrange()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.sig_enter.emit()
            return
        super().keyPressEvent(event)

    # --- building -----------------------------------------------------------------

    def _build_services_scroll(self) -> QScrollArea:
        scroll = QScrollArea(self)
        # Small margins: the whole button shows even when only a row or two fit.
        self.services.sig_current_changed.connect(
            lambda button: scroll.ensureWidgetVisible(button, 0, 2)
        )
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.services)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the buttons in it take the focus
        scroll.setMinimumHeight(SERVICE_ROWS_VISIBLE * service_row_height(self))
        return scroll

    def _build_actions(self) -> None:
        self.message = QLabel(self)
        self.message.setObjectName("visitMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a40000;")
        self.save_button = QPushButton(self.tr("Lưu (Enter / Ctrl+S)"), self)
        self.save_button.setObjectName("saveVisit")
        self.save_button.setDefault(True)
        self.keys_hint = QLabel(
            self.tr(
                "← ↑ → ↓ Space: chọn · 1 Thành công · 2 Hẹn lại · 3 Chưa thành công · "
                "Tab: quay lại loại hỗ trợ · Enter: lưu · Esc: hộ khác"
            ),
            self,
        )
        self.keys_hint.setObjectName("visitKeysHint")
        self.keys_hint.setWordWrap(True)

    def _build_details(self) -> QFormLayout:
        details = QFormLayout()
        details.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: label above
        details.addRow(self.tr("Người được hỗ trợ"), self._build_member_row())
        return details

    def _build_member_row(self) -> QHBoxLayout:
        # As wide as the longest name: never cut (the label goes above it if need be).
        self.member.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.member.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.add_member_button = QPushButton(self.tr("Thêm nhân khẩu… (Ctrl+N)"), self)
        self.add_member_button.setObjectName("addMemberInline")
        self.add_member_button.setAutoDefault(True)  # Enter on it adds, not saves
        row = QHBoxLayout()
        row.addWidget(self.member, 1)
        row.addWidget(self.add_member_button)
        return row

    def _arrange(self) -> None:
        details = self._build_details()
        services_box = QGroupBox(self.tr("Loại hỗ trợ (Space để chọn, chọn được nhiều)"), self)
        services_layout = QVBoxLayout(services_box)
        services_layout.addWidget(self.keys_hint)
        services_layout.addWidget(self.services_scroll)
        title_row = QHBoxLayout()
        title_row.addWidget(self.household_title, 1)
        title_row.addWidget(self.open_page)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addWidget(self.campaign_hint)
        layout.addWidget(self.previous)
        layout.addLayout(details)
        layout.addWidget(services_box, 1)
        layout.addWidget(self.services.outcomes_panel)
        layout.addWidget(self.note)
        layout.addWidget(self.consent)
        layout.addWidget(self.message)
        layout.addWidget(self.save_button)

    def tab_chain(self) -> list[QWidget]:
        """The form's Tab order; the services are one stop (service_keys.RovingFocus)."""
        return [
            self.member,
            self.add_member_button,
            *self.services.buttons(),
            self.note,
            self.consent,
            self.save_button,
            self.open_page,
        ]

    # --- showing a household --------------------------------------------------------

    def show_household(
        self,
        detail: HouseholdDetail,
        history: list[SessionRow],
        service_labels: dict[str, str],
        *,
        first_time: bool,
        select_member: str | None,
    ) -> None:
        """Fill the form for ``detail``; a household shown ``first_time`` starts empty
        with the cursor on the services, one shown again keeps what was entered."""
        self.household_title.setText(
            "<h3>"
            + detail.head_name
            + "</h3>"
            + detail.village_name
            + (" — " + detail.address_detail if detail.address_detail else "")
        )
        selected_member = self.member.currentData()
        self.member.clear()
        self.member.addItem(self.tr("(cả hộ / không ghi tên)"), NO_MEMBER)
        for member in detail.members:
            year = f" ({member.birth_year})" if member.birth_year else ""
            self.member.addItem(member.full_name + year, member.id)
        head = next((m.id for m in detail.members if m.full_name == detail.head_name), None)
        wanted = selected_member if not first_time else head
        if select_member is not None:
            wanted = select_member
        if wanted and (index := self.member.findData(wanted)) >= 0:
            self.member.setCurrentIndex(index)
        self._show_previous(history, service_labels)

    def start_fresh(self) -> None:
        """A household just chosen: nothing entered yet, the cursor on the services."""
        self.clear()
        self.services.reset_focus()
        self.services_scroll.verticalScrollBar().setValue(0)
        first = self.services.first_button()
        (first or self.member).setFocus()

    def start_with(self, suggested: Suggestion) -> None:
        """Start with the person a campaign still needs and its service chosen."""
        if (index := self.member.findData(suggested.member_id)) >= 0:
            self.member.setCurrentIndex(index)
        self.services.button(suggested.service_code).setChecked(True)

    def _show_previous(self, history: list[SessionRow], service_labels: dict[str, str]) -> None:
        live = [row for row in history if not row.voided]
        done = {row.service_code for row in live if row.outcome == Outcome.DONE}
        self.services.mark_done_before(done)
        if not live:
            self.previous.setText(self.tr("Hộ này chưa được hỗ trợ lần nào."))
            return
        lines = []
        for row in live[:PREVIOUS_SHOWN]:
            day = format_vn_date(to_vietnam(row.occurred_at).date())
            mark = {"done": "✓", "follow_up": "↻", "failed": "✗"}[row.outcome]
            who = f" — {row.member_name}" if row.member_name else ""
            label = service_labels.get(row.service_code, row.service_label)
            lines.append(f"{mark} {label} ({day}){who}")
        more = len(live) - len(lines)
        text = self.tr("Đã hỗ trợ trước đây:") + "\n" + "\n".join(lines)
        if more > 0:
            text += "\n" + self.tr("… và %1 lượt khác").replace("%1", format_number(more))
        self.previous.setText(text)

    def visit_input(self, household_id: str, volunteer_id: str) -> VisitInput:
        """What was entered, as a visit (ValidationError: a follow-up date that does not
        read)."""
        member_id = self.member.currentData() or None
        return VisitInput(
            household_id=household_id,
            volunteer_id=volunteer_id,
            services=self.services.chosen(),
            member_id=member_id,
            note=self.note.text(),
            consent=self.consent.isChecked() and member_id is not None,
        )

    def clear(self) -> None:
        self.services.clear()
        self.note.clear()
        self.consent.setChecked(False)
        self.message.clear()

    def focus_field(self, field: str) -> None:
        """Put the cursor on the field a validation error names."""
        try:
            chosen = self.services.chosen()
        except ValidationError:
            return  # a date edited since, now unreadable: its field has the cursor
        if field == "services":
            first = self.services.first_button()
            if first is not None:
                first.setFocus()
            return
        for item in chosen:
            row = self.services.row(item.service_code)
            if row is None:
                continue
            if (
                field == "failure_reason"
                and item.outcome == Outcome.FAILED
                and not item.failure_reason.strip()
            ):
                row.reason.setFocus()
                return
            if field == "follow_up_date" and item.outcome == Outcome.FOLLOW_UP:
                row.date.setFocus()
                return
        if field == "note":
            self.note.setFocus()
