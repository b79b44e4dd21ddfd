"""How a session's result reads on screen (no database imports: used at start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from villagehelper.store.kinds import Outcome

if TYPE_CHECKING:
    from villagehelper.ops.sessions import SessionRow


def outcome_text(row: SessionRow) -> str:
    """ "Thành công", "Hẹn lại 30/11", "Chưa thành công: <lý do>"."""
    if row.outcome == Outcome.FOLLOW_UP and row.follow_up_date is not None:
        return QCoreApplication.translate("SessionTableModel", "Hẹn lại %1").replace(
            "%1", row.follow_up_date.strftime("%d/%m")
        )
    if row.outcome == Outcome.FAILED:
        return QCoreApplication.translate("SessionTableModel", "Chưa thành công: %1").replace(
            "%1", row.failure_reason
        )
    return QCoreApplication.translate("SessionTableModel", "Thành công")
