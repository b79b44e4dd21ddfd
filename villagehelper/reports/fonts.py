"""The printout's own font, shipped with the app: Liberation Serif 2 (SIL OFL 1.1).

Decree 30/2020 prescribes Times New Roman.  Windows has it, a Linux laptop usually has
not, and what fontconfig falls back to there (DejaVu, or nothing at all) is wider: words
broke inside a syllable, the national name wrapped and the signatures went to page 2.
Liberation Serif 2 has the same metrics as Times New Roman and every Vietnamese letter
(1.x lacks ấ ặ ệ ộ …), so the report is laid out and printed with these very files,
everywhere, whatever the machine has installed.  Nothing is fetched at run time.

:func:`register_report_fonts` is called once at start-up by the GUI and by the command
line before a report is built; the report asks for :data:`REPORT_FAMILY` by name.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFontDatabase

FONTS_DIR = Path(__file__).resolve().parents[1] / "resources" / "fonts"
# Regular for the body, bold for headings and totals, italic for the place-and-date line
# and the notes: the only styles the report uses.
FONT_FILES = (
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
)
REPORT_FAMILY = "Liberation Serif"
# Only if the files were removed from an installation: the decree's own font.
WINDOWS_FAMILY = "Times New Roman"

# Kept on the application object: its fonts live and die with it (a test or a command
# may create a second one after the first is gone).
_REGISTERED = "villagehelperReportFamily"

_log = logging.getLogger(__name__)


def register_report_fonts() -> str:
    """Add the bundled report fonts to this process's font database (once); the family
    the report must ask for.  Needs a ``QGuiApplication``."""
    app = QCoreApplication.instance()
    assert app is not None, "the report fonts need a QGuiApplication"
    registered = app.property(_REGISTERED)
    if isinstance(registered, str):
        return registered
    families: set[str] = set()
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(FONTS_DIR / name))
        if font_id < 0:
            _log.warning("report font %s could not be loaded", FONTS_DIR / name)
            continue
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    family = REPORT_FAMILY if REPORT_FAMILY in families else WINDOWS_FAMILY
    app.setProperty(_REGISTERED, family)
    return family
