"""Asking where to save a file the app writes (a report's PDF, a spreadsheet): the
person's Documents folder first, then wherever they saved last on this screen, the
file's suffix added when they leave it out, and a default name any disk accepts.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from villagehelper.text import search_key


def file_name_part(text: str, limit: int = 40) -> str:
    """ "Thôn Khay" → "thon-khay": plain ASCII without ``/``, ``:`` or spaces, safe on
    any disk and in an e-mail; cut at a word so the name stays readable."""
    slug = re.sub(r"[^a-z0-9]+", "-", search_key(text)).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def pdf_filter() -> str:
    """The save dialog's file type for a PDF."""
    return QCoreApplication.translate("SavePlace", "Tệp PDF (*.pdf)")


def saving_pdf() -> str:
    """What the progress dialog says while a PDF is written."""
    return QCoreApplication.translate("SavePlace", "Đang lưu PDF…")


class SavePlace:
    """The folder a screen proposes for its files, remembered between saves."""

    def __init__(self) -> None:
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        self.folder = documents or str(Path.home())

    def ask(self, parent: QWidget, title: str, name: str, file_filter: str) -> Path | None:
        """Where to save ``name`` (``None``: cancelled); its suffix is added when left out."""
        chosen, _ = QFileDialog.getSaveFileName(
            parent, title, str(Path(self.folder) / name), file_filter
        )
        if not chosen:
            return None
        path = Path(chosen)
        suffix = Path(name).suffix
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.folder = str(path.parent)
        return path
