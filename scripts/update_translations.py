"""Refresh the translation sources from the code and compile them.

    python scripts/update_translations.py          # lupdate + lrelease
    python scripts/update_translations.py --check  # fail if a string lacks English

The app's strings are Vietnamese in the code; ``villagehelper_en.ts`` holds English.
``qtbase_vi.ts`` (Vietnamese for Qt's own widgets) is written by hand.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "villagehelper" / "resources" / "i18n"
APP_TS = I18N / "villagehelper_en.ts"
SOURCES_ROOT = ROOT / "villagehelper"


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install pyside6-essentials in this environment")
    return found


def sources() -> list[str]:
    """Every module that may hold translatable strings (the GUI and the reports)."""
    return sorted(str(path) for path in SOURCES_ROOT.rglob("*.py"))


def lupdate(ts_file: Path) -> None:
    subprocess.run(
        [
            tool("pyside6-lupdate"),
            *sources(),
            "-no-obsolete",
            "-locations",
            "none",
            "-ts",
            str(ts_file),
        ],
        check=True,
        capture_output=True,
    )


def lrelease(ts_file: Path, qm_file: Path) -> None:
    subprocess.run(
        [tool("pyside6-lrelease"), str(ts_file), "-qm", str(qm_file)],
        check=True,
        capture_output=True,
    )


def refreshed_copy(work: Path) -> Path:
    """The committed English .ts brought up to date with the code, in ``work``."""
    copy = work / APP_TS.name
    shutil.copyfile(APP_TS, copy)
    lupdate(copy)
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        from xml.etree import ElementTree

        with tempfile.TemporaryDirectory() as work:
            tree = ElementTree.parse(refreshed_copy(Path(work)))
        missing = [
            message.findtext("source", "")
            for message in tree.iter("message")
            if (translation := message.find("translation")) is None
            or translation.get("type") in {"unfinished", "vanished", "obsolete"}
            or not "".join(translation.itertext()).strip()
        ]
        for text in missing:
            print(f"untranslated: {text!r}")
        return 1 if missing else 0
    lupdate(APP_TS)
    for ts_file in sorted(I18N.glob("*.ts")):
        lrelease(ts_file, ts_file.with_suffix(".qm"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
