"""Smoke test of the Windows installer: what a volunteer's laptop goes through.

    python scripts/smoke_windows_installer.py dist\\VillageHelper-0.1.0-setup.exe   # Windows
    python scripts/smoke_windows_installer.py --wine                             # Linux

On Windows (the workflow's runner) it takes the real installer: an older version (a
small stand-in, compiled here) is installed silently into a temporary folder whose name
has spaces, Vietnamese and ``#``; the real one is installed over it (the older files are
gone); ``villagehelper.exe --version`` runs by its path and through the user's PATH as a
new process sees it; demo data goes into the default data folder, a weekly PDF is
printed, the windowed app starts offscreen and quits once its first data is shown; an
install is refused while the app is open, and into the data folder; the uninstaller
removes the program, its shortcut and PATH entry and keeps the data folder, byte for byte.

With ``--wine`` (Debian's wine64, no Windows Python needed) both installers are compiled
here from stand-in bundles, whose programs cannot run: everything above but running the
app is checked, in a throwaway wine prefix.  Under wine the folder has no Vietnamese
letters, which wine's ``cmd`` cannot pass on (docs/packaging-windows.md).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_windows_installer as installer
from bundle_install import VOLUNTEER_COLUMN
from windows_hosts import Host, NativeWindows, Wine

# The checkout's core, for the preferences file's format only (no database, no Qt).
sys.path.insert(1, str(installer.ROOT))
from villagehelper.preferences import Preferences, save_preferences

UNINSTALL_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\VillageHelper"
SETTINGS_KEY = r"HKCU\Software\VillageHelper"
OLDER_VERSION = "0.0.1"
UNINSTALL_DEADLINE_S = 120
APP_DEADLINE_S = 300


class SmokeError(Exception):
    pass


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise SmokeError(what)
    print(f"  ok: {what}")


def stand_in_bundle(folder: Path, *extra: str) -> Path:
    """A bundle's shape without its contents: enough for the installer, not to run."""
    bundle = folder / "VillageHelper"
    (bundle / "_internal").mkdir(parents=True)
    for name in (*installer.REQUIRED, *extra):
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_text(f"stand-in for {name}\n", encoding="utf-8")
    return bundle


def uninstall(host: Host, folder: str) -> None:
    """Run the uninstaller silently and wait for it to end.  It copies itself to %TEMP%
    and returns at once, leaving the copy to do the work; its settings key is the last
    thing that copy removes, so once the key is gone, it is done."""
    host.run(f'"{folder}\\{installer.UNINSTALLER}" /S')
    give_up = time.monotonic() + UNINSTALL_DEADLINE_S
    while host.reg_value(SETTINGS_KEY, "InstallDir") is not None:
        if time.monotonic() > give_up:
            raise SmokeError(f"the uninstaller did not finish within {UNINSTALL_DEADLINE_S} s")
        time.sleep(0.5)
    print("  ok: the uninstaller finished")


def path_entries(host: Host) -> list[str]:
    """The user's PATH as stored (``%VARIABLES%`` unexpanded), entry by entry."""
    value = host.reg_value(r"HKCU\Environment", "Path") or ""
    return [entry for entry in value.split(";") if entry]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install(host: Host, setup: str, folder: str) -> int:
    # /D= must come last and unquoted: NSIS takes the rest of the line, spaces and all.
    return host.run(f'"{setup}" /S /D={folder}').returncode


def check_installed(host: Host, folder: str, version: str, path_before: list[str]) -> None:
    local = host.local(folder)
    for name in (*installer.REQUIRED, installer.UNINSTALLER):
        expect((local / name).is_file(), f"{name} installed")
    expect(not (local / "old-only.txt").exists(), "the older version's files are gone")
    expect(not (local / "_internal" / "old.dll").exists(), "… inside its folders too")
    expect(host.reg_value(SETTINGS_KEY, "Version") == version, f"version {version} recorded")
    expect(host.reg_value(UNINSTALL_KEY, "DisplayVersion") == version, "listed in Apps")
    shortcut = host.local(host.known_folder("APPDATA")) / "Microsoft" / "Windows"
    shortcut = shortcut / "Start Menu" / "Programs" / "VillageHelper.lnk"
    expect(shortcut.is_file(), "Start-menu shortcut made")
    expect(
        path_entries(host) == [*path_before, folder],
        "the install folder is on the user's PATH, once, after the person's own entries",
    )


def choose_a_volunteer(host: Host, cli: str, scratch: Path) -> None:
    """As the first run's "who are you" would: one of the demo's volunteers, so that the
    window opens straight to the logbook (as scripts/bundle_install.py does on Linux)."""
    exported = scratch / "lượt hỗ trợ.csv"
    done = host.run(f'"{cli}" export sessions --out "{exported}"')
    expect(done.returncode == 0, f"sessions exported ({done.stderr.strip()[-300:]})")
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        volunteer = next(csv.DictReader(handle))[VOLUNTEER_COLUMN]
    data_dir = host.local(host.known_folder("LOCALAPPDATA")) / "VillageHelper"
    save_preferences(data_dir, Preferences(volunteer_id=volunteer))


def run_the_app(host: Host, folder: str, version: str, scratch: Path) -> None:
    """The real bundle only: the command line, demo data, a report, the window."""
    cli = f"{folder}\\villagehelper.exe"
    shown = host.run(f'"{cli}" --version')
    expect(version in shown.stdout + shown.stderr, f"villagehelper.exe --version says {version}")
    user_path = host.reg_value(r"HKCU\Environment", "Path") or ""
    through_path = host.run(
        "cmd /d /c villagehelper --version",
        env={"PATH": f"{user_path};{os.environ.get('PATH', '')}"},
    )
    expect(version in through_path.stdout, "`villagehelper` found through the user's PATH")
    demo = host.run(f'"{cli}" demo --households 30 --sessions 120')
    expect(demo.returncode == 0, f"demo data made ({demo.stderr.strip()[-300:]})")
    choose_a_volunteer(host, cli, scratch)
    pdf = scratch / "tuần này.pdf"
    tally = host.run(f'"{cli}" tally --week this --pdf "{pdf}"')
    expect(tally.returncode == 0, f"weekly tally printed ({tally.stderr.strip()[-300:]})")
    expect(pdf.read_bytes().startswith(b"%PDF"), "… as a PDF")
    started = host.run(
        f'"{folder}\\villagehelper-app.exe"',
        env={"QT_QPA_PLATFORM": "offscreen", "VILLAGEHELPER_EXIT_WHEN_READY": "data"},
        timeout=APP_DEADLINE_S,
    )
    expect(started.returncode == 0, f"the windowed app shows its data ({started.returncode})")


def smoke(host: Host, setup: str, older_setup: str, folder: str, real: bool) -> None:
    version = installer.app_version()
    data_dir = host.known_folder("LOCALAPPDATA") + "\\VillageHelper"
    kept = host.local(data_dir) / "villagehelper.sqlite3"
    path_before = path_entries(host)
    print(f"the user's PATH before: {path_before}")
    print(f"installing {OLDER_VERSION} (stand-in) into {folder}")
    expect(install(host, older_setup, folder) == 0, "older version installed")
    expect((host.local(folder) / "old-only.txt").is_file(), "… with a file of its own")
    print(f"installing {version} over it")
    expect(install(host, setup, folder) == 0, f"version {version} installed over it")
    check_installed(host, folder, version, path_before)
    if real:
        run_the_app(host, folder, version, host.local(host.known_folder("TEMP")))
    else:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(b"SQLite format 3\x00 stand-in for a volunteer's records")
    expect(kept.is_file(), f"the data is in {data_dir}")

    print("installing while the app is open (must wait for it to close)")
    with host.app_running(folder):
        expect(install(host, setup, folder) == 3, "refused with exit code 3 while it runs")
    expect((host.local(folder) / "villagehelper-app.exe").is_file(), "… the program left whole")
    # From here on nothing may write the data: neither refused installs nor uninstalling.
    before = digest(kept)

    print("installing into the data folder, inside it, or above it (must be refused)")
    for refused in (data_dir, f"{data_dir}\\Program", host.known_folder("LOCALAPPDATA")):
        expect(install(host, setup, refused) == 2, f"{refused} refused with exit code 2")
        expect(not (host.local(refused) / "villagehelper.exe").exists(), "… nothing put there")

    print("uninstalling")
    uninstall(host, folder)
    expect(not host.local(folder).exists(), "program removed")
    shortcut = host.local(host.known_folder("APPDATA")) / "Microsoft" / "Windows"
    expect(not (shortcut / "Start Menu" / "Programs" / "VillageHelper.lnk").exists(), "no shortcut")
    expect(path_entries(host) == path_before, "PATH entry removed, the person's own kept")
    expect(host.reg_value(UNINSTALL_KEY, "DisplayName") is None, "gone from Apps")
    expect(kept.is_file() and digest(kept) == before, "the data folder is kept, unchanged")


def long_path_is_left_alone(host: Wine, setup: str, folder: str) -> None:
    """A PATH longer than NSIS can hold would come back cut: writing it back would lose
    the person's entries.  The installer and the uninstaller must leave it alone."""
    long_path = ";".join(f"C:\\Tools\\tool number {n}" for n in range(60))
    host.set_user_path(long_path)
    print(f"installing with a PATH of {len(long_path)} characters (must be left alone)")
    expect(install(host, setup, folder) == 0, "installed")
    expect(host.reg_value(r"HKCU\Environment", "Path") == long_path, "the PATH left whole")
    uninstall(host, folder)
    expect(host.reg_value(r"HKCU\Environment", "Path") == long_path, "… after uninstalling too")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("setup", nargs="?", type=Path, help="the installer (on Windows)")
    parser.add_argument("--wine", action="store_true", help="under wine, stand-in bundles")
    args = parser.parse_args(argv)
    if not args.wine and (sys.platform != "win32" or args.setup is None):
        parser.error("on Windows give the installer; elsewhere use --wine")
    with tempfile.TemporaryDirectory(prefix="vh-windows-smoke-") as scratch_name:
        scratch = Path(scratch_name)
        older = stand_in_bundle(scratch / "older", "old-only.txt", "_internal/old.dll")
        older_setup = installer.build(older, scratch / "older-out", OLDER_VERSION)
        host: Host
        if args.wine:
            host = Wine(scratch / "prefix")
            current = stand_in_bundle(scratch / "current", "_internal/sub dir/new.dll")
            # A program wine can run, to be open while an installer tries to replace it.
            shutil.copyfile(
                host.local(r"C:\windows\system32\cmd.exe"), current / "villagehelper-app.exe"
            )
            setup = installer.build(current, scratch / "out", installer.app_version())
            parent = "Programs to try #1"
        else:
            host = NativeWindows()
            setup = args.setup.resolve()
            parent = "Chương trình thử #1 & co"
        folder = f"{host.known_folder('TEMP')}\\{parent}\\VillageHelper"
        try:
            smoke(
                host,
                host.windows_path(setup),
                host.windows_path(older_setup),
                folder,
                not args.wine,
            )
            if isinstance(host, Wine):
                long_path_is_left_alone(host, host.windows_path(setup), folder)
        except SmokeError as failure:
            print(f"FAILED: {failure}", file=sys.stderr)
            return 1
        except subprocess.TimeoutExpired as late:
            print(f"FAILED: {late.cmd} did not end within {late.timeout} s", file=sys.stderr)
            return 1
        finally:
            host.close()
            shutil.rmtree(host.local(folder).parent, ignore_errors=True)
    print("Windows installer smoke test passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
