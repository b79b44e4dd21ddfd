"""The tally screen's chart: help sessions of the last weeks, one stacked bar per week.

Painted with QPainter (QtCharts is not in pyside6-essentials).  A bar is split by
service; the services with the most sessions over the weeks get their own colour
(a palette that colour-blind readers can tell apart) and the rest share a grey "other"
band, because fourteen colours in a small chart cannot be told apart.  Hovering a bar
lists its numbers; the accessible description reads the weekly totals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from villagehelper.clock import format_vn_date
from villagehelper.text import format_number

if TYPE_CHECKING:
    from villagehelper.tally.history import WeeklyHistory
    from villagehelper.tally.periods import Period

# Okabe–Ito colours, most distinct first.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER_COLOUR = "#9E9E9E"
GRID_COLOUR = "#D0D0D0"
BAR_SHARE = 0.62  # of each week's slot; the rest is the gap between bars
PAD = 8


@dataclass(frozen=True)
class Band:
    """One coloured part of every bar: a service, or the services grouped as "other"."""

    label: str
    colour: str
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.values)


def nice_step(largest: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10ⁿ) giving about ``ticks`` gridlines up to ``largest``."""
    raw = max(largest, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return max(int(multiple * magnitude), 1)
    return int(10 * magnitude)


def week_number(period: Period) -> int:
    return period.iso_week[1] if period.iso_week is not None else 0


class WeeklyChart(QWidget):
    """Stacked bars of sessions per week; give it data with :meth:`set_history`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tallyChart")
        self.setAccessibleName(self.tr("Biểu đồ lượt hỗ trợ theo tuần"))
        self.setMinimumSize(QSize(360, 260))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self._history: WeeklyHistory | None = None
        self._bands: tuple[Band, ...] = ()

    # --- data -----------------------------------------------------------------------

    def set_history(self, history: WeeklyHistory, language: str = "vi") -> None:
        self._history = history
        ranked = sorted(history.series, key=lambda series: -series.total)
        own = ranked[: len(PALETTE)] if len(ranked) <= len(PALETTE) else ranked[: len(PALETTE) - 1]
        rest = ranked[len(own) :]
        bands = [
            Band(series.label(language), colour, series.sessions)
            for series, colour in zip(own, PALETTE, strict=False)
        ]
        if rest:
            others = tuple(sum(values) for values in zip(*(s.sessions for s in rest), strict=True))
            label = self.tr("Các loại khác (%1)").replace("%1", str(len(rest)))
            bands.append(Band(label, OTHER_COLOUR, others))
        self._bands = tuple(bands)
        totals = history.totals()
        self.setAccessibleDescription(
            "; ".join(
                f"{self.week_label(week)}: {format_number(total)}"
                for week, total in zip(history.weeks, totals, strict=True)
            )
        )
        self.update()

    def week_label(self, week: Period) -> str:
        """ "T47": a week under its bar (T for tuần)."""
        return self.tr("T%1").replace("%1", str(week_number(week)))

    def history(self) -> WeeklyHistory | None:
        return self._history

    def bands(self) -> tuple[Band, ...]:
        """What the bars are made of, bottom band first."""
        return self._bands

    # --- geometry -------------------------------------------------------------------

    def _legend_lines(self) -> int:
        return sum(lines for _band, lines in self.legend_rows())

    def legend_rows(self) -> list[tuple[Band, int]]:
        """Each band of the legend with the lines its name takes: a long service name
        wraps onto more lines at the chart's width, never cut."""
        metrics = QFontMetrics(self.font())
        rows = []
        for band in self._bands:
            room = int(self._legend_text_room(metrics, band))
            wrapped = metrics.boundingRect(
                0, 0, max(room, 1), 100 * metrics.height(), Qt.TextFlag.TextWordWrap, band.label
            )
            rows.append((band, max(1, math.ceil(wrapped.height() / metrics.height()))))
        return rows

    def _legend_text_room(self, metrics: QFontMetrics, band: Band) -> float:
        """The width left for the band's name beside its swatch and its total."""
        swatch = metrics.height() - 4
        total = metrics.horizontalAdvance(format_number(band.total))
        return self.width() - 4 * PAD - swatch - total

    def _plot_rect(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        legend = self._legend_lines() * (line + 2) + PAD
        left = metrics.horizontalAdvance(format_number(self._axis_top())) + 2 * PAD
        top = line + PAD  # room for the totals above the bars
        bottom = self.height() - legend - line - 2 * PAD  # week labels under the bars
        return QRectF(left, top, max(self.width() - left - PAD, 1), max(bottom - top, 1))

    def _axis_top(self) -> int:
        if self._history is None:
            return 0
        largest = max(self._history.totals(), default=0)
        step = nice_step(largest)
        return max(step * math.ceil(largest / step), step)

    def _slot(self, plot: QRectF) -> float:
        weeks = len(self._history.weeks) if self._history is not None else 1
        return plot.width() / max(weeks, 1)

    def week_at(self, x: float) -> int | None:
        """The index of the week whose bar is at ``x`` (widget coordinates)."""
        if self._history is None:
            return None
        plot = self._plot_rect()
        index = math.floor((x - plot.left()) / self._slot(plot))
        return index if 0 <= index < len(self._history.weeks) else None

    # --- painting -------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        text_colour = self.palette().text().color()
        history = self._history
        if history is None or not any(history.totals()):
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(self.rect()),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.tr("Chưa có lượt hỗ trợ nào trong các tuần này."),
            )
            return
        plot = self._plot_rect()
        self._paint_grid(painter, plot, text_colour)
        self._paint_bars(painter, plot, history, text_colour)
        self._paint_legend(painter, plot, text_colour)

    def _paint_grid(self, painter: QPainter, plot: QRectF, text_colour: QColor) -> None:
        top = self._axis_top()
        step = nice_step(top)
        metrics = QFontMetrics(self.font())
        for value in range(0, top + 1, step):
            y = plot.bottom() - plot.height() * value / top
            painter.setPen(QPen(QColor(GRID_COLOUR), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_colour)
            label = QRectF(0, y - metrics.height() / 2, plot.left() - PAD, metrics.height())
            painter.drawText(
                label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(value)
            )

    def _paint_bars(
        self, painter: QPainter, plot: QRectF, history: WeeklyHistory, text_colour: QColor
    ) -> None:
        top = self._axis_top()
        slot = self._slot(plot)
        width = slot * BAR_SHARE
        metrics = QFontMetrics(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        last = len(history.weeks) - 1
        # Labels that would touch their neighbours go every other week, counted back
        # from the chosen (last) week, which is always named.
        widest = max(metrics.horizontalAdvance(self.week_label(week)) for week in history.weeks)
        label_every = 1 if widest + PAD / 2 <= slot else 2
        for index, (week, total) in enumerate(zip(history.weeks, history.totals(), strict=True)):
            x = plot.left() + slot * index + (slot - width) / 2
            base = plot.bottom()
            for band in self._bands:
                height = plot.height() * band.values[index] / top
                if height > 0:
                    painter.fillRect(QRectF(x, base - height, width, height), QColor(band.colour))
                base -= height
            painter.setFont(bold if index == last else self.font())
            painter.setPen(text_colour)
            total_text = format_number(total)
            if metrics.horizontalAdvance(total_text) <= slot:
                above = QRectF(plot.left() + slot * index, base - metrics.height(), slot, 0)
                above.setHeight(metrics.height())
                painter.drawText(above, Qt.AlignmentFlag.AlignCenter, total_text)
            if (last - index) % label_every == 0:
                under = QRectF(plot.left() + slot * index, plot.bottom() + 2, slot, 0)
                under.setHeight(metrics.height())
                painter.drawText(under, Qt.AlignmentFlag.AlignCenter, self.week_label(week))
        painter.setFont(self.font())

    def _paint_legend(self, painter: QPainter, plot: QRectF, text_colour: QColor) -> None:
        metrics = QFontMetrics(self.font())
        line = metrics.height() + 2
        y = plot.bottom() + metrics.height() + 2 * PAD
        swatch = metrics.height() - 4
        for band, lines in self.legend_rows():
            painter.fillRect(QRectF(PAD, y + 2, swatch, swatch), QColor(band.colour))
            painter.setPen(text_colour)
            height = lines * line
            name_rect = QRectF(2 * PAD + swatch, y, self._legend_text_room(metrics, band), height)
            painter.drawText(
                name_rect, Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, band.label
            )
            total_rect = QRectF(2 * PAD + swatch, y, self.width() - 3 * PAD - swatch, line)
            painter.drawText(
                total_rect,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                format_number(band.total),
            )
            y += height

    # --- hovering -------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.week_at(event.pos().x())
            if index is None:
                QToolTip.hideText()
                event.ignore()
                return True
            QToolTip.showText(event.globalPos(), self.week_text(index), self)
            return True
        return super().event(event)

    def week_text(self, index: int) -> str:
        """The numbers of one week's bar, as its tooltip says them."""
        assert self._history is not None
        week = self._history.weeks[index]
        lines = [
            self.tr("Tuần %1 (%2 – %3): %4 lượt")
            .replace("%1", str(week_number(week)))
            .replace("%2", format_vn_date(week.first))
            .replace("%3", format_vn_date(week.last))
            .replace("%4", format_number(self._history.totals()[index]))
        ]
        lines += [
            f"  {band.label}: {format_number(band.values[index])}"
            for band in self._bands
            if band.values[index]
        ]
        return "\n".join(lines)
