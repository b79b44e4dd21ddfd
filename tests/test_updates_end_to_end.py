"""An app update from publish to hand-over, with the real commune server on loopback:
``villagehelper-server publish-update`` → a sync round notes the version (every answer
names it) → the offer fetched → a corrupt file refused → a cut download resumed → the
installer handed over only with consent, byte for byte the published one; and a laptop
too old to sync (426) still learns of the update and fetches it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.sync_support import (
    COMMUNE,
    Laptop,
    LoopbackServer,
    fast_connection,
    set_up_commune,
)
from villagehelper.cli import dispatch
from villagehelper.errors import UserError
from villagehelper.exchange import wire
from villagehelper.exchange.update_offer import UpdateOffer, this_platform
from villagehelper.server import accounts, publishing
from villagehelper.server.cli import commands as server_cli
from villagehelper.server.database import ServerDB, open_server_db
from villagehelper.store import sync_state
from villagehelper.store.thread_guard import allowed_here
from villagehelper.sync import client
from villagehelper.sync.http import ServerConnection, StreamedAnswer, SyncError
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow
from villagehelper.updates import handover
from villagehelper.updates.download import (
    PART_SUFFIX,
    DownloadCancelledError,
    DownloadMismatchError,
    download_installer,
    updates_folder,
)
from villagehelper.updates.offers import check, waiting_offer

VERSION = "9.1.0"
NOTES = "Sửa lỗi in báo cáo tuần.\nThêm dịch vụ VNeID mức 2."
# An installer of a few megabytes, not a whole number of chunks: the download is streamed
# in pieces, cut after the first and resumed.
INSTALLER_BYTES = bytes((n * 7 + n // 251) % 256 for n in range(3 * 1024 * 1024 + 12_345))


@pytest.fixture
def installer(tmp_path: Path) -> Path:
    file = tmp_path / "bộ cài" / f"VillageHelper-{VERSION}-setup.bin"
    file.parent.mkdir()
    file.write_bytes(INSTALLER_BYTES)
    return file


@pytest.fixture
def published(tmp_path: Path, installer: Path) -> Iterator[tuple[ServerDB, LoopbackServer]]:
    """A commune server where ``publish-update`` put the installer, running on loopback."""
    url = f"sqlite+pysqlite:///{tmp_path / 'server.sqlite3'}"
    db = open_server_db(url)
    accounts.add_commune(db, COMMUNE, "Xã Gia Lộc")
    publish = ["publish-update", str(installer), "--version", VERSION, "--notes", NOTES]
    assert server_cli.main(["--db", url, *publish, "--platform", this_platform()]) == 0
    server = LoopbackServer(db)
    yield db, server
    server.stop()
    db.close()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The hand-over to the installer, recorded instead of run (the one edge replaced)."""
    calls: list[Path] = []
    monkeypatch.setattr(handover, "start_installer", calls.append)
    return calls


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


ASKED: list[dict[str, str]] = []  # the headers and status of each download _Watched started


class _Watched(ServerConnection):
    """A real connection that also remembers the headers of each download it starts."""

    @contextmanager
    def stream(self, path: str, headers: Mapping[str, str]) -> Iterator[StreamedAnswer]:
        with super().stream(path, headers) as answer:
            ASKED.append({**headers, "status": str(answer.status)})
            yield answer


def _watched(url: str, token: str | None) -> ServerConnection:
    return _Watched(url, token, retry=fast_connection(url, token).retry, sleep=lambda _s: None)


class _TooOld(ServerConnection):
    """A laptop whose protocol the server no longer takes (it answers 426)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._http.headers[wire.PROTOCOL_HEADER] = str(wire.MIN_CLIENT_PROTOCOL - 1)


def _too_old(url: str, token: str | None) -> ServerConnection:
    return _TooOld(url, token, retry=fast_connection(url, token).retry, sleep=lambda _s: None)


def test_publish_sync_download_refuse_resume_and_hand_over_with_consent(
    tmp_path: Path,
    installer: Path,
    published: tuple[ServerDB, LoopbackServer],
    started: list[Path],
) -> None:
    db, server = published
    ASKED.clear()
    laptop: Laptop = set_up_commune(server, tmp_path).leader
    store = laptop.store

    # The handshake: the round's answers named the version; the offer is fetched once.
    with store.reading() as session:
        assert sync_state.get(session, sync_state.UPDATE_VERSION) == VERSION
    offer = check(store, connect=fast_connection)
    assert offer is not None
    assert (offer.version, offer.platform, offer.notes) == (VERSION, this_platform(), NOTES)
    assert (offer.size, offer.sha256) == (len(INSTALLER_BYTES), _sha256(INSTALLER_BYTES))

    # The file on the server is damaged (same size, one byte changed): refused, deleted.
    stored = publishing.stored_file(db, offer)
    stored.write_bytes(INSTALLER_BYTES[:-1] + bytes([INSTALLER_BYTES[-1] ^ 0xFF]))
    with pytest.raises(DownloadMismatchError, match="không khớp mã kiểm tra"):
        download_installer(store, offer, connect=fast_connection)
    folder = updates_folder(store.data_dir)
    assert list(folder.iterdir()) == []
    with pytest.raises(UserError):
        handover.hand_over(store.data_dir, offer, consented=True)
    assert started == []
    stored.write_bytes(INSTALLER_BYTES)  # the commune puts the right file back

    # Cut after the first pieces (the person stopped it, the Wi-Fi went), then resumed.
    pieces: list[int] = []
    with pytest.raises(DownloadCancelledError):
        download_installer(
            store,
            offer,
            connect=_watched,
            progress=lambda done, _total: pieces.append(done),
            cancelled=lambda: len(pieces) > 3,
        )
    part = folder / (offer.filename + PART_SUFFIX)
    kept = part.stat().st_size
    assert 0 < kept < len(INSTALLER_BYTES)
    path = download_installer(store, offer, connect=_watched)
    assert ASKED[-1] == {"Range": f"bytes={kept}-", "status": "206"}
    assert not part.exists()

    # No consent, no installer; consent: the checked file, once.
    with pytest.raises(UserError):
        handover.hand_over(store.data_dir, offer, consented=False)
    assert started == []
    assert handover.hand_over(store.data_dir, offer, consented=True) == path
    assert started == [path]
    assert _sha256(started[0].read_bytes()) == _sha256(installer.read_bytes())


def test_a_laptop_too_old_to_sync_learns_of_the_update_and_fetches_it(
    tmp_path: Path, published: tuple[ServerDB, LoopbackServer], started: list[Path]
) -> None:
    _db, server = published
    laptop = set_up_commune(server, tmp_path).leader
    store = laptop.store
    with store.transaction() as session:
        sync_state.clear(session, sync_state.UPDATE_VERSION)
        sync_state.clear(session, sync_state.UPDATE_OFFER)
    with pytest.raises(SyncError) as refused:
        client.sync_once(store, connect=_too_old)
    message = refused.value.message_vi
    assert f"phiên bản mới {VERSION}" in message
    assert "villagehelper update --download --install" in message
    with store.reading() as session:
        assert sync_state.get(session, sync_state.UPDATE_VERSION) == VERSION
    offer = check(store, connect=_too_old)
    assert offer is not None and offer == waiting_offer(store)
    path = download_installer(store, offer, connect=_too_old)
    assert path.read_bytes() == INSTALLER_BYTES
    handover.hand_over(store.data_dir, offer, consented=True)
    assert started == [path]


def test_the_sync_command_names_the_update_and_update_installs_with_yes(
    tmp_path: Path,
    published: tuple[ServerDB, LoopbackServer],
    started: list[Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, server = published
    data = tmp_path / "laptop của tổ"
    code = accounts.issue_code(db, COMMUNE, "leader")
    enrol = ["enroll", "--data-dir", str(data), "--server", server.url, "--code", code]
    assert dispatch.main(enrol) == 0
    assert dispatch.main(["sync", "--data-dir", str(data)]) == 0
    assert f"Có phiên bản mới {VERSION}" in capsys.readouterr().out
    assert dispatch.main(["update", "--data-dir", str(data), "--install"]) == 1  # no terminal
    assert started == []
    assert dispatch.main(["update", "--data-dir", str(data), "--install", "--yes"]) == 0
    assert len(started) == 1 and started[0].read_bytes() == INSTALLER_BYTES


def test_the_window_shows_the_banner_after_a_sync_with_the_real_server(
    qtbot: QtBot, app_ctx: AppContext, published: tuple[ServerDB, LoopbackServer]
) -> None:
    db, server = published
    code = accounts.issue_code(db, COMMUNE, "leader")
    with allowed_here():
        client.enrol(app_ctx.store, server.url, code, "máy tổ", connect=fast_connection)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.sync.connection_factory = fast_connection
    told: list[object] = []
    window.sync.sig_update.connect(told.append)
    qtbot.waitUntil(lambda: any(isinstance(offer, UpdateOffer) for offer in told), timeout=20_000)
    assert not window.update_banner.isHidden()
    assert f"Có phiên bản mới: {VERSION}" in window.update_banner.label.text()
