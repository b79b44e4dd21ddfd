"""Wrap the one-folder Windows bundle into VillageHelper's setup .exe (NSIS).

    python scripts/build_app.py                   # on Windows: dist/VillageHelper/
    python scripts/build_windows_installer.py     # dist/VillageHelper-<version>-setup.exe

The recipe is resources/windows/villagehelper.nsi; this script hands it the version
(pyproject.toml) and two lists made from the bundle: what to install, and what the
uninstaller removes — exactly those files and folders, so that it never deletes more
than it installed (the data folder above all).  makensis runs on Windows (NSIS) and on
Linux (Debian's ``nsis``), so the installer itself can be compiled on either; the bundle
inside it must have been built on Windows (docs/packaging-windows.md).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "resources" / "windows" / "villagehelper.nsi"
ICON = ROOT / "resources" / "villagehelper.ico"  # the app's own (scripts/make_app_icon.py)
REQUIRED = ("villagehelper.exe", "villagehelper-app.exe")
UNINSTALLER = "uninstall.exe"
# The NSIS stub of a 64-bit installer; where this NSIS lacks it, the 32-bit one is made.
AMD64_STUB = "lzma_solid-amd64-unicode"


def app_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    version: str = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    return version


def version_quad(version: str) -> str:
    """Windows' four-number file version: 1.2.3 → 1.2.3.0; 1.2.3rc1 → 1.2.3.0."""
    release = re.match(r"\d+(?:\.\d+)*", version)
    if release is None:
        raise SystemExit(f"version {version!r} does not start with numbers")
    numbers = [int(part) for part in release.group().split(".")][:4]
    return ".".join(str(number) for number in [*numbers, 0, 0, 0][:4])


def nsis_text(text: str) -> str:
    """``text`` inside an NSIS double-quoted string: ``$`` would start a variable."""
    if '"' in text or "\n" in text:
        raise SystemExit(f"cannot name {text!r} in the installer")
    return text.replace("$", "$$")


def install_lines(bundle: Path) -> list[str]:
    """NSIS lines installing every top-level file and folder of the bundle."""
    lines = []
    for entry in sorted(bundle.iterdir()):
        source = nsis_text(str(entry.resolve()))
        name = nsis_text(entry.name)
        if entry.is_dir():
            lines.append(f'SetOutPath "$INSTDIR\\{name}"')  # makes it, even empty
            if any(entry.iterdir()):  # makensis refuses a pattern that matches nothing
                lines.append(f'File /r "{source}{os.sep}*"')
        else:
            lines += ['SetOutPath "$INSTDIR"', f'File "{source}"']
    return lines


def remove_lines(bundle: Path) -> list[str]:
    """NSIS lines removing exactly what :func:`install_lines` installed."""
    return [
        f'RMDir /r "$INSTDIR\\{nsis_text(entry.name)}"'
        if entry.is_dir()
        else f'Delete "$INSTDIR\\{nsis_text(entry.name)}"'
        for entry in sorted(bundle.iterdir())
    ]


def check_bundle(bundle: Path) -> None:
    missing = [name for name in REQUIRED if not (bundle / name).is_file()]
    if missing:
        raise SystemExit(
            f"{bundle} is not a Windows bundle: {', '.join(missing)} missing "
            "(build it on Windows with: python scripts/build_app.py)"
        )
    if (bundle / UNINSTALLER).exists():
        raise SystemExit(f"{bundle} holds {UNINSTALLER}, the name of the uninstaller")


def makensis() -> str:
    found = shutil.which("makensis")
    if found:
        return found
    for folder in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        candidate = Path(folder or "/nonexistent") / "NSIS" / "makensis.exe"
        if candidate.is_file():
            return str(candidate)
    raise SystemExit(
        "makensis not found: install NSIS (Debian: apt-get install nsis; "
        "Windows: choco install nsis)"
    )


def has_amd64_stub(tool: str) -> bool:
    """Whether this NSIS can make a 64-bit installer (its Stubs folder says)."""
    info = subprocess.run([tool, "-HDRINFO"], capture_output=True, text=True, check=False)
    found = re.search(r"NSISDIR=([^,\r\n]+)", info.stdout + info.stderr)
    if found is None:
        return False
    return (Path(found.group(1).strip()) / "Stubs" / AMD64_STUB).is_file()


def build(bundle: Path, output_dir: Path, version: str) -> Path:
    check_bundle(bundle)
    tool = makensis()
    output_dir.mkdir(parents=True, exist_ok=True)
    setup = (output_dir / f"VillageHelper-{version}-setup.exe").resolve()
    with tempfile.TemporaryDirectory(prefix="villagehelper-nsis-") as scratch:
        files_list = Path(scratch) / "bundle_files.nsh"
        remove_list = Path(scratch) / "bundle_remove.nsh"
        files_list.write_text("\n".join(install_lines(bundle)) + "\n", encoding="utf-8")
        remove_list.write_text("\n".join(remove_lines(bundle)) + "\n", encoding="utf-8")
        command = [
            tool,
            "-V2",
            "-INPUTCHARSET",
            "UTF8",
            f"-DVERSION={version}",
            f"-DVERSION_QUAD={version_quad(version)}",
            f"-DBUNDLE_FILES={files_list}",
            f"-DBUNDLE_REMOVE={remove_list}",
            f"-DOUTFILE={setup}",
            f"-DAPP_ICON={ICON}",
        ]
        if has_amd64_stub(tool):
            command.append("-DTARGET=amd64-unicode")
        if subprocess.run([*command, str(RECIPE)], check=False).returncode != 0:
            raise SystemExit(f"makensis could not compile {RECIPE} (its message is above)")
    return setup


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "VillageHelper")
    parser.add_argument("--output", type=Path, default=ROOT / "dist")
    parser.add_argument("--version", default=None, help="default: pyproject.toml's")
    args = parser.parse_args(argv)
    setup = build(args.bundle, args.output, args.version or app_version())
    print(setup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
