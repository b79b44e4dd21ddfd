"""Settings of this laptop: language, text size, who is logging, data, backups, sync,
about."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from villagehelper import __version__
from villagehelper.backups.copies import BackupCheck, backup_now
from villagehelper.ops.restore import (
    CARRY_CHOICE,
    LaptopRestored,
    RestorePreview,
    describe_carry,
    describe_preview,
    preview_restore,
    restore_laptop,
)
from villagehelper.paths import DATABASE_FILE
from villagehelper.preferences import LONGEST_RETENTION_MONTHS
from villagehelper.text import format_number
from villagehelper.ui.lock.leader_gate import LeaderGuard
from villagehelper.ui.settings.pin_settings import PinSettings
from villagehelper.ui.settings.sync_settings import SyncSettings
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.syncing.sync_controller import SyncController


class SettingsView(QWidget):
    sig_large_text_changed = Signal(bool)
    """Large-text mode was switched on or off."""
    sig_change_volunteer = Signal()
    """The volunteer wants to choose who is logging."""
    sig_restart_requested = Signal()
    """The database was replaced (restore): the window must reopen on it."""
    sig_backups_kept_changed = Signal(int)
    """How many automatic backups of each kind to keep."""
    sig_lock_minutes_changed = Signal(int)
    """Minutes without input before the window locks (0: never)."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        sync: SyncController | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        display_box = self._build_display()
        data_box = self._build_data()
        about_box = self._build_about()
        pins_box = self._build_pins()
        layout = self._scrolling_layout()
        layout.addWidget(display_box)
        layout.addWidget(pins_box)
        layout.addWidget(data_box)
        layout.addWidget(self._build_retention())
        self.sync_box: SyncSettings | None = None
        if sync is not None:
            self.sync_box = SyncSettings(sync, ctx.preferences.language, self)
            layout.addWidget(self.sync_box)
        layout.addWidget(about_box)
        layout.addStretch(1)
        layout.insertWidget(0, self._guard_leader_parts())
        self.leader_guard.guard(self.retention_months)

    def _build_display(self) -> QGroupBox:
        self.language = QComboBox(self)
        self.language.setObjectName("languageChoice")
        self.language.addItem("Tiếng Việt", "vi")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(self.language.findData(self._ctx.preferences.language))
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.language_note = QLabel(self)
        self.language_note.setWordWrap(True)
        self.large_text = QCheckBox(self.tr("Chữ lớn (dễ đọc hơn)"), self)
        self.large_text.setObjectName("largeText")
        self.large_text.setChecked(self._ctx.preferences.large_text)
        self.large_text.toggled.connect(self._large_text_toggled)
        self.volunteer = QPushButton(self.tr("Đổi người ghi…"), self)
        self.volunteer.setObjectName("changeVolunteer")
        self.volunteer.clicked.connect(self.sig_change_volunteer.emit)
        display = QFormLayout()
        display.addRow(self.tr("Ngôn ngữ"), self.language)
        display.addRow("", self.language_note)
        display.addRow(self.tr("Cỡ chữ"), self.large_text)
        display.addRow(self.tr("Người ghi trên máy này"), self.volunteer)
        display_box = QGroupBox(self.tr("Hiển thị"), self)
        display_box.setLayout(display)
        return display_box

    def _build_data(self) -> QGroupBox:
        folder = QLineEdit(str(self._ctx.data_dir), self)
        folder.setObjectName("dataFolder")
        folder.setReadOnly(True)
        open_folder = QPushButton(self.tr("Mở thư mục"), self)
        open_folder.clicked.connect(self._open_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(folder, 1)
        folder_row.addWidget(open_folder)
        self.backup_button = QPushButton(self.tr("Sao lưu ngay"), self)
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.backup)
        self.restore_button = QPushButton(self.tr("Khôi phục từ bản sao lưu…"), self)
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.clicked.connect(self._choose_backup)
        self.data_message = QLabel(self)
        self.data_message.setObjectName("dataMessage")
        self.data_message.setWordWrap(True)
        data = QFormLayout()
        data.addRow(self.tr("Thư mục dữ liệu"), folder_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        data.addRow("", buttons)
        self.backups_kept = QSpinBox(self)
        self.backups_kept.setObjectName("backupsKept")
        self.backups_kept.setRange(1, 365)
        self.backups_kept.setValue(self._ctx.preferences.backups_kept)
        self.backups_kept.setSuffix(self.tr(" bản mỗi loại"))
        self.backups_kept.valueChanged.connect(self._backups_kept_changed)
        kept_note = QLabel(
            self.tr(
                "Máy tự sao lưu mỗi ngày một lần và trước mỗi lần nâng cấp hay khôi phục; "
                "bản sao lưu bạn tự tạo không bao giờ bị xóa."
            ),
            self,
        )
        kept_note.setWordWrap(True)
        data.addRow(self.tr("Giữ bản sao lưu tự động"), self.backups_kept)
        data.addRow("", kept_note)
        data.addRow("", self.data_message)
        data_box = QGroupBox(self.tr("Dữ liệu"), self)
        data_box.setLayout(data)
        return data_box

    def _build_about(self) -> QGroupBox:
        about = QLabel(
            self.tr(
                "<b>VillageHelper %1</b><br>Sổ hỗ trợ người dân của Tổ công nghệ số cộng đồng."
                "<br>Giấy phép GPL-3.0-or-later. Danh mục đơn vị hành chính 2025 từ gói "
                "vietnam-provinces."
            ).replace("%1", __version__),
            self,
        )
        about.setWordWrap(True)
        about_box = QGroupBox(self.tr("Giới thiệu"), self)
        about_layout = QVBoxLayout(about_box)
        about_layout.addWidget(about)
        return about_box

    # --- display ------------------------------------------------------------------

    def _language_chosen(self) -> None:
        language = str(self.language.currentData())
        if language == self._ctx.preferences.language:
            return
        self._ctx.update_preferences(language=language)
        self.language_note.setText(
            self.tr("Ngôn ngữ mới được dùng từ lần mở ứng dụng sau.")
            if language == "vi"
            else "The new language applies the next time VillageHelper starts."
        )

    def _backups_kept_changed(self, kept: int) -> None:
        self._ctx.update_preferences(backups_kept=kept)
        self.sig_backups_kept_changed.emit(kept)

    def _large_text_toggled(self, on: bool) -> None:
        self._ctx.update_preferences(large_text=on)
        self.sig_large_text_changed.emit(on)

    # --- data ---------------------------------------------------------------------

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._ctx.data_dir)))

    def backup(self) -> None:
        data_dir, store = self._ctx.data_dir, self._ctx.store
        self._ctx.read(self, lambda: backup_now(data_dir, store.now(), key=store.key)).success(
            self._backed_up
        ).with_progress(self.tr("Đang sao lưu…")).run()

    def _backed_up(self, check: BackupCheck) -> None:
        self.data_message.setText(
            self.tr("Đã sao lưu %1 hộ, %2 lượt hỗ trợ vào:\n%3")
            .replace("%1", format_number(check.households))
            .replace("%2", format_number(check.sessions))
            .replace("%3", str(check.path))
        )

    def _choose_backup(self) -> None:
        start = str(self._ctx.data_dir / "backups")
        chosen, _ = QFileDialog.getOpenFileName(
            self, self.tr("Chọn bản sao lưu"), start, self.tr("Dữ liệu VillageHelper (*.sqlite3)")
        )
        if chosen:
            self.restore(Path(chosen), confirm=True)

    def restore(self, source: Path, *, confirm: bool) -> None:
        if source.resolve() == (self._ctx.data_dir / DATABASE_FILE).resolve():
            self.data_message.setText(
                self.tr("Đây là tệp dữ liệu đang dùng, không phải bản sao lưu.")
            )
            return
        if not confirm:
            self._put_back(source, carry_unsent=True)
            return
        data_dir, key = self._ctx.data_dir, self._ctx.store.key
        # What the backup lacks is read off the GUI thread, then shown before anything.
        self._ctx.read(self, lambda: preview_restore(data_dir, source, key=key)).success(
            lambda preview: self._confirm_restore(source, preview)
        ).with_progress(self.tr("Đang khôi phục…")).run()

    def _confirm_restore(self, source: Path, preview: RestorePreview) -> None:
        english = self._ctx.preferences.language == "en"
        question = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Khôi phục dữ liệu?"),
            self.tr("Dữ liệu hiện tại sẽ được thay bằng bản sao lưu\n%1.").replace(
                "%1", source.name
            )
            + "\n\n"
            + describe_preview(preview)[int(english)]
            + "\n\n"
            + self.tr("Dữ liệu hiện tại vẫn được giữ một bản trong thư mục backups. Tiếp tục?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        question.setObjectName("restoreQuestion")
        carry = QCheckBox(CARRY_CHOICE[int(english)], question)
        carry.setChecked(True)  # unless the person says otherwise, nothing is left behind
        if preview.unsent_changes:
            question.setCheckBox(carry)
        if question.exec() != QMessageBox.StandardButton.Yes:
            return
        self._put_back(source, carry_unsent=carry.isChecked())

    def _put_back(self, source: Path, *, carry_unsent: bool) -> None:
        data_dir, store = self._ctx.data_dir, self._ctx.store

        def put_back() -> LaptopRestored:
            return restore_laptop(
                data_dir, source, store.now(), key=store.key, carry_unsent=carry_unsent
            )

        # Not a write that screens refresh on: the whole file is replaced and the app
        # starts again on it, so there is nothing to announce.
        self._ctx.read(self, put_back).success(self._restored).with_progress(
            self.tr("Đang khôi phục…")
        ).run()

    def _restored(self, done: LaptopRestored) -> None:
        english = self._ctx.preferences.language == "en"
        self.data_message.setText(
            self.tr("Đã khôi phục %1 hộ, %2 lượt hỗ trợ. Ứng dụng sẽ mở lại.")
            .replace("%1", format_number(done.restored.restored.households))
            .replace("%2", format_number(done.restored.restored.sessions))
            + "\n"
            + describe_carry(done)[int(english)]
        )
        self.sig_restart_requested.emit()

    def _scrolling_layout(self) -> QVBoxLayout:
        """The page's column, in a scroll area: it is taller than a 768-pixel screen."""
        column = QWidget(self)
        scroll = QScrollArea(self)
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(column)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        return QVBoxLayout(column)

    # --- PINs and the leader-only parts ---------------------------------------------

    def _build_pins(self) -> PinSettings:
        self.pins = PinSettings(self._ctx, self)
        self.pins.sig_lock_minutes_changed.connect(self.sig_lock_minutes_changed.emit)
        return self.pins

    def _guard_leader_parts(self) -> QWidget:
        """Leader-only here: enrolling the laptop with the server, restoring a backup, how
        many backups are kept, how soon the screen locks (and, through the gate at each
        click, others' PINs).  Every member keeps the language, the text size, who is
        logging, their own PIN and "Sao lưu ngay" (it only adds a copy in the data folder:
        nothing is lost and nothing leaves the laptop)."""
        self.leader_guard = LeaderGuard(
            self,
            self._ctx,
            self.tr("Đổi cài đặt của tổ trưởng"),
            self.tr(
                "Khôi phục dữ liệu, số bản sao lưu, thời hạn lưu, thời gian khóa màn hình và "
                "đăng ký với máy chủ xã chỉ tổ trưởng thay đổi được."
            ),
        )
        self.leader_guard.guard(self.restore_button, self.backups_kept, self.pins.lock_minutes)
        if self.sync_box is not None:
            box = self.sync_box
            self.leader_guard.guard(box.server, box.code, box.device_name, box.enrol_button)
        self._ctx.hub.sig_volunteer_changed.connect(self._volunteer_changed)
        self.pins.sig_pins_changed.connect(self.leader_guard.refresh)
        return self.leader_guard.banner

    def _volunteer_changed(self, _volunteer_id: object) -> None:
        self.leader_guard.refresh()  # a slot of this page: gone with it

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        # Allowed parts close again each time the page is shown (after a lock, too).
        super().showEvent(event)
        self.leader_guard.refresh()

    # --- retention of residents' personal data (villagehelper.ops.retention) ----------

    def _build_retention(self) -> QGroupBox:
        self.retention_months = QSpinBox(self)
        self.retention_months.setObjectName("retentionMonths")
        self.retention_months.setRange(1, LONGEST_RETENTION_MONTHS)
        self.retention_months.setValue(self._ctx.preferences.retention_months)
        self.retention_months.setSuffix(self.tr(" tháng"))
        self.retention_months.valueChanged.connect(
            lambda months: self._ctx.update_preferences(retention_months=months)
        )
        note = QLabel(
            self.tr(
                "Sau thời hạn này kể từ lần hỗ trợ hoặc lần sửa cuối, họ tên, số điện thoại, "
                "địa chỉ và ghi chú của hộ được tự động xóa (mỗi ngày một lần, máy tổ trưởng "
                "làm và đồng bộ cho các máy khác). Số lượt hỗ trợ vẫn được giữ cho báo cáo."
            ),
            self,
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Giữ thông tin cá nhân"), self.retention_months)
        form.addRow("", note)
        box = QGroupBox(self.tr("Thời hạn lưu thông tin cá nhân"), self)
        box.setObjectName("retentionBox")
        box.setLayout(form)
        return box
