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
from villagehelper.ui.widgets.fields import field_error_label

YEAR_DIGITS = 4


class BirthYearField(QLineEdit):
    """The field brings a label for its error, hidden, which a form may place under it
    (``new_household``); a form with labels of its own (``household_form.FieldForm``)
    leaves it unused."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setMaxLength(YEAR_DIGITS)
        pattern = QRegularExpression(f"[0-9]{{0,{YEAR_DIGITS}}}")
        self.setValidator(QRegularExpressionValidator(pattern, self))
        self.error = field_error_label(f"{object_name}Error", parent or self)
        self.textEdited.connect(lambda _text: self.show_error(""))

    def show_error(self, text: str) -> None:
        """Say ``text`` under the field ("" hides it) and put the cursor there."""
        self.error.setText("⚠ " + text if text else "")
        self.error.setVisible(bool(text))
        if text:
            self.setFocus()

    def year(self, today: date) -> int | None:
        """The year typed (``None`` when empty); :class:`ValidationError` on
        ``birth_year`` when it is not one from 1900 to ``today``'s year."""
        return parse_birth_year(self.text(), today)
