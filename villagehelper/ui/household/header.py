"""The top of the household page: the head's name, the household's facts (village,
address, full phone number, notes) and the buttons that fix them — edit, merge a
duplicate in.  The page wires the buttons; this module only lays them out and fills
the facts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from villagehelper.ops.households import HouseholdDetail
from villagehelper.text import Phone

TITLE_SCALE = 1.5


def page_button(text: str, name: str, action: Callable[[], object]) -> QPushButton:
    """A button of the household page that Enter in its tables never presses."""
    button = QPushButton(text)
    button.setObjectName(name)
    # Enter in the tables must not press a button by surprise (it edits a member).
    button.setAutoDefault(False)
    button.clicked.connect(action)
    return button


def _value_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class HouseholdHeader(QWidget):
    """The head's name in large type, the facts below it, then edit and merge."""

    def __init__(
        self,
        edit: Callable[[], object],
        merge: Callable[[], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.head_label = QLabel()
        self.head_label.setObjectName("headNameLabel")
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * TITLE_SCALE)
        self.head_label.setFont(font)
        self.head_label.setWordWrap(True)
        self.head_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.village_label = _value_label("villageLabel")
        self.address_label = _value_label("addressLabel")
        self.phone_label = _value_label("phoneLabel")
        self.notes_label = _value_label("notesLabel")
        facts = QFormLayout()
        facts.addRow(self.tr("Thôn:"), self.village_label)
        facts.addRow(self.tr("Địa chỉ:"), self.address_label)
        facts.addRow(self.tr("Số điện thoại:"), self.phone_label)
        facts.addRow(self.tr("Ghi chú:"), self.notes_label)
        self.edit_button = page_button(self.tr("&Sửa thông tin hộ"), "editHouseholdButton", edit)
        self.edit_button.setToolTip(self.tr("Ctrl+E"))
        self.merge_button = page_button(
            self.tr("&Gộp hộ trùng vào hộ này…"), "mergeHouseholdButton", merge
        )
        actions = QHBoxLayout()
        actions.addWidget(self.edit_button)
        actions.addWidget(self.merge_button)
        actions.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.head_label)
        column.addLayout(facts)
        column.addLayout(actions)

    def show_household(self, detail: HouseholdDetail) -> None:
        self.head_label.setText(detail.head_name)
        self.village_label.setText(detail.village_name)
        self.address_label.setText(detail.address_detail or "—")
        self.phone_label.setText(Phone(detail.phone).display() if detail.phone else "—")
        self.notes_label.setText(detail.notes or "—")
