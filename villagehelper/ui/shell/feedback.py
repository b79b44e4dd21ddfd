"""Telling a person what went wrong: fixable errors in plain words, bugs as an apology.

Bugs were already logged with their traceback by the executor; the person sees where
the log is, never a stack trace.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from villagehelper.errors import UserError
from villagehelper.ui.shell.i18n import current_language

log = logging.getLogger("villagehelper.ui")


def user_error_text(error: UserError, language: str) -> str:
    return error.message(language)


def show_user_error(parent: QWidget | None, error: UserError, language: str) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("Feedback", "Cần sửa lại"))
    box.setText(user_error_text(error, language))
    box.setObjectName("userErrorBox")
    box.open()


def show_bug(parent: QWidget | None, log_file: Path) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("Feedback", "Xin lỗi"))
    box.setText(
        QCoreApplication.translate(
            "Feedback",
            "VillageHelper gặp lỗi ngoài dự kiến. Dữ liệu đã lưu không bị mất.\n"
            "Chi tiết đã được ghi vào tệp nhật ký:\n%1\n"
            "Hãy gửi tệp này cho người hỗ trợ kỹ thuật.",
        ).replace("%1", str(log_file))
    )
    box.setObjectName("bugBox")
    box.open()


def show_failure(parent: QWidget, error: BaseException, log_file: Path) -> None:
    """Show a failed operation whose ``.failure()`` we handle ourselves: a fixable error
    in plain words, anything else logged with its traceback and apologised for."""
    if isinstance(error, UserError):
        show_user_error(parent, error, current_language())
        return
    log.error("operation failed", exc_info=error)
    show_bug(parent, log_file)


def show_save_failure(parent: QWidget, error: BaseException, language: str, log_file: Path) -> str:
    """Say why a file was not saved (a box over ``parent``); the line for the screen to
    keep showing once the box is closed."""
    if isinstance(error, UserError):
        show_user_error(parent, error, language)
        return user_error_text(error, language)
    # A bug: the executor has logged its traceback.
    show_bug(parent, log_file)
    return QCoreApplication.translate("Feedback", "Không lưu được tệp (lỗi ngoài dự kiến).")
