"""Leaders' review: conflicts (both values side by side), households that look alike, and
sessions the server held back for an impossible date (``implausible_page``).

A conflict is settled by keeping one of the two values or typing another; the verdict is
saved on the database worker and goes to the server with the next sync.  Possible
duplicates — often the same family entered on two laptops — open the household page,
where the existing merge (with its preview) does the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from villagehelper.ui.review.faulty_page import FaultyModel, FaultyPage
from villagehelper.ui.review.implausible_page import ImplausibleModel, ImplausiblePage
from villagehelper.ui.review.review_list import ReviewRowsModel, chosen_row, show_refusal
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.widgets.choice_lists import RowsModel

if TYPE_CHECKING:
    from villagehelper.ops.conflicts import ConflictInfo, DuplicateReview
    from villagehelper.ops.implausible import ImplausibleSession
    from villagehelper.ops.quarantined import FaultyRow
    from villagehelper.store.changelog import Changes

    _Found = tuple[
        list[ConflictInfo], list[DuplicateReview], list[ImplausibleSession], list[FaultyRow]
    ]


class ConflictModel(ReviewRowsModel["ConflictInfo"]):
    def __init__(self, language: str) -> None:
        super().__init__(language, columns=4)

    def column_titles(self) -> Sequence[str]:
        return (
            self.tr("Hồ sơ"),
            self.tr("Thông tin"),
            self.tr("Giá trị hiện tại"),
            self.tr("Giá trị từ máy khác"),
        )

    def texts(self, value: ConflictInfo) -> Sequence[str]:
        label = self.in_language(value.field_label_vi, value.field_label_en)
        return (value.record_label, label, value.current_text, value.other_text)


class DuplicateModel(ReviewRowsModel["DuplicateReview"]):
    def __init__(self) -> None:
        super().__init__(columns=3)

    def column_titles(self) -> Sequence[str]:
        return (self.tr("Hộ thứ nhất"), self.tr("Hộ thứ hai"), self.tr("Lý do"))

    def texts(self, value: DuplicateReview) -> Sequence[str]:
        return (value.first_label, value.second_label, value.reason)


def _table(model: RowsModel[Any], name: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # Values are what a leader compares: every column gets an equal share of the width.
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(True)
    return view


class ConflictsDialog(QDialog):
    sig_open_household = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("conflictsDialog")
        self.setWindowTitle(self.tr("Xem xung đột và hộ trùng"))
        self.conflict_model = ConflictModel(ctx.preferences.language)
        self.conflicts = _table(self.conflict_model, "conflictTable", self)
        self.conflicts.selectionModel().currentRowChanged.connect(lambda *_: self._show_chosen())
        self.duplicate_model = DuplicateModel()
        self.duplicates = _table(self.duplicate_model, "duplicateTable", self)
        self.duplicates.doubleClicked.connect(self._open_duplicate)
        tabs = QTabWidget(self)
        tabs.addTab(self._conflict_page(), self.tr("Xung đột"))
        tabs.addTab(self._duplicate_page(), self.tr("Hộ có thể trùng"))
        model = ImplausibleModel(ctx.preferences.language)
        table = _table(model, "implausibleTable", self)
        self.implausible = ImplausiblePage(ctx, model, table, self)
        self.implausible.sig_corrected.connect(self.reload)
        tabs.addTab(self.implausible, self.tr("Ngày không hợp lý"))
        faulty_model = FaultyModel(ctx.preferences.language)
        self.faulty = FaultyPage(ctx, faulty_model, _table(faulty_model, "faultyTable", self), self)
        self.faulty.sig_settled.connect(self.reload)
        tabs.addTab(self.faulty, self.tr("Dữ liệu lỗi"))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(close)
        self.resize(960, 620)
        self.reload()

    def _conflict_page(self) -> QWidget:
        page = QWidget(self)
        self.current_value = QLabel(page)
        self.current_value.setObjectName("currentValue")
        self.other_value = QLabel(page)
        self.other_value.setObjectName("otherValue")
        for label in (self.current_value, self.other_value):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keep_current = QPushButton(self.tr("Giữ giá trị này"), page)
        self.keep_current.setObjectName("keepCurrent")
        self.keep_current.clicked.connect(lambda: self._settle("current"))
        self.keep_other = QPushButton(self.tr("Dùng giá trị này"), page)
        self.keep_other.setObjectName("keepOther")
        self.keep_other.clicked.connect(lambda: self._settle("other"))
        self.typed = QLineEdit(page)
        self.typed.setObjectName("typedValue")
        self.typed.setPlaceholderText(self.tr("Hoặc nhập giá trị đúng…"))
        self.save_typed = QPushButton(self.tr("Lưu giá trị đã nhập"), page)
        self.save_typed.setObjectName("saveTyped")
        self.save_typed.clicked.connect(lambda: self._settle("typed"))
        self.typed.returnPressed.connect(lambda: self._settle("typed"))
        self.message = QLabel(page)
        self.message.setObjectName("conflictMessage")
        self.message.setWordWrap(True)
        side_by_side = QGridLayout()
        side_by_side.addWidget(self._framed(self.tr("Giá trị hiện tại"), self.current_value), 0, 0)
        side_by_side.addWidget(self._framed(self.tr("Từ máy khác"), self.other_value), 0, 1)
        side_by_side.addWidget(self.keep_current, 1, 0)
        side_by_side.addWidget(self.keep_other, 1, 1)
        typed_row = QHBoxLayout()
        typed_row.addWidget(self.typed, 1)
        typed_row.addWidget(self.save_typed)
        layout = QVBoxLayout(page)
        layout.addWidget(self.conflicts, 1)
        layout.addLayout(side_by_side)
        layout.addLayout(typed_row)
        layout.addWidget(self.message)
        return page

    def _framed(self, title: str, label: QLabel) -> QGroupBox:
        box = QGroupBox(title, self)
        inner = QVBoxLayout(box)
        inner.addWidget(label)
        return box

    def _duplicate_page(self) -> QWidget:
        page = QWidget(self)
        hint = QLabel(
            self.tr(
                "Các hộ trùng họ tên trong một thôn hoặc trùng số điện thoại — thường do hai "
                "máy cùng ghi một hộ. Nhấp đúp để mở hộ và gộp."
            ),
            page,
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(hint)
        layout.addWidget(self.duplicates, 1)
        return page

    # --- data ---------------------------------------------------------------------

    def reload(self) -> None:
        ctx = self._ctx

        def load() -> _Found:
            from villagehelper.ops.conflicts import open_conflicts, review_duplicates
            from villagehelper.ops.implausible import list_implausible
            from villagehelper.ops.quarantined import list_faulty

            found = open_conflicts(ctx.store), review_duplicates(ctx.store)
            return (*found, list_implausible(ctx.store), list_faulty(ctx.store))

        # Closed before the answer came, the dialog is gone: nothing is left to fill.
        ctx.read(self, load).success(self._loaded).run()

    def _loaded(self, found: _Found) -> None:
        conflicts, duplicates, implausible, faulty = found
        self.conflict_model.set_rows(conflicts)
        self.duplicate_model.set_rows(duplicates)
        self.implausible.set_rows(implausible)
        self.faulty.set_rows(faulty)
        if conflicts:
            self.conflicts.selectRow(0)
        self._show_chosen()

    def chosen(self) -> ConflictInfo | None:
        chosen: ConflictInfo | None = chosen_row(self.conflicts)
        return chosen

    def _show_chosen(self) -> None:
        conflict = self.chosen()
        for widget in (self.keep_current, self.keep_other, self.typed, self.save_typed):
            widget.setEnabled(conflict is not None)
        if conflict is None:
            self.current_value.setText(self.tr("Không còn xung đột nào."))
            self.other_value.setText("")
            return
        self.current_value.setText(conflict.current_text)
        by = f" — {conflict.edited_by}" if conflict.edited_by else ""
        self.other_value.setText(conflict.other_text + by)
        self.typed.setText(conflict.current_text if isinstance(conflict.current_value, str) else "")

    def _settle(self, how: str) -> None:
        conflict = self.chosen()
        volunteer = self._ctx.volunteer_id
        if conflict is None:
            return
        if volunteer is None:
            self.message.setText(self.tr("Hãy chọn người ghi (F9) trước khi xử lý xung đột."))
            return
        ctx, typed = self._ctx, self.typed.text()

        def work() -> Changes:
            from villagehelper.ops.conflicts import parse_typed_value, resolve_conflict

            if how == "current":
                value = conflict.current_value
            elif how == "other":
                value = conflict.other_value
            else:
                value = parse_typed_value(conflict.entity, conflict.field, typed)
            return resolve_conflict(ctx.store, conflict.id, value, volunteer)

        # Saved: other screens refresh on the announced changes, dialog or not.
        ctx.write(self, work).success(self._settled).failure(self._refused).run()

    def _settled(self, _changes: Changes) -> None:
        self.message.setText(self.tr("Đã lưu quyết định; sẽ gửi lên máy chủ ở lần đồng bộ tới."))
        self.reload()

    def _refused(self, error: BaseException) -> None:
        show_refusal(self.message, self._ctx, error)

    def _open_duplicate(self) -> None:
        pair: DuplicateReview | None = chosen_row(self.duplicates)
        if pair is not None:
            self.sig_open_household.emit(pair.first_id)
