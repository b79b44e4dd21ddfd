"""The last page of the first-run wizard: «Ai đang ghi?», the team member logging on
this laptop."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

from villagehelper.ops.setup import TeamMemberSetup
from villagehelper.ops.team import TeamMemberInfo
from villagehelper.ui.widgets.choice_lists import (
    NamedMember,
    TeamMemberModel,
    make_choice_list,
    select_row,
    selected_row,
)
from villagehelper.ui.widgets.fields import error_label


class VolunteerPage(QWizardPage):
    """«Ai đang ghi?»: the team member logging on this laptop."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Ai đang ghi?"))
        self.setSubTitle(
            self.tr(
                "Chọn người đang dùng máy này. Mỗi lượt hỗ trợ được ghi dưới tên người "
                "này; có thể đổi lại bất cứ lúc nào."
            )
        )
        self.model = TeamMemberModel[NamedMember](self)
        self.list_view = make_choice_list(self.model, "volunteerList")
        label = QLabel(self.tr("&Người đang ghi:"))
        label.setBuddy(self.list_view)
        self.error_label = error_label("setupError")
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.error_label)
        self.list_view.selectionModel().selectionChanged.connect(self.completeChanged)
        self.list_view.doubleClicked.connect(lambda _: self._finish())

    def _finish(self) -> None:
        wizard = self.wizard()
        if wizard is not None and self.isComplete():
            wizard.accept()

    def set_choices(self, members: Sequence[TeamMemberSetup | TeamMemberInfo]) -> None:
        chosen = selected_row(self.list_view)
        self.model.set_rows(members)
        select_row(self.list_view, chosen if chosen is not None else 0)
        self.completeChanged.emit()

    def initializePage(self) -> None:  # noqa: N802
        self.list_view.setFocus()

    def chosen_row(self) -> int | None:
        return selected_row(self.list_view)

    def isComplete(self) -> bool:  # noqa: N802
        return self.chosen_row() is not None
