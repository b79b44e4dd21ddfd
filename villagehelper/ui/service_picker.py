"""Services as large toggle buttons, with an outcome row for each one chosen."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from villagehelper.errors import ValidationError
from villagehelper.ops.inputs import ServiceOutcome
from villagehelper.store.kinds import Outcome
from villagehelper.ui.date_field import follow_up_field

if TYPE_CHECKING:
    from villagehelper.ops.team import ServiceInfo

COLUMNS = 2


class OutcomeRow(QWidget):
    """Result of one service: done / follow-up with a date / failed with a reason."""

    def __init__(self, service: ServiceInfo, label: str, today: date, parent: QWidget) -> None:
        super().__init__(parent)
        self.service = service
        self.setObjectName(f"outcome_{service.code}")
        name = QLabel(label, self)
        name.setWordWrap(True)
        name.setMinimumWidth(220)
        self.done = QRadioButton(self.tr("Thành công"), self)
        self.follow_up = QRadioButton(self.tr("Hẹn lại"), self)
        self.failed = QRadioButton(self.tr("Chưa thành công"), self)
        for button, key in (
            (self.done, "done"),
            (self.follow_up, "followUp"),
            (self.failed, "failed"),
        ):
            button.setObjectName(f"{key}_{service.code}")
        group = QButtonGroup(self)
        for button in (self.done, self.follow_up, self.failed):
            group.addButton(button)
        self.done.setChecked(True)
        self.date = follow_up_field(f"followUpDate_{service.code}", today, self)
        self.reason = QLineEdit(self)
        self.reason.setObjectName(f"reason_{service.code}")
        self.reason.setPlaceholderText(self.tr("Lý do chưa thành công"))
        layout = QHBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(name, 2)
        for widget in (self.done, self.follow_up, self.failed, self.date):
            layout.addWidget(widget)
        layout.addWidget(self.reason, 2)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(layout)
        column.addWidget(self.date.error)  # what is wrong with the date, under the row
        group.buttonToggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.date.setEnabled(self.follow_up.isChecked())
        self.reason.setEnabled(self.failed.isChecked())

    def value(self) -> ServiceOutcome:
        if self.follow_up.isChecked():
            try:
                day = self.date.day()
            except ValidationError:
                self.date.setFocus()  # the message is at the field: the cursor goes there
                raise
            return ServiceOutcome(self.service.code, Outcome.FOLLOW_UP, day)
        if self.failed.isChecked():
            return ServiceOutcome(
                self.service.code, Outcome.FAILED, failure_reason=self.reason.text()
            )
        return ServiceOutcome(self.service.code, Outcome.DONE)


class ServiceButton(QPushButton):
    """A tall toggle button whose label wraps: catalog labels are whole sentences."""

    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Clicks go to the button, not the label.
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label)
        self.setCheckable(True)
        self.setMinimumHeight(52)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(text)

    def set_label(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)

    def text(self) -> str:  # the caption lives in the label
        return self.label.text()


class ServicePicker(QWidget):
    """The catalog as toggle buttons (Space toggles); one outcome row per chosen service."""

    sig_selection_changed = Signal()
    """The set of chosen services changed."""
    sig_submit = Signal()
    """Enter was pressed in an outcome's reason field: save the visit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons: dict[str, ServiceButton] = {}
        self._rows: dict[str, OutcomeRow] = {}
        self._services: list[ServiceInfo] = []
        self._language = "vi"
        self._today = date.today()
        self._grid = QGridLayout()
        self._grid.setSpacing(6)
        # The outcome rows live in their own panel, which the screen places below the
        # buttons so they stay in view however long the catalog is.
        self.outcomes_panel = QWidget()
        self.outcomes_panel.setObjectName("outcomesPanel")
        self._outcomes = QVBoxLayout(self.outcomes_panel)
        self._outcomes.setContentsMargins(0, 0, 0, 0)
        self._outcomes.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._grid)
        layout.addStretch(1)

    def set_services(self, services: list[ServiceInfo], language: str, today: date) -> None:
        self._language = language
        self._today = today
        for button in self._buttons.values():
            button.deleteLater()
        self._buttons.clear()
        self.clear()
        self._services = services
        for index, service in enumerate(services):
            button = ServiceButton(service.label(language), self)
            button.setObjectName(f"service_{service.code}")
            button.setToolTip(service.label(language))
            button.toggled.connect(lambda on, code=service.code: self._toggle(code, on))
            self._grid.addWidget(button, index // COLUMNS, index % COLUMNS)
            self._buttons[service.code] = button

    def button(self, code: str) -> ServiceButton:
        return self._buttons[code]

    def buttons(self) -> list[ServiceButton]:
        """The toggle buttons in catalog order (the tab order)."""
        return [self._buttons[s.code] for s in self._services if s.code in self._buttons]

    def first_button(self) -> ServiceButton | None:
        return next(iter(self._buttons.values()), None)

    def row(self, code: str) -> OutcomeRow | None:
        return self._rows.get(code)

    def _toggle(self, code: str, on: bool) -> None:
        if on and code not in self._rows:
            service = next(s for s in self._services if s.code == code)
            row = OutcomeRow(
                service, service.label(self._language), self._today, self.outcomes_panel
            )
            row.reason.returnPressed.connect(self.sig_submit.emit)
            row.date.returnPressed.connect(self.sig_submit.emit)
            self._rows[code] = row
            self._outcomes.addWidget(row)
        elif not on and code in self._rows:
            self._rows.pop(code).deleteLater()
        self.sig_selection_changed.emit()

    def chosen(self) -> list[ServiceOutcome]:
        """Chosen services in catalog order; :class:`ValidationError` when a follow-up
        date does not read (its field says why)."""
        return [self._rows[s.code].value() for s in self._services if s.code in self._rows]

    def clear(self) -> None:
        for button in self._buttons.values():
            button.setChecked(False)
        for row in self._rows.values():
            row.deleteLater()
        self._rows.clear()

    def mark_done_before(self, codes: set[str]) -> None:
        """Show which services this household already had done (nobody is helped twice)."""
        for code, button in self._buttons.items():
            label = next(s for s in self._services if s.code == code).label(self._language)
            button.set_label(("✓ " + label) if code in codes else label)
