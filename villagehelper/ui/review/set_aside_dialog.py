"""The changes the commune server refused, for a leader: each with the server's reason,
to send again (once the record is put right) or to discard
(:mod:`villagehelper.sync.set_aside` does both; the command line too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_failure

if TYPE_CHECKING:
    from villagehelper.store.changelog import Changes
    from villagehelper.sync.set_aside import SetAside


class SetAsideDialog(QDialog):
    sig_changed = Signal()  # a change was sent again or discarded

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._kept: list[SetAside] = []
        self.setWindowTitle(self.tr("Thay đổi bị máy chủ từ chối"))
        self.resize(760, 360)
        intro = QLabel(
            self.tr(
                "Máy chủ xã không nhận các thay đổi này; các thay đổi khác vẫn được gửi. "
                "Sửa lại bản ghi rồi bấm Gửi lại, hoặc bỏ thay đổi không cần nữa."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("setAsideTable")
        self.table.setHorizontalHeaderLabels([self.tr("Thay đổi"), self.tr("Lý do")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.resend_button = QPushButton(self.tr("Gửi lại"), self)
        self.discard_button = QPushButton(self.tr("Bỏ thay đổi"), self)
        self.resend_button.clicked.connect(lambda: self._act(resend=True))
        self.discard_button.clicked.connect(lambda: self._act(resend=False))
        actions = QHBoxLayout()
        actions.addWidget(self.resend_button)
        actions.addWidget(self.discard_button)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addLayout(actions)
        layout.addWidget(close)
        self.load()

    def load(self) -> None:
        store = self._ctx.store
        if store is None:
            return

        def read() -> list[SetAside]:
            from villagehelper.sync import set_aside

            with store.reading() as session:
                return set_aside.listed(session)

        self._ctx.read(self, read).success(self._show).run()

    def _show(self, kept: list[SetAside]) -> None:
        self._kept = kept
        english = self._ctx.preferences.language == "en"  # as the rest of the app
        self.table.setRowCount(len(kept))
        for row, change in enumerate(kept):
            what = f"{change.entity} {change.row_id} ({change.op})"
            reason = change.reason_en if english else change.reason_vi
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(reason))
        if kept:
            self.table.selectRow(0)
        self.resend_button.setEnabled(bool(kept))
        self.discard_button.setEnabled(bool(kept))

    def _act(self, *, resend: bool) -> None:
        rows = self.table.selectionModel().selectedRows()
        store = self._ctx.store
        if not rows or store is None or rows[0].row() >= len(self._kept):
            return
        change_id = self._kept[rows[0].row()].change_id

        def act() -> Changes:
            from villagehelper.store.changelog import Changes
            from villagehelper.sync import set_aside

            (set_aside.resend if resend else set_aside.discard)(store, change_id)
            return Changes()  # the outbox only: sig_changed tells the sync status

        self._ctx.write(self, act).success(self._done).failure(
            lambda error: show_failure(self, error, self._ctx.log_file)
        ).run()

    def _done(self, _result: object) -> None:
        self.sig_changed.emit()
        self.load()
