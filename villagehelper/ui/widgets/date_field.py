"""A date field a person types into as they write dates on paper, with a calendar too.

Qt's date editor reads keys section by section: ``20/12/2026`` typed into it became
20/12/2202 and ``31022026`` became 31/12/2026, both without a word.  This field is a
plain line edit read by :mod:`villagehelper.typed_dates` (``20/12/2026``, ``20/12/26``,
``20122026``, ``20/12``, ``5-1-2027``…); the calendar button (or Alt+↓ / F4) picks a day
instead.  What does not read, or reads as an impossible or implausible day, is said in
the field's error label — placed by the form just below the field — and
:meth:`TypedDateField.day` raises it, so the form refuses to save.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QLocale, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFocusEvent, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QWidget

from villagehelper.errors import ValidationError
from villagehelper.typed_dates import format_day, latest_follow_up, parse_follow_up_date
from villagehelper.ui.widgets.fields import field_error_label, from_qdate, to_qdate

DateReader = Callable[[str, date], date]
"""Reads typed text on a given today, raising :class:`ValidationError` when it cannot."""
Today = date | Callable[[], date]
"""The day a field reads typed text on: fixed, or asked each time (a screen left open
overnight follows the calendar)."""

ICON_SIZE = 16
DEFAULT_FOLLOW_UP_DAYS = 7


def calendar_icon() -> QIcon:
    """A small calendar drawn here: no icon theme or emoji font is needed on Windows."""
    pixmap = QPixmap(ICON_SIZE, ICON_SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(QColor(70, 70, 70))
    painter.drawRect(QRect(1, 2, ICON_SIZE - 3, ICON_SIZE - 4))
    painter.fillRect(QRect(2, 3, ICON_SIZE - 4, 3), QColor(176, 0, 32))
    for row in range(2):
        for column in range(3):
            painter.fillRect(QRect(4 + column * 3, 8 + row * 3, 2, 2), QColor(70, 70, 70))
    painter.end()
    return QIcon(pixmap)


class TypedDateField(QLineEdit):
    """A dd/mm/yyyy date typed in any of the forms :mod:`typed_dates` reads."""

    sig_changed = Signal()
    """The person typed or picked a day (the field may not read yet)."""

    def __init__(
        self,
        object_name: str,
        reader: DateReader,
        today: Today,
        parent: QWidget | None = None,
        *,
        picker_range: tuple[date, date] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._reader = reader
        self._today = today if callable(today) else lambda: today
        self._picker_range = picker_range
        self.setPlaceholderText(self.tr("ngày/tháng/năm, ví dụ 20/12/2026"))
        self.setToolTip(
            self.tr(
                "Gõ 20/12/2026, 20/12/26, 20122026 hoặc 20/12 (năm nay); "
                "Alt+↓ hoặc nút lịch để chọn ngày."
            )
        )
        # Room for "00/00/0000" and the calendar button, whatever the text size.
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 40)
        self.error = field_error_label(f"{object_name}Error", parent or self)
        self.pick_action = QAction(calendar_icon(), self.tr("Chọn ngày trên lịch"), self)
        self.pick_action.setObjectName(f"{object_name}Pick")
        self.pick_action.triggered.connect(self.open_calendar)
        self.addAction(self.pick_action, QLineEdit.ActionPosition.TrailingPosition)
        self.calendar: QCalendarWidget | None = None
        self.textEdited.connect(self._edited)
        self.editingFinished.connect(self.check)

    # --- value ------------------------------------------------------------------------

    def set_date(self, day: date) -> None:
        self.setText(format_day(day))
        self._show(None)

    def set_today(self, today: date) -> None:
        self._today = lambda: today

    def day(self) -> date:
        """The day the field says; :class:`ValidationError` (also shown at the field)
        when it says none that may be used."""
        try:
            day = self._reader(self.text(), self._today())
        except ValidationError as error:
            self._show(error)
            raise
        self._show(None)
        return day

    def check(self) -> bool:
        """Read the field now (it lost the focus, or Enter): show what is wrong, or write
        the day it read in full, so ``201226`` is seen as 20/12/2026 before saving."""
        if not self.isEnabled():
            return True
        try:
            day = self.day()
        except ValidationError:
            return False
        if self.text() != format_day(day):
            self.setText(format_day(day))
        return True

    def problem(self) -> str:
        """The message shown at the field ("" when none)."""
        return "" if self.error.isHidden() else self.error.text()

    # --- calendar ---------------------------------------------------------------------

    def open_calendar(self) -> None:
        calendar = QCalendarWidget(self)
        calendar.setObjectName(f"{self.objectName()}Calendar")
        calendar.setWindowFlags(Qt.WindowType.Popup)
        calendar.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        calendar.setGridVisible(True)
        picker_range = self.calendar_range()
        if picker_range is not None:
            calendar.setDateRange(to_qdate(picker_range[0]), to_qdate(picker_range[1]))
        try:
            calendar.setSelectedDate(to_qdate(self._reader(self.text(), self._today())))
        except ValidationError:
            calendar.setSelectedDate(to_qdate(self._today()))
        calendar.activated.connect(lambda chosen: self._picked(from_qdate(chosen)))
        calendar.clicked.connect(lambda chosen: self._picked(from_qdate(chosen)))
        calendar.adjustSize()
        calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar = calendar
        calendar.show()
        calendar.setFocus()

    def calendar_range(self) -> tuple[date, date] | None:
        """The days the calendar offers (``None``: any)."""
        return self._picker_range

    def _picked(self, day: date) -> None:
        if self.calendar is not None:
            self.calendar.close()
            self.calendar = None
        self.set_date(day)
        self.setFocus()
        self.sig_changed.emit()

    # --- events -----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        opens = event.key() == Qt.Key.Key_F4 or (
            event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if opens:
            self.open_calendar()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusInEvent(event)
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            self.selectAll()  # typing replaces the day, as in any form field

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802
        super().setEnabled(enabled)
        if not enabled:
            self._show(None)  # a date that is not asked for is not wrong

    def _edited(self, _text: str) -> None:
        self._show(None)
        self.sig_changed.emit()

    def _show(self, error: ValidationError | None) -> None:
        if error is None:
            self.error.hide()
            return
        language = "en" if QLocale().language() == QLocale.Language.English else "vi"
        self.error.setText("⚠ " + error.message(language))
        self.error.show()


def follow_up_field(
    object_name: str, today: date, parent: QWidget, days: int = DEFAULT_FOLLOW_UP_DAYS
) -> TypedDateField:
    """A follow-up date: from today to a year ahead, ``days`` from today to start with."""
    field = TypedDateField(
        object_name,
        parse_follow_up_date,
        today,
        parent,
        picker_range=(today, latest_follow_up(today)),
    )
    field.set_date(today + timedelta(days=days))
    return field
