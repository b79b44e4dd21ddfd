"""Build the laptop app that installs without Python (docs/packaging.md).

    python3 scripts/build_app.py            # Linux: bundle, .deb, tarball; Windows: bundle

1. a clean build venv under ``build/venv`` with a NON-editable install of ``.[app]`` and
   PyInstaller: the bundle takes its files from installed package data (as a user's
   install would), and no test or lint tool can ride along;
2. PyInstaller with ``resources/pyinstaller/villagehelper.spec``: ``dist/VillageHelper/``,
   one folder with ``villagehelper`` (the whole command line) and ``villagehelper-app``
   (the window, no console on Windows) sharing one set of libraries;
3. on Linux, ``dist/villagehelper_<version>_amd64.deb`` (into /opt/villagehelper, with
   /usr/bin links, a menu entry and an icon) and
   ``dist/villagehelper-<version>-linux-x86_64.tar.gz`` (the folder, for a per-user
   install without root).

Everything comes from the package index the machine's pip uses; nothing is fetched by the
built app.  ``--reuse-venv`` keeps an existing build venv (faster while working on the
recipe; a release build is always clean).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
from pathlib import Path

from bundle_install import DEB_PREFIX, installed_size

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
DIST = ROOT / "dist"
BUILD_VENV = BUILD / "venv"
SPEC = ROOT / "resources" / "pyinstaller" / "villagehelper.spec"
BUNDLE_NAME = "VillageHelper"
# PyInstaller 6 (one folder with ``_internal/``, importlib.resources for frozen packages).
PYINSTALLER = "pyinstaller>=6.10,<7"
INSTALL_PREFIX = f"/{DEB_PREFIX}"
COMMANDS = ("villagehelper", "villagehelper-app")
GLIBC = re.compile(r"\bGLIBC_(\d+\.\d+(?:\.\d+)?)")
# What the bundled Qt needs from the system and PyInstaller leaves to it (the same list
# as .ci/run's for the tests): graphics, fonts, keyboard, the X connection.  The C
# library's version is read from the bundle (:func:`glibc_needed`).
DEB_DEPENDS = (
    "libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libglib2.0-0, "
    "libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0"
)


def _venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(*command: str | Path) -> None:
    print("build:", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT)


def make_build_venv(reuse: bool) -> Path:
    python = _venv_python(BUILD_VENV)
    if reuse and python.exists():
        _run(python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", ROOT)
        return python
    shutil.rmtree(BUILD_VENV, ignore_errors=True)
    venv.create(BUILD_VENV, with_pip=True)
    _run(python, "-m", "pip", "install", "-q", "--upgrade", "pip")
    _run(python, "-m", "pip", "install", "-q", f"{ROOT}[app]", PYINSTALLER)
    return python


def drop_gtk_theme_plugin(python: Path) -> None:
    """Take Qt's GTK theme plugin out of the build venv before PyInstaller looks.

    PyInstaller bundles every library a collected plugin links to.  On a build machine
    that has GTK (any desktop, or one with Chromium installed) the GTK plugin drags in
    GTK, GDK, ATK, cairo and pango — 12 MB that differ from machine to machine.  Without
    it Qt draws its own style and dialogs, as it does on Windows, and the bundle is the
    same wherever it is built.
    """
    pyside = _ask(python, "import PySide6, pathlib; print(pathlib.Path(PySide6.__file__).parent)")
    plugin = Path(pyside) / "Qt" / "plugins" / "platformthemes" / "libqgtk3.so"
    plugin.unlink(missing_ok=True)


def version_of(python: Path) -> str:
    """The version the build venv installed (the one ``villagehelper --version`` prints)."""
    return _ask(python, "import importlib.metadata as m; print(m.version('villagehelper'))")


def _ask(python: Path, code: str) -> str:
    """What ``code`` prints when the build venv's Python runs it."""
    found = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    return found.stdout.strip()


def run_pyinstaller(python: Path) -> Path:
    bundle = DIST / BUNDLE_NAME
    shutil.rmtree(bundle, ignore_errors=True)
    _run(
        python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", DIST, "--workpath", BUILD / "pyinstaller", SPEC,
    )  # fmt: skip
    return bundle


def glibc_needed(bundle: Path) -> str:
    """The newest C library version any bundled binary asks for.  PyInstaller copies the
    build machine's own libraries (libstdc++, cairo, …) beside Qt, so the package runs
    where the C library is at least as new as the one it was built with."""
    binaries = [
        str(path)
        for path in bundle.rglob("*")
        if path.is_file() and (".so" in path.name or path.name in COMMANDS)
    ]
    symbols = subprocess.run(
        ["objdump", "-T", *binaries], capture_output=True, text=True, check=False
    ).stdout
    versions = {tuple(int(part) for part in found.split(".")) for found in GLIBC.findall(symbols)}
    return ".".join(str(part) for part in max(versions))


def desktop_entry() -> str:
    return (ROOT / "resources" / "linux" / "villagehelper.desktop").read_text(encoding="utf-8")


def make_deb(bundle: Path, version: str) -> Path:
    """A Debian package: the folder in /opt, the commands in /usr/bin, a menu entry."""
    root = BUILD / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(bundle, root / INSTALL_PREFIX.lstrip("/"), symlinks=True)
    usr_bin = root / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    for command in COMMANDS:
        (usr_bin / command).symlink_to(f"{INSTALL_PREFIX}/{command}")
    applications = root / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    (applications / "villagehelper.desktop").write_text(desktop_entry(), encoding="utf-8")
    icons = root / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "villagehelper.png", icons / "villagehelper.png")
    control = root / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        f"Package: villagehelper\nVersion: {version}\nArchitecture: amd64\n"
        "Maintainer: VillageHelper <villagehelper@localhost>\n"
        f"Installed-Size: {installed_size(root) // 1024}\n"
        f"Depends: libc6 (>= {glibc_needed(bundle)}), {DEB_DEPENDS}\n"
        "Section: misc\nPriority: optional\n"
        "Description: Sổ theo dõi hỗ trợ người dân / community digital team's logbook\n"
        " VillageHelper for Vietnam's community digital technology teams: offline,\n"
        " encrypted, synced with the commune server. Needs no Python.\n",
        encoding="utf-8",
    )
    deb = DIST / f"villagehelper_{version}_amd64.deb"
    # xz at a middle level: near the smallest file, a fraction of level 9's time.
    _run("dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", root, deb)
    shutil.rmtree(root)
    return deb


def make_tarball(bundle: Path, version: str) -> Path:
    """The same folder for a per-user install (unpack anywhere, run ``villagehelper``)."""
    tarball = DIST / f"villagehelper-{version}-linux-x86_64.tar.gz"
    with tarfile.open(tarball, "w:gz", compresslevel=6) as archive:
        archive.add(bundle, arcname=BUNDLE_NAME)
    return tarball


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse-venv", action="store_true", help="keep build/venv if present")
    args = parser.parse_args(argv)
    python = make_build_venv(args.reuse_venv)
    version = version_of(python)
    drop_gtk_theme_plugin(python)
    bundle = run_pyinstaller(python)
    print(f"build: {bundle} ({installed_size(bundle) / 1e6:.0f} MB)")
    if sys.platform.startswith("linux"):
        for artefact in (make_deb(bundle, version), make_tarball(bundle, version)):
            print(f"build: {artefact} ({artefact.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
