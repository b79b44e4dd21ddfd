"""Merging a duplicate household INTO the one on screen.

The volunteer finds the duplicate (probable duplicates are listed first; typing searches
every household), sees what will move, and must confirm explicitly: a merge cannot be
undone from the app.  It is logged under the team member logging on this laptop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from villagehelper.ops.duplicates import (
    Merged,
    MergePreview,
    merge_households,
    merge_preview,
    probable_duplicates,
)
from villagehelper.ops.households import HouseholdHit, find_households, get_household
from villagehelper.store.engine import Store
from villagehelper.text import Phone, format_number, search_key
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_failure
from villagehelper.ui.widgets.choice_lists import (
    ArrowKeysMoveList,
    RowsModel,
    make_choice_list,
    select_row,
    selected_row,
)

# The search and the preview answer one question, which duplicate to merge: only the
# newest of either is shown (an older answer arriving late would replace a newer one).
_ANSWER = "candidates or preview"


@dataclass(frozen=True)
class Candidate:
    household: HouseholdHit
    reasons: tuple[str, ...] = ()  # why it looks like a duplicate (Vietnamese, from the core)


def duplicate_candidates(store: Store, survivor_id: str) -> list[Candidate]:
    """Households that look like the survivor (same head, member or phone), itself excluded."""
    survivor = get_household(store, survivor_id)
    found = probable_duplicates(store, survivor.head_name, survivor.village_id, survivor.phone)
    return [Candidate(c.household, c.reasons) for c in found if c.household.id != survivor_id]


def search_candidates(store: Store, survivor_id: str, query: str) -> list[Candidate]:
    hits = find_households(store, query).hits
    return [Candidate(hit) for hit in hits if hit.id != survivor_id]


class CandidateModel(RowsModel[Candidate]):
    """Households to choose from, with what tells them apart (phone masked)."""

    def cell(self, value: Candidate, column: int, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._describe(value)
        return None

    def _describe(self, candidate: Candidate) -> str:
        hit = candidate.household
        where = ", ".join(part for part in (hit.village_name, hit.address_detail) if part)
        first = self.tr("%1 — %2").replace("%1", hit.head_name).replace("%2", where)
        details = []
        if hit.member_names:
            details.append(self.tr("Nhân khẩu: %1").replace("%1", ", ".join(hit.member_names)))
        if hit.phone:
            details.append(self.tr("ĐT %1").replace("%1", Phone(hit.phone).masked()))
        details.extend(candidate.reasons)
        return first + ("\n" + " · ".join(details) if details else "")


class MergeDialog(QDialog):
    """Pick a duplicate, preview what moves, confirm, merge into ``survivor_id``."""

    sig_merged = Signal(object)
    """A duplicate was merged into the household: the argument is the core's ``Merged``."""

    def __init__(self, ctx: AppContext, survivor_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._survivor_id = survivor_id
        self._preview: MergePreview | None = None
        self.setObjectName("mergeDialog")
        self.setWindowTitle(self.tr("Gộp hộ trùng vào hộ này"))

        layout = QVBoxLayout(self)
        self._build_search(layout)
        layout.addWidget(self._build_preview())
        layout.addWidget(self._build_buttons())
        self.setTabOrder(self.search_edit, self.list_view)
        self.setTabOrder(self.list_view, self.confirm_check)
        self.setTabOrder(self.confirm_check, self.merge_button)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 110, metrics.height() * 36)

        ArrowKeysMoveList(self.search_edit, self.list_view)
        self.search_edit.textChanged.connect(self._search)
        self.list_view.selectionModel().selectionChanged.connect(self._chosen)
        self.confirm_check.toggled.connect(self._update_button)
        self._update_button()
        self._load(lambda store: duplicate_candidates(store, survivor_id))
        self.search_edit.setFocus()

    def _build_search(self, layout: QVBoxLayout) -> None:
        intro = QLabel(
            self.tr(
                "Tìm hộ bị ghi trùng. Các lượt hỗ trợ và nhân khẩu của hộ đó sẽ chuyển sang "
                "hộ đang xem, rồi hộ trùng bị xóa khỏi danh sách."
            )
        )
        intro.setWordWrap(True)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("mergeSearch")
        self.search_edit.setPlaceholderText(
            self.tr("Gõ tên chủ hộ, nhân khẩu hoặc số điện thoại (không cần dấu)")
        )
        self.search_edit.setClearButtonEnabled(True)
        search_label = QLabel(self.tr("&Tìm hộ trùng:"))
        search_label.setBuddy(self.search_edit)
        self.list_label = QLabel(self.tr("Các hộ có thể bị trùng:"))
        self.list_label.setObjectName("candidateListLabel")
        self.model = CandidateModel(self)
        self.list_view = make_choice_list(self.model, "candidateList")
        self.list_view.setWordWrap(True)
        self.list_view.setSpacing(3)
        self.list_view.setAlternatingRowColors(True)
        for widget in (intro, search_label, self.search_edit, self.list_label):
            layout.addWidget(widget)
        layout.addWidget(self.list_view, 1)

    def _build_preview(self) -> QGroupBox:
        preview_box = QGroupBox(self.tr("Sẽ thay đổi"))
        self.preview_label = QLabel(self.tr("Chọn một hộ trong danh sách để xem trước."))
        self.preview_label.setObjectName("mergePreview")
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        # Room for the whole preview: a label that grows later would be cut off.
        self.preview_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.confirm_check = QCheckBox(
            self.tr("Tôi đã kiểm tra: đây là &cùng một hộ gia đình, gộp không hoàn tác được.")
        )
        self.confirm_check.setObjectName("confirmMergeCheck")
        self.volunteer_label = QLabel(
            self.tr("Chưa chọn người đang ghi: hãy chọn «Ai đang ghi?» trước khi gộp.")
        )
        self.volunteer_label.setObjectName("noVolunteerLabel")
        self.volunteer_label.setWordWrap(True)
        self.volunteer_label.setVisible(self._ctx.volunteer_id is None)
        box_layout = QVBoxLayout(preview_box)
        box_layout.addWidget(self.preview_label)
        box_layout.addWidget(self.confirm_check)
        box_layout.addWidget(self.volunteer_label)
        return preview_box

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.merge_button = buttons.addButton(
            self.tr("&Gộp vào hộ này"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setAutoDefault(False)
        buttons.addButton(self.tr("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.merge)
        buttons.rejected.connect(self.reject)
        return buttons

    # --- finding the duplicate --------------------------------------------------------

    def _search(self, text: str) -> None:
        survivor = self._survivor_id
        if search_key(text):
            self.list_label.setText(self.tr("Kết quả tìm kiếm:"))
            self._load(lambda store: search_candidates(store, survivor, text))
        else:
            self.list_label.setText(self.tr("Các hộ có thể bị trùng:"))
            self._load(lambda store: duplicate_candidates(store, survivor))

    def _load(self, query: Callable[[Store], list[Candidate]]) -> None:
        store = self._ctx.store
        self._ctx.read(self, lambda: query(store)).latest_only(_ANSWER).success(
            self._show_candidates
        ).failure(self._failed).run()

    def _show_candidates(self, candidates: list[Candidate]) -> None:
        self.model.set_rows(candidates)
        if not candidates:
            self.list_label.setText(
                self.tr("Không tìm thấy hộ nào. Gõ tên khác hoặc số điện thoại.")
            )
        self._chosen()

    def chosen(self) -> Candidate | None:
        row = selected_row(self.list_view)
        return None if row is None else self.model.row(row)

    def _chosen(self) -> None:
        self._preview = None
        self.confirm_check.setChecked(False)
        candidate = self.chosen()
        if candidate is None:
            self.preview_label.setText(self.tr("Chọn một hộ trong danh sách để xem trước."))
            self._update_button()
            return
        self.preview_label.setText(self.tr("Đang xem trước…"))
        store, survivor, loser = self._ctx.store, self._survivor_id, candidate.household.id
        self._ctx.read(self, lambda: merge_preview(store, survivor, loser)).latest_only(
            _ANSWER
        ).success(self._show_preview).failure(self._failed).run()

    def _show_preview(self, preview: MergePreview) -> None:
        self._preview = preview
        self.preview_label.setText(
            self.tr(
                "Hộ «%1» (%2) sẽ được gộp vào hộ «%3» (%4).\n"
                "Chuyển sang: %5 lượt hỗ trợ và %6 nhân khẩu.\n"
                "Sau khi gộp, hộ «%1» không còn trong danh sách."
            )
            .replace("%1", preview.loser.head_name)
            .replace("%2", preview.loser.village_name)
            .replace("%3", preview.survivor.head_name)
            .replace("%4", preview.survivor.village_name)
            .replace("%5", format_number(preview.sessions_moving))
            .replace("%6", format_number(preview.members_moving))
        )
        self._update_button()

    def select_candidate(self, row: int) -> None:
        select_row(self.list_view, row)

    # --- merging ----------------------------------------------------------------------

    def _update_button(self) -> None:
        ready = (
            self._preview is not None
            and self.confirm_check.isChecked()
            and self._ctx.volunteer_id is not None
        )
        self.confirm_check.setEnabled(self._preview is not None)
        self.merge_button.setEnabled(ready)

    def merge(self) -> None:
        preview, volunteer = self._preview, self._ctx.volunteer_id
        if preview is None or volunteer is None or not self.confirm_check.isChecked():
            return
        self.merge_button.setEnabled(False)
        store, survivor, loser = self._ctx.store, self._survivor_id, preview.loser.id
        self._ctx.write(self, lambda: merge_households(store, survivor, loser, volunteer)).success(
            self._merged
        ).failure(self._failed).with_progress(self.tr("Đang gộp hộ…")).run()

    def _merged(self, merged: Merged) -> None:
        self.sig_merged.emit(merged)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._update_button()
        show_failure(self, error, self._ctx.log_file)
