"""Date fields that always hold a day: the days of a report period, the day a help
session took place.

Qt's date editor read keys section by section: on 23/11/2026, ``20/12/2026`` typed as
the start of a period became 20/11/1220 on screen (20/11 underneath), ``5/1/2027`` and
``20/12/26`` became 01/01/2000, ``31022026`` became 28/02/2026, all without a word.
:class:`TypedDateEdit` is the follow-up date's :class:`TypedDateField` (the same reading,
the same calendar, the message at the field) with what the screens used of the date
editor: a day that is always valid (:meth:`~TypedDateEdit.date`,
:meth:`~TypedDateEdit.setDate`, ``dateChanged``), a range, and a "special value" text
("—") that the first day of the range stands for, meaning "all".

The day changes when the person has finished typing (Enter, or leaving the field) or
picks one on the calendar.  Text that does not read, or reads as a day the field does
not allow, is said at the field and the day stays what it was: the screen never uses a
period other than the one it shows without a word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from villagehelper.day_ranges import parse_report_day, parse_session_day, report_days, session_days
from villagehelper.errors import ValidationError
from villagehelper.typed_dates import format_day
from villagehelper.ui.widgets.date_field import DateReader, TypedDateField
from villagehelper.ui.widgets.fields import from_qdate, to_qdate

DayRange = Callable[[date], tuple[date, date]]
"""The first and last day a field allows, on a given today."""


class TypedDateEdit(TypedDateField):
    """A typed date field holding a day from its range; the names of its accessors are
    Qt's date editor's, so a screen reads it as it read that editor."""

    dateChanged = Signal(QDate)  # noqa: N815 (Qt's name)
    """The field's day changed (typed and confirmed, picked, or set)."""

    def __init__(
        self,
        object_name: str,
        reader: DateReader,
        days: DayRange,
        today: Callable[[], dt.date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(object_name, reader, today, parent)
        self._days = days
        self._special = ""
        first, last = days(today())
        self._value = min(max(today(), first), last)
        self._show_value()

    # --- the date editor's accessors ----------------------------------------------------
    # (``date`` is one of them: in this class a day is a ``dt.date``)

    def date(self) -> QDate:
        """The field's day (the last one confirmed: never text still being typed)."""
        return to_qdate(self._value)

    def setDate(self, day: QDate) -> None:  # noqa: N802 (Qt's name)
        self.set_date(from_qdate(day))

    def minimumDate(self) -> QDate:  # noqa: N802 (Qt's name)
        return to_qdate(self.calendar_range()[0])

    def maximumDate(self) -> QDate:  # noqa: N802 (Qt's name)
        return to_qdate(self.calendar_range()[1])

    def setSpecialValueText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Show ``text`` instead of the first day of the range (it means "all"); an
        empty field, or ``text`` typed, stands for that day."""
        self._special = text
        self._show_value()

    def specialValueText(self) -> str:  # noqa: N802 (Qt's name)
        return self._special

    # --- reading ------------------------------------------------------------------------

    def set_date(self, day: dt.date) -> None:
        changed = day != self._value
        self._value = day
        self._show_value()
        if changed:
            self.dateChanged.emit(to_qdate(day))

    def day(self) -> dt.date:
        if self._special and self.text().strip() in ("", self._special):
            self._show(None)
            return self.calendar_range()[0]
        return super().day()

    def check(self) -> bool:
        """Enter, or the field was left: what was typed becomes the field's day, or
        what is wrong with it is said at the field (the day stays as it was)."""
        if not self.isEnabled() or not self.isModified():
            return True
        try:
            day = self.day()
        except ValidationError:
            return False
        self.set_date(day)
        return True

    def settled(self) -> bool:
        """Before the day is used for something that lasts: ``False`` (the message at
        the field, the cursor in it) while what was typed is not a day it allows."""
        if self.check():
            return True
        self.setFocus()
        return False

    def calendar_range(self) -> tuple[dt.date, dt.date]:
        return self._days(self._today())

    def _show_value(self) -> None:
        first = self.calendar_range()[0]
        special = self._special and self._value == first
        self.setText(self._special if special else format_day(self._value))
        self._show(None)


def report_date_edit(parent: QWidget, object_name: str, today: Callable[[], date]) -> TypedDateEdit:
    """A day of a report period: any day of the past report years, up to a year ahead."""
    return TypedDateEdit(object_name, parse_report_day, report_days, today, parent)


def session_day_edit(parent: QWidget, object_name: str, today: Callable[[], date]) -> TypedDateEdit:
    """The day a help session took place: from the app's first year to today."""
    return TypedDateEdit(object_name, parse_session_day, session_days, today, parent)


def row_over_errors(parent: QWidget, fields: tuple[TypedDateEdit, ...]) -> QHBoxLayout:
    """``parent``'s layout: a row for the caller to fill, and under it the messages of
    ``fields`` (hidden while their days read)."""
    rows = QVBoxLayout(parent)
    rows.setContentsMargins(0, 0, 0, 0)
    row = QHBoxLayout()
    rows.addLayout(row)
    for field in fields:
        rows.addWidget(field.error)
    return row
