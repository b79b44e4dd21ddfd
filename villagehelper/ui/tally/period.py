"""Choosing the report period (kỳ báo cáo): this week, last week, any ISO week, a
calendar month or a custom range of days.

The "from" date is always editable: typing or picking a day selects the week (or month)
that contains it, so any week is two keystrokes away; ◀ / ▶ (Alt+← / Alt+→) step to the
period before or after.  Periods are the core's :class:`villagehelper.tally.Period`,
imported when first needed: the tally package loads the database layer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QToolButton, QWidget

from villagehelper.clock import format_vn_date
from villagehelper.ui.widgets.date_edit import report_date_edit, row_over_errors
from villagehelper.ui.widgets.fields import from_qdate, to_qdate

if TYPE_CHECKING:
    from villagehelper.tally.periods import Period


class PeriodMode(StrEnum):
    THIS_WEEK = "this_week"
    LAST_WEEK = "last_week"
    WEEK = "week"
    MONTH = "month"
    CUSTOM = "custom"


class TallyPeriodPicker(QWidget):
    """The period of the tally screen; read it with :meth:`period`."""

    sig_changed = Signal()
    """The chosen period changed."""

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.combo = QComboBox(self)
        self.combo.setObjectName("tallyPeriodMode")
        self.combo.setAccessibleName(self.tr("Kỳ báo cáo"))
        for mode, label in (
            (PeriodMode.THIS_WEEK, self.tr("Tuần này")),
            (PeriodMode.LAST_WEEK, self.tr("Tuần trước")),
            (PeriodMode.WEEK, self.tr("Chọn tuần…")),
            (PeriodMode.MONTH, self.tr("Chọn tháng…")),
            (PeriodMode.CUSTOM, self.tr("Tùy chọn…")),
        ):
            self.combo.addItem(label, mode.value)
        self.previous_button = self._arrow("◀", "tallyPreviousPeriod", self.tr("Kỳ trước (Alt+←)"))
        self.next_button = self._arrow("▶", "tallyNextPeriod", self.tr("Kỳ sau (Alt+→)"))
        self.start = report_date_edit(self, "tallyPeriodFrom", today)
        self.start.setAccessibleName(self.tr("Từ ngày"))
        self.end = report_date_edit(self, "tallyPeriodTo", today)
        self.end.setAccessibleName(self.tr("Đến ngày"))
        self.summary = QLabel(self)
        self.summary.setObjectName("tallyPeriodText")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        layout = row_over_errors(self, (self.start, self.end))  # a wrong day said under them
        for widget in (self.combo, self.previous_button, self.start):
            layout.addWidget(widget)
        layout.addWidget(QLabel("–", self))
        for widget in (self.end, self.next_button):
            layout.addWidget(widget)
        layout.addSpacing(12)
        layout.addWidget(self.summary)
        self.setFocusProxy(self.combo)

        self._anchor = today()  # the day a chosen week or month contains
        self._custom = (self._anchor, self._anchor)
        self._shown: Period | None = None
        self.combo.currentIndexChanged.connect(self._mode_chosen)
        self.start.dateChanged.connect(self._start_edited)
        self.end.dateChanged.connect(self._end_edited)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self._refresh()

    def _arrow(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        return button

    # --- reading and choosing --------------------------------------------------------

    def mode(self) -> PeriodMode:
        return PeriodMode(self.combo.currentData())

    def period(self) -> Period:
        """The period chosen; "this week" and "last week" follow the calendar, so a
        screen left open over the weekend moves on by itself."""
        from villagehelper.tally.periods import custom, month, week_containing

        mode = self.mode()
        if mode is PeriodMode.THIS_WEEK:
            return week_containing(self._today())
        if mode is PeriodMode.LAST_WEEK:
            return week_containing(self._today() - timedelta(days=7))
        if mode is PeriodMode.WEEK:
            return week_containing(self._anchor)
        if mode is PeriodMode.MONTH:
            return month(self._anchor.year, self._anchor.month)
        first, last = sorted(self._custom)
        return custom(first, last)

    def set_mode(self, mode: PeriodMode) -> None:
        self.combo.setCurrentIndex(self.combo.findData(mode.value))

    def show_week(self, day: date) -> None:
        """Select the week containing ``day`` (named "this week" or "last week" when it
        is one of those)."""
        monday = day - timedelta(days=day.weekday())
        this_monday = self._today() - timedelta(days=self._today().weekday())
        presets = {
            this_monday: PeriodMode.THIS_WEEK,
            this_monday - timedelta(days=7): PeriodMode.LAST_WEEK,
        }
        self._anchor = monday
        self._set_mode_quietly(presets.get(monday, PeriodMode.WEEK))
        self._refresh()

    def show_month(self, day: date) -> None:
        self._anchor = day.replace(day=1)
        self._set_mode_quietly(PeriodMode.MONTH)
        self._refresh()

    def show_range(self, first: date, last: date) -> None:
        self._custom = (first, last)
        self._set_mode_quietly(PeriodMode.CUSTOM)
        self._refresh()

    def step(self, direction: int) -> None:
        """The period ``direction`` periods later (negative: earlier), same kind."""
        current = self.period()
        mode = self.mode()
        if mode is PeriodMode.MONTH:
            shifted = current.first + timedelta(days=-1 if direction < 0 else current.days)
            self.show_month(shifted)
        elif mode is PeriodMode.CUSTOM:
            offset = timedelta(days=current.days * direction)
            self.show_range(current.first + offset, current.last + offset)
        else:
            self.show_week(current.first + timedelta(days=7 * direction))

    # --- reacting -------------------------------------------------------------------

    def _set_mode_quietly(self, mode: PeriodMode) -> None:
        self.combo.blockSignals(True)
        self.set_mode(mode)
        self.combo.blockSignals(False)

    def _mode_chosen(self) -> None:
        shown = self._shown
        if shown is not None:
            # Start from what was on screen: "Chọn tuần…" after "Tuần trước" stays there.
            self._anchor = shown.first
            self._custom = (shown.first, shown.last)
        self._refresh()

    def _start_edited(self) -> None:
        day = from_qdate(self.start.date())
        mode = self.mode()
        if mode is PeriodMode.MONTH:
            self.show_month(day)
        elif mode is PeriodMode.CUSTOM:
            self.show_range(day, self._custom[1])
        else:
            self.show_week(day)

    def _end_edited(self) -> None:
        if self.mode() is PeriodMode.CUSTOM:
            self.show_range(self._custom[0], from_qdate(self.end.date()))

    def _refresh(self) -> None:
        """Show the chosen period's days; say so when it changed."""
        period = self.period()
        self.end.setEnabled(self.mode() is PeriodMode.CUSTOM)
        for edit, day in ((self.start, period.first), (self.end, period.last)):
            edit.blockSignals(True)
            edit.setDate(to_qdate(day))
            edit.blockSignals(False)
        self.summary.setText(self.describe(period))
        if period != self._shown:
            self._shown = period
            self.sig_changed.emit()

    def describe(self, period: Period) -> str:
        """ "Tuần 47/2026: 16/11/2026 – 22/11/2026" and the like."""
        from villagehelper.tally.periods import PeriodKind

        days = f"{format_vn_date(period.first)} – {format_vn_date(period.last)}"
        if period.iso_week is not None:
            year, week = period.iso_week
            return (
                self.tr("Tuần %1/%2: %3")
                .replace("%1", str(week))
                .replace("%2", str(year))
                .replace("%3", days)
            )
        if period.kind is PeriodKind.MONTH:
            return (
                self.tr("Tháng %1/%2: %3")
                .replace("%1", str(period.first.month))
                .replace("%2", str(period.first.year))
                .replace("%3", days)
            )
        return self.tr("%1 ngày: %2").replace("%1", str(period.days)).replace("%2", days)
