"""Telling a person what went wrong: fixable errors in plain words, bugs as an apology.

Bugs were already logged with their traceback by the executor; the person sees where
the log is, never a stack trace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from villagehelper.errors import UserError


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
