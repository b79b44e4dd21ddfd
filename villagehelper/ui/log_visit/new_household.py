"""Creating a household inline, from a search that found nobody.

The volunteer is warned about probable duplicates first (same name in the village,
same phone): choosing one of them opens that household instead; creating anyway needs a
second, deliberate Enter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import vietnam_today
from villagehelper.errors import UserError, ValidationError
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.ui.log_visit.household_search import describe_hit
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_bug
from villagehelper.ui.widgets.birth_year_field import BirthYearField

if TYPE_CHECKING:
    from villagehelper.ops.duplicates import DuplicateCandidate
    from villagehelper.ops.households import Saved
    from villagehelper.ops.team import VillageInfo


class NewHouseholdPanel(QWidget):
    sig_created = Signal(str)
    """The household was created: its id."""
    sig_use_existing = Signal(str)
    """The volunteer picked a probable duplicate instead: that household's id."""
    sig_cancelled = Signal()
    """Back to the search."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._warned_for: tuple[str, str, str] | None = None
        title = QLabel(self.tr("<b>Thêm hộ mới</b>"), self)
        self.head_name = QLineEdit(self)
        self.head_name.setObjectName("newHeadName")
        self.village = QComboBox(self)
        self.village.setObjectName("newVillage")
        self.address = QLineEdit(self)
        self.address.setObjectName("newAddress")
        self.address.setPlaceholderText(self.tr("Xóm, số nhà… (không bắt buộc)"))
        self.phone = QLineEdit(self)
        self.phone.setObjectName("newPhone")
        self.phone.setPlaceholderText(self.tr("Không bắt buộc, ví dụ 0912 345 678"))
        self.birth_year = BirthYearField("newBirthYear", self)
        self.birth_year.setPlaceholderText(self.tr("Năm sinh của chủ hộ (không bắt buộc)"))
        form = QFormLayout()
        form.addRow(self.tr("Họ tên chủ hộ"), self.head_name)
        form.addRow(self.tr("Thôn"), self.village)
        form.addRow(self.tr("Địa chỉ"), self.address)
        form.addRow(self.tr("Số điện thoại"), self.phone)
        form.addRow(self.tr("Năm sinh"), self.birth_year)
        form.addRow("", self.birth_year.error)  # a year out of range is said right here
        self.duplicates = QListWidget(self)
        self.duplicates.setObjectName("duplicateCandidates")
        self.duplicates.setVisible(False)
        self.duplicates.itemActivated.connect(self._use_item)
        self.message = QLabel(self)
        self.message.setObjectName("newHouseholdMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a40000;")
        self.create_button = QPushButton(self.tr("Tạo hộ (Enter)"), self)
        self.create_button.setObjectName("createHousehold")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(self.tr("Quay lại tìm kiếm (Esc)"), self)
        self.cancel_button.clicked.connect(self.sig_cancelled.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.duplicates)
        layout.addLayout(buttons)
        for line in (self.head_name, self.address, self.phone, self.birth_year):
            line.returnPressed.connect(self.submit)

    def tab_chain(self) -> list[QWidget]:
        """The fields in the order Tab visits them (the log-a-visit screen chains them)."""
        return [
            self.head_name,
            self.village,
            self.address,
            self.phone,
            self.birth_year,
            self.duplicates,
            self.create_button,
            self.cancel_button,
        ]

    def start(self, head_name: str, villages: list[VillageInfo], village_id: str | None) -> None:
        self._warned_for = None
        self.head_name.setText(head_name)
        self.village.clear()
        for village in villages:
            self.village.addItem(village.name, village.id)
        if village_id is not None and (index := self.village.findData(village_id)) >= 0:
            self.village.setCurrentIndex(index)
        for line in (self.address, self.phone, self.birth_year):
            line.clear()
        self.birth_year.show_error("")
        self.message.clear()
        self.duplicates.clear()
        self.duplicates.setVisible(False)
        self.head_name.setFocus()

    def _inputs(self) -> tuple[HouseholdInput, list[MemberInput]]:
        year = self.birth_year.year(vietnam_today(self._ctx.store.now()))
        household = HouseholdInput(
            village_id=str(self.village.currentData() or ""),
            head_name=self.head_name.text(),
            address_detail=self.address.text(),
            phone=self.phone.text() or None,
        )
        head = MemberInput(self.head_name.text(), year)
        return household, [head]

    def submit(self) -> None:
        try:
            household, members = self._inputs()
        except ValidationError as error:  # a birth year out of range, said at the field
            self._failed(error)
            return
        key = (household.head_name, household.village_id, household.phone or "")
        ctx = self._ctx
        if self._warned_for != key:
            # First Enter: look for probable duplicates before creating anything.
            def check() -> list[DuplicateCandidate]:
                from villagehelper.ops.duplicates import probable_duplicates

                return probable_duplicates(
                    ctx.store, household.head_name, household.village_id, household.phone
                )

            ctx.read(self, check).success(lambda found: self._after_check(key, found)).failure(
                self._failed
            ).run()
            return

        def create() -> Saved:
            from villagehelper.ops.households import create_household

            return create_household(ctx.store, household, members)

        ctx.write(self, create).success(self._created).failure(self._failed).run()

    def _after_check(self, key: tuple[str, str, str], found: list[DuplicateCandidate]) -> None:
        self._warned_for = key
        if not found:
            self.submit()
            return
        self.duplicates.clear()
        for candidate in found:
            item = QListWidgetItem(
                describe_hit(candidate.household) + "\n   " + "; ".join(candidate.reasons)
            )
            item.setData(Qt.ItemDataRole.UserRole, candidate.household.id)
            self.duplicates.addItem(item)
        self.duplicates.setVisible(True)
        self.duplicates.setCurrentRow(0)
        self.message.setText(
            self.tr(
                "Có thể hộ này đã có. Chọn một hộ bên dưới rồi Enter để dùng hộ đó, "
                "hoặc nhấn «Tạo hộ» lần nữa nếu đây đúng là hộ mới."
            )
        )
        self.create_button.setFocus()

    def _use_item(self, item: QListWidgetItem) -> None:
        self.sig_use_existing.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _created(self, saved: Saved) -> None:
        self.sig_created.emit(saved.id)  # the operation announces saved.changes next

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, UserError):
            show_bug(self, self._ctx.log_file)
            return
        text = error.message(self._ctx.preferences.language)
        if isinstance(error, ValidationError) and error.field == "birth_year":
            self.birth_year.show_error(text)
        else:
            self.message.setText(text)
        if not isinstance(error, ValidationError):
            return
        field = {
            "head_name": self.head_name,
            "full_name": self.head_name,
            "phone": self.phone,
            "member_phone": self.phone,
            "birth_year": self.birth_year,
            "address_detail": self.address,
            "village_id": self.village,
        }.get(error.field)
        if field is not None:
            field.setFocus()
        self._warned_for = None
