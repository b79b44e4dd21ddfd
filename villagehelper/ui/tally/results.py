"""The tally screen's numbers: the table by service, the table by village (only for a
commune-wide tally), open follow-ups and the basic-skills indicator under them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QTabWidget, QVBoxLayout, QWidget

from villagehelper.text import format_number
from villagehelper.ui.shell.screen_fit import WrappedNames
from villagehelper.ui.tally.models import (
    CountsModel,
    ServiceTallyModel,
    VillageTallyModel,
    rate_text,
)
from villagehelper.ui.widgets.fields import list_table

if TYPE_CHECKING:
    from villagehelper.tally.overview import TallyOverview


class TallyResults(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services_model = ServiceTallyModel(self)
        self.services_table = self._table(self.services_model, "tallyServiceTable", 1)
        self.services_table.setAccessibleName(self.tr("Kết quả theo loại hỗ trợ"))
        self.villages_model = VillageTallyModel(self)
        self.villages_table = self._table(self.villages_model, "tallyVillageTable", 0)
        self.villages_table.setAccessibleName(self.tr("Kết quả theo thôn"))
        # Tabs rather than two tables one above the other: each gets the whole height,
        # and the commune's villages are one keystroke away (Alt+T, Ctrl+Tab).
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tallyTables")
        self.tabs.addTab(self.services_table, self.tr("Theo &loại hỗ trợ"))
        self.tabs.addTab(self.villages_table, self.tr("Theo &thôn"))
        self.follow_ups = QLabel(self)
        self.follow_ups.setObjectName("tallyOpenFollowUps")
        self.basic_skills = QLabel(self)
        self.basic_skills.setObjectName("tallyBasicSkills")
        self.basic_skills.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.follow_ups)
        layout.addWidget(self.basic_skills)
        QWidget.setTabOrder(self.tabs, self.services_table)
        QWidget.setTabOrder(self.services_table, self.villages_table)

    def _table(self, model: CountsModel, name: str, stretch: int) -> QTableView:
        table = list_table(self, name)
        table.setModel(model)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)  # the name column takes the room left
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setSectionsClickable(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        WrappedNames(table, stretch)
        return table

    def show_overview(self, overview: TallyOverview, language: str) -> None:
        tally = overview.tally
        title, name = self._previous_names(tally.period.kind)
        for model in (self.services_model, self.villages_model):
            model.set_previous_period(title, name)
        self.services_model.set_tally(tally, language)
        self.villages_model.set_villages(overview.villages, tally)
        # One village's tally has no village breakdown; the commune-wide one has.
        self.tabs.setTabVisible(1, tally.village_id is None)
        self.follow_ups.setText(
            self.tr("Hẹn lại chưa xong đến hết kỳ: %1 lượt").replace(
                "%1", format_number(tally.totals.open_follow_ups)
            )
        )
        self._show_basic_skills(overview, language)

    def _previous_names(self, kind: str) -> tuple[str, str]:
        """The change column's title and how its tooltip names the compared period."""
        if kind == "week":
            return self.tr("So với\ntuần trước"), self.tr("Tuần trước")
        if kind == "month":
            return self.tr("So với\ntháng trước"), self.tr("Tháng trước")
        return self.tr("So với\nkỳ trước"), self.tr("Kỳ trước")

    def _show_basic_skills(self, overview: TallyOverview, language: str) -> None:
        skills = overview.tally.basic_skills
        if not skills.services:
            self.basic_skills.setText(
                self.tr("Chưa có loại hỗ trợ nào được đánh dấu là kỹ năng số cơ bản.")
            )
            self.basic_skills.setToolTip("")
            return
        self.basic_skills.setText(
            self.tr("Hộ có người được hỗ trợ đủ %1 kỹ năng số cơ bản: %2/%3 hộ (tỷ lệ %4)")
            .replace("%1", str(len(skills.services)))
            .replace("%2", format_number(skills.households_covered))
            .replace("%3", format_number(skills.households))
            .replace("%4", rate_text(skills.rate))
        )
        # Which services those are: the catalogue decides, and a leader may change it.
        labels = [
            row.label_en if language == "en" else row.label_vi
            for row in overview.tally.rows
            if row.service_code in skills.services
        ]
        self.basic_skills.setToolTip("\n".join(labels))
