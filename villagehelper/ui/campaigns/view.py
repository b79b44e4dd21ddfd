"""The campaigns screen (chiến dịch, F8): the commune's campaigns with reached / total,
the chosen campaign's progress by village (a total row last), and, for the chosen
village, who is left — names shown: this is the team's own laptop.

Every number comes from the core (campaigns.listing, campaigns.progress) run on the
database worker; the screen reads again when an operation changes campaigns, their
lists or help sessions.  A leader creates campaigns here and imports their lists (the
import dialog is its own module, loaded when pressed).  This module does not load the
database layer.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from villagehelper.clock import format_vn_date
from villagehelper.text import format_number
from villagehelper.ui.campaigns.left_print import LeftChoice, LeftPrinter
from villagehelper.ui.campaigns.tables import ReadOnlyTable
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.widgets.saved_notice import SavedFileNotice

if TYPE_CHECKING:
    from villagehelper.campaigns.listing import CampaignInfo
    from villagehelper.campaigns.progress import CampaignProgress, LeftTarget
    from villagehelper.ops.team import ServiceInfo
    from villagehelper.store.changelog import Changes

PRINT_KEYS = "Ctrl+P"
WATCHED = ("campaign", "campaign_target", "help_session", "session_void", "member", "household")


@dataclass(frozen=True)
class _Overview:
    campaigns: list[CampaignInfo]
    services: list[ServiceInfo]
    leader: bool


def _count(value: int) -> str:
    return format_number(value)


class CampaignsView(QWidget):
    """The campaigns screen; ``progress`` is the chosen campaign's (``None`` until read)."""

    sig_loaded = Signal()
    """The campaign list was read and is on screen."""
    sig_progress_loaded = Signal()
    sig_left_loaded = Signal()
    sig_open_household = Signal(str)
    """Open the household page of this id (Enter on a person who is left)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaignsView")
        self._ctx = ctx
        self._stale = True  # read when first shown
        self.campaigns: list[CampaignInfo] = []
        self.services: list[ServiceInfo] = []
        self.progress: CampaignProgress | None = None
        self.left: list[LeftTarget] = []
        self._village_ids: list[str | None] = []  # of the progress rows, total row excluded
        self.campaign_table = ReadOnlyTable(
            (
                self.tr("Chiến dịch"),
                self.tr("Dịch vụ"),
                self.tr("Hạn"),
                self.tr("Đã tiếp cận / tổng"),
                self.tr("Tình trạng"),
            ),
            "campaignList",
            self,
        )
        self.progress_table = ReadOnlyTable(
            (
                self.tr("Thôn"),
                self.tr("Tổng"),
                self.tr("Đã tiếp cận"),
                self.tr("Xong"),
                self.tr("Hẹn lại"),
                self.tr("Không được"),
                self.tr("Chưa"),
            ),
            "campaignProgress",
            self,
        )
        self.left_table = ReadOnlyTable(
            (self.tr("Họ tên"), self.tr("Năm sinh"), self.tr("Điện thoại"), self.tr("Tình trạng")),
            "campaignLeft",
            self,
        )
        self.progress_title = QLabel(self)
        self.progress_title.setObjectName("campaignProgressTitle")
        self.progress_title.setWordWrap(True)
        self.left_title = QLabel(self)
        self.left_title.setObjectName("campaignLeftTitle")
        self.left_title.setWordWrap(True)
        self.create_button = QPushButton(self.tr("&Tạo chiến dịch…"), self)
        self.create_button.setObjectName("createCampaign")
        self.import_button = QPushButton(self.tr("&Nhập danh sách…"), self)
        self.import_button.setObjectName("importCampaignList")
        for button in (self.create_button, self.import_button):
            button.hide()  # a leader's, shown once the team is read
        self.create_button.clicked.connect(self.create_campaign)
        self.import_button.clicked.connect(self.import_list)
        self.printer = LeftPrinter(ctx, self)
        self.print_button = QPushButton(self.tr("&In danh sách còn lại…"), self)
        self.notice = SavedFileNotice("campaignLeft", self)
        self._wire_printing()
        self._build_layout()
        self._update_print_button()
        self._action("Alt+1", self.campaign_table.setFocus)
        self._action("Alt+2", self.progress_table.setFocus)
        self._action("Alt+3", self.left_table.setFocus)
        # Ctrl+P is the tally screen's "print" too; each screen's keys work only while
        # it is the one shown.
        self._action(PRINT_KEYS, self._press_print)
        self.campaign_table.itemSelectionChanged.connect(self.load_progress)
        self.progress_table.itemSelectionChanged.connect(self.load_left)
        self.left_table.activated.connect(lambda index: self.open_left(index.row()))
        ctx.hub.sig_changed.connect(self._on_changed)
        ctx.hub.sig_volunteer_changed.connect(lambda _id: self.reload())

    # --- building ---------------------------------------------------------------------

    def _action(self, keys: str, slot: object) -> QAction:
        action = QAction(self)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _wire_printing(self) -> None:
        self.print_button.setObjectName("printCampaignLeft")
        self.print_button.clicked.connect(self.print_left)
        self.printer.sig_message.connect(self.notice.show_message)
        self.printer.sig_saved.connect(self.notice.offer_to_open)

    def _titled(self, title: str, table: ReadOnlyTable, extra: QLabel | None = None) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"<b>{title}</b>", box)
        label.setBuddy(table)
        layout.addWidget(label)
        if extra is not None:
            layout.addWidget(extra)
        layout.addWidget(table, 1)
        return box

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        hint = QLabel(
            self.tr(
                "Alt+1 danh sách chiến dịch · Alt+2 theo thôn · Alt+3 người còn lại (Enter: mở hộ)"
                " · Ctrl+P in danh sách còn lại"
            ),
            self,
        )
        hint.setWordWrap(True)
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.import_button)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(
            self._titled(self.tr("Tiến độ theo thôn"), self.progress_table, self.progress_title)
        )
        lower.addWidget(self._titled(self.tr("Người còn lại"), self.left_table, self.left_title))
        lower.setChildrenCollapsible(False)
        outer = QSplitter(Qt.Orientation.Vertical, self)
        outer.addWidget(self._titled(self.tr("Các chiến dịch"), self.campaign_table))
        outer.addWidget(lower)
        outer.setStretchFactor(0, 1)
        outer.setStretchFactor(1, 2)
        outer.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        layout.addWidget(outer, 1)
        QWidget.setTabOrder(self.campaign_table, self.progress_table)
        QWidget.setTabOrder(self.progress_table, self.left_table)
        QWidget.setTabOrder(self.left_table, self.print_button)
        QWidget.setTabOrder(self.print_button, self.create_button)
        QWidget.setTabOrder(self.create_button, self.import_button)

    # --- reading ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _on_changed(self, changes: Changes) -> None:
        if any(changes.ids(entity) for entity in WATCHED):
            if self.isVisible():
                self.reload()
            else:
                self._stale = True

    def reload(self) -> None:
        self._stale = False
        ctx = self._ctx

        def load() -> _Overview:
            from villagehelper.campaigns.listing import list_campaigns
            from villagehelper.ops.team import list_services, list_team_members

            store = ctx.store
            with store.reading() as session:
                campaigns = list_campaigns(session)
            team = list_team_members(store)
            leader = any(m.id == ctx.volunteer_id and m.is_leader for m in team)
            return _Overview(campaigns, list_services(store), leader)

        ctx.read(self, load).latest_only("campaigns").success(self._show_campaigns).run()

    def _service_label(self, code: str) -> str:
        language = self._ctx.preferences.language
        found = next((s for s in self.services if s.code == code), None)
        return found.label(language) if found is not None else code

    def _show_campaigns(self, overview: _Overview) -> None:
        chosen = self.campaign_table.current_id()
        self.campaigns, self.services = overview.campaigns, overview.services
        self.create_button.setVisible(overview.leader)
        self.import_button.setVisible(overview.leader)
        rows = [
            (
                item.campaign_id,
                (
                    item.name,
                    ", ".join(self._service_label(code) for code in item.service_codes),
                    format_vn_date(item.deadline),
                    f"{_count(item.reached)} / {_count(item.total)}",
                    self.tr("Đã đóng") if item.closed else self.tr("Đang mở"),
                ),
            )
            for item in self.campaigns
        ]
        self.campaign_table.blockSignals(True)
        self.campaign_table.fill(rows, numeric_from=3)
        ids = [item.campaign_id for item in self.campaigns]
        row = ids.index(chosen) if chosen in ids else (0 if ids else -1)
        self.campaign_table.setCurrentCell(row, 0)
        self.campaign_table.blockSignals(False)
        self.import_button.setEnabled(row >= 0)
        self.sig_loaded.emit()
        self.load_progress()

    def load_progress(self) -> None:
        campaign_id = self.campaign_table.current_id()
        if campaign_id is None:
            self.progress = None
            self.progress_table.setRowCount(0)
            self.progress_title.setText(self.tr("Chưa có chiến dịch nào."))
            self._show_left_of(None)
            self._update_print_button()
            return
        ctx = self._ctx

        def load() -> CampaignProgress:
            from villagehelper.campaigns.progress import campaign_progress

            with ctx.store.reading() as session:
                return campaign_progress(session, campaign_id)

        ctx.read(self, load).latest_only("progress").success(self._show_progress).run()

    def _show_progress(self, progress: CampaignProgress) -> None:
        chosen = self.current_village()
        self.progress = progress
        self.progress_title.setText(
            self.tr("«%1» — hạn %2")
            .replace("%1", progress.name)
            .replace("%2", format_vn_date(progress.deadline))
        )
        lines = [*progress.by_village, progress.total]
        self._village_ids = [row.village_id for row in progress.by_village]
        rows = [
            (
                None,
                (
                    row.village_name if row is not progress.total else self.tr("Tổng cộng"),
                    *(
                        _count(value)
                        for value in (
                            row.total,
                            row.reached,
                            row.done,
                            row.follow_up,
                            row.failed,
                            row.not_yet,
                        )
                    ),
                ),
            )
            for row in lines
        ]
        self.progress_table.blockSignals(True)
        self.progress_table.fill(rows, numeric_from=1)
        self.progress_table.embolden_row(len(lines) - 1)
        row = self._village_ids.index(chosen) if chosen in self._village_ids else 0
        self.progress_table.setCurrentCell(row if self._village_ids else -1, 0)
        self.progress_table.blockSignals(False)
        self.sig_progress_loaded.emit()
        self.load_left()

    def current_village(self) -> str | None:
        """The chosen village's id (None: no village known, or none chosen)."""
        row = self.progress_table.currentRow()
        return self._village_ids[row] if 0 <= row < len(self._village_ids) else None

    def load_left(self) -> None:
        self._update_print_button()
        row = self.progress_table.currentRow()
        progress = self.progress
        if progress is None or not 0 <= row < len(self._village_ids):
            self._show_left_of(None)
            return
        village = progress.by_village[row]
        ctx, campaign_id = self._ctx, progress.campaign_id

        def load() -> list[LeftTarget]:
            from villagehelper.campaigns.progress import who_is_left

            with ctx.store.reading() as session:
                return who_is_left(session, campaign_id, village.village_id)

        ctx.read(self, load).latest_only("left").success(
            lambda left: self._show_left_of(village.village_name, left)
        ).run()

    def _show_left_of(self, village_name: str | None, left: list[LeftTarget] | None = None) -> None:
        self.left = left or []
        if village_name is None:
            self.left_table.setRowCount(0)
            self.left_title.setText(self.tr("Chọn một thôn để xem ai còn lại."))
            self.sig_left_loaded.emit()
            return
        self.left_title.setText(
            self.tr("%1: còn %2 người")
            .replace("%1", village_name)
            .replace("%2", format_number(len(self.left)))
        )
        status_text = {
            "not_yet": self.tr("Chưa"),
            "follow_up": self.tr("Hẹn lại"),
            "failed": self.tr("Không được"),
        }
        rows = []
        for person in self.left:
            status = status_text.get(str(person.status), str(person.status))
            if person.follow_up_date is not None:
                status += " " + format_vn_date(person.follow_up_date)
            if person.member_id is None:
                status += " — " + self.tr("chưa gắn với người trong sổ")
            year = str(person.birth_year) if person.birth_year else ""
            rows.append((person.target_id, (person.full_name, year, person.phone or "", status)))
        self.left_table.fill(rows, numeric_from=99)
        self.sig_left_loaded.emit()

    def open_left(self, row: int) -> None:
        """Enter (or a double click) on a person left opens their household, where the
        visit is logged; a row linked to nobody has no household to open."""
        if 0 <= row < len(self.left) and (household_id := self.left[row].household_id):
            self.sig_open_household.emit(household_id)

    # --- printing who is left ---------------------------------------------------------

    def print_choice(self) -> LeftChoice | None:
        """What Ctrl+P prints: the chosen village's list, or with the total row chosen
        every village's (``None``: no campaign, or one with nobody on its list)."""
        progress, row = self.progress, self.progress_table.currentRow()
        if progress is None or progress.campaign_id != self.campaign_table.current_id():
            return None  # the chosen campaign's progress is still being read
        if progress.total.total == 0 or not 0 <= row <= len(progress.by_village):
            return None
        if row == len(progress.by_village):
            return LeftChoice(
                progress.campaign_id, progress.name, None, self.tr("Tất cả các thôn"), True
            )
        village = progress.by_village[row]
        return LeftChoice(
            progress.campaign_id, progress.name, village.village_id, village.village_name
        )

    def _update_print_button(self) -> None:
        choice = self.print_choice()
        self.print_button.setEnabled(choice is not None)
        keys = QKeySequence(PRINT_KEYS).toString(QKeySequence.SequenceFormat.NativeText)
        if choice is None:
            tip = self.tr(
                "Chọn một chiến dịch có danh sách, rồi chọn một thôn (hoặc dòng Tổng cộng "
                "để in mọi thôn)."
            )
        elif choice.every_village:
            tip = self.tr("Lưu PDF danh sách người còn lại của mọi thôn (%1)").replace("%1", keys)
        else:
            tip = (
                self.tr("Lưu PDF danh sách người còn lại của %1 (%2)")
                .replace("%1", choice.village_name)
                .replace("%2", keys)
            )
        self.print_button.setToolTip(tip)

    def _press_print(self) -> None:
        if self.print_button.isEnabled():
            self.print_button.click()

    def print_left(self) -> None:
        choice = self.print_choice()
        if choice is not None:
            self.printer.save_pdf(choice)

    # --- a leader's actions -----------------------------------------------------------

    def create_campaign(self) -> None:
        from villagehelper.ui.campaigns.create_dialog import CreateCampaignDialog
        from villagehelper.ui.lock.leader_gate import when_leader_allows

        def open_dialog(leader_id: str) -> None:
            dialog = CreateCampaignDialog(self._ctx, self.services, leader_id, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        when_leader_allows(self, self._ctx, self.tr("Tạo chiến dịch"), open_dialog)

    def import_list(self) -> None:
        campaign_id = self.campaign_table.current_id()
        if campaign_id is None:
            return
        from villagehelper.ui.lock.leader_gate import when_leader

        def run() -> None:
            # The import dialog is its own module, loaded only when pressed.
            import_dialog = importlib.import_module("villagehelper.ui.campaigns.import_dialog")
            import_dialog.run_import(self, self._ctx, campaign_id)

        when_leader(self, self._ctx, self.tr("Nhập danh sách"), run)
