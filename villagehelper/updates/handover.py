"""Handing a checked installer to the system, only once the person said yes.

:func:`start_installer` is the one function that starts anything outside the app: on
Windows the setup program (``.exe``, or ``.msi`` through ``msiexec``) is started on its
own, detached, and the app then quits so the installer can replace its files; on Linux
the package is opened with the desktop's handler (``xdg-open``: the software centre for
a ``.deb``), or its folder is shown for a file no handler installs.  Tests replace that
function only; :func:`hand_over` is the gate in front of it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from villagehelper.errors import UserError
from villagehelper.exchange.update_offer import UpdateOffer
from villagehelper.updates.download import downloaded_installer

# Linux packages the desktop's handler installs; anything else (an archive, an AppImage)
# is shown in its folder for the person to handle.
_OPENED_ON_LINUX = (".deb", ".rpm")
# Windows: a process of its own that outlives the app (DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP).
_DETACHED = 0x00000008 | 0x00000200

Launcher = Callable[[Path], None]


def start_installer(installer: Path) -> None:
    """Start ``installer`` as this system installs such a file (the edge: see above)."""
    if sys.platform.startswith("win"):
        command = [str(installer)]
        if installer.suffix.lower() == ".msi":
            command = ["msiexec", "/i", str(installer)]
        subprocess.Popen(command, creationflags=_DETACHED, close_fds=True)
        return
    target = installer if installer.name.endswith(_OPENED_ON_LINUX) else installer.parent
    subprocess.Popen(["xdg-open", str(target)], start_new_session=True, close_fds=True)


def hand_over(
    data_dir: Path, offer: UpdateOffer, *, consented: bool, launch: Launcher | None = None
) -> Path:
    """Start the downloaded installer of ``offer`` if the person ``consented``; the file
    started.  Its hash is checked again just before (a file in the data folder may have
    been changed since it was downloaded)."""
    if not consented:
        raise UserError(
            "Chưa cài đặt: cần bạn đồng ý trước khi cài bản cập nhật.",
            "Not installed: an update is installed only once you agree.",
        )
    installer = downloaded_installer(data_dir, offer)
    if installer is None:
        raise UserError(
            f"Chưa có tệp cài đặt phiên bản {offer.version} đã tải đủ và đúng mã kiểm tra; "
            "hãy tải về trước (villagehelper update --download).",
            f"No complete, checked installer of version {offer.version} yet; download it "
            "first (villagehelper update --download).",
        )
    try:
        (launch or start_installer)(installer)
    except OSError as exc:  # no msiexec / xdg-open, or the file may not be run
        raise UserError(
            f"Không mở được trình cài đặt ({exc.strerror or exc}). Tệp cài đặt đã tải về và "
            f"kiểm tra đúng nằm ở: {installer} — hãy đóng VillageHelper rồi mở tệp đó.",
            f"Could not start the installer ({exc.strerror or exc}). The downloaded, checked "
            f"installer is at: {installer} — close VillageHelper, then open that file.",
        ) from exc
    return installer
