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

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QWidget,
    QWizard,
)

from villagehelper.demo.generate import generate_demo
from villagehelper.errors import ValidationError
from villagehelper.logs import log_path
from villagehelper.ops.setup import (
    TeamMemberSetup,
    TeamSetUp,
    set_up_team,
)
from villagehelper.ops.team import TeamMemberInfo, list_team_members
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.ui.first_run.commune_page import CommunePage
from villagehelper.ui.first_run.join_server import JoinServerDialog, TeamWritten
from villagehelper.ui.first_run.team_pages import MembersPage, VillagesPage
from villagehelper.ui.first_run.volunteer_page import VolunteerPage
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.feedback import show_failure
from villagehelper.ui.shell.i18n import current_language
from villagehelper.ui.shell.operations import write_op

COMMUNE_PAGE, VILLAGES_PAGE, MEMBERS_PAGE, VOLUNTEER_PAGE = range(4)


class FirstRunWizard(QWizard):
    """The first-run setup of a laptop (see the module docstring)."""

    sig_finished_setup = Signal(str)
    """Setup is written; the argument is the id of the team member logging on this laptop."""

    def __init__(self, store: Store, executor: Worker, parent: QWidget | None = None) -> None:
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

        def work() -> TeamWritten:
            generate_demo(store)
            return TeamWritten(list_team_members(store), Changes())

        write_op(self._executor, self, work).success(self._demo_ready).failure(
            self._failed
        ).with_progress(self.tr("Đang tạo dữ liệu mẫu…")).run()

    # --- the commune's server ---------------------------------------------------------

    def join_server(self) -> None:
        """Enrol with the commune server and download the commune, then ask who is
        logging (the dialog does the network work on its own worker)."""
        if self._busy:
            return
        self.join_dialog = JoinServerDialog(self._store, self._executor, self)
        self.join_dialog.sig_joined.connect(self._team_ready)
        # Back to the wizard's page for the keyboard once the dialog is gone.
        self.join_dialog.finished.connect(self._refocus)
        self.join_dialog.open()

    def _refocus(self, _result: int) -> None:
        self.activateWindow()
        page = self.currentPage()
        if page is not None:
            page.initializePage()

    def _demo_ready(self, written: TeamWritten) -> None:
        self._team_ready(written.members)

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
        write_op(
            self._executor, self, lambda: set_up_team(store, commune.code, villages, members)
        ).success(lambda done: self._written(done, row)).failure(self._failed).with_progress(
            self.tr("Đang lưu thiết lập…")
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
