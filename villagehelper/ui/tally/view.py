"""The tally screen (báo cáo tuần): the weekly report's numbers for a period, village and
team member, the commune's villages side by side, twelve weeks in a chart, and the
report printed, previewed, or saved as PDF or Excel.

Every number comes from :func:`villagehelper.tally.overview.tally_overview`, run on the
database worker; the screen reads again when shown after a change and when an
operation changes what it counts.  This module does not load the database layer.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import utc_now, vietnam_today
from villagehelper.text import format_number
from villagehelper.ui.lists.session_records import SESSION_RECORDS
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.tally.actions import ReportActions
from villagehelper.ui.tally.chart import WeeklyChart
from villagehelper.ui.tally.period import TallyPeriodPicker
from villagehelper.ui.tally.results import TallyResults
from villagehelper.ui.widgets.fields import ChoiceCombo, labelled
from villagehelper.ui.widgets.reflow import StackWhenNarrow, table_needs

if TYPE_CHECKING:
    from villagehelper.store.changelog import Changes
    from villagehelper.tally.overview import TallyOverview
    from villagehelper.ui.lists.filters import FilterChoices

CHOICE_ENTITIES = ("village", "team_member")


class TallyView(QWidget):
    """The tally screen; ``overview`` is what it shows (``None`` until first read)."""

    sig_loaded = Signal()
    """A tally was read and is now on screen."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tallyView")
        self._ctx = ctx
        self._stale = True  # read when first shown, not at construction
        self.overview: TallyOverview | None = None
        self._held_back_text = ""  # the line saying sessions are left out, while shown
        self.period = TallyPeriodPicker(self._today, self)
        self.village = ChoiceCombo(self.tr("Tất cả các thôn"), "tallyVillageFilter", self)
        self.volunteer = ChoiceCombo(self.tr("Tất cả thành viên tổ"), "tallyVolunteerFilter", self)
        self.report = ReportActions(ctx, lambda: self.overview, self)
        self.report.sig_message.connect(self._show_message)
        self.preview_button = self._button(
            self.tr("&Xem trước khi in"), "Ctrl+Shift+P", self.report.preview, "tallyPreview"
        )
        self.print_button = self._button(
            self.tr("&In…"), "Ctrl+P", self.report.print_report, "tallyPrint"
        )
        self.pdf_button = self._button(
            self.tr("Lưu &PDF…"), "Ctrl+S", self.report.save_pdf, "tallySavePdf"
        )
        self.excel_button = self._button(
            self.tr("Xuất &Excel…"), "Ctrl+E", self.report.export_excel, "tallyExportExcel"
        )
        self.results = TallyResults(self)
        self.chart = WeeklyChart(self)
        self.message = QLabel(self)
        self.message.setObjectName("tallyMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_layout()
        self._action("Alt+Left", lambda: self.period.step(-1))
        self._action("Alt+Right", lambda: self.period.step(1))
        self.period.sig_changed.connect(self.reload)
        self.village.currentIndexChanged.connect(lambda _index: self.reload())
        self.volunteer.currentIndexChanged.connect(lambda _index: self.reload())
        ctx.hub.sig_changed.connect(self._on_changed)
        ctx.hub.sig_volunteer_changed.connect(lambda _id: self.reload())  # who signs
        self.load_choices()

    # --- building ---------------------------------------------------------------------

    def _action(self, keys: str, slot: object) -> QAction:
        # Window-wide, like the other screens' keys: they work wherever the focus is on
        # this screen (even on the tab bar after F7), and not at all while it is hidden.
        action = QAction(self)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _button(self, text: str, keys: str, slot: object, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        shortcut = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{button.text().replace('&', '')} ({shortcut})")
        button.setEnabled(False)  # until a tally is on screen
        button.clicked.connect(slot)

        def press() -> None:
            if button.isEnabled():
                button.click()

        self._action(keys, press)
        return button

    def _build_layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(labelled(self.tr("&Kỳ báo cáo:"), self.period, self))
        filters.addWidget(self.period)
        filters.addStretch(1)
        scope = QHBoxLayout()
        for text, combo in (
            (self.tr("T&hôn:"), self.village),
            (self.tr("Thành &viên tổ:"), self.volunteer),
        ):
            scope.addWidget(labelled(text, combo, self))
            scope.addWidget(combo, 1)
        scope.addStretch(1)
        # The report's buttons on a row of their own: beside the filters they made the
        # screen wider than a laptop at 125 % with large text.
        actions = QHBoxLayout()
        actions.addStretch(1)
        for button in (self.preview_button, self.print_button, self.pdf_button, self.excel_button):
            actions.addWidget(button)

        chart_box = QGroupBox(self.tr("Lượt hỗ trợ 12 tuần gần nhất"), self)
        QVBoxLayout(chart_box).addWidget(self.chart)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("tallySplit")
        split.addWidget(self.results)
        split.addWidget(chart_box)
        # Most of the width to the tables, whose service names are long; the chart
        # stays readable from about 400 pixels.
        split.setStretchFactor(0, 7)
        split.setStretchFactor(1, 3)
        split.setSizes([700, 300])
        split.setChildrenCollapsible(False)
        # A narrow window: the chart below the tables rather than cut at the edge.
        table = self.results.services_table
        # ... and the week's dates wrap under the period's title.
        StackWhenNarrow(split, lambda: table_needs(table, 1), self.period.summary.setWordWrap)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(scope)
        layout.addLayout(actions)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        order = [
            self.period.combo,
            self.period.previous_button,
            self.period.start,
            self.period.end,
            self.period.next_button,
            self.village,
            self.volunteer,
            self.preview_button,
            self.print_button,
            self.pdf_button,
            self.excel_button,
            self.results.tabs,
        ]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    # --- reading ----------------------------------------------------------------------

    def _today(self) -> date:
        ctx = self._ctx
        return vietnam_today(ctx.store.now() if ctx.has_store else utc_now())

    def load_choices(self) -> None:
        ctx = self._ctx

        def load() -> FilterChoices:
            from villagehelper.ui.lists.filters import load_filter_choices

            return load_filter_choices(ctx.store)

        ctx.read(self, load).success(self._set_choices).run()

    def _set_choices(self, choices: FilterChoices) -> None:
        self.village.set_choices([(v.id, v.name) for v in choices.villages])
        self.volunteer.set_choices([(m.id, m.full_name) for m in choices.team])

    def reload(self) -> None:
        """Read the tally the filters describe; hidden, only remember to read when shown."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        ctx = self._ctx
        period = self.period.period()
        village_id, volunteer_id = self.village.current_id(), self.volunteer.current_id()

        def work() -> TallyOverview:
            from villagehelper.tally.overview import tally_overview

            return tally_overview(
                ctx.store,
                period,
                village_id=village_id,
                volunteer_id=volunteer_id,
                prepared_by_id=ctx.volunteer_id,
            )

        # Only the newest request's answer is shown: the filters may change meanwhile.
        ctx.read(self, work).latest_only("tally").success(self._show).with_progress(
            self.tr("Đang tính báo cáo…")
        ).run()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _on_changed(self, changes: Changes) -> None:
        if any(changes.ids(entity) for entity in CHOICE_ENTITIES):
            self.load_choices()
        if any(changes.ids(entity) for entity in SESSION_RECORDS):
            self.reload()

    # --- showing ----------------------------------------------------------------------

    def _show(self, overview: TallyOverview) -> None:
        self.overview = overview
        language = self._ctx.preferences.language
        self.results.show_overview(overview, language)
        self.chart.set_history(overview.history, language)
        for button in (self.preview_button, self.print_button, self.pdf_button, self.excel_button):
            button.setEnabled(True)
        self._show_held_back(overview.implausible_sessions)
        self.sig_loaded.emit()

    def _show_held_back(self, count: int) -> None:
        """Say that sessions with an impossible date are left out, never silently."""
        text = self.tr(
            "%1 lượt hỗ trợ có ngày không hợp lý (đồng hồ máy ghi sai) không được tính. "
            "Tổ trưởng sửa lại ngày ở «Xem xung đột» → «Ngày không hợp lý»."
        ).replace("%1", format_number(count))
        if count:
            self._show_message(text, False)
        elif self.message.text() == self._held_back_text:
            self.message.clear()  # corrected since; a report's message stays
        self._held_back_text = text if count else ""

    def _show_message(self, text: str, success: bool) -> None:
        self.message.setStyleSheet("" if success else "color: #a01414;")
        self.message.setText(text)
