"""Languages: Vietnamese by default (the source strings), English by translation.

The app's strings are written in Vietnamese in the code (``self.tr("…")``) and
translated to English in ``villagehelper/resources/i18n/villagehelper_en.ts`` (package
data, like every file the app opens).  Qt ships no Vietnamese for its own widgets
(buttons of dialogs, wizards, context menus), so ``qtbase_vi.ts`` provides it.  Compiled
``.qm`` files sit beside their sources.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from villagehelper.ui.shell.resources import TRANSLATIONS

APP_CATALOG = "villagehelper"
QT_CATALOG = "qtbase"


def catalogs_for(language: str) -> list[str]:
    """The .qm files (without extension) that make the UI speak ``language``."""
    if language == "en":
        return [f"{APP_CATALOG}_en"]
    return [f"{QT_CATALOG}_vi"]


def locale_for(language: str) -> QLocale:
    if language == "en":
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    return QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


def install_language(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Load the translators for ``language``; keep the returned list alive."""
    QLocale.setDefault(locale_for(language))
    translators = []
    for catalog in catalogs_for(language):
        translator = QTranslator(app)
        if translator.load(catalog, str(TRANSLATIONS)):
            app.installTranslator(translator)
            translators.append(translator)
    return translators


def current_language() -> str:
    """The UI language as the core's messages know it ("vi" or "en")."""
    return "en" if QLocale().language() == QLocale.Language.English else "vi"
