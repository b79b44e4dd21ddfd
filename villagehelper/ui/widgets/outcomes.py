"""How a session's result reads on screen (no database imports: used at start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from villagehelper.clock import format_vn_date
from villagehelper.store.kinds import Outcome

if TYPE_CHECKING:
    from villagehelper.ops.sessions import SessionRow


def outcome_text(row: SessionRow) -> str:
    """ "Thành công", "Hẹn lại 30/11/2026", "Chưa thành công: <lý do>".

    The follow-up's year is always shown: one can be up to a year ahead, and a list
    reaches back into past years."""
    if row.outcome == Outcome.FOLLOW_UP and row.follow_up_date is not None:
        return QCoreApplication.translate("SessionTableModel", "Hẹn lại %1").replace(
            "%1", format_vn_date(row.follow_up_date)
        )
    if row.outcome == Outcome.FAILED:
        return QCoreApplication.translate("SessionTableModel", "Chưa thành công: %1").replace(
            "%1", row.failure_reason
        )
    return QCoreApplication.translate("SessionTableModel", "Thành công")
