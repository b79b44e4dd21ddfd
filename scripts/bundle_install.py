"""The built laptop app, installed and run as a machine without Python would run it:
shared by the smoke test (scripts/smoke_bundle.py) and the start-up figures
(benchmarks/bundle.py).

An install is the Debian package unpacked into an empty folder (``dpkg-deb -x``: the files
``dpkg -i`` would place, without touching this machine) or the tarball unpacked.  Each
command of the bundle runs with an empty environment and, as root, inside a private mount
namespace in which every Python of this machine and the project's checkout are covered by
empty tmpfs mounts: a bundle that still reached for any of them fails here.
"""

from __future__ import annotations

import csv
import glob
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEB_PREFIX = "opt/villagehelper"  # scripts/build_app.py installs there
COMMAND = "villagehelper"
WINDOW_COMMAND = "villagehelper-app"
VOLUNTEER_COLUMN = "Mã người hỗ trợ"  # the sessions export's column (transfer/columns.py)


def deb_and_tarball(dist: Path) -> tuple[Path, Path]:
    """The one .deb and the one Linux tarball ``scripts/build_app.py`` left in ``dist``."""
    debs = sorted(dist.glob("villagehelper_*_amd64.deb"))
    tarballs = sorted(dist.glob("villagehelper-*-linux-x86_64.tar.gz"))
    if len(debs) != 1 or len(tarballs) != 1:
        raise SystemExit(f"expected one .deb and one tarball in {dist}: {debs} {tarballs}")
    return debs[0], tarballs[0]


def install_deb(deb: Path, root: Path) -> Path:
    """Unpack the package's files under ``root``; the installed app folder."""
    root.mkdir(parents=True)
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root / DEB_PREFIX


def unpack_tarball(tarball: Path, into: Path) -> Path:
    into.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="tar")
    (folder,) = into.iterdir()
    return folder


def installed_size(folder: Path) -> int:
    """Bytes on disk of the installed files (links counted once, not followed)."""
    return sum(
        path.lstat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


def hidden_folders() -> list[Path]:
    """Where a Python could be found on this machine: the interpreters' own folders (the
    one running this script and the system's), and the project's checkout."""
    candidates = {Path(sys.base_prefix), Path(sys.prefix), ROOT}
    for pattern in ("/usr/lib/python3*", "/usr/local/lib/python3*", "/root/.pyenv"):
        candidates.update(Path(found) for found in glob.glob(pattern))
    found = sorted(path for path in candidates if path.is_dir() and str(path) != "/usr")
    # A folder inside another one is covered with it (and could not be mounted on after).
    return [path for path in found if not any(other in path.parents for other in found)]


def can_hide_python() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None


@dataclass(frozen=True)
class Sandbox:
    """How a bundle's command is run: empty environment, a home of its own, Python hidden."""

    home: Path
    hide_python: bool

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen",
            **extra,
        }

    def command(self, argv: list[str]) -> list[str]:
        if not self.hide_python:
            return argv
        mounts = " && ".join(
            f"mount -t tmpfs -o size=1m tmpfs '{path}'" for path in hidden_folders()
        )
        # The private namespace ends with the process: nothing of it outlives the command.
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                f'{mounts} && exec "$@"', "sandbox", *argv]  # fmt: skip

    def run(
        self, argv: list[str], *, check: bool = True, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        self.home.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            self.command(argv),
            check=False,  # the failure is told below, with the command's output
            env=self.environment(**extra),
            capture_output=True,
            text=True,
            timeout=300,
            cwd=self.home,
        )
        if check and result.returncode != 0:
            raise SystemExit(
                f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result


def make_demo_data(
    sandbox: Sandbox, app: Path, data_dir: Path, households: int, sessions: int
) -> Path:
    """Demo data written by the installed app itself, with a volunteer chosen (as the
    first run's "who are you" asks), so the window opens straight to the logbook; the
    sessions export it wrote on the way."""
    command = str(app / COMMAND)
    sandbox.run([command, "--data-dir", str(data_dir), "demo", "--households", str(households),
                 "--sessions", str(sessions)])  # fmt: skip
    exported = data_dir.parent / f"{data_dir.name}-sessions.csv"
    sandbox.run(
        [command, "--data-dir", str(data_dir), "export", "sessions", "--out", str(exported)]
    )
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        volunteer = next(csv.DictReader(handle))[VOLUNTEER_COLUMN]
    from villagehelper.preferences import Preferences, save_preferences

    save_preferences(data_dir, Preferences(volunteer_id=volunteer))
    return exported
