"""This laptop's own history as one enrolled device: is this data folder still the
laptop the server knows, or a copy of it?

A data folder copied to a second laptop (``cp -a``, a USB stick) carries the device id
and token with it; both copies would then push under one device, and the server's merge,
which never counts two edits of one device as a conflict, would let the later silently
replace the earlier.  Two checks catch a copy:

- **Here**, before every sync: the folder records the *home* it was enrolled on — an
  install id kept in the user's configuration folder, *outside* the data folder (a copy
  of the data folder does not carry it), and a digest of the operating system's machine
  id.  Moving the folder on the same laptop, restoring a backup there or reinstalling
  the app keeps the home (a wiped configuration folder is recognised by the machine id
  and put back); another laptop, or another user profile, is a different home.  Both
  are compared: laptops installed from one cloned Windows image ("ghost") share the
  machine id, and a marker alone would call a reinstalled laptop a stranger.
- **On the server**: each push names the last change of this device the server
  acknowledged (``after``); two copies continuing one history name the same change
  after the first has moved on, and the second is refused (server/device_history.py).

A copy keeps everything it holds: it is asked to enrol as a new laptop with a leader's
one-time code, proving with the old token where it came from, and its unsent changes
then go up under the new device, where the server's conflict rule sees them.

State (the ``settings`` table, keys in :mod:`villagehelper.store.sync_state`):
``DEVICE_HOME`` (JSON: install, machine), ``COPIED_FOLDER`` ("1" once a copy is
detected, until it enrols again), ``LAST_ACKED`` (the change id the server last
acknowledged from this device); all three are among the ``IDENTITY_KEYS`` a restored
backup never takes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from platformdirs import user_config_dir
from sqlalchemy.orm import Session

from villagehelper.exchange import wire
from villagehelper.store import sync_state
from villagehelper.sync.http import SyncError

log = logging.getLogger(__name__)

CONFIG_DIR_ENV = "VILLAGEHELPER_CONFIG_DIR"
# Tests make "another laptop" on this one with a second configuration folder and this.
MACHINE_ID_ENV = "VILLAGEHELPER_MACHINE_ID"
# Not "VillageHelper": on Windows the user's configuration and data folders are the
# same folder, and the marker must not travel with a copy of the data folder.
_CONFIG_APP = "VillageHelper-device"
_INSTALL_FILE = "install-id"
DIVERGED_CODE = wire.DEVICE_HISTORY_DIVERGED


class Home(Enum):
    SAME = "same"  # this laptop (or no enrolment to protect)
    COPIED = "copied"  # another laptop, or a folder the server saw diverge


class CopiedFolderError(SyncError):
    """This data folder is a copy of an enrolled laptop's: it must enrol on its own."""

    def __init__(self) -> None:
        super().__init__(
            "Thư mục dữ liệu này là bản sao từ một máy khác (hoặc máy khác đang dùng chung "
            "mã máy này, hoặc dữ liệu được khôi phục từ bản sao lưu cũ khi không còn dữ liệu "
            "mới hơn), nên chưa được đồng bộ để không ghi đè dữ liệu. Mọi dữ liệu chưa "
            "gửi vẫn được giữ. Hãy xin tổ trưởng một mã đăng ký mới và đăng ký máy này như "
            "một máy mới (Cài đặt → Đồng bộ, hoặc lệnh: villagehelper enroll --server "
            "ĐỊA-CHỈ --code MÃ); sau đó đồng bộ lại.",
            "This data folder is a copy of another laptop's (or another laptop uses this "
            "laptop's identity, or an old backup was restored without the newer data), so "
            "it was not synced, to overwrite nothing. All unsent "
            "work is kept. Ask the leader for a new enrolment code and enrol this laptop "
            "as a new one (Settings → Sync, or: villagehelper enroll --server URL --code "
            "CODE), then sync again.",
        )


@dataclass(frozen=True)
class Identity:
    """Where this process runs: the install id (None if not created yet) and a digest
    of the machine id (None where the system has none)."""

    install: str | None
    machine: str | None


def config_dir() -> Path:
    from_env = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser().resolve()
    return Path(user_config_dir(_CONFIG_APP, appauthor=False, roaming=False))


def _machine_id() -> str | None:
    from_env = os.environ.get(MACHINE_ID_ENV, "").strip()
    if from_env:
        return from_env
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(
                winreg.HKEY_LOCAL_MACHINE,
                r"SOFTWARE\Microsoft\Cryptography",
                0,
                winreg.KEY_READ | winreg.KEY_WOW64_64KEY,
            ) as key:
                value, _kind = winreg.QueryValueEx(key, "MachineGuid")
                return str(value)
        except OSError:
            return None
    for candidate in (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id")):
        try:
            text = candidate.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text:
            return text
    return None


def current_identity() -> Identity:
    machine = _machine_id()
    # Only a digest is kept in the data folder: the raw id is the system's business.
    digest = hashlib.sha256(f"villagehelper:{machine}".encode()).hexdigest() if machine else None
    try:
        install: str | None = (config_dir() / _INSTALL_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        install = None
    return Identity(install or None, digest)


def _write_install_id(value: str) -> bool:
    """Create the marker (atomically: a half-written one would look like another home);
    False if the configuration folder cannot be written (the machine id still binds)."""
    folder = config_dir()
    partial = folder / f"{_INSTALL_FILE}.{secrets.token_hex(4)}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_text(value, encoding="ascii")
        os.replace(partial, folder / _INSTALL_FILE)
    except OSError as exc:
        log.warning("cannot write the install marker in %s: %s", folder, exc.strerror)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        return False
    return True


def bind_here(session: Session) -> None:
    """Record this laptop as the folder's home (at enrolment, or adopting an old folder);
    the marker is made if this laptop has none yet."""
    identity = current_identity()
    install = identity.install
    if install is None:
        made = secrets.token_urlsafe(18)
        install = made if _write_install_id(made) else None
    sync_state.put(
        session,
        sync_state.DEVICE_HOME,
        json.dumps({"install": install, "machine": identity.machine}),
    )


def check_home(session: Session) -> Home:
    """Is this folder on the laptop it was enrolled on?  (Call in a write transaction:
    a folder from before this check is adopted by the laptop it is on.)"""
    if sync_state.enrolled(session) is None:
        return Home.SAME
    if sync_state.get(session, sync_state.COPIED_FOLDER) == "1":
        return Home.COPIED
    recorded_text = sync_state.get(session, sync_state.DEVICE_HOME)
    if recorded_text is None:
        # Enrolled before homes were recorded: this laptop is taken as its home.  A copy
        # made before then is left to the server's check.
        bind_here(session)
        return Home.SAME
    recorded = json.loads(recorded_text)
    machine, install = recorded.get("machine"), recorded.get("install")
    here = current_identity()
    machine_known = here.machine is not None and machine is not None
    if machine_known and here.machine != machine:
        return Home.COPIED
    if here.install is not None and install is not None:
        return Home.SAME if here.install == install else Home.COPIED
    if not machine_known:
        return Home.COPIED  # nothing ties the folder to this laptop
    if here.install is None and install is not None:
        # Same machine, configuration folder wiped (a reinstall, a cleaned profile):
        # put the marker back rather than call the laptop a copy of itself.
        _write_install_id(str(install))
    return Home.SAME


def note_if_copied(session: Session) -> bool:
    """True (and remembered until the next enrolment) if this folder is a copy; the
    caller commits, then refuses to sync with :class:`CopiedFolderError`."""
    if check_home(session) is Home.COPIED:
        sync_state.put(session, sync_state.COPIED_FOLDER, "1")
        return True
    return False


def note_copied(session: Session) -> None:
    """The server saw this folder's pushes diverge from another copy's."""
    sync_state.put(session, sync_state.COPIED_FOLDER, "1")


def needs_new_enrolment(session: Session) -> bool:
    return sync_state.get(session, sync_state.COPIED_FOLDER) == "1"


def last_acked(session: Session) -> str:
    """The change of this device the server last acknowledged ("" if none yet)."""
    return sync_state.get(session, sync_state.LAST_ACKED) or ""


def note_acked(session: Session, change_id: str) -> None:
    sync_state.put(session, sync_state.LAST_ACKED, change_id)


def start_new_device(session: Session) -> None:
    """After an enrolment: a new device, a new history, at home here."""
    sync_state.clear(session, sync_state.COPIED_FOLDER)
    sync_state.clear(session, sync_state.LAST_ACKED)
    bind_here(session)


def token_proof(token: str) -> str:
    """What proves, at enrolment, which device this folder was: the device id and the
    digest of its token as the server keeps it (server/accounts.py), never the token."""
    device_id, _, secret = token.partition(".")
    return f"{device_id}.{hashlib.sha256(secret.encode()).hexdigest()}"
