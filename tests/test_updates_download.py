"""Checking for, downloading and handing over an app update, against a server on loopback
that plays the hard cases (tests/update_support.py): cut, ignored ranges, wrong bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.update_support import (
    INSTALLER,
    UpdateServer,
    enrolled_laptop,
    offer_for,
    update_server,
)
from villagehelper.disk_errors import FolderError, Trouble
from villagehelper.errors import UserError
from villagehelper.exchange import update_offer
from villagehelper.store import sync_state
from villagehelper.store.engine import Store
from villagehelper.sync import client
from villagehelper.sync.http import SyncError
from villagehelper.updates import handover
from villagehelper.updates.download import (
    PART_SUFFIX,
    DownloadCancelledError,
    DownloadMismatchError,
    download_installer,
    updates_folder,
)
from villagehelper.updates.offers import check, waiting_offer

__all__ = ["update_server"]  # the fixture, used by name


@pytest.fixture
def laptop(tmp_path: Path, update_server: UpdateServer) -> Iterator[Store]:
    store = enrolled_laptop(tmp_path / "laptop data #1", update_server.url)
    yield store
    store.close()


def _note(store: Store, version: str) -> None:
    with store.transaction() as session:
        sync_state.note_offered_version(session, version)


def test_a_newer_noted_version_fetches_the_offer_once_and_keeps_it(
    laptop: Store, update_server: UpdateServer
) -> None:
    assert check(laptop) is None  # nothing noted: the server is not asked
    assert update_server.requests == []
    _note(laptop, "9.1.0")
    offer = check(laptop)
    assert offer == update_server.offer
    platform = update_server.requests[0][1][update_offer.PLATFORM_HEADER]
    assert platform == update_offer.this_platform()
    assert check(laptop) == offer  # kept: not asked again
    assert waiting_offer(laptop) == offer
    assert len(update_server.requests) == 1


def test_the_same_or_an_older_version_is_no_update(
    laptop: Store, update_server: UpdateServer
) -> None:
    _note(laptop, "0.1.0")
    assert check(laptop, current="0.1.0") is None
    assert update_server.requests == []  # nothing newer noted: nobody asked
    # "Check now" asks, and still offers nothing older than the app.
    assert check(laptop, ask_now=True, current="9.1.0") is None
    assert check(laptop, ask_now=True, current="9.0.9") == update_server.offer
    update_server.offer = None
    assert check(laptop, ask_now=True) is None  # withdrawn on the server
    assert waiting_offer(laptop) is None


def test_download_streams_checks_and_names_the_file(
    laptop: Store, update_server: UpdateServer
) -> None:
    offer = offer_for(INSTALLER)
    seen: list[tuple[int, int]] = []
    installer = download_installer(laptop, offer, progress=lambda d, t: seen.append((d, t)))
    assert installer == updates_folder(laptop.data_dir) / offer.filename
    assert (
        hashlib.sha256(installer.read_bytes()).hexdigest() == hashlib.sha256(INSTALLER).hexdigest()
    )
    assert seen[-1] == (len(INSTALLER), len(INSTALLER)) and len(seen) > 1
    assert [p.name for p in installer.parent.iterdir()] == [offer.filename]


def test_a_cut_download_resumes_from_the_part_with_a_range(
    laptop: Store, update_server: UpdateServer
) -> None:
    offer = offer_for(INSTALLER)
    update_server.cut_after = 300_000
    with pytest.raises(SyncError, match="Phần đã tải được giữ lại"):
        download_installer(laptop, offer)
    part = updates_folder(laptop.data_dir) / (offer.filename + PART_SUFFIX)
    kept = part.read_bytes()
    assert 0 < len(kept) <= 300_000 and INSTALLER.startswith(kept)
    update_server.cut_after = None
    installer = download_installer(laptop, offer)
    assert installer.read_bytes() == INSTALLER
    assert update_server.requests[-1][1]["Range"] == f"bytes={len(kept)}-"
    assert not part.exists()


def test_a_server_that_ignores_the_range_starts_the_file_over(
    laptop: Store, update_server: UpdateServer
) -> None:
    offer = offer_for(INSTALLER)
    update_server.cut_after = 200_000
    with pytest.raises(SyncError):
        download_installer(laptop, offer)
    update_server.cut_after, update_server.ignore_range = None, True
    assert download_installer(laptop, offer).read_bytes() == INSTALLER


def test_wrong_bytes_are_refused_and_deleted_and_never_handed_over(
    laptop: Store, update_server: UpdateServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer = offer_for(INSTALLER)
    update_server.body = INSTALLER[:-1] + b"\x00"  # one byte changed on the way
    with pytest.raises(DownloadMismatchError, match="không khớp mã kiểm tra"):
        download_installer(laptop, offer)
    assert list(updates_folder(laptop.data_dir).iterdir()) == []
    started: list[Path] = []
    monkeypatch.setattr(handover, "start_installer", started.append)
    with pytest.raises(UserError, match="tải về trước"):
        handover.hand_over(laptop.data_dir, offer, consented=True)
    assert started == []


def test_a_body_longer_than_published_is_stopped_and_deleted(
    laptop: Store, update_server: UpdateServer
) -> None:
    offer = offer_for(INSTALLER, size=len(INSTALLER) - 10)
    with pytest.raises(DownloadMismatchError, match="nhiều hơn kích thước"):
        download_installer(laptop, offer)
    assert list(updates_folder(laptop.data_dir).iterdir()) == []


def test_cancel_keeps_the_part_for_the_next_try(laptop: Store, update_server: UpdateServer) -> None:
    offer = offer_for(INSTALLER)
    received: list[int] = []
    with pytest.raises(DownloadCancelledError):
        download_installer(
            laptop,
            offer,
            progress=lambda d, _t: received.append(d),
            cancelled=lambda: bool(received[1:]),
        )
    part = updates_folder(laptop.data_dir) / (offer.filename + PART_SUFFIX)
    assert 0 < part.stat().st_size < len(INSTALLER)
    assert download_installer(laptop, offer).read_bytes() == INSTALLER


def test_no_room_on_the_disk_names_the_folder_and_leaves_no_file(
    laptop: Store, update_server: UpdateServer
) -> None:
    huge = offer_for(INSTALLER, size=1 << 60)
    with pytest.raises(FolderError) as caught:
        download_installer(laptop, huge)
    assert caught.value.trouble is Trouble.FULL
    folder = updates_folder(laptop.data_dir)
    assert str(folder) in caught.value.message_vi
    assert list(folder.iterdir()) == []
    assert not any(path for path, _ in update_server.requests if path.endswith("/file"))


def test_hand_over_needs_consent_and_gets_the_checked_file(
    laptop: Store, update_server: UpdateServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer = offer_for(INSTALLER)
    installer = download_installer(laptop, offer)
    started: list[Path] = []
    monkeypatch.setattr(handover, "start_installer", started.append)
    with pytest.raises(UserError, match="cần bạn đồng ý"):
        handover.hand_over(laptop.data_dir, offer, consented=False)
    assert started == []
    assert handover.hand_over(laptop.data_dir, offer, consented=True) == installer
    assert started == [installer]
    installer.write_bytes(b"changed after the download")  # not the checked file any more
    with pytest.raises(UserError):
        handover.hand_over(laptop.data_dir, offer, consented=True)
    assert started == [installer]


def test_a_too_old_refusal_points_to_the_offered_update_and_keeps_it(
    laptop: Store, update_server: UpdateServer
) -> None:
    update_server.too_old = True
    with pytest.raises(SyncError) as caught:
        client.sync_once(laptop)
    assert "9.1.0" in caught.value.message_vi
    assert "villagehelper update --download --install" in caught.value.message_vi
    assert "Có phiên bản mới" in caught.value.message_vi
    with laptop.reading() as session:
        assert sync_state.get(session, sync_state.UPDATE_VERSION) == "9.1.0"
    assert waiting_offer(laptop) == update_server.offer


def test_an_installer_that_cannot_be_started_says_where_the_file_is(
    laptop: Store, update_server: UpdateServer
) -> None:
    offer = offer_for(INSTALLER)
    installer = download_installer(laptop, offer)

    def no_handler(_path: Path) -> None:
        raise FileNotFoundError(2, "No such file or directory", "xdg-open")

    with pytest.raises(UserError, match="Không mở được trình cài đặt") as caught:
        handover.hand_over(laptop.data_dir, offer, consented=True, launch=no_handler)
    assert str(installer) in caught.value.message_vi
