"""The first window shell: opens on the store and says where the data is."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.conftest import Team
from villagehelper.ui.main_window import MainWindow


def test_main_window_names_the_commune_and_data_folder(qtbot: QtBot, village_team: Team) -> None:
    window = MainWindow(village_team.store)
    qtbot.addWidget(window)
    window.show()
    texts = " ".join(label.text() for label in window.findChildren(QLabel))
    assert "Xã Gia Lộc" in texts
    assert str(village_team.store.data_dir) in texts
    assert window.windowTitle().startswith("VillageHelper")
    assert not window.grab().isNull()
