"""The first-run wizard's pages: the commune, its villages, the team, who is logging.

Each page only gathers and checks what is typed; ``wizard.py`` writes it all at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from villagehelper.errors import ValidationError
from villagehelper.geography import OfficialCommune
from villagehelper.ops.setup import (
    TeamMemberSetup,
    check_team,
    communes_matching,
    official_provinces,
)
from villagehelper.ops.team import TeamMemberInfo
from villagehelper.text import clean_text, format_number, search_key
from villagehelper.ui.widgets.choice_lists import (
    ArrowKeysMoveList,
    NamedMember,
    RowsModel,
    TeamMemberModel,
    make_choice_list,
    select_row,
    selected_row,
)
from villagehelper.ui.widgets.fields import error_label

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class CommuneListModel(RowsModel[OfficialCommune]):
    """Official communes, each with its province (many names repeat across provinces)."""

    def cell(self, value: OfficialCommune, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr("%1 — %2").replace("%1", value.name).replace("%2", value.province_name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Mã xã/phường: %1").replace("%1", value.code)
        return None


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


def _beside(button: QPushButton, hint: str) -> QHBoxLayout:
    """A button with the sentence that says what it does."""
    label = QLabel(hint)
    label.setWordWrap(True)
    row = QHBoxLayout()
    row.addWidget(button)
    row.addWidget(label, 1)
    return row


class CommunePage(QWizardPage):
    """Province (optional filter), then the commune, found without diacritics."""

    sig_demo_requested = Signal()
    """The person chose to try the app with the sample data."""
    sig_join_requested = Signal()
    """The person's team already syncs: take the commune from its server."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Xã/phường của tổ"))
        self.setSubTitle(
            self.tr(
                "Chọn xã/phường theo danh mục hành chính 2025. Gõ tên không cần dấu, "
                "dùng phím mũi tên để chọn rồi nhấn Enter."
            )
        )
        self.province_combo = QComboBox()
        self.province_combo.setObjectName("provinceCombo")
        self.province_combo.addItem(self.tr("Tất cả 34 tỉnh, thành phố"), None)
        for province in official_provinces():
            self.province_combo.addItem(province.name, province.code)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("communeSearch")
        self.search_edit.setPlaceholderText(self.tr("ví dụ: gia loc"))
        self.search_edit.setClearButtonEnabled(True)
        self.model = CommuneListModel(self)
        self.list_view = make_choice_list(self.model, "communeList")
        self.count_label = QLabel()
        self.count_label.setObjectName("communeCountLabel")
        self.demo_button = named_button(self.tr("&Dùng thử với dữ liệu mẫu"), "demoButton")
        self.join_button = named_button(self.tr("&Kết nối máy chủ xã…"), "joinButton")
        demo_row = _beside(
            self.demo_button,
            self.tr("Dữ liệu mẫu của Xã Gia Lộc (Hải Phòng), để tập dùng trước khi ghi thật."),
        )
        join_row = _beside(
            self.join_button,
            self.tr(
                "Tổ đã dùng VillageHelper trên máy khác: nhận xã, thôn và thành viên tổ từ "
                "máy chủ xã bằng mã đăng ký của tổ trưởng."
            ),
        )

        province_label = QLabel(self.tr("Tỉ&nh, thành phố:"))
        province_label.setBuddy(self.province_combo)
        search_label = QLabel(self.tr("Tìm &xã/phường:"))
        search_label.setBuddy(self.search_edit)
        grid = QGridLayout()
        grid.addWidget(province_label, 0, 0)
        grid.addWidget(self.province_combo, 0, 1)
        grid.addWidget(search_label, 1, 0)
        grid.addWidget(self.search_edit, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.count_label)
        layout.addLayout(demo_row)
        layout.addLayout(join_row)
        self.setTabOrder(self.province_combo, self.search_edit)
        self.setTabOrder(self.search_edit, self.list_view)
        self.setTabOrder(self.list_view, self.demo_button)
        self.setTabOrder(self.demo_button, self.join_button)

        ArrowKeysMoveList(self.search_edit, self.list_view)
        self.search_edit.textChanged.connect(self._refilter)
        self.province_combo.currentIndexChanged.connect(self._refilter)
        self.list_view.selectionModel().selectionChanged.connect(self.completeChanged)
        # Enter is the wizard's default button; a double click does the same with a mouse.
        self.list_view.doubleClicked.connect(lambda _: self._next())
        self.demo_button.clicked.connect(self.sig_demo_requested)
        self.join_button.clicked.connect(self.sig_join_requested)
        self._refilter()

    def _next(self) -> None:
        wizard = self.wizard()
        if wizard is not None and self.isComplete():
            wizard.next()

    def initializePage(self) -> None:  # noqa: N802
        self.search_edit.setFocus()

    def _refilter(self) -> None:
        province = self.province_combo.currentData()
        communes = communes_matching(self.search_edit.text(), province)
        self.model.set_rows(communes)
        select_row(self.list_view, 0)  # the best match: typing then Enter is enough
        if not communes:
            self.count_label.setText(
                self.tr("Không tìm thấy xã/phường nào. Kiểm tra lại tên hoặc chọn tỉnh khác.")
            )
        else:
            self.count_label.setText(
                self.tr("%1 xã/phường phù hợp.").replace("%1", format_number(len(communes)))
            )
        self.completeChanged.emit()

    def chosen(self) -> OfficialCommune | None:
        row = selected_row(self.list_view)
        return None if row is None else self.model.row(row)

    def isComplete(self) -> bool:  # noqa: N802
        return self.chosen() is not None


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
