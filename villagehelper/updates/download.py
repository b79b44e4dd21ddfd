"""Downloading an offered installer: resumable, streamed, checked before it is used.

The file grows as ``<data folder>/updates/<filename>.part``; a download cut by a closed
laptop or a lost Wi-Fi resumes from the part's size with an HTTP ``Range`` (the server
answers 206 and the rest is appended; a 200 means it sends the whole file, so the part
starts over).  Only a file whose SHA-256 equals the offer's is renamed to its final
name, so a file under that name is always a checked one; a wrong hash deletes the part,
since resuming it again would keep the bad bytes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from villagehelper.disk_errors import FolderError, Trouble, folder_problem
from villagehelper.errors import UserError
from villagehelper.exchange.update_offer import UpdateOffer, file_path
from villagehelper.store.engine import Store
from villagehelper.sync.client import ConnectionFactory, default_connection, enrolment
from villagehelper.sync.http import (
    CertificateDateError,
    ServerConnection,
    ServerUnreachableError,
    StreamedAnswer,
    SyncError,
)

FOLDER = "updates"
PART_SUFFIX = ".part"
_HASH_BLOCK = 1 << 20

Progress = Callable[[int, int], None]  # bytes on disk, bytes of the whole installer


class DownloadCancelledError(UserError):
    """The person stopped the download; what arrived stays for the next try."""

    def __init__(self) -> None:
        super().__init__(
            "Đã dừng tải bản cập nhật; lần sau sẽ tải tiếp từ chỗ đã dừng.",
            "The update download was stopped; next time it resumes where it stopped.",
        )


class DownloadMismatchError(UserError):
    """The downloaded file is not the published installer (hash or size)."""


def updates_folder(data_dir: Path) -> Path:
    return data_dir / FOLDER


def downloaded_installer(data_dir: Path, offer: UpdateOffer) -> Path | None:
    """The offer's installer if it was downloaded whole and its hash still checks."""
    final = updates_folder(data_dir) / offer.filename
    if not final.is_file() or final.stat().st_size != offer.size:
        return None
    return final if file_sha256(final) == offer.sha256 else None


def download_installer(
    store: Store,
    offer: UpdateOffer,
    *,
    connect: ConnectionFactory = default_connection,
    progress: Progress = lambda _done, _total: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Path:
    """The checked installer of ``offer`` in the updates folder, downloaded (or resumed)
    as needed.  Raises :class:`DownloadCancelledError` when ``cancelled`` says so (the part
    stays), :class:`DownloadMismatchError` for a file that is not the one published (the
    part is deleted), :class:`FolderError` for a full or unwritable disk."""
    folder = updates_folder(store.data_dir)
    ready = downloaded_installer(store.data_dir, offer)
    if ready is not None:
        progress(offer.size, offer.size)
        return ready
    with store.reading() as session:
        enrolled = enrolment(session)
    part = folder / (offer.filename + PART_SUFFIX)
    connection = connect(enrolled.server_url, enrolled.token)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _fetch_rest(connection, offer, part, progress, cancelled)
    except CertificateDateError:
        raise  # the clock's message says what to fix
    except ServerUnreachableError as lost:
        raise SyncError(
            "Mất kết nối với máy chủ xã khi đang tải bản cập nhật. Phần đã tải được giữ lại: "
            "khi có mạng, hãy bấm tải lại, máy sẽ tải tiếp từ chỗ đã dừng.",
            "Lost the commune server while downloading the update. What arrived is kept: "
            "once online, download again and it resumes where it stopped.",
        ) from lost
    except OSError as exc:
        _drop_if_empty(part)
        problem = folder_problem(exc, folder)
        if problem is None:
            raise
        raise problem from exc
    finally:
        connection.close()
    if file_sha256(part) != offer.sha256:
        part.unlink()
        raise DownloadMismatchError(
            "Tệp tải về không khớp mã kiểm tra (SHA-256) của bản cập nhật máy chủ xã công bố "
            "nên máy đã xóa tệp đó và không cài đặt; hãy tải lại. Nếu vẫn lỗi, hãy báo "
            "người quản lý máy chủ xã.",
            "The downloaded file does not match the update's published SHA-256 checksum, so "
            "it was deleted and not installed; download it again. If it keeps failing, tell "
            "the commune server's administrator.",
        )
    final = folder / offer.filename
    os.replace(part, final)
    return final


def _fetch_rest(
    connection: ServerConnection,
    offer: UpdateOffer,
    part: Path,
    progress: Progress,
    cancelled: Callable[[], bool],
) -> None:
    """Bring ``part`` to the offer's size: from its current size when the server can
    resume there, else from the start."""
    have = part.stat().st_size if part.exists() else 0
    if have > offer.size:  # not this offer's bytes (an older download of the same name)
        part.unlink()
        have = 0
    if have == offer.size:
        progress(have, offer.size)
        return
    _refuse_if_no_room(part.parent, offer.size - have)
    headers = {"Range": f"bytes={have}-"} if have else {}
    with connection.stream(file_path(offer.platform, offer.version), headers) as answer:
        if answer.status == 416:  # the server cannot resume there: start over once
            part.unlink()
            return _fetch_rest(connection, offer, part, progress, cancelled)
        resumed = answer.status == 206 and _range_start(answer) == have
        _write_body(
            answer,
            part,
            start=have if resumed else 0,
            size=offer.size,
            progress=progress,
            cancelled=cancelled,
        )
    return None


def _range_start(answer: StreamedAnswer) -> int | None:
    """Where a 206 answer's ``Content-Range: bytes START-END/TOTAL`` starts."""
    value = answer.headers.get("Content-Range", "")
    unit, _, rest = value.partition(" ")
    start = rest.partition("-")[0]
    return int(start) if unit == "bytes" and start.isdigit() else None


def _write_body(
    answer: StreamedAnswer,
    part: Path,
    *,
    start: int,
    size: int,
    progress: Progress,
    cancelled: Callable[[], bool],
) -> None:
    with part.open("r+b" if start else "wb") as out:
        out.seek(start)
        out.truncate()
        written = start
        progress(written, size)
        for chunk in answer.chunks:
            if cancelled():
                raise DownloadCancelledError()
            written += len(chunk)
            if written > size:
                out.close()
                part.unlink()
                raise DownloadMismatchError(
                    "Máy chủ xã gửi về nhiều hơn kích thước đã công bố của bản cập nhật nên "
                    "máy đã dừng và xóa phần đã tải; hãy báo người quản lý máy chủ xã.",
                    f"The server sent more than the update's published {size:,} bytes; "
                    "the download was stopped and deleted. Tell the commune server's "
                    "administrator.",
                )
            out.write(chunk)
            progress(written, size)
        out.flush()
        os.fsync(out.fileno())
    if written < size:  # the answer ended early: the part stays, to be resumed
        raise SyncError(
            "Việc tải bản cập nhật bị ngắt giữa chừng; hãy tải lại, máy sẽ tải tiếp từ chỗ "
            "đã dừng.",
            "The update download was cut short; download again to resume where it stopped.",
        )


def _refuse_if_no_room(folder: Path, needed: int) -> None:
    """A full disk found before the first byte, rather than a part that fills it."""
    if shutil.disk_usage(folder).free < needed:
        raise FolderError(Trouble.FULL, folder)


def _drop_if_empty(part: Path) -> None:
    try:
        if part.exists() and part.stat().st_size == 0:
            part.unlink()
    except OSError:
        pass  # the folder itself is gone or unreadable: nothing is left to tidy there


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()
