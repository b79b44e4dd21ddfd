"""«Ai đang ghi?»: choosing the team member who logs on this laptop.

The choice is remembered per laptop (preferences) and every visit is logged under it.
The same list model shows the team members typed into the first-run wizard.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from villagehelper.ops.team import TeamMemberInfo, list_team_members
from villagehelper.text import name_sort_key
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.widgets.choice_lists import (
    TeamMemberModel,
    make_choice_list,
    select_row,
    selected_row,
)


class VolunteerPicker(QDialog):
    """Ask who is logging on this laptop; Enter chooses, Esc leaves things as they were."""

    sig_volunteer_chosen = Signal(str)
    """The logging team member was chosen (and remembered): the argument is their id."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("volunteerPicker")
        self.setWindowTitle(self.tr("Ai đang ghi?"))
        question = QLabel(self.tr("Chọn tên &bạn trong danh sách thành viên tổ:"))
        self.model = TeamMemberModel[TeamMemberInfo](self)
        self.list_view = make_choice_list(self.model, "volunteerList")
        question.setBuddy(self.list_view)
        self.empty_label = QLabel(
            self.tr("Chưa có thành viên tổ nào. Hãy chạy lại phần thiết lập ban đầu.")
        )
        self.empty_label.setObjectName("emptyTeamLabel")
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        buttons = QDialogButtonBox()
        self.choose_button = buttons.addButton(
            self.tr("&Chọn"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.choose_button.setObjectName("chooseButton")
        self.choose_button.setDefault(True)
        self.choose_button.setEnabled(False)
        buttons.addButton(self.tr("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list_view.doubleClicked.connect(lambda _: self.accept())

        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 70, metrics.height() * 20)
        self.list_view.setFocus()
        ctx.read(self, lambda: list_team_members(ctx.store)).success(self._show_members).run()

    def _show_members(self, members: list[TeamMemberInfo]) -> None:
        ordered = sorted(members, key=lambda member: name_sort_key(member.full_name))
        self.model.set_rows(ordered)
        self.list_view.selectionModel().selectionChanged.connect(self._selection_changed)
        ids = [member.id for member in ordered]
        current = self._ctx.volunteer_id
        select_row(self.list_view, ids.index(current) if current in ids else 0)
        self.empty_label.setVisible(not ordered)

    def _selection_changed(self) -> None:
        self.choose_button.setEnabled(selected_row(self.list_view) is not None)

    def chosen(self) -> TeamMemberInfo | None:
        row = selected_row(self.list_view)
        if row is None:
            return None
        member = self.model.row(row)
        assert isinstance(member, TeamMemberInfo)
        return member

    def accept(self) -> None:
        member = self.chosen()
        if member is None:
            return
        self._ctx.update_preferences(volunteer_id=member.id)
        self.sig_volunteer_chosen.emit(member.id)
        super().accept()
