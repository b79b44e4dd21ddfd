"""Languages: every string of the app has its English, compiled files are reproducible,
and Qt's own widgets speak Vietnamese."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWizard

from villagehelper.ui.shell.i18n import install_language, locale_for
from villagehelper.ui.shell.resources import TRANSLATIONS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import update_translations  # noqa: E402


def _remove_translators(app: QCoreApplication) -> None:
    """Back to the untranslated (Vietnamese) interface that the other tests expect."""
    for translator in app.findChildren(QTranslator):
        QCoreApplication.removeTranslator(translator)
    QLocale.setDefault(locale_for("vi"))


def test_every_string_in_the_code_has_a_finished_english_translation(tmp_path: Path) -> None:
    refreshed = update_translations.refreshed_copy(tmp_path)
    problems = []
    for message in ElementTree.parse(refreshed).iter("message"):
        source = message.findtext("source", "")
        translation = message.find("translation")
        if translation is None or translation.get("type") in {"unfinished", "vanished", "obsolete"}:
            problems.append(f"unfinished: {source!r}")
        elif not "".join(translation.itertext()).strip():
            problems.append(f"empty: {source!r}")
        elif (
            sorted(_placeholders(source)) != sorted(_placeholders("".join(translation.itertext())))
            and message.get("numerus") != "yes"
        ):
            problems.append(f"placeholders differ: {source!r}")
    assert problems == []


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\d", text)


@pytest.mark.parametrize("name", ["villagehelper_en", "qtbase_vi"])
def test_compiled_translations_are_reproducible_from_their_sources(
    tmp_path: Path, name: str
) -> None:
    built = tmp_path / f"{name}.qm"
    update_translations.lrelease(TRANSLATIONS / f"{name}.ts", built)
    assert built.read_bytes() == (TRANSLATIONS / f"{name}.qm").read_bytes()


def test_qt_dialog_and_wizard_buttons_speak_vietnamese(qapp: QApplication) -> None:
    _remove_translators(qapp)
    installed = install_language(qapp, "vi")
    try:
        assert installed, "qtbase_vi.qm did not load"
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        assert sorted(button.text() for button in box.buttons()) == ["Hủy", "Đồng ý"]
        wizard = QWizard()
        wizard.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        assert "Hoàn tất" in wizard.buttonText(QWizard.WizardButton.FinishButton)
    finally:
        _remove_translators(qapp)


def test_english_replaces_the_vietnamese_interface(qapp: QApplication) -> None:
    _remove_translators(qapp)
    install_language(qapp, "en")
    try:
        translated = QCoreApplication.translate("MainWindow", "Ghi lượt hỗ trợ")
        assert translated != "Ghi lượt hỗ trợ"
        assert translated.isascii()
    finally:
        _remove_translators(qapp)


def test_lupdate_is_available() -> None:
    assert shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) is not None
    subprocess.run(
        [update_translations.tool("pyside6-lrelease"), "-version"], check=True, capture_output=True
    )
