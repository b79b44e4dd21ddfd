"""Undoing a visit from the log-a-visit screen: say what will be undone, ask, and say
what was undone.

A void is kept in the history (struck through), but a volunteer who pressed Ctrl+Z by
mistake must see which household and which services it is about before anything
changes, and afterwards see that it happened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from villagehelper.ui.widgets.outcomes import outcome_text

if TYPE_CHECKING:
    from villagehelper.ops.sessions import SessionRow

UNDO_KEY = "Ctrl+Z"


def describe_sessions(rows: Sequence[SessionRow]) -> str:
    """ "Nguyễn Văn An — Thôn Khay: Kích hoạt … (Hẹn lại 20/12); Sổ sức khỏe … (Thành
    công)", the household once, then each service with its result."""
    if not rows:
        return ""
    first = rows[0]
    who = f"{first.head_name} — {first.village_name}"
    if first.member_name and first.member_name != first.head_name:
        who += f" ({first.member_name})"
    services = "; ".join(f"{row.service_label} ({outcome_text(row)})" for row in rows)
    return f"{who}: {services}"


def confirm_undo(
    parent: QWidget, rows: Sequence[SessionRow], on_yes: Callable[[], None]
) -> QMessageBox:
    """Ask before voiding ``rows``; Enter confirms, Esc keeps the visit.  Shown with
    ``open()`` (the screen keeps running); ``on_yes`` runs only on confirmation."""
    box = QMessageBox(parent)
    box.setObjectName("confirmUndo")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("VisitUndo", "Hoàn tác lượt hỗ trợ"))
    box.setText(QCoreApplication.translate("VisitUndo", "Hoàn tác lượt này?"))
    box.setInformativeText(
        describe_sessions(rows)
        + "\n\n"
        + QCoreApplication.translate(
            "VisitUndo",
            "Lượt sẽ bị hủy (vẫn còn trong lịch sử, gạch ngang). Enter: hoàn tác · Esc: giữ lại.",
        )
    )
    undo = box.addButton(
        QCoreApplication.translate("VisitUndo", "Hoàn tác"), QMessageBox.ButtonRole.AcceptRole
    )
    keep = box.addButton(
        QCoreApplication.translate("VisitUndo", "Giữ lại"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(undo)
    box.setEscapeButton(keep)
    box.buttonClicked.connect(lambda button: on_yes() if button is undo else None)
    box.open()
    return box


def undone_text(rows: Sequence[SessionRow]) -> str:
    """The feedback once the void is saved."""
    return QCoreApplication.translate("VisitUndo", "Đã hoàn tác: %1").replace(
        "%1", describe_sessions(rows)
    )
