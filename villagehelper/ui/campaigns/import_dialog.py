"""Importing a commune's target list into a campaign (issue 20, item 2).

Four steps in one dialog: choose the file (CSV or XLSX); read and match it on the
database worker (a list with rows to fix shows each by its line and column, and nothing
is stored); a summary of the matches (linked / to confirm / unmatched) with one key to
store them all; then the doubtful rows' confirmation (:mod:`.confirm_page`).

The file's path comes from a field the volunteer may type or paste into, or from the
file dialog (``choose_file``, replaceable so tests never open a native one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from villagehelper.errors import UserError
from villagehelper.ui.campaigns.confirm_page import ConfirmPage
from villagehelper.ui.campaigns.import_work import (
    MatchedList,
    StoredList,
    read_and_match,
    store_matched,
)
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_failure
from villagehelper.ui.shell.i18n import current_language

FileChooser = Callable[[QWidget], Path | None]


def native_file_choice(parent: QWidget) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("ImportDialog", "Chọn danh sách của xã"),
        "",
        QCoreApplication.translate("ImportDialog", "Danh sách (*.xlsx *.csv)"),
    )
    return Path(chosen) if chosen else None


class ImportDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        campaign_id: str,
        parent: QWidget | None = None,
        *,
        choose_file: FileChooser = native_file_choice,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._campaign_id = campaign_id
        self._choose_file = choose_file
        self.matched: MatchedList | None = None
        self.stored: StoredList | None = None
        self.setObjectName("campaignImport")
        self.setWindowTitle(self.tr("Nhập danh sách của chiến dịch"))
        self.resize(1180, 640)  # inside 1366×768 with the taskbar
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._pick_page())
        self.pages.addWidget(self._summary_page())
        self.confirm = ConfirmPage(ctx, self)
        self.confirm.sig_all_decided.connect(self._all_decided)
        self.pages.addWidget(self.confirm)
        self.close_button = QPushButton(self.tr("Đóng"), self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(bottom)
        self.path.setFocus()

    # --- 1. the file ----------------------------------------------------------------------

    def _pick_page(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            self.tr(
                "Chọn tệp danh sách xã gửi (Excel .xlsx hoặc .csv), có các cột họ tên, năm "
                "sinh, thôn, điện thoại (và số cuối CCCD nếu có). Chỉ giữ 4 số cuối của số "
                "căn cước."
            ),
            page,
        )
        intro.setWordWrap(True)
        self.path = QLineEdit(page)
        self.path.setObjectName("listPath")
        self.path.setPlaceholderText(self.tr("Đường dẫn tệp danh sách"))
        self.path.returnPressed.connect(self.read_file)
        browse = QPushButton(self.tr("&Chọn tệp…"), page)
        browse.clicked.connect(self._browse)
        self.read_button = QPushButton(self.tr("Đọc danh sách"), page)
        self.read_button.setObjectName("readList")
        self.read_button.clicked.connect(self.read_file)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        row.addWidget(self.read_button)
        self.problems = QPlainTextEdit(page)
        self.problems.setObjectName("listProblems")
        self.problems.setReadOnly(True)
        self.problems.setVisible(False)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.problems, 1)
        layout.addStretch(0)
        return page

    def _browse(self) -> None:
        chosen = self._choose_file(self)
        if chosen is not None:
            self.path.setText(str(chosen))
            self.read_file()

    def read_file(self) -> None:
        text = self.path.text().strip()
        if not text:
            return
        path = Path(text)
        store = self._ctx.store
        self.problems.setVisible(False)
        self.read_button.setEnabled(False)
        self._ctx.read(self, lambda: read_and_match(store, path)).with_progress(
            self.tr("Đang đọc và so khớp danh sách…")
        ).success(self._matched).failure(self._unreadable).run()

    def _unreadable(self, error: BaseException) -> None:
        self.read_button.setEnabled(True)
        if not isinstance(error, UserError):
            show_failure(self, error, self._ctx.log_file)
            return
        self.problems.setPlainText(error.message(current_language()))
        self.problems.setVisible(True)
        self.path.setFocus()

    # --- 2. the summary -------------------------------------------------------------------

    def _summary_page(self) -> QWidget:
        page = QWidget(self)
        self.summary = QLabel(page)
        self.summary.setObjectName("matchSummary")
        self.summary.setWordWrap(True)
        self.store_button = QPushButton(self.tr("&Lưu vào chiến dịch"), page)
        self.store_button.setObjectName("storeList")
        self.store_button.setDefault(True)
        self.store_button.clicked.connect(self.store_list)
        again = QPushButton(self.tr("Chọn tệp &khác"), page)
        again.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        buttons = QHBoxLayout()
        buttons.addWidget(self.store_button)
        buttons.addWidget(again)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _matched(self, matched: MatchedList) -> None:
        self.read_button.setEnabled(True)
        self.matched = matched
        self.summary.setText(
            self.tr(
                "Danh sách «%1»: %2 người.\n"
                "• Khớp chắc chắn (tự liên kết): %3\n"
                "• Cần xác nhận (có người giống): %4\n"
                "• Chưa khớp ai (để xem sau hoặc thêm mới): %5\n\n"
                "Bấm Enter để lưu vào chiến dịch; sau đó xác nhận từng dòng cần xác nhận."
            )
            .replace("%1", matched.file_name)
            .replace("%2", str(len(matched.matches)))
            .replace("%3", str(matched.count("linked")))
            .replace("%4", str(matched.count("doubtful")))
            .replace("%5", str(matched.count("unmatched")))
        )
        self.pages.setCurrentIndex(1)
        self.store_button.setEnabled(True)
        self.store_button.setFocus()

    def store_list(self) -> None:
        matched = self.matched
        if matched is None or not self.store_button.isEnabled():
            return
        self.store_button.setEnabled(False)  # a list is stored once
        store = self._ctx.store
        campaign_id = self._campaign_id
        self._ctx.write(self, lambda: store_matched(store, campaign_id, matched)).with_progress(
            self.tr("Đang lưu danh sách…")
        ).success(self._stored).failure(self._not_stored).run()

    def _not_stored(self, error: BaseException) -> None:
        self.store_button.setEnabled(True)
        show_failure(self, error, self._ctx.log_file)

    # --- 3. the doubtful rows -------------------------------------------------------------

    def _stored(self, stored: StoredList) -> None:
        self.stored = stored
        summary = stored.summary
        done = (
            self.tr("Đã lưu %1 dòng: %2 đã liên kết, %3 cần xác nhận, %4 chưa khớp.")
            .replace("%1", str(len(summary.target_ids)))
            .replace("%2", str(summary.linked))
            .replace("%3", str(summary.doubtful))
            .replace("%4", str(summary.unmatched))
        )
        if not stored.doubtful:
            self.summary.setText(done)
            self.close_button.setFocus()
            return
        self.confirm.set_rows(stored.doubtful)
        self.pages.setCurrentWidget(self.confirm)
        self.confirm.setFocus()

    def _all_decided(self) -> None:
        self.close_button.setDefault(True)
        self.close_button.setFocus()


def run_import(parent: QWidget, context: AppContext, campaign_id: str) -> None:
    """Open the import of a list into ``campaign_id`` (the campaign screen's action)."""
    dialog = ImportDialog(context, campaign_id, parent)
    dialog.setModal(True)
    dialog.show()
