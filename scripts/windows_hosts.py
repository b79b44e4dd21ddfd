"""Where the Windows installer's smoke test runs: Windows itself, or wine on Linux.

Both answer the same questions — run a command line, where a Windows path lies on this
machine's disk, a known folder, a value of the registry — so that the smoke test
(scripts/smoke_windows_installer.py) reads the same on either.  Command lines are
passed as Windows sees them, unsplit: an installer's ``/D=`` takes the rest of the line,
spaces and all, which no list of arguments quoted for us would leave alone.
"""

from __future__ import annotations

import getpass
import os
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

# The smoke test uses the default data folder: a value left in the environment by
# whoever runs it would send the app elsewhere.  Nor does a volunteer's laptop set
# Python's UTF-8 mode: the installed app must print Vietnamese into a pipe or a log
# file (a scheduled sync's) without it.
CLEARED = ("VILLAGEHELPER_DATA_DIR", "PYTHONUTF8", "PYTHONIOENCODING")


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in CLEARED}
    return {**env, **(extra or {})}


class Host(Protocol):
    def run(
        self, command_line: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]: ...

    def local(self, windows_path: str) -> Path: ...

    def windows_path(self, local: Path) -> str: ...

    def known_folder(self, variable: str) -> str: ...

    def reg_value(self, key: str, name: str) -> str | None: ...

    def app_running(self, folder: str) -> AbstractContextManager[None]:
        """The installed app running from ``folder`` while the block runs."""
        ...

    def close(self) -> None: ...


class NativeWindows:
    """Windows itself (the workflow's runner)."""

    def run(
        self, command_line: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        # A string reaches CreateProcess as it is (subprocess quotes only lists).
        return subprocess.run(
            command_line,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=_environment(env),
            timeout=timeout,
            check=False,
        )

    def local(self, windows_path: str) -> Path:
        return Path(windows_path)

    def windows_path(self, local: Path) -> str:
        return str(local)

    def known_folder(self, variable: str) -> str:
        return os.environ[variable]

    def reg_value(self, key: str, name: str) -> str | None:
        if sys.platform != "win32":
            raise RuntimeError("the Windows registry is only on Windows")
        import winreg

        hive, _, path = key.partition("\\")
        if hive != "HKCU":
            raise ValueError(f"only HKCU is read here, not {hive}")
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as opened:
                value, _kind = winreg.QueryValueEx(opened, name)
        except FileNotFoundError:
            return None
        return str(value)

    @contextmanager
    def app_running(self, folder: str) -> Iterator[None]:
        # Once CreateProcess has returned, the program's file is mapped, hence locked.
        app = subprocess.Popen(
            [f"{folder}\\villagehelper-app.exe"],
            env=_environment({"QT_QPA_PLATFORM": "offscreen"}),
        )
        try:
            yield
        finally:
            app.terminate()
            app.wait(timeout=60)

    def close(self) -> None:
        pass


class Wine:
    """A throwaway wine prefix: Debian's wine64 runs the 64-bit installer NSIS makes."""

    def __init__(self, prefix: Path) -> None:
        found = shutil.which("wine64") or shutil.which("wine")
        if found is None and Path("/usr/lib/wine/wine64").is_file():
            found = "/usr/lib/wine/wine64"
        if found is None:
            raise SystemExit("wine not found: apt-get install wine64")
        self.wine = found
        self.prefix = prefix
        self.env = {
            "WINEPREFIX": str(prefix),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",
        }
        self._wine([self.wine, "wineboot", "--init"], timeout=300)
        self.user_home = f"C:\\users\\{getpass.getuser()}"
        # A laptop's PATH already has entries of the person's own, one with a variable
        # the installer must keep unexpanded.
        self.set_user_path(r"C:\Tools;%USERPROFILE%\bin")

    def set_user_path(self, value: str) -> None:
        add = ["reg", "add", r"HKCU\Environment", "/v", "Path", "/t", "REG_EXPAND_SZ"]
        self._wine([self.wine, *add, "/d", value, "/f"])

    def _wine(self, argv: list[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            errors="replace",
            env=_environment(self.env),
            timeout=timeout,
            check=False,
        )

    def run(
        self, command_line: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        # wine quotes each argument it is given; a batch file keeps the line whole.
        # cmd reads it in the OEM code page, hence ASCII only.
        if env:
            raise ValueError("the wine host passes no extra environment")
        if not command_line.isascii():
            raise ValueError(f"wine's cmd cannot take {command_line!r}: ASCII only")
        batch = self.local(f"{self.user_home}\\Temp\\vh-smoke.bat")
        batch.parent.mkdir(parents=True, exist_ok=True)
        batch.write_text(f"@echo off\r\n{command_line}\r\nexit /b %ERRORLEVEL%\r\n")
        return self._wine([self.wine, "cmd", "/d", "/c", self.windows_path(batch)], timeout=timeout)

    def local(self, windows_path: str) -> Path:
        drive, _, rest = windows_path.partition(":\\")
        if drive.upper() == "Z":
            return Path("/", *rest.split("\\"))
        if drive.upper() != "C":
            raise ValueError(f"{windows_path}: only C: and Z: exist in this prefix")
        return Path(self.prefix, "drive_c", *[part for part in rest.split("\\") if part])

    def windows_path(self, local: Path) -> str:
        drive_c = self.prefix / "drive_c"
        resolved = local.resolve()
        if resolved.is_relative_to(drive_c):
            return "C:\\" + "\\".join(resolved.relative_to(drive_c).parts)
        return "Z:" + str(resolved).replace("/", "\\")

    def known_folder(self, variable: str) -> str:
        return {
            "LOCALAPPDATA": f"{self.user_home}\\AppData\\Local",
            "APPDATA": f"{self.user_home}\\AppData\\Roaming",
            "TEMP": f"{self.user_home}\\Temp",
        }[variable]

    def reg_value(self, key: str, name: str) -> str | None:
        done = self._wine([self.wine, "reg", "query", key, "/v", name])
        if done.returncode != 0:
            return None
        for line in done.stdout.splitlines():
            parts = line.strip().split(None, 2)
            if len(parts) >= 2 and parts[0] == name and parts[1].startswith("REG_"):
                return parts[2] if len(parts) == 3 else ""
        return None

    @contextmanager
    def app_running(self, folder: str) -> Iterator[None]:
        """The stand-in app is wine's cmd.exe: it says when it runs, and ends when its
        input does."""
        app = subprocess.Popen(
            [self.wine, f"{folder}\\villagehelper-app.exe", "/k", "echo started"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=_environment(self.env),
        )
        assert app.stdin is not None and app.stdout is not None
        try:
            _read_until(app.stdout, "started", deadline_s=60)
            yield
        finally:
            app.stdin.close()
            app.wait(timeout=60)

    def close(self) -> None:
        server = shutil.which("wineserver") or "/usr/lib/wine/wineserver"
        if Path(server).is_file():
            self._wine([server, "-k"], timeout=60)


def _read_until(stream: object, marker: str, deadline_s: float) -> None:
    """Read ``stream`` (a process's output) until a line holds ``marker``."""
    give_up = time.monotonic() + deadline_s
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)  # type: ignore[arg-type]
        while (left := give_up - time.monotonic()) > 0:
            if selector.select(timeout=left):
                line = stream.readline()  # type: ignore[attr-defined]
                if not line:
                    break
                if marker in line:
                    return
    raise RuntimeError(f"the program never said {marker!r} within {deadline_s} s")
