"""Printing the team's "who is left" list from the campaigns screen: the chosen
village's, or every village's when the total row is chosen, as a PDF where the person
chooses (the tally's save dialog and messages), written on the database worker.

The list names residents: it is for the team to carry door to door (docs/campaigns.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from villagehelper.clock import vietnam_today
from villagehelper.text import format_number
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_save_failure
from villagehelper.ui.widgets.save_place import (
    SavePlace,
    file_name_part,
    pdf_filter,
    saving_pdf,
)


@dataclass(frozen=True)
class LeftChoice:
    """What the screen has chosen to print."""

    campaign_id: str
    campaign_name: str
    village_id: str | None  # None: the people of no known village
    village_name: str
    every_village: bool = False


def default_file_name(choice: LeftChoice) -> str:
    """ "con-lai-nhan-luong-huu-khong-dung-tien-thon-khay.pdf": plain ASCII."""
    village = "tat-ca-cac-thon" if choice.every_village else file_name_part(choice.village_name)
    return (
        "-".join(
            part for part in ("con-lai", file_name_part(choice.campaign_name), village) if part
        )
        + ".pdf"
    )


class LeftPrinter(QObject):
    """Save the "who is left" list of a :class:`LeftChoice` as a PDF."""

    sig_message = Signal(str, bool)
    """A result to show on the screen: the text, and whether it is a success."""
    sig_saved = Signal(Path)
    """The PDF was written there."""

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._parent = parent
        self._place = SavePlace()

    def ask_path(self, title: str, name: str, file_filter: str) -> Path | None:
        return self._place.ask(self._parent, title, name, file_filter)

    def save_pdf(self, choice: LeftChoice) -> None:
        path = self.ask_path(
            self.tr("Lưu danh sách người còn lại (PDF)"),
            default_file_name(choice),
            pdf_filter(),
        )
        if path is None:
            return
        ctx = self._ctx

        def work() -> int:
            from villagehelper.campaigns.left_printout import left_printout
            from villagehelper.reports.saving import save_left_pdf

            printout = left_printout(
                ctx.store,
                choice.campaign_id,
                choice.village_id,
                every_village=choice.every_village,
                prepared_by_id=ctx.volunteer_id,
            )
            return save_left_pdf(printout, path, vietnam_today())

        ctx.read(self._parent, work).success(lambda pages: self._saved(path, pages)).failure(
            self._failed
        ).with_progress(saving_pdf()).run()

    def _saved(self, path: Path, pages: int) -> None:
        self.sig_message.emit(
            self.tr("Đã lưu danh sách người còn lại (%1 trang): %2")
            .replace("%1", format_number(pages))
            .replace("%2", str(path)),
            True,
        )
        self.sig_saved.emit(path)

    def _failed(self, error: BaseException) -> None:
        language = self._ctx.preferences.language
        self.sig_message.emit(
            show_save_failure(self._parent, error, language, self._ctx.log_file), False
        )
