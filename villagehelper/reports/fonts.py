"""The printout's own font, shipped with the app: "VillageHelper Serif", which is
Liberation Serif 2.1.5 (SIL OFL 1.1) under a name of its own.

Decree 30/2020 prescribes Times New Roman.  Windows has it, a Linux laptop usually has
not, and what fontconfig falls back to there (DejaVu, or nothing at all) is wider: words
broke inside a syllable, the national name wrapped and the signatures went to page 2.
Liberation Serif 2 has the same metrics as Times New Roman and every Vietnamese letter.
It is renamed (``scripts/make_report_font.py``) because an installed Liberation Serif
1.07, which lacks ấ ặ ệ ộ …, won over the bundled copy of the same name for the regular
style; under its own name the report can only get these files, whatever the machine has.
Nothing is fetched at run time.

:func:`register_report_fonts` is called once at start-up by the GUI and by the command
line before a report is built; the report asks for the family it returns by name.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFontDatabase

from villagehelper.report_font import REPORT_FONT_FILES

REPORT_FAMILY = "VillageHelper Serif"
# Only if the files were removed from an installation: the decree's own font.
WINDOWS_FAMILY = "Times New Roman"

# Kept on the application object: its fonts live and die with it (a test or a command
# may create a second one after the first is gone).
_REGISTERED = "villagehelperReportFamily"

_log = logging.getLogger(__name__)
# The PDF is also built on the database worker: one registration, whichever thread asks.
_lock = threading.Lock()


def register_report_fonts() -> str:
    """Add the bundled report fonts to this process's font database (once); the family
    the report must ask for.  Needs a ``QGuiApplication``."""
    app = QCoreApplication.instance()
    assert app is not None, "the report fonts need a QGuiApplication"
    with _lock:
        registered = app.property(_REGISTERED)
        if isinstance(registered, str):
            return registered
        family = _add_fonts()
        app.setProperty(_REGISTERED, family)
        return family


def _add_fonts() -> str:
    families: set[str] = set()
    for path in REPORT_FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            _log.warning("report font %s could not be loaded", path)
            continue
        families.update(QFontDatabase.applicationFontFamilies(font_id))
    return REPORT_FAMILY if REPORT_FAMILY in families else WINDOWS_FAMILY
