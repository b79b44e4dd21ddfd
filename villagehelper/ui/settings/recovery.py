"""Backups in the app: the daily one, and what to do when the data file is damaged.

The daily backup (``villagehelper.backups.copies.daily_backup``) runs on a worker of its own, a
little after start-up and then every hour, so neither start-up nor the database worker
waits for a copy of the whole file.  Being an exact copy checked page by page, it is also
the daily check of the live file: when it finds damage, or when the file cannot be opened
at all, the person is offered the newest good backup (the damaged file is kept aside).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from villagehelper.clock import utc_now
from villagehelper.text import format_number
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.operations import read_op

translate = QCoreApplication.translate

if TYPE_CHECKING:  # the database layer loads on the worker, not with the window
    from villagehelper.backups.copies import BackupCheck

FIRST_CHECK_MS = 30_000  # after start-up: the first minute belongs to the person
EVERY_MS = 60 * 60_000


@dataclass(frozen=True)
class Damaged:
    """The daily backup found the live file damaged; the newest good backup, if any."""

    good: BackupCheck | None


class DailyBackups(QObject):
    """Takes the day's backup when due; ``sig_damaged`` when the file is found damaged."""

    sig_damaged = Signal(object)
    """A :class:`Damaged`: the window offers the good backup."""
    sig_backed_up = Signal(object)
    """The :class:`BackupCheck` of a backup just taken."""

    def __init__(
        self, data_dir: Path, keep: int, key: bytes | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._key = key
        self.keep = keep
        # Its own thread (docs/workers.md): the copy opens the file itself, not through
        # the store, and saves queued meanwhile on the database worker need not wait.
        self._worker = Worker(self, name="villagehelper-backup")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_now)

    def start(self, first_ms: int = FIRST_CHECK_MS) -> None:
        self._timer.start(first_ms)

    def stop(self) -> None:
        self._timer.stop()
        self._worker.shutdown(wait=False)

    def check_now(self) -> None:
        data_dir, keep, key = self._data_dir, self.keep, self._key

        def work() -> BackupCheck | Damaged | None:
            from villagehelper.backups.copies import daily_backup, newest_good_backup
            from villagehelper.store.migrate import DamagedDatabaseError

            try:
                return daily_backup(data_dir, utc_now(), keep, key=key)
            except DamagedDatabaseError:
                return Damaged(newest_good_backup(data_dir, key=key))

        read_op(self._worker, self, work).success(self._checked).failure(self._failed).run()

    def _failed(self, _error: BaseException) -> None:
        # No backup today (a full disk, which the next save tells the person about; a
        # bug, which the worker logged): the next check tries again.
        self._timer.start(EVERY_MS)

    def _checked(self, outcome: BackupCheck | Damaged | None) -> None:
        self._timer.start(EVERY_MS)
        if isinstance(outcome, Damaged):
            self.sig_damaged.emit(outcome)
        elif outcome is not None:
            self.sig_backed_up.emit(outcome)


def describe(good: BackupCheck) -> str:
    """When a backup was taken and what it holds, as the person reads it."""
    from villagehelper.backups.copies import backup_time

    taken = backup_time(good.path)
    return (
        translate("Recovery", "bản sao lưu lúc %1: %2 hộ, %3 lượt hỗ trợ")
        .replace("%1", taken.strftime("%H:%M %d/%m/%Y") if taken else good.path.name)
        .replace("%2", format_number(good.households))
        .replace("%3", format_number(good.sessions))
    )


def offer_restore(parent: QWidget | None, good: BackupCheck | None) -> bool:
    """Ask whether to restore the newest good backup of a damaged data file."""
    title = translate("Recovery", "Dữ liệu bị hỏng")
    if good is None:
        QMessageBox.critical(
            parent,
            title,
            translate(
                "Recovery",
                "Tệp dữ liệu trên máy này bị hỏng và không có bản sao lưu tốt nào trong thư mục "
                "backups. Đừng xóa gì cả: hãy liên hệ người hỗ trợ kỹ thuật của xã.",
            ),
        )
        return False
    answer = QMessageBox.question(
        parent,
        title,
        translate(
            "Recovery",
            "Tệp dữ liệu trên máy này bị hỏng (có thể do mất điện hoặc ổ đĩa lỗi).\n\n"
            "Khôi phục %1?\n\nNhững gì ghi sau lúc đó trên máy này sẽ không còn; những gì đã "
            "đồng bộ sẽ được tải lại từ máy chủ xã. Tệp hỏng được giữ lại trong thư mục backups.",
        ).replace("%1", describe(good)),
    )
    return answer == QMessageBox.StandardButton.Yes


def restore(data_dir: Path, good: BackupCheck, key: bytes | None) -> None:
    """Put the good backup in place (the store must be closed: the damaged file is
    moved aside whole)."""
    from villagehelper.backups.copies import restore_backup

    restore_backup(data_dir, good.path, utc_now(), key=key)


def recover_at_start(parent: QWidget | None, data_dir: Path, key: bytes | None) -> bool:
    """The data file would not open: offer the newest good backup; True once restored."""
    from villagehelper.backups.copies import newest_good_backup

    good = newest_good_backup(data_dir, key=key)
    if not offer_restore(parent, good):
        return False
    assert good is not None
    restore(data_dir, good, key)
    return True
