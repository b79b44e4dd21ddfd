"""The first-run wizard's list pages: the villages and the team members, each typed
into a box and added to a list (Enter adds, Delete removes).

Each page only gathers and checks what is typed; ``wizard.py`` writes it all at the end.
The other pages: ``commune_page.py`` (first) and ``volunteer_page.py`` (last).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from villagehelper.errors import ValidationError
from villagehelper.ops.setup import TeamMemberSetup, check_team
from villagehelper.text import clean_text, search_key
from villagehelper.ui.widgets.choice_lists import (
    RowsModel,
    TeamMemberModel,
    make_choice_list,
    select_row,
    selected_row,
)
from villagehelper.ui.widgets.fields import error_label

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class VillageNamesModel(RowsModel[str]):
    def cell(self, value: str, column: int, role: int) -> object:
        return value if role == Qt.ItemDataRole.DisplayRole else None


class _KeyAction(QObject):
    """Runs ``action`` for ``keys`` pressed in ``widget`` when ``wanted()`` says so."""

    def __init__(
        self,
        widget: QWidget,
        keys: Sequence[Qt.Key],
        action: Callable[[], None],
        wanted: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__(widget)
        self._keys = set(keys)
        self._action = action
        self._wanted = wanted
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and Qt.Key(event.key()) in self._keys
            and self._wanted()
        ):
            self._action()
            return True
        return False


def named_button(text: str, object_name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.setAutoDefault(False)  # Enter belongs to the wizard's Next / Finish
    return button


class _EntryListPage(QWizardPage):
    """A box to type names into and the list of names added: Enter in the box adds
    (Enter in an empty box goes on, as everywhere in the wizard), Delete in the list
    removes.  Subclasses give the texts, the model and the checks."""

    def __init__(self, model: RowsModel[Any], name: str) -> None:
        super().__init__()
        capital = name[:1].upper() + name[1:]
        self.model = model
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName(f"{name}NameEdit")
        self.name_label = QLabel()
        self.name_label.setBuddy(self.name_edit)
        self.add_button = named_button(self.tr("Thê&m"), f"add{capital}Button")
        self.error_label = error_label(f"{name}Error")
        self.list_view = make_choice_list(model, f"{name}List")
        self.remove_button = named_button("", f"remove{capital}Button")
        self.hint_label = QLabel()
        self.hint_label.setObjectName(f"{name}Hint")

        self.entry_row = QHBoxLayout()
        self.entry_row.addWidget(self.name_label)
        self.entry_row.addWidget(self.name_edit, 1)
        self.entry_row.addWidget(self.add_button)
        self.actions_row = QHBoxLayout()
        self.actions_row.addWidget(self.remove_button)
        self.actions_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.entry_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.list_view, 1)
        layout.addLayout(self.actions_row)
        layout.addWidget(self.hint_label)

        _KeyAction(
            self.name_edit, _ENTER_KEYS, self.add_entry, lambda: bool(self.name_edit.text().strip())
        )
        _KeyAction(self.list_view, (Qt.Key.Key_Delete,), self.remove_selected)
        self.add_button.clicked.connect(self.add_entry)
        self.remove_button.clicked.connect(self.remove_selected)
        self.name_edit.textEdited.connect(lambda _: self.error_label.clear())

    def initializePage(self) -> None:  # noqa: N802
        self.name_edit.setFocus()

    def names(self) -> list[str]:
        raise NotImplementedError

    def add_entry(self) -> None:
        raise NotImplementedError

    def _update(self) -> None:
        raise NotImplementedError

    def _typed_name(self, empty_message: str) -> str | None:
        """The name typed, or ``None`` (with the reason shown) when it cannot be added."""
        name = clean_text(self.name_edit.text())
        if not name:
            self.error_label.setText(empty_message)
            return None
        repeated = next((n for n in self.names() if search_key(n) == search_key(name)), None)
        if repeated is not None:
            self.error_label.setText(self.tr("«%1» đã có trong danh sách.").replace("%1", repeated))
            self.name_edit.selectAll()
            return None
        return name

    def _set_rows(self, rows: Sequence[Any], select: int) -> None:
        self.model.set_rows(rows)
        select_row(self.list_view, select)
        self.error_label.clear()
        self._update()

    def _added(self, rows: Sequence[Any]) -> None:
        self._set_rows(rows, len(rows) - 1)
        self.name_edit.clear()
        self.name_edit.setFocus()

    def remove_selected(self) -> None:
        row = selected_row(self.list_view)
        if row is None:
            return
        rows = self.model.rows()
        del rows[row]
        self._set_rows(rows, min(row, len(rows) - 1))


class VillagesPage(_EntryListPage):
    """The villages (thôn / tổ dân phố) the team works in: at least one, no repeats."""

    def __init__(self) -> None:
        super().__init__(VillageNamesModel(), "village")
        self.setTitle(self.tr("Thôn, tổ dân phố"))
        self.setSubTitle(
            self.tr(
                "Gõ tên từng thôn hoặc tổ dân phố rồi nhấn Enter để thêm. "
                "Khi đủ, nhấn Enter ở ô trống để tiếp tục."
            )
        )
        self.name_label.setText(self.tr("Tên thô&n:"))
        self.name_edit.setPlaceholderText(self.tr("ví dụ: Thôn Khay, Tổ dân phố 3"))
        self.remove_button.setText(self.tr("&Xóa thôn đã chọn"))
        self.hint_label.setText(self.tr("Cần ít nhất một thôn hoặc tổ dân phố để tiếp tục."))
        self._update()

    def villages(self) -> list[str]:
        return self.names()

    def names(self) -> list[str]:
        return [str(name) for name in self.model.rows()]

    def add_entry(self) -> None:
        name = self._typed_name(self.tr("Hãy gõ tên thôn trước khi thêm."))
        if name is not None:
            self._added([*self.names(), name])

    def _update(self) -> None:
        self.hint_label.setVisible(not self.names())
        self.remove_button.setEnabled(bool(self.names()))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.names())


class MembersPage(_EntryListPage):
    """The team members, at least one of them the leader (tổ trưởng)."""

    def __init__(self) -> None:
        super().__init__(TeamMemberModel(), "member")
        self.setTitle(self.tr("Thành viên tổ"))
        self.setSubTitle(
            self.tr(
                "Gõ họ tên từng thành viên rồi nhấn Enter. Đánh dấu «Tổ trưởng» cho "
                "người phụ trách (cần ít nhất một)."
            )
        )
        self.name_label.setText(self.tr("&Họ tên:"))
        self.name_edit.setPlaceholderText(self.tr("ví dụ: Phạm Đăng Xuyết"))
        self.leader_check = QCheckBox(self.tr("Tổ t&rưởng"))
        self.leader_check.setObjectName("leaderCheck")
        self.entry_row.insertWidget(2, self.leader_check)
        self.toggle_button = named_button(
            self.tr("Đổi &vai trò (tổ trưởng / thành viên)"), "toggleLeaderButton"
        )
        self.actions_row.insertWidget(0, self.toggle_button)
        self.remove_button.setText(self.tr("&Xóa người đã chọn"))
        self.toggle_button.clicked.connect(self.toggle_leader)
        self._update()

    def members(self) -> list[TeamMemberSetup]:
        return [TeamMemberSetup(m.full_name, m.is_leader) for m in self.model.rows()]

    def names(self) -> list[str]:
        return [member.full_name for member in self.members()]

    def add_entry(self) -> None:
        name = self._typed_name(self.tr("Hãy gõ họ tên trước khi thêm."))
        if name is not None:
            added = TeamMemberSetup(name, self.leader_check.isChecked())
            self._added([*self.members(), added])

    def toggle_leader(self) -> None:
        row = selected_row(self.list_view)
        if row is None:
            return
        members = self.members()
        members[row] = TeamMemberSetup(members[row].full_name, not members[row].is_leader)
        self._set_rows(members, row)

    def _update(self) -> None:
        members = self.members()
        has_leader = any(m.is_leader for m in members)
        # Checked for the first entry (usually the leader), then off for the others.
        self.leader_check.setChecked(not has_leader)
        if not members:
            self.hint_label.setText(self.tr("Cần ít nhất một thành viên tổ để tiếp tục."))
        elif not has_leader:
            self.hint_label.setText(
                self.tr("Cần ít nhất một tổ trưởng: chọn một người rồi nhấn «Đổi vai trò».")
            )
        self.hint_label.setVisible(not has_leader)
        self.toggle_button.setEnabled(bool(members))
        self.remove_button.setEnabled(bool(members))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        try:
            check_team(["-"], self.members())
        except ValidationError:
            return False
        return True
