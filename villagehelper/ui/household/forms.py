"""Household and member forms with their errors shown right under the field to fix.

:class:`HouseholdForm` is used by the household page (edit) and by the log-a-visit
screen (create inline); :class:`MemberForm` likewise.  A form only collects raw input;
the core operation validates it and its :class:`ValidationError` names the field, which
:meth:`FieldForm.show_error` puts next to that field.  :class:`EditDialog` wraps a form
with Lưu / Hủy and saves through the executor, staying open while something needs fixing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import format_vn_date
from villagehelper.errors import ValidationError
from villagehelper.ops.households import HouseholdDetail, MemberInfo
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.ops.team import VillageInfo, list_villages
from villagehelper.store.changelog import Changes
from villagehelper.store.engine import Store
from villagehelper.text import Phone, canonical_phone
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_failure
from villagehelper.ui.shell.i18n import current_language
from villagehelper.ui.shell.screen_fit import grow_for_wrapped_text
from villagehelper.ui.widgets.birth_year_field import BirthYearField
from villagehelper.ui.widgets.fields import error_label

log = logging.getLogger("villagehelper.ui")

NOTES_LINES = 3


# --- forms ----------------------------------------------------------------------------


class FieldForm(QWidget):
    """Labelled fields, each with a place for its error message just below it."""

    sig_edited = Signal()
    """The person changed a field (errors of that field are cleared)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}

    def _add_field(self, names: Sequence[str], label: str, widget: QWidget) -> None:
        """Add ``widget`` labelled ``label``; errors of any field in ``names`` go below it."""
        caption = QLabel(label)
        caption.setBuddy(widget)
        error = error_label(f"{widget.objectName()}Error")
        error.setAccessibleName(label)
        error.hide()
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        self._form.addRow(caption, cell)
        for name in names:
            self._fields[name] = widget
            self._errors[name] = error

    def _edited(self, name: str) -> None:
        self._errors[name].hide()
        self.sig_edited.emit()

    def field_widget(self, name: str) -> QWidget | None:
        return self._fields.get(name)

    def error_text(self, name: str) -> str:
        """The message shown for field ``name`` ("" when none is shown)."""
        label = self._errors.get(name)
        return label.text() if label is not None and not label.isHidden() else ""

    def show_error(self, error: ValidationError) -> bool:
        """Show ``error`` under its field and put the cursor there; ``False`` when the
        field is not on this form (the caller shows the message another way)."""
        label = self._errors.get(error.field)
        if label is None:
            return False
        label.setText("⚠ " + error.message(current_language()))
        label.show()
        self._fields[error.field].setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def clear_errors(self) -> None:
        for label in self._errors.values():
            label.hide()


class HouseholdForm(FieldForm):
    """Village, head of household, address, phone, notes.

    The village list loads itself through the executor and follows changes to villages.
    Field names (for :meth:`show_error`) are those of :class:`HouseholdInput`.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._wanted_village: str | None = None

        self.village_combo = QComboBox()
        self.village_combo.setObjectName("villageCombo")
        self.village_combo.setPlaceholderText(self.tr("— Chọn thôn —"))
        self.head_name_edit = QLineEdit()
        self.head_name_edit.setObjectName("headNameEdit")
        self.head_name_edit.setPlaceholderText(self.tr("ví dụ: Nguyễn Văn An"))
        self.address_edit = QLineEdit()
        self.address_edit.setObjectName("addressEdit")
        self.address_edit.setPlaceholderText(self.tr("xóm, số nhà, đường…"))
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("phoneEdit")
        self.phone_edit.setPlaceholderText(self.tr("ví dụ 0912 345 678 (có thể để trống)"))
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setTabChangesFocus(True)
        lines = self.notes_edit.fontMetrics().lineSpacing() * NOTES_LINES
        self.notes_edit.setFixedHeight(lines + 2 * self.notes_edit.frameWidth() + 8)

        self._add_field(("village_id",), self.tr("&Thôn:"), self.village_combo)
        self._add_field(("head_name",), self.tr("Họ tên &chủ hộ:"), self.head_name_edit)
        self._add_field(("address_detail",), self.tr("Đị&a chỉ:"), self.address_edit)
        self._add_field(("phone",), self.tr("Số điện t&hoại:"), self.phone_edit)
        self._add_field(("notes",), self.tr("Ghi ch&ú:"), self.notes_edit)

        self.village_combo.currentIndexChanged.connect(lambda _: self._edited("village_id"))
        self.head_name_edit.textEdited.connect(lambda _: self._edited("head_name"))
        self.address_edit.textEdited.connect(lambda _: self._edited("address_detail"))
        self.phone_edit.textEdited.connect(lambda _: self._edited("phone"))
        self.notes_edit.textChanged.connect(lambda: self._edited("notes"))

        ctx.hub.sig_changed.connect(self._on_changes)
        self.reload_villages()

    def reload_villages(self) -> None:
        ctx = self._ctx
        ctx.read(self, lambda: list_villages(ctx.store)).success(self.set_villages).run()

    def _on_changes(self, changes: Changes) -> None:
        if changes.ids("village"):
            self.reload_villages()

    def set_villages(self, villages: Sequence[VillageInfo]) -> None:
        """Fill the village list, keeping the chosen village when it is still there."""
        wanted = self._wanted_village or self.village_combo.currentData()
        blocker = self.village_combo.blockSignals(True)
        self.village_combo.clear()
        for village in villages:
            self.village_combo.addItem(village.name, village.id)
        self.village_combo.setCurrentIndex(self.village_combo.findData(wanted))
        self.village_combo.blockSignals(blocker)
        if self.village_combo.currentIndex() >= 0:
            self._wanted_village = None

    def set_village(self, village_id: str | None) -> None:
        """Choose a village (also before the list has loaded)."""
        self._wanted_village = village_id
        self.village_combo.setCurrentIndex(self.village_combo.findData(village_id))
        if self.village_combo.currentIndex() >= 0:
            self._wanted_village = None

    def set_input(self, data: HouseholdInput) -> None:
        """Show ``data`` in the fields (a stored phone number is shown grouped)."""
        self.set_village(data.village_id or None)
        self.head_name_edit.setText(data.head_name)
        self.address_edit.setText(data.address_detail)
        self.phone_edit.setText(_grouped_phone(data.phone))
        self.notes_edit.setPlainText(data.notes)
        self.clear_errors()

    def set_household(self, detail: HouseholdDetail) -> None:
        self.set_input(
            HouseholdInput(
                detail.village_id,
                detail.head_name,
                detail.address_detail,
                detail.phone,
                detail.notes,
            )
        )

    def household_input(self) -> HouseholdInput:
        """What the fields say, raw: the core operation cleans and checks it."""
        village = self.village_combo.currentData() or self._wanted_village or ""
        return HouseholdInput(
            village_id=str(village),
            head_name=self.head_name_edit.text(),
            address_detail=self.address_edit.text(),
            phone=self.phone_edit.text() or None,
            notes=self.notes_edit.toPlainText(),
        )

    def clear(self, *, keep_village: bool = True) -> None:
        """Empty the fields for the next resident (the village usually stays the same)."""
        if not keep_village:
            self.set_village(None)
        for edit in (self.head_name_edit, self.address_edit, self.phone_edit):
            edit.clear()
        self.notes_edit.clear()
        self.clear_errors()

    def focus_first(self) -> None:
        """Cursor to the first field that needs typing."""
        if self.village_combo.currentIndex() < 0:
            self.village_combo.setFocus()
        else:
            self.head_name_edit.setFocus()


class MemberForm(FieldForm):
    """A household member: name, birth year, phone, consent (dated today when given).

    Field names (for :meth:`show_error`): ``full_name``, ``birth_year``,
    ``member_phone`` (also ``phone``), ``consent`` / ``consent_date``.
    """

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self._consent_date: date | None = None

        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("memberNameEdit")
        self.birth_year_edit = BirthYearField("birthYearEdit")
        self.birth_year_edit.setPlaceholderText(self.tr("ví dụ 1965 (có thể để trống)"))
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("memberPhoneEdit")
        self.phone_edit.setPlaceholderText(self.tr("ví dụ 0912 345 678 (có thể để trống)"))
        self.consent_check = QCheckBox(self.tr("Người dân đồng ý cho lưu thông tin"))
        self.consent_check.setObjectName("consentCheck")
        self.consent_label = QLabel()
        self.consent_label.setObjectName("consentDateLabel")
        consent = QWidget()
        consent.setObjectName("consentBox")
        column = QVBoxLayout(consent)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.consent_check)
        column.addWidget(self.consent_label)

        self._add_field(("full_name",), self.tr("&Họ tên:"), self.name_edit)
        self._add_field(("birth_year",), self.tr("&Năm sinh:"), self.birth_year_edit)
        self._add_field(("member_phone", "phone"), self.tr("Số điện t&hoại:"), self.phone_edit)
        self._add_field(("consent", "consent_date"), self.tr("Đồn&g ý:"), consent)
        # The consent box is a container: its errors and the cursor go to the checkbox.
        self._fields["consent"] = self._fields["consent_date"] = self.consent_check

        self.name_edit.textEdited.connect(lambda _: self._edited("full_name"))
        self.birth_year_edit.textEdited.connect(lambda _: self._edited("birth_year"))
        self.phone_edit.textEdited.connect(lambda _: self._edited("member_phone"))
        self.consent_check.toggled.connect(self._consent_toggled)
        self._show_consent_date()

    def _consent_toggled(self, _checked: bool) -> None:
        self._edited("consent")
        self._show_consent_date()

    def _show_consent_date(self) -> None:
        if not self.consent_check.isChecked():
            self.consent_label.setText(
                self.tr("Chưa đồng ý — hãy hỏi người dân trước khi đánh dấu.")
            )
            return
        day = self._consent_date or self._today
        self.consent_label.setText(self.tr("Ngày đồng ý: %1").replace("%1", format_vn_date(day)))

    def set_member(self, member: MemberInfo | None) -> None:
        """Show ``member`` (or empty fields for a new one)."""
        self._consent_date = member.consent_date if member is not None else None
        self.name_edit.setText(member.full_name if member else "")
        year = member.birth_year if member else None
        self.birth_year_edit.setText(str(year) if year is not None else "")
        self.phone_edit.setText(_grouped_phone(member.phone if member else None))
        blocker = self.consent_check.blockSignals(True)
        self.consent_check.setChecked(bool(member and member.consent))
        self.consent_check.blockSignals(blocker)
        self._show_consent_date()
        self.clear_errors()

    def member_input(self) -> MemberInput:
        """What the fields say; the date of a consent given now is left to the core
        (today), and an existing consent keeps its date."""
        return MemberInput(
            full_name=self.name_edit.text(),
            birth_year=self.birth_year_edit.year(self._today),
            phone=self.phone_edit.text() or None,
            consent=self.consent_check.isChecked(),
        )

    def focus_first(self) -> None:
        self.name_edit.setFocus()


def member_dialog(
    ctx: AppContext,
    title: str,
    member: MemberInfo | None,
    save: Callable[[Store, str, MemberInput], object],
    target: str,
    *,
    today: date,
    parent: QWidget,
) -> EditDialog:
    """The member form (``member``'s values, or empty) in an edit dialog, not opened yet:
    saving runs ``save(store, target, typed)`` on the database worker, ``target`` being
    the member edited or the household a new member joins (``today`` bounds the birth
    year and the consent date)."""
    form = MemberForm(today)
    form.set_member(member)
    store = ctx.store

    def prepare() -> Callable[[], object]:
        typed = form.member_input()
        return lambda: save(store, target, typed)

    return EditDialog(ctx, form, title, prepare, parent)


def _grouped_phone(phone: str | None) -> str:
    if not phone:
        return ""
    try:
        national = canonical_phone(phone)
    except ValueError:
        return phone  # not stored yet and not valid: show it as typed
    return Phone(national).display() if national else ""


# --- dialog -----------------------------------------------------------------------------


class EditDialog(QDialog):
    """A form with Lưu / Hủy.  Saving runs ``prepare()`` on the GUI thread (it reads the
    form and may raise :class:`ValidationError`), then the work it returns on the database
    worker as a write: the result must have ``.changes``, which the operation announces."""

    sig_saved = Signal(object)
    """Saved: the argument is the operation's result (e.g. ``Saved``)."""

    def __init__(
        self,
        ctx: AppContext,
        form: HouseholdForm | MemberForm,
        title: str,
        prepare: Callable[[], Callable[[], object]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._prepare = prepare
        self.form = form
        self.setWindowTitle(title)
        self.setObjectName("editDialog")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            self.tr("&Lưu"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        cancel = buttons.addButton(self.tr("Hủy"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("cancelButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(form)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().height())
        form.focus_first()

    def save(self) -> None:
        self.form.clear_errors()
        try:
            work = self._prepare()
        except ValidationError as error:
            self._refused(error)
            return
        self.save_button.setEnabled(False)
        self._ctx.write(self, work).success(self._saved).failure(self._refused).run()

    def _saved(self, result: object) -> None:
        self.sig_saved.emit(result)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError) and self.form.show_error(error):
            grow_for_wrapped_text(self)
            return
        show_failure(self, error, self._ctx.log_file)
