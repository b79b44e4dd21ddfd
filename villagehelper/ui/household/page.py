"""The household page: who lives there, everything done for them, and the fixes —
edit the household and its members, merge a duplicate into it.

The phone numbers are shown in full here (and only here): the volunteer opened this
household on purpose.  Every change is announced on the hub, and the page refreshes
itself from the hub too, so a visit logged on the main screen shows up while it is open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import vietnam_today
from villagehelper.errors import NotFoundError
from villagehelper.ops.households import (
    MemberInfo,
    Saved,
    add_member,
    remove_member,
    update_household,
    update_member,
)
from villagehelper.store.changelog import Changes
from villagehelper.text import format_number
from villagehelper.ui.household.forms import EditDialog, HouseholdForm, member_dialog
from villagehelper.ui.household.header import HouseholdHeader, page_button
from villagehelper.ui.household.members_model import BIRTH_YEAR, CONSENT, NAME, PHONE, MembersModel
from villagehelper.ui.household.merge import MergeDialog
from villagehelper.ui.household.privacy_panel import PrivacyPanel
from villagehelper.ui.household.snapshot import HouseholdSnapshot, load_snapshot
from villagehelper.ui.household.timeline_model import TimelineModel
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_failure
from villagehelper.ui.shell.i18n import current_language
from villagehelper.ui.shell.screen_fit import scroll_page


class HouseholdPage(QDialog):
    """One household, opened from a search or a list (``page.open()``)."""

    sig_closed = Signal(str)
    """The page was closed; the argument is the household id."""

    def __init__(self, ctx: AppContext, household_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._household_id = household_id
        self._snapshot: HouseholdSnapshot | None = None
        self.setObjectName("householdPage")
        self.setWindowTitle(self.tr("Hộ gia đình"))

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        self.header = HouseholdHeader(self.edit_household, self.merge_duplicate, self)
        self.head_label = self.header.head_label
        self.village_label = self.header.village_label
        self.address_label = self.header.address_label
        self.phone_label = self.header.phone_label
        self.notes_label = self.header.notes_label
        self.edit_button = self.header.edit_button
        self.merge_button = self.header.merge_button
        body.addWidget(self.header)
        self.privacy_panel = PrivacyPanel(ctx)
        body.addWidget(self._build_members(), 2)
        body.addWidget(self._build_history(), 3)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll_page(content, self), 1)  # scrolls on a small screen
        closing = QHBoxLayout()
        closing.addStretch(1)
        self.close_button = page_button(self.tr("Đóng"), "closeButton", self.reject)
        closing.addWidget(self.close_button)
        layout.addLayout(closing)
        self._shortcuts()
        QWidget.setTabOrder(self.edit_button, self.merge_button)
        QWidget.setTabOrder(self.merge_button, self.members_view)
        QWidget.setTabOrder(self.members_view, self.add_member_button)
        QWidget.setTabOrder(self.add_member_button, self.edit_member_button)
        QWidget.setTabOrder(self.edit_member_button, self.remove_member_button)
        QWidget.setTabOrder(self.remove_member_button, self.history_view)
        QWidget.setTabOrder(self.history_view, self.close_button)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 150, metrics.height() * 46)

        ctx.hub.sig_changed.connect(self._on_changes)
        self._set_actions_enabled(False)
        self.refresh()

    @property
    def household_id(self) -> str:
        return self._household_id

    @property
    def snapshot(self) -> HouseholdSnapshot | None:
        """What the page shows (``None`` before loading or once the household is gone)."""
        return self._snapshot

    # --- building -------------------------------------------------------------------

    def _build_members(self) -> QGroupBox:
        self.members_box = QGroupBox(self.tr("Nhân khẩu"))
        self.members_model = MembersModel(self)
        self.members_view = QTableView()
        self.members_view.setObjectName("membersView")
        self.members_view.setModel(self.members_model)
        self.members_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members_view.setTabKeyNavigation(False)
        self.members_view.verticalHeader().hide()
        header = self.members_view.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for fitted in (BIRTH_YEAR, PHONE, CONSENT):
            header.setSectionResizeMode(fitted, QHeaderView.ResizeMode.ResizeToContents)
        self.members_view.activated.connect(lambda _: self.edit_member())
        self.members_view.selectionModel().selectionChanged.connect(self._show_privacy)
        self.add_member_button = page_button(
            self.tr("&Thêm nhân khẩu"), "addMemberButton", self.add_member
        )
        self.edit_member_button = page_button(
            self.tr("Sửa &nhân khẩu"), "editMemberButton", self.edit_member
        )
        self.remove_member_button = page_button(
            self.tr("&Xóa nhân khẩu"), "removeMemberButton", self.remove_member
        )
        self.add_member_button.setToolTip(self.tr("Insert"))
        self.edit_member_button.setToolTip(self.tr("Enter hoặc F2"))
        self.remove_member_button.setToolTip(self.tr("Delete"))
        buttons = QHBoxLayout()
        for button in (self.add_member_button, self.edit_member_button, self.remove_member_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self.members_box)
        column.addWidget(self.members_view, 1)
        column.addLayout(buttons)
        # The chosen person's consent and data rights, beside the person.
        column.addWidget(self.privacy_panel)
        return self.members_box

    def _build_history(self) -> QGroupBox:
        self.history_box = QGroupBox(self.tr("Lịch sử hỗ trợ"))
        self.history_model = TimelineModel(self)
        self.history_view = QTreeView()
        self.history_view.setObjectName("historyView")
        self.history_view.setModel(self.history_model)
        self.history_view.setUniformRowHeights(True)
        self.history_view.setAlternatingRowColors(True)
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_empty = QLabel(self.tr("Chưa có lượt hỗ trợ nào cho hộ này."))
        self.history_empty.setObjectName("historyEmptyLabel")
        column = QVBoxLayout(self.history_box)
        column.addWidget(self.history_view, 1)
        column.addWidget(self.history_empty)
        return self.history_box

    def _shortcuts(self) -> None:
        QShortcut(QKeySequence("Ctrl+E"), self, self.edit_household)
        QShortcut(QKeySequence(Qt.Key.Key_Insert), self, self.add_member)
        for key in (Qt.Key.Key_F2, Qt.Key.Key_Delete):
            action = self.edit_member if key == Qt.Key.Key_F2 else self.remove_member
            shortcut = QShortcut(QKeySequence(key), self.members_view, action)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)

    # --- loading --------------------------------------------------------------------

    def refresh(self) -> None:
        store, household_id = self._ctx.store, self._household_id
        # Only the newest reading is shown: changes may arrive faster than it reads.
        self._ctx.read(self, lambda: load_snapshot(store, household_id)).latest_only(
            "snapshot"
        ).success(self._show).failure(self._load_failed).run()

    def _on_changes(self, changes: Changes) -> None:
        if self._household_id in changes.ids("household") or changes.ids("village"):
            self.refresh()

    def _show(self, snapshot: HouseholdSnapshot) -> None:
        self._snapshot = snapshot
        detail = snapshot.detail
        self.setWindowTitle(self.tr("Hộ %1").replace("%1", detail.head_name))
        self.header.show_household(detail)

        chosen = self._chosen_member()
        self.members_model.set_rows(detail.members)
        self.members_box.setTitle(
            self.tr("Nhân khẩu (%1)").replace("%1", format_number(len(detail.members)))
        )
        ids = [member.id for member in detail.members]
        row = ids.index(chosen.id) if chosen is not None and chosen.id in ids else 0
        if ids:
            self.members_view.selectRow(row)
        self._show_privacy()

        self.history_model.set_visits(snapshot.visits)
        self.history_view.expandAll()
        for column in range(self.history_model.columnCount()):
            self.history_view.resizeColumnToContents(column)
        self.history_box.setTitle(
            self.tr("Lịch sử hỗ trợ (%1 lượt)").replace("%1", format_number(snapshot.session_count))
        )
        self.history_empty.setVisible(not snapshot.visits)
        self._set_actions_enabled(True)
        if detail.erased:  # nothing personal left to edit (ops.households.refuse_erased)
            for button in (self.edit_button, self.add_member_button, self.edit_member_button):
                button.setEnabled(False)

    def _load_failed(self, error: BaseException) -> None:
        if not isinstance(error, NotFoundError):
            show_failure(self, error, self._ctx.log_file)
            return
        # Merged into another household (maybe on another laptop) or deleted.
        self._snapshot = None
        self.head_label.setText(error.message(current_language()))
        self.members_model.set_rows([])
        self.history_model.set_visits([])
        self._set_actions_enabled(False)
        self.privacy_panel.show_member(None, None)

    def _show_privacy(self) -> None:
        detail = self._snapshot.detail if self._snapshot is not None else None
        self.privacy_panel.show_member(detail, self._chosen_member())

    def _set_actions_enabled(self, enabled: bool) -> None:
        has_members = enabled and self.members_model.rowCount() > 0
        self.edit_button.setEnabled(enabled)
        self.merge_button.setEnabled(enabled)
        self.add_member_button.setEnabled(enabled)
        self.edit_member_button.setEnabled(has_members)
        self.remove_member_button.setEnabled(has_members)

    def _chosen_member(self) -> MemberInfo | None:
        rows = self.members_view.selectionModel().selectedRows()
        return self.members_model.row(rows[0].row()) if rows else None

    # --- changes --------------------------------------------------------------------

    def _open_editor(self, dialog: EditDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def edit_household(self) -> EditDialog | None:
        """Open the household's edit form (returned for tests and callers)."""
        if self._snapshot is None:
            return None
        form = HouseholdForm(self._ctx)
        form.set_household(self._snapshot.detail)
        store, household_id = self._ctx.store, self._household_id

        def prepare() -> Callable[[], Saved]:
            data = form.household_input()
            return lambda: update_household(store, household_id, data)

        dialog = EditDialog(self._ctx, form, self.tr("Sửa thông tin hộ"), prepare, self)
        self._open_editor(dialog)
        return dialog

    def _member_dialog(
        self, title: str, member: MemberInfo | None, save: Callable[..., Saved]
    ) -> EditDialog:
        target = member.id if member is not None else self._household_id
        today = vietnam_today(self._ctx.store.now())
        dialog = member_dialog(self._ctx, title, member, save, target, today=today, parent=self)
        self._open_editor(dialog)
        return dialog

    def add_member(self) -> EditDialog | None:
        if self._snapshot is None:
            return None
        return self._member_dialog(self.tr("Thêm nhân khẩu"), None, add_member)

    def edit_member(self) -> EditDialog | None:
        member = self._chosen_member()
        if self._snapshot is None or member is None:
            return None
        return self._member_dialog(self.tr("Sửa nhân khẩu"), member, update_member)

    def remove_member(self) -> QMessageBox | None:
        """Ask, then remove the chosen member (their past sessions stay in the history)."""
        member = self._chosen_member()
        if self._snapshot is None or member is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Xóa nhân khẩu"),
            self.tr("Xóa «%1» khỏi hộ này? Các lượt hỗ trợ đã ghi vẫn được giữ.").replace(
                "%1", member.full_name
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirmRemoveMember")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("&Xóa"))
        box.button(QMessageBox.StandardButton.No).setText(self.tr("&Không xóa"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        store, member_id = self._ctx.store, member.id

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                # The announced changes refresh this page too.
                self._ctx.write(self, lambda: remove_member(store, member_id)).failure(
                    self._failed
                ).run()

        box.finished.connect(answered)
        box.open()
        return box

    def merge_duplicate(self) -> MergeDialog | None:
        """Open the merge dialog: a duplicate is merged INTO this household."""
        if self._snapshot is None:
            return None
        dialog = MergeDialog(self._ctx, self._household_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _failed(self, error: BaseException) -> None:
        show_failure(self, error, self._ctx.log_file)

    def done(self, result: int) -> None:
        super().done(result)
        self.sig_closed.emit(self._household_id)
