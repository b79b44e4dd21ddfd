"""What the tally screen does with the tally on screen: preview, print, PDF, Excel.

The preview, the paper and the PDF are one document, built by
:func:`villagehelper.reports.weekly.build_weekly_document` from the tally the screen
shows (what you see is what is printed).  Files are written on the database worker
(the Excel file reads the by-village and by-member breakdown there); a file that cannot
be written is explained in plain words and nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from villagehelper.errors import UserError
from villagehelper.text import format_number, search_key
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.feedback import show_save_failure
from villagehelper.ui.shell.screen_fit import fit_window
from villagehelper.ui.widgets.save_place import SavePlace, pdf_filter, saving_pdf

if TYPE_CHECKING:
    from PySide6.QtGui import QTextDocument

    from villagehelper.tally.overview import TallyOverview


class ReportPreview(QPrintPreviewDialog):
    """The print preview, owning its printer and document for as long as it lives."""

    def __init__(self, printer: QPrinter, document: QTextDocument, parent: QWidget) -> None:
        super().__init__(printer, parent)
        self.setObjectName("tallyPreview")
        self._kept_printer = printer  # the dialog only points to it
        self.report = document
        self.paintRequested.connect(self.paint)

    def paint(self, printer: QPrinter) -> None:
        from villagehelper.reports.weekly import paint_pages

        printer.setFullPage(True)  # paint_pages draws the decree's margins itself
        paint_pages(self.report, printer)


def default_file_name(overview: TallyOverview, suffix: str) -> str:
    """ "bao-cao-2026-W47-thon-khay.pdf": plain ASCII, safe on any disk and e-mail."""
    parts = ["bao-cao", overview.tally.period.label.replace("..", "_")]
    for name in (overview.names.village_name, overview.names.volunteer_name):
        if name:
            parts.append(search_key(name).replace(" ", "-"))
    return "-".join(parts) + suffix


class ReportActions(QObject):
    """Preview, print and save the report of ``current()`` (``None``: nothing yet)."""

    sig_message = Signal(str, bool)
    """A result to show on the screen: the text, and whether it is a success."""

    def __init__(
        self,
        ctx: AppContext,
        current: Callable[[], TallyOverview | None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._current = current
        self._parent = parent
        self._place = SavePlace()

    # --- paper ------------------------------------------------------------------------

    def document(self, overview: TallyOverview) -> QTextDocument:
        from villagehelper.reports.weekly import build_weekly_document

        names = overview.names
        return build_weekly_document(
            overview.tally,
            commune_name=names.commune_name,
            village_name=names.village_name,
            prepared_by=names.prepared_by,
            leader_name=names.leader_name,
            printed_on=overview.today,
            held_back=overview.implausible_sessions,
            campaigns=overview.campaigns,
        )

    def _printer(self, document: QTextDocument) -> QPrinter:
        from villagehelper.reports.weekly import prepare_printer

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setCreator("VillageHelper")
        prepare_printer(printer, document)
        return printer

    def _for_paper(self, then: Callable[[TallyOverview], None]) -> None:
        """``then`` with the tally shown and the campaign lines its printout adds (read
        on the database worker now: the screen's reloads leave them out)."""
        overview = self._current()
        if overview is None:
            return
        store = self._ctx.store

        def work() -> TallyOverview:
            from villagehelper.tally.overview import with_campaign_lines

            return with_campaign_lines(store, overview)

        self._ctx.read(self._parent, work).success(then).failure(self._failed).run()

    def preview_dialog(self, overview: TallyOverview) -> ReportPreview:
        document = self.document(overview)
        dialog = ReportPreview(self._printer(document), document, self._parent)
        dialog.setWindowTitle(self.tr("Xem trước khi in"))
        return dialog

    def preview(self) -> None:
        self._for_paper(self._open_preview)

    def _open_preview(self, overview: TallyOverview) -> None:
        dialog = self.preview_dialog(overview)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # A whole A4 page where the screen has room for it; never beyond the screen.
        fit_window(dialog, QSize(900, 760))
        dialog.open()

    def print_report(self) -> None:
        self._for_paper(self._print_dialog)

    def _print_dialog(self, overview: TallyOverview) -> None:
        document = self.document(overview)
        printer = self._printer(document)
        dialog = QPrintDialog(printer, self._parent)
        dialog.setObjectName("tallyPrintDialog")
        dialog.setWindowTitle(self.tr("In báo cáo"))
        # exec(), not open(): on Windows the print dialog is the system's, which Qt can
        # only run modally.
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted:
            self.print_to(printer, document)

    def print_to(self, printer: QPrinter, document: QTextDocument) -> None:
        """Send the report to ``printer`` (as set up by the print dialog)."""
        from villagehelper.reports.weekly import paint_pages

        printer.setFullPage(True)  # paint_pages draws the decree's margins itself
        try:
            pages = paint_pages(document, printer)
        except OSError:
            self._failed(
                UserError(
                    self.tr("Không in được: máy in không sẵn sàng. Hãy kiểm tra máy in rồi in lại.")
                )
            )
            return
        where = printer.outputFileName() or printer.printerName()
        self.sig_message.emit(
            self.tr("Đã gửi %1 trang tới máy in %2.")
            .replace("%1", format_number(pages))
            .replace("%2", where),
            True,
        )

    # --- files ------------------------------------------------------------------------

    def ask_path(self, title: str, name: str, file_filter: str) -> Path | None:
        """Where to save (``None``: cancelled); the suffix is added when left out."""
        return self._place.ask(self._parent, title, name, file_filter)

    def _overview_to_file(
        self, title: str, suffix: str, file_filter: str
    ) -> tuple[TallyOverview, Path] | None:
        """The tally shown and the file the user chose for it (``None``: none shown, or
        the user cancelled)."""
        overview = self._current()
        if overview is None:
            return None
        path = self.ask_path(title, default_file_name(overview, suffix), file_filter)
        return None if path is None else (overview, path)

    def save_pdf(self) -> None:
        chosen = self._overview_to_file(self.tr("Lưu báo cáo PDF"), ".pdf", pdf_filter())
        if chosen is None:
            return
        overview, path = chosen

        store = self._ctx.store

        def work() -> int:
            from villagehelper.reports.saving import save_tally_pdf
            from villagehelper.tally.overview import with_campaign_lines

            campaigns = with_campaign_lines(store, overview).campaigns
            held_back = overview.implausible_sessions
            return save_tally_pdf(
                overview.tally,
                path,
                overview.names,
                overview.today,
                held_back=held_back,
                campaigns=campaigns,
            )

        self._ctx.read(self._parent, work).success(
            lambda pages: self.sig_message.emit(
                self.tr("Đã lưu báo cáo PDF (%1 trang): %2")
                .replace("%1", format_number(pages))
                .replace("%2", str(path)),
                True,
            )
        ).failure(self._failed).with_progress(saving_pdf()).run()

    def export_excel(self) -> None:
        chosen = self._overview_to_file(
            self.tr("Xuất bảng tính Excel"), ".xlsx", self.tr("Bảng tính Excel (*.xlsx)")
        )
        if chosen is None:
            return
        (overview, path), ctx = chosen, self._ctx

        def work() -> Path:
            from villagehelper.reports.saving import save_tally_xlsx

            return save_tally_xlsx(ctx.store, overview.tally, path, overview.names)

        ctx.read(self._parent, work).success(
            lambda saved: self.sig_message.emit(
                self.tr("Đã xuất bảng tính Excel: %1").replace("%1", str(saved)), True
            )
        ).failure(self._failed).with_progress(self.tr("Đang xuất Excel…")).run()

    def _failed(self, error: BaseException) -> None:
        language = self._ctx.preferences.language
        self.sig_message.emit(
            show_save_failure(self._parent, error, language, self._ctx.log_file), False
        )
