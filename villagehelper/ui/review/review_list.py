"""What the tabs of the leader's review share: a list of rows the server held back, the
chosen row settled on the database worker, and a message line under it.

:class:`ReviewRowsModel` is the list (text cells, the same text as tooltip, the leader's
language); :class:`DatedReviewPage` is a tab that settles the chosen row at a day and
time the leader picks (the implausible and faulty rows); :func:`show_refusal` is how every
tab tells a failed save.  Each tab keeps its own words: ``tr()`` contexts are its class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from villagehelper.clock import VIETNAM, to_vietnam, vietnam_today
from villagehelper.errors import UserError
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.widgets.choice_lists import ROW_ROLE, RowsModel
from villagehelper.ui.widgets.date_edit import session_day_edit
from villagehelper.ui.widgets.fields import from_qdate, labelled, to_qdate

if TYPE_CHECKING:
    from villagehelper.store.changelog import Changes

T = TypeVar("T")
_SHOWN_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)


class ReviewRowsModel(RowsModel[T]):
    """Rows of text for a leader to compare; a long value reads in full as its tooltip."""

    def __init__(self, language: str = "vi", *, columns: int) -> None:
        super().__init__(columns=columns)
        self._language = language

    def in_language(self, vietnamese: str, english: str) -> str:
        """The core gives reasons in both languages: the one the leader reads."""
        return english if self._language == "en" else vietnamese

    def cell(self, value: T, column: int, role: int) -> object:
        if role not in _SHOWN_ROLES:
            return None
        return self.texts(value)[column]

    def texts(self, value: T) -> Sequence[str]:
        """The text of each column for ``value``."""
        raise NotImplementedError


def chosen_row(table: QTableView) -> Any:
    """The row object under ``table``'s current index (``None``: nothing chosen)."""
    index = table.currentIndex()
    return index.data(ROW_ROLE) if index.isValid() else None


def show_refusal(message: QLabel, ctx: AppContext, error: BaseException) -> None:
    """A save that failed: what the leader can fix in ``message``, a bug through the
    window's own feedback (logged already by the worker)."""
    if isinstance(error, UserError):
        message.setText(error.message(ctx.preferences.language))
    else:
        ctx.executor.report(error)


class DatedReviewPage(QWidget, Generic[T]):
    """A review tab whose chosen row is settled at a day and time the leader picks.

    Subclasses add their buttons, say what their rows need (:meth:`_fill`) and what a
    saved row means (:meth:`_saved`); the widgets' object names start with ``name``.
    """

    def __init__(
        self,
        ctx: AppContext,
        model: ReviewRowsModel[T],
        table: QTableView,
        parent: QWidget,
        *,
        name: str,
    ) -> None:
        """``table`` shows ``model`` (the review dialog makes its tables alike)."""
        super().__init__(parent)
        self._ctx = ctx
        self.model = model
        self.table = table
        table.selectionModel().currentRowChanged.connect(lambda *_: self._show_chosen())
        self.day = session_day_edit(self, f"{name}Day", self._today)
        self.time = QTimeEdit(self)
        self.time.setObjectName(f"{name}Time")
        self.time.setDisplayFormat("HH:mm")
        self.message = QLabel(self)
        self.message.setObjectName(f"{name}Message")
        self.message.setWordWrap(True)

    def _lay_out(
        self, hint: str, day_label: str, buttons: Sequence[QWidget], above: Sequence[QWidget] = ()
    ) -> None:
        """The hint, the list, ``above`` the day row, the day row with ``buttons``, the
        day's error and the message, top to bottom."""
        shown = QLabel(hint, self)
        shown.setWordWrap(True)
        when = QHBoxLayout()
        when.addWidget(labelled(day_label, self.day, self))
        when.addWidget(self.day)
        when.addWidget(self.time)
        for button in buttons:
            when.addWidget(button)
        when.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(shown)
        layout.addWidget(self.table, 1)
        for widget in above:
            layout.addWidget(widget)
        layout.addLayout(when)
        layout.addWidget(self.day.error)
        layout.addWidget(self.message)
        self._show_chosen()

    def set_rows(self, rows: Sequence[T]) -> None:
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self._show_chosen()

    def chosen(self) -> T | None:
        chosen: T | None = chosen_row(self.table)
        return chosen

    def moment(self) -> datetime:
        """The day and time the leader chose, in Vietnam."""
        day = from_qdate(self.day.date())
        clock = self.time.time()
        return datetime.combine(day, time(clock.hour(), clock.minute()), tzinfo=VIETNAM)

    def set_right_moment(self, moment: datetime) -> None:
        local = to_vietnam(moment)
        self.day.setDate(QDate(local.year, local.month, local.day))
        self.time.setTime(QTime(local.hour, local.minute))

    def _today(self) -> date:
        return vietnam_today(self._ctx.store.now())

    def _show_chosen(self) -> None:
        chosen = self.chosen()
        none_left = self._none_left()
        self._fill(chosen)
        if chosen is None:
            if not self.message.text():  # keep "saved" in view
                self.message.setText(none_left)
            return
        if self.message.text() == none_left:  # rows came in after an empty list
            self.message.setText("")
        self.day.setDate(to_qdate(self._today()))

    def _none_left(self) -> str:
        """The message when the list is empty."""
        raise NotImplementedError

    def _fill(self, chosen: T | None) -> None:
        """Enable the controls ``chosen`` allows and show what it carries (the day is
        set to today afterwards)."""
        raise NotImplementedError

    def _leader_for(self, *, needs_day: bool, no_leader: str) -> tuple[T, str] | None:
        """The chosen row and who settles it, or ``None`` (told in the message as
        ``no_leader`` when nobody is chosen to record)."""
        chosen = self.chosen()
        leader = self._ctx.volunteer_id
        if chosen is None:
            return None
        if leader is None:
            self.message.setText(no_leader)
            return None
        if needs_day and not self.day.settled():
            return None  # the day typed is not one a session can have taken place on
        return chosen, leader

    def _save(self, work: Callable[[], Changes]) -> None:
        """Run ``work`` as a write; the tally and lists refresh on the announced
        changes, tab or not."""
        self.message.setText("")
        self._ctx.write(self, work).success(self._saved).failure(self._refused).run()

    def _saved(self, _changes: Changes) -> None:
        raise NotImplementedError

    def _refused(self, error: BaseException) -> None:
        show_refusal(self.message, self._ctx, error)
