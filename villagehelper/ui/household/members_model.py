"""The members table of the household page: name, birth year, full phone number and
consent (the phone is shown in full only on this page — the volunteer opened the
household on purpose)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt

from villagehelper.clock import format_vn_date
from villagehelper.ops.households import MemberInfo
from villagehelper.text import Phone
from villagehelper.ui.widgets.choice_lists import RowsModel

NAME, BIRTH_YEAR, PHONE, CONSENT = range(4)


class MembersModel(RowsModel[MemberInfo]):
    """A household's members with birth year, full phone number and consent date."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent, columns=4)

    def column_titles(self) -> Sequence[str]:
        return (self.tr("Họ tên"), self.tr("Năm sinh"), self.tr("Số điện thoại"), self.tr("Đồng ý"))

    def cell(self, value: MemberInfo, column: int, role: int) -> object:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if column == NAME:
            return value.full_name
        if column == BIRTH_YEAR:
            return str(value.birth_year) if value.birth_year is not None else ""
        if column == PHONE:
            return Phone(value.phone).display() if value.phone else ""
        if column == CONSENT and value.consent:
            day = format_vn_date(value.consent_date) if value.consent_date else ""
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return self.tr("Đã đồng ý ngày %1").replace("%1", day)
            return "✓ " + day
        if column == CONSENT and value.consent_withdrawn_date is not None:
            day = format_vn_date(value.consent_withdrawn_date)
            return self.tr("Đã rút lại %1").replace("%1", day)
        return ""
