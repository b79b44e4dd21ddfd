"""Services as large toggle buttons, with an outcome row for each one chosen.

Keys (villagehelper.ui.log_visit.service_keys): the buttons are one Tab stop, arrows move, Space
chooses, 1 / 2 / 3 set the result.  An outcome row belongs to its service: Tab from its
date or reason goes back to the service's button, so the next service is one arrow away.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
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
from villagehelper.ui.log_visit.service_keys import OUTCOME_KEYS, RovingFocus, ServiceKeys
from villagehelper.ui.widgets.date_field import follow_up_field

if TYPE_CHECKING:
    from villagehelper.ops.team import ServiceInfo

COLUMNS = 2
# Strong enough to see from a step back (tests/test_ui_keyboard_flow.py measures them):
# the chosen fill stands out from an unchosen button, and the focus ring from the edge it
# replaces, at more than 3:1 (WCAG's figure for parts of a control); each label is
# readable on its fill at more than 4.5:1.  A chosen button's ring is amber: black would
# hardly show on the blue.
CHOSEN_FILL = "#0b4f9c"
CHOSEN_TEXT = "#ffffff"
PLAIN_FILL = "#f7f7f7"
PLAIN_TEXT = "#1a1a1a"
PLAIN_EDGE = "#9a9a9a"
FOCUS_RING = "#111111"
CHOSEN_FOCUS_RING = "#ffb000"
BUTTON_STYLE = f"""
QPushButton {{ background-color: {PLAIN_FILL}; border: 1px solid {PLAIN_EDGE};
    border-radius: 5px; }}
QPushButton:hover {{ border: 1px solid {CHOSEN_FILL}; }}
QPushButton:checked {{ background-color: {CHOSEN_FILL}; border: 1px solid {CHOSEN_FILL}; }}
QPushButton:focus {{ border: 3px solid {FOCUS_RING}; }}
QPushButton:checked:focus {{ border: 3px solid {CHOSEN_FOCUS_RING}; }}
"""


class OutcomeRow(QWidget):
    """Result of one service: done / follow-up with a date / failed with a reason.

    Reached from its service's button (1 / 2 / 3) rather than by Tab from elsewhere; Tab
    inside it goes choice → date or reason → back to the service (``sig_leave``).
    """

    sig_leave = Signal()
    """Tab out of the row: the focus belongs back on the service's button."""

    def __init__(self, service: ServiceInfo, label: str, today: date, parent: QWidget) -> None:
        super().__init__(parent)
        self.service = service
        self.setObjectName(f"outcome_{service.code}")
        name = QLabel(label, self)
        name.setWordWrap(True)
        # The key that sets each result is part of its label (service_keys.OUTCOME_KEYS).
        self.done = QRadioButton(self.tr("1 Thành công"), self)
        self.follow_up = QRadioButton(self.tr("2 Hẹn lại"), self)
        self.failed = QRadioButton(self.tr("3 Chưa thành công"), self)
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
        # The service's name on a line of its own above its choices: the row stays
        # narrow enough for a small screen with large text.
        choices = QHBoxLayout()
        for widget in (self.done, self.follow_up, self.failed, self.date):
            choices.addWidget(widget)
        choices.addWidget(self.reason, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(name)
        column.addLayout(choices)
        column.addWidget(self.date.error)  # what is wrong with the date, under the row
        group.buttonToggled.connect(self._update)
        self._update()
        fields: tuple[QWidget, ...] = (*self._choices(), self.date, self.reason)
        for field in fields:
            field.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # not a stop of the form's Tab
        for field in (*self._choices(), self.date):
            field.installEventFilter(self)

    def _choices(self) -> tuple[QRadioButton, QRadioButton, QRadioButton]:
        return (self.done, self.follow_up, self.failed)

    def _choice(self, outcome: Outcome) -> QRadioButton:
        return {Outcome.DONE: self.done, Outcome.FOLLOW_UP: self.follow_up}.get(
            outcome, self.failed
        )

    def set_outcome(self, outcome: Outcome) -> None:
        """Choose ``outcome``; the field it needs (date, reason) takes the focus."""
        self._choice(outcome).setChecked(True)
        details = self.details()
        if details is not None:
            # Tab-like focus: the date's day / the reason's whole text is selected, so
            # what is typed replaces the default.
            details.setFocus(Qt.FocusReason.TabFocusReason)

    def details(self) -> QWidget | None:
        """The field the chosen result needs, if any."""
        if self.follow_up.isChecked():
            return self.date
        if self.failed.isChecked():
            return self.reason
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # 1 / 2 / 3 and the arrows on the result's radio buttons; Tab in the date goes
        # where the row's own Tab order says (see focusNextPrevChild).
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = Qt.Key(event.key())
        if watched is self.date:
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            ):
                backwards = key == Qt.Key.Key_Backtab or bool(
                    event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                )
                return self.focusNextPrevChild(not backwards)
            return False
        outcome = OUTCOME_KEYS.get(key)
        if outcome is not None:
            self.set_outcome(outcome)
            return True
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Down: 1}
        if key in step and watched in self._choices():
            choices = self._choices()
            target = choices[(choices.index(watched) + step[key]) % len(choices)]
            target.setChecked(True)
            target.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return False

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802
        # Every Tab inside the row ends here (Qt hands it up the parents): choice →
        # details → back to the service, and Shift+Tab the other way.
        focus = QApplication.focusWidget()
        details = self.details()
        in_details = (
            details is not None
            and focus is not None
            and (focus is details or details.isAncestorOf(focus))
        )
        if in_details:
            if next:
                self.sig_leave.emit()
            else:
                self._choice(Outcome(self.value().outcome)).setFocus(
                    Qt.FocusReason.BacktabFocusReason
                )
            return True
        if next and details is not None:
            details.setFocus(Qt.FocusReason.TabFocusReason)
        else:
            self.sig_leave.emit()
        return True

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
        self._margins = layout.contentsMargins()
        self.setCheckable(True)
        self.setMinimumHeight(52)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # as tall as the wrapped label needs (large text)
        self.setSizePolicy(policy)
        self.setAccessibleName(text)
        self.toggled.connect(self._show_chosen)
        self._show_chosen(False)

    def _show_chosen(self, chosen: bool) -> None:
        self.label.setStyleSheet(f"color: {CHOSEN_TEXT if chosen else PLAIN_TEXT};")

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
    sig_current_changed = Signal(QWidget)
    """This service button took the focus (the screen scrolls it into view)."""

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
        self.setStyleSheet(BUTTON_STYLE)
        self._roving = RovingFocus(self)
        self._keys = ServiceKeys(lambda: list(self.buttons()), COLUMNS, self._outcome_key, self)

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
            self._keys.watch(button)
            button.installEventFilter(self)
        self._roving.set_widgets(self.buttons())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, ServiceButton):
            self.sig_current_changed.emit(watched)
        return False

    def _outcome_key(self, index: int, outcome: Outcome) -> None:
        """1 / 2 / 3 on a service: choose it if needed, then set its result."""
        button = self.buttons()[index]
        button.setChecked(True)
        row = self._rows.get(next(c for c, b in self._buttons.items() if b is button))
        if row is not None:
            row.set_outcome(outcome)

    def reset_focus(self) -> None:
        """A new household: the first service is the list's Tab stop again."""
        first = self.first_button()
        self._roving.make_current(first)

    def button(self, code: str) -> ServiceButton:
        return self._buttons[code]

    def offered(self) -> set[str]:
        """The codes of the services on offer."""
        return set(self._buttons)

    def buttons(self) -> list[ServiceButton]:
        """The toggle buttons in catalog order (the tab order)."""
        return [self._buttons[s.code] for s in self._services if s.code in self._buttons]

    def first_button(self) -> ServiceButton | None:
        buttons = self.buttons()
        return buttons[0] if buttons else None

    def row(self, code: str) -> OutcomeRow | None:
        return self._rows.get(code)

    def _toggle(self, code: str, on: bool) -> None:
        if on and code not in self._rows:
            service = next(s for s in self._services if s.code == code)
            row = OutcomeRow(
                service, service.label(self._language), self._today, self.outcomes_panel
            )
            row.sig_leave.connect(self._buttons[code].setFocus)
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
