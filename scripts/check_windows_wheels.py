"""Can the Windows build be made from wheels alone?  Ask pip, without downloading them.

    python scripts/check_windows_wheels.py            # the laptop app and the server
    python scripts/check_windows_wheels.py --python 3.11

The Windows installer ships CPython 3.11 (docs/packaging-windows.md); the build on a
Windows runner must then find a ``win_amd64`` (or pure-Python) wheel for every package,
since that runner has no compiler set up for them.  For each profile — the laptop app
(the base dependencies, the ``app`` extra and PyInstaller) and the commune server (base
and ``server``, for a commune PC running Windows) — and each Python (the shipped one,
then newer ones to know the headroom) pip resolves the requirements for that platform
with ``--dry-run --report``: metadata only.  Every resolved distribution must be a wheel
for ``win_amd64`` or for any platform; the table says which wheel, and a failure names
the package.

pip evaluates environment markers against the Python running it, not the target, so a
dependency only Windows needs (``colorama; platform_system == "Windows"``) would be left
out on Linux.  The check reads each resolved package's own requirements, evaluates their
markers for Windows, and resolves again with whatever was missing, until nothing is.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build_app import PYINSTALLER
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = "win_amd64"
SHIPPED_PYTHON = "3.11"
HEADROOM_PYTHONS = ("3.12", "3.13")
# What scripts/build_app.py installs beside the app to freeze it.
BUILD_TOOLS = (PYINSTALLER,)
# Rounds of "resolve, then add what only Windows needs": two suffice today; more means a
# Windows-only dependency brings yet another, which a third round catches.
MAX_ROUNDS = 4


@dataclass(frozen=True)
class Profile:
    name: str
    extra: str
    tools: tuple[str, ...]


PROFILES = (
    Profile("laptop app", "app", BUILD_TOOLS),
    Profile("commune server", "server", ()),
)


@dataclass(frozen=True)
class Resolved:
    name: str
    version: str
    file: str  # the file pip would download: a wheel's name, or the sdist's
    acceptable: bool


class UnresolvableError(Exception):
    """pip found no set of wheels for the platform; the message names the package."""


def requirements(pyproject: Path, extra: str) -> list[str]:
    """The base dependencies and one extra, as pyproject.toml states them."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    if extra not in extras:
        raise SystemExit(f"pyproject.toml has no extra {extra!r} (it has {sorted(extras)})")
    return [*project["dependencies"], *extras[extra]]


def windows_environment(python_version: str) -> dict[str, str]:
    """The marker variables of CPython ``python_version`` on 64-bit Windows."""
    return {
        "os_name": "nt",
        "sys_platform": "win32",
        "platform_system": "Windows",
        "platform_machine": "AMD64",
        "platform_release": "10",
        "platform_version": "10.0.19045",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "python_version": python_version,
        "python_full_version": f"{python_version}.0",
        "implementation_version": f"{python_version}.0",
        "extra": "",
    }


def wheel_platforms(filename: str) -> set[str] | None:
    """The platform tags of a wheel's file name (``None``: not a wheel)."""
    if not filename.endswith(".whl"):
        return None
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return None
    return set(parts[-1].split("."))


def judge(report: dict[str, Any]) -> list[Resolved]:
    """Each distribution of a pip installation report, and whether Windows can take it."""
    resolved = []
    for item in report.get("install", []):
        filename = item["download_info"]["url"].rsplit("/", 1)[-1]
        platforms = wheel_platforms(filename)
        resolved.append(
            Resolved(
                name=item["metadata"]["name"],
                version=item["metadata"]["version"],
                file=filename,
                acceptable=platforms is not None and bool(platforms & {PLATFORM, "any"}),
            )
        )
    return sorted(resolved, key=lambda dist: canonicalize_name(dist.name))


def missing_for_windows(report: dict[str, Any], python_version: str) -> list[str]:
    """Requirements of resolved packages that Windows needs but the resolution lacks.

    Only unconditional and platform-conditional ones: what an extra of a package brings
    is left to pip, which resolved the extras it was asked for."""
    environment = windows_environment(python_version)
    have = {canonicalize_name(item["metadata"]["name"]) for item in report.get("install", [])}
    wanted: dict[str, str] = {}
    for item in report.get("install", []):
        for line in item["metadata"].get("requires_dist", []):
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            if name in have or name in wanted:
                continue
            marker: Marker | None = requirement.marker
            if marker is None or marker.evaluate(environment):
                requirement.marker = None
                wanted[name] = str(requirement)
    return sorted(wanted.values())


def pip_report(requirements: Sequence[str], python_version: str) -> dict[str, Any]:
    """pip's installation report for ``win_amd64`` CPython, from metadata only."""
    with tempfile.TemporaryDirectory(prefix="windows-wheels-") as scratch:
        report_file = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--disable-pip-version-check",
            "--ignore-installed",
            "--only-binary=:all:",
            "--platform",
            PLATFORM,
            "--python-version",
            python_version,
            "--implementation",
            "cp",
            "--target",
            str(Path(scratch) / "target"),
            "--report",
            str(report_file),
            *requirements,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise UnresolvableError(explain_failure(done.stderr))
        report: dict[str, Any] = json.loads(report_file.read_text(encoding="utf-8"))
        return report


def explain_failure(stderr: str) -> str:
    """The package pip found no wheel for, from its error output; else its last lines."""
    names = re.findall(r"No matching distribution found for (\S+)", stderr)
    if names:
        return f"no {PLATFORM} or pure-Python wheel for: {', '.join(names)}"
    errors = [line for line in stderr.splitlines() if line.startswith("ERROR")]
    return "\n".join(errors or stderr.strip().splitlines()[-5:])


def resolve_for_windows(requirements: Sequence[str], python_version: str) -> list[Resolved]:
    wanted = list(requirements)
    for _ in range(MAX_ROUNDS):
        report = pip_report(wanted, python_version)
        extra = missing_for_windows(report, python_version)
        if not extra:
            return judge(report)
        wanted.extend(extra)
    raise UnresolvableError(f"Windows-only dependencies still missing after {MAX_ROUNDS} rounds")


def rows_text(rows: list[tuple[str, str, str]]) -> list[str]:
    width_name = max(len(row[0]) for row in rows)
    width_version = max(len(row[1]) for row in rows)
    return [
        f"  {name:<{width_name}}  {version:<{width_version}}  {file}"
        for name, version, file in rows
    ]


def check(pyproject: Path, pythons: Sequence[str]) -> list[str]:
    """Print a table per profile and Python; return the failures, one line each."""
    failures = []
    for profile in PROFILES:
        wanted = [*requirements(pyproject, profile.extra), *profile.tools]
        for python_version in pythons:
            print(f"\n{profile.name}, CPython {python_version}, {PLATFORM}:")
            try:
                resolved = resolve_for_windows(wanted, python_version)
            except UnresolvableError as error:
                failures.append(f"{profile.name}, Python {python_version}: {error}")
                print(f"  FAILED: {error}")
                continue
            rows = [("package", "version", "wheel")]
            rows += [
                (dist.name, dist.version, dist.file + ("" if dist.acceptable else "  <-- NO"))
                for dist in resolved
            ]
            print("\n".join(rows_text(rows)))
            failures += [
                f"{profile.name}, Python {python_version}: {dist.name} {dist.version} "
                f"comes as {dist.file}, not a {PLATFORM} or pure-Python wheel"
                for dist in resolved
                if not dist.acceptable
            ]
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--python",
        action="append",
        help=f"a CPython version to check (default: {SHIPPED_PYTHON}, then "
        f"{', '.join(HEADROOM_PYTHONS)}); repeatable",
    )
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    args = parser.parse_args(argv)
    pythons = args.python or [SHIPPED_PYTHON, *HEADROOM_PYTHONS]
    failures = check(args.pyproject, pythons)
    if failures:
        print(
            "\nKhông dựng được bản Windows chỉ từ wheel / The Windows build lacks wheels:",
            *(f"  - {failure}" for failure in failures),
            sep="\n",
            file=sys.stderr,
        )
        return 1
    print(f"\nMọi gói đều có wheel {PLATFORM} / Every package has a {PLATFORM} wheel.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
