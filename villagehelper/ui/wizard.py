"""First run: commune, villages, team, who is logging — or the sample data.

Runs before a team (and so before an :class:`AppContext`) exists.  Nothing is written
until the last page: then :func:`set_up_team` writes everything in one transaction, so
a wizard closed or refused half-way leaves an empty store and can simply run again.
The sample-data button is the exception: it fills the store at once and skips to the
last page, because the sample team is the one to choose from.  So is "join the commune
server" (``join_server.py``), for a laptop of a team that already syncs: it enrols with a
leader's code and downloads the commune, whose team is then the one to choose from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
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
    QWizard,
    QWizardPage,
)

from villagehelper.demo import generate_demo
from villagehelper.errors import ValidationError
from villagehelper.geography import OfficialCommune
from villagehelper.logs import log_path
from villagehelper.ops.setup import (
    TeamMemberSetup,
    TeamSetUp,
    check_team,
    communes_matching,
    official_provinces,
    set_up_team,
)
from villagehelper.ops.team import TeamMemberInfo, list_team_members
from villagehelper.store.engine import Store
from villagehelper.text import clean_text, format_number, search_key
from villagehelper.ui.choice_lists import (
    ArrowKeysMoveList,
    NamedMember,
    RowsModel,
    TeamMemberModel,
    make_choice_list,
    select_row,
    selected_row,
)
from villagehelper.ui.executor import DbExecutor
from villagehelper.ui.household_form import (
    current_language,
    error_label,
    show_failure,
    when_alive,
)
from villagehelper.ui.join_server import JoinServerDialog

COMMUNE_PAGE, VILLAGES_PAGE, MEMBERS_PAGE, VOLUNTEER_PAGE = range(4)
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


def _button(text: str, object_name: str) -> QPushButton:
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
        self.demo_button = _button(self.tr("&Dùng thử với dữ liệu mẫu"), "demoButton")
        self.join_button = _button(self.tr("&Kết nối máy chủ xã…"), "joinButton")
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
        self.add_button = _button(self.tr("Thê&m"), f"add{capital}Button")
        self.error_label = error_label(f"{name}Error")
        self.list_view = make_choice_list(model, f"{name}List")
        self.remove_button = _button("", f"remove{capital}Button")
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
        self.toggle_button = _button(
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


class FirstRunWizard(QWizard):
    """The first-run setup of a laptop (see the module docstring)."""

    sig_finished_setup = Signal(str)
    """Setup is written; the argument is the id of the team member logging on this laptop."""

    def __init__(self, store: Store, executor: DbExecutor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._executor = executor
        self._volunteer_id: str | None = None
        self._busy = False
        self._setup: TeamSetUp | None = None
        self._team_written: list[TeamMemberInfo] | None = None
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(self.tr("VillageHelper — Thiết lập ban đầu"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Tiếp tục"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("&Quay lại"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Hoàn tất"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Hủy"))

        self.commune_page = CommunePage()
        self.villages_page = VillagesPage()
        self.members_page = MembersPage()
        self.volunteer_page = VolunteerPage()
        self.setPage(COMMUNE_PAGE, self.commune_page)
        self.setPage(VILLAGES_PAGE, self.villages_page)
        self.setPage(MEMBERS_PAGE, self.members_page)
        self.setPage(VOLUNTEER_PAGE, self.volunteer_page)
        self.commune_page.sig_demo_requested.connect(self.use_demo_data)
        self.commune_page.sig_join_requested.connect(self.join_server)
        self.join_dialog: JoinServerDialog | None = None
        self.currentIdChanged.connect(self._page_shown)

        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 110, metrics.height() * 34)

    @property
    def volunteer_id(self) -> str | None:
        """The team member chosen to log on this laptop, once setup is written."""
        return self._volunteer_id

    @property
    def setup(self) -> TeamSetUp | None:
        """What the setup wrote (``None`` for the sample data or before finishing)."""
        return self._setup

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        # The first page is initialised before the window is shown, when focus cannot
        # be given yet: the cursor belongs in the search box, not the province list.
        if self.currentId() == COMMUNE_PAGE:
            self.commune_page.search_edit.setFocus()

    def nextId(self) -> int:  # noqa: N802
        if self._team_written is not None:
            return VOLUNTEER_PAGE if self.currentId() == COMMUNE_PAGE else -1
        return super().nextId()

    def _page_shown(self, page_id: int) -> None:
        if page_id == VOLUNTEER_PAGE:
            members: Sequence[TeamMemberSetup | TeamMemberInfo] = (
                self._team_written
                if self._team_written is not None
                else self.members_page.members()
            )
            self.volunteer_page.set_choices(members)

    # --- while writing ---------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        # Only the buttons are disabled, not the pages: the focused list must keep
        # the keyboard focus (and take the Enter key's release) while the worker runs.
        self._busy = busy
        for which in (
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.NextButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        ):
            self.button(which).setEnabled(not busy)
        self.commune_page.demo_button.setEnabled(not busy)
        if not busy:
            current = self.currentPage()
            if current is not None:
                current.completeChanged.emit()  # the wizard recomputes its buttons

    def validateCurrentPage(self) -> bool:  # noqa: N802
        return not self._busy and super().validateCurrentPage()

    def reject(self) -> None:
        if not self._busy:  # what is being written will be written: wait for it
            super().reject()

    # --- sample data --------------------------------------------------------------

    def use_demo_data(self) -> None:
        """Fill the store with the sample data, then ask who is logging."""
        if self._busy:
            return
        store = self._store
        self._set_busy(True)

        def work() -> list[TeamMemberInfo]:
            generate_demo(store)
            return list_team_members(store)

        self._executor.op(work).success(when_alive(self, self._demo_ready)).failure(
            when_alive(self, self._failed)
        ).with_progress(self.tr("Đang tạo dữ liệu mẫu…"), self).run()

    # --- the commune's server ---------------------------------------------------------

    def join_server(self) -> None:
        """Enrol with the commune server and download the commune, then ask who is
        logging (the dialog does the network work on its own worker)."""
        if self._busy:
            return
        self.join_dialog = JoinServerDialog(self._store, self)
        self.join_dialog.sig_joined.connect(self._team_ready)
        # Back to the wizard's page for the keyboard once the dialog is gone.
        self.join_dialog.finished.connect(self._refocus)
        self.join_dialog.open()

    def _refocus(self, _result: int) -> None:
        self.activateWindow()
        page = self.currentPage()
        if page is not None:
            page.initializePage()

    def _demo_ready(self, members: list[TeamMemberInfo]) -> None:
        self._team_ready(members)

    def _team_ready(self, members: list[TeamMemberInfo]) -> None:
        """The team is written (sample data, or the commune's from its server)."""
        self._set_busy(False)
        # Back in front after the progress dialog or the join dialog, so the keyboard
        # reaches the list of who is logging.
        self.activateWindow()
        self._team_written = members
        # The sample team is written: there is no going back to choosing a commune.
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.next()

    # --- finishing ------------------------------------------------------------------

    def accept(self) -> None:
        row = self.volunteer_page.chosen_row()
        if row is None or self._busy:
            return
        if self._team_written is not None:
            self._done(self._team_written[row].id)
            return
        commune = self.commune_page.chosen()
        assert commune is not None  # the commune page cannot be left without one
        store = self._store
        villages = self.villages_page.villages()
        members = self.members_page.members()
        self.volunteer_page.error_label.clear()
        self._set_busy(True)
        self._executor.op(lambda: set_up_team(store, commune.code, villages, members)).success(
            when_alive(self, lambda done: self._written(done, row))
        ).failure(when_alive(self, self._failed)).with_progress(
            self.tr("Đang lưu thiết lập…"), self
        ).run()

    def _written(self, done: TeamSetUp, row: int) -> None:
        self._setup = done
        self._done(done.members[row].id)

    def _done(self, volunteer_id: str) -> None:
        self._set_busy(False)
        self._volunteer_id = volunteer_id
        self.sig_finished_setup.emit(volunteer_id)
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationError):
            # Shown on the page too, so the message stays visible after the box closes.
            self.volunteer_page.error_label.setText(error.message(current_language()))
        show_failure(self, error, log_path(self._store.data_dir))
