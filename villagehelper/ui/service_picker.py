"""Services as large toggle buttons, with an outcome row for each one chosen."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
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

from villagehelper.ops.inputs import ServiceOutcome
from villagehelper.store.kinds import Outcome

if TYPE_CHECKING:
    from villagehelper.ops.team import ServiceInfo

COLUMNS = 2
DEFAULT_FOLLOW_UP_DAYS = 7


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class OutcomeRow(QWidget):
    """Result of one service: done / follow-up with a date / failed with a reason."""

    def __init__(self, service: ServiceInfo, label: str, today: date, parent: QWidget) -> None:
        super().__init__(parent)
        self.service = service
        self.setObjectName(f"outcome_{service.code}")
        name = QLabel(label, self)
        name.setWordWrap(True)
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
        self.date = QDateEdit(qdate(today + timedelta(days=DEFAULT_FOLLOW_UP_DAYS)), self)
        self.date.setObjectName(f"followUpDate_{service.code}")
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setCalendarPopup(True)
        self.date.setMinimumDate(qdate(today))
        self.reason = QLineEdit(self)
        self.reason.setObjectName(f"reason_{service.code}")
        self.reason.setPlaceholderText(self.tr("Lý do chưa thành công"))
        # The service's name on a line of its own above its choices: the row stays
        # narrow enough for a small screen with large text.
        choices = QHBoxLayout()
        for widget in (self.done, self.follow_up, self.failed, self.date):
            choices.addWidget(widget)
        choices.addWidget(self.reason, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(name)
        layout.addLayout(choices)
        group.buttonToggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.date.setEnabled(self.follow_up.isChecked())
        self.reason.setEnabled(self.failed.isChecked())

    def value(self) -> ServiceOutcome:
        if self.follow_up.isChecked():
            return ServiceOutcome(self.service.code, Outcome.FOLLOW_UP, pydate(self.date.date()))
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
        self._margins = layout.contentsMargins()
        self.setCheckable(True)
        self.setMinimumHeight(52)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # as tall as the wrapped label needs (large text)
        self.setSizePolicy(policy)
        self.setAccessibleName(text)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        margins = self._margins
        inner = width - margins.left() - margins.right()
        needed = self.label.heightForWidth(inner) + margins.top() + margins.bottom()
        return max(self.minimumHeight(), needed)

    def sizeHint(self) -> QSize:  # noqa: N802
        margins = self._margins
        label = self.label.sizeHint()
        width = label.width() + margins.left() + margins.right()
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        margins = self._margins
        word = self.label.minimumSizeHint().width() + margins.left() + margins.right()
        return QSize(word, self.minimumHeight())

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
            self._rows[code] = row
            self._outcomes.addWidget(row)
        elif not on and code in self._rows:
            self._rows.pop(code).deleteLater()
        self.sig_selection_changed.emit()

    def chosen(self) -> list[ServiceOutcome]:
        """Chosen services in catalog order."""
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
