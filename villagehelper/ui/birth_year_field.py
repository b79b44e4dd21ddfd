"""An optional birth-year field whose Enter always reaches the form.

The fields used to carry a ``QIntValidator``: to it an empty text is only "intermediate",
so a line edit swallows Enter (no ``returnPressed``) and, on the log-a-visit screen, an
empty optional "Năm sinh" did nothing and said nothing.  This field lets only digits in
(at most four) and treats empty as a complete answer; the range (1900 to this year) is
checked by :func:`villagehelper.typed_dates.parse_birth_year`, the rule the core applies,
and the form shows its message at the field.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from villagehelper.typed_dates import parse_birth_year

YEAR_DIGITS = 4


class BirthYearField(QLineEdit):
    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setMaxLength(YEAR_DIGITS)
        pattern = QRegularExpression(f"[0-9]{{0,{YEAR_DIGITS}}}")
        self.setValidator(QRegularExpressionValidator(pattern, self))

    def year(self, today: date) -> int | None:
        """The year typed (``None`` when empty); :class:`ValidationError` on
        ``birth_year`` when it is not one from 1900 to ``today``'s year."""
        return parse_birth_year(self.text(), today)
