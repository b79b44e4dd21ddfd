"""The first page of the first-run wizard: the team's commune, found in the official
list without diacritics — or the way out to the sample data, or to a commune server
the team already syncs with."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
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

from villagehelper.geography import OfficialCommune
from villagehelper.ops.setup import communes_matching, official_provinces
from villagehelper.text import format_number
from villagehelper.ui.first_run.team_pages import named_button
from villagehelper.ui.widgets.choice_lists import (
    ArrowKeysMoveList,
    RowsModel,
    make_choice_list,
    select_row,
    selected_row,
)


class CommuneListModel(RowsModel[OfficialCommune]):
    """Official communes, each with its province (many names repeat across provinces)."""

    def cell(self, value: OfficialCommune, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr("%1 — %2").replace("%1", value.name).replace("%2", value.province_name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Mã xã/phường: %1").replace("%1", value.code)
        return None


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
