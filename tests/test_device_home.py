"""Which laptop a data folder belongs to (sync/device_history.py): a copy on another
laptop is told apart from the same laptop after a move, a reinstall or a wiped profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from villagehelper.store import sync_state
from villagehelper.store.engine import Store
from villagehelper.sync import device_history
from villagehelper.sync.device_history import CONFIG_DIR_ENV, MACHINE_ID_ENV, Home


def _enrolled_here(store: Store) -> None:
    with store.transaction() as session:
        for key, value in (
            (sync_state.SERVER_URL, "http://127.0.0.1:8765"),
            (sync_state.DEVICE_ID, "device"),
            (sync_state.TOKEN, "device.secret"),
            (sync_state.ROLE, "volunteer"),
        ):
            sync_state.put(session, key, value)
        device_history.start_new_device(session)


def _home(store: Store) -> Home:
    with store.transaction() as session:
        return device_history.check_home(session)


@pytest.fixture
def laptop(monkeypatch: pytest.MonkeyPatch, store: Store) -> Store:
    monkeypatch.setenv(MACHINE_ID_ENV, "laptop-1")
    _enrolled_here(store)
    return store


def test_the_laptop_it_was_enrolled_on_is_home(laptop: Store) -> None:
    assert _home(laptop) is Home.SAME
    assert _home(laptop) is Home.SAME  # and stays so


def test_another_machine_is_not_home(laptop: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MACHINE_ID_ENV, "laptop-2")
    assert _home(laptop) is Home.COPIED


def test_a_laptop_from_the_same_cloned_windows_image_is_not_home(
    laptop: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Same machine id (one "ghost" image for many laptops), its own install marker.
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "other-laptop-config"))
    (tmp_path / "other-laptop-config").mkdir()
    (tmp_path / "other-laptop-config" / "install-id").write_text("other-install")
    assert _home(laptop) is Home.COPIED


def test_a_wiped_configuration_folder_on_the_same_machine_is_put_back(laptop: Store) -> None:
    marker = device_history.config_dir() / "install-id"
    kept = marker.read_text()
    marker.unlink()
    assert _home(laptop) is Home.SAME
    assert marker.read_text() == kept


def test_no_marker_and_no_machine_id_ties_nothing(
    laptop: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "fresh-config"))
    monkeypatch.setattr(device_history, "_machine_id", lambda: None)
    assert _home(laptop) is Home.COPIED


def test_an_unwritable_configuration_folder_leaves_the_machine_to_bind(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv(CONFIG_DIR_ENV, str(blocked))
    monkeypatch.setenv(MACHINE_ID_ENV, "laptop-1")
    _enrolled_here(store)  # enrolment does not fail for it
    assert _home(store) is Home.SAME
    monkeypatch.setenv(MACHINE_ID_ENV, "laptop-2")
    assert _home(store) is Home.COPIED


def test_a_folder_never_enrolled_has_nothing_to_protect(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MACHINE_ID_ENV, "laptop-2")
    assert _home(store) is Home.SAME
