"""Smoke test of the BUILT laptop app (not of the source tree), as .ci/run runs it after
``scripts/build_app.py``:

    .venv/bin/python scripts/smoke_bundle.py dist

The .deb is installed into an empty folder and every command runs from there with an
empty environment and, as root, with every Python of the machine and the checkout hidden
(scripts/bundle_install.py).  It checks what a volunteer relies on: ``--version``; the
window opens offscreen on demo data (both executables); a visit of two services logged
through the command line (``villagehelper log-visit``) is counted in the weekly PDF,
printed in the bundled font; an XLSX export; a data file of schema revision 0001, made
by this checkout, is upgraded by the installed app and read back; a leader's scheduled
``villagehelper sync`` against a real commune server on loopback; the installed size
stays under its budget.  Then the tarball's folder opens the same way.
Exits non-zero with the reason at the first failure.
"""

from __future__ import annotations

import argparse
import csv
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

from bundle_install import (
    COMMAND,
    VOLUNTEER_COLUMN,
    WINDOW_COMMAND,
    Sandbox,
    can_hide_python,
    deb_and_tarball,
    install_deb,
    installed_size,
    make_demo_data,
    unpack_tarball,
)

# The folder measured 230 MB before stripping, ~170 MB after (docs/packaging.md): the
# budget leaves room for a Qt update, not for a second Qt.
SIZE_BUDGET_MB = 200
REPORT_FONTS = ("VillageHelperSerif", "VillageHelperSerif-Bold", "VillageHelperSerif-Italic")
VIETNAM = timezone(timedelta(hours=7))
OLD_REVISION = "0001"
OLD_HOUSEHOLD_HEAD = "Đặng Văn Vỹ"
# A fontconfig that knows no folder: the report can only have the bundle's own font.
EMPTY_FONTCONFIG = '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n'


def check(condition: bool, failure: str) -> None:
    if not condition:
        raise SystemExit(f"smoke: FAILED: {failure}")


def check_no_python_reachable(sandbox: Sandbox) -> None:
    for python in ("python3", "python"):
        probe = f"if {python} -c 'import encodings' 2>/dev/null; then echo runs; else echo none; fi"
        answer = sandbox.run(["sh", "-c", probe]).stdout.strip()
        check(answer == "none", f"{python} still runs inside the sandbox")
    print("smoke: no Python is reachable inside the sandbox")


def check_version(sandbox: Sandbox, app: Path) -> None:
    printed = sandbox.run([str(app / COMMAND), "--version"]).stdout.strip()
    wanted = f"VillageHelper {version('villagehelper')}"
    check(printed == wanted, f"--version printed {printed!r}, not {wanted!r}")
    print(f"smoke: {printed}")


def check_window_opens(sandbox: Sandbox, app: Path, data_dir: Path) -> None:
    for command in (COMMAND, WINDOW_COMMAND):
        started = sandbox.run(
            [str(app / command), "--data-dir", str(data_dir)], VILLAGEHELPER_EXIT_WHEN_READY="data"
        )
        check(
            any(line.startswith("ready ") for line in started.stdout.splitlines()),
            f"{command} never showed its window with data: {started.stderr[-800:]}",
        )
    print("smoke: the window opens offscreen with the demo data (both executables)")


def log_visit_command(exported: Path, at: datetime) -> list[str]:
    """``villagehelper log-visit``'s arguments for a visit at ``at`` to the first exported
    row's household, logged by its volunteer: one service done, one to follow up in a
    week (typed as a volunteer types a date)."""
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    follow_up = (at + timedelta(days=7)).strftime("%d/%m/%y")
    return ["log-visit", "--household", row["Mã hộ"], "--by", row[VOLUNTEER_COLUMN],
            "--service", "VNEID_L1=done", "--service", f"VNEID_L2=hẹn lại:{follow_up}",
            "--note", "Kiểm tra gói cài đặt", "--at", at.strftime("%d/%m/%Y %H:%M")]  # fmt: skip


def week_total(sandbox: Sandbox, app: Path, data_dir: Path, week: str, pdf: Path) -> int:
    """Sessions counted on the printed report's "Tổng cộng" line (read from the PDF)."""
    fontconfig = data_dir.parent / "empty-fonts.conf"
    fontconfig.write_text(EMPTY_FONTCONFIG, encoding="utf-8")
    tally = [str(app / COMMAND), "--data-dir", str(data_dir), "tally", "--week", week]
    sandbox.run([*tally, "--pdf", str(pdf)], FONTCONFIG_FILE=str(fontconfig))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    totals = [line for line in text.splitlines() if line.strip().startswith("Tổng cộng")]
    check(len(totals) == 1, f"no single total line in the report:\n{text}")
    return int(re.findall(r"\d+", totals[0])[0])


def check_embedded_fonts(pdf: Path) -> None:
    listing = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
    # name, type (one or two words), encoding, then emb sub uni and the object's two numbers
    embedded = {
        fields[0]
        for fields in (line.split() for line in listing.stdout.splitlines()[2:])
        if fields[-5] == "yes"
    }
    check(set(REPORT_FONTS) <= embedded, f"report fonts not embedded:\n{listing.stdout}")


def check_visit_counted(sandbox: Sandbox, app: Path, data_dir: Path, exported: Path) -> None:
    at = datetime.now(VIETNAM).replace(microsecond=0) - timedelta(minutes=1)
    iso = at.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    before = week_total(sandbox, app, data_dir, week, data_dir.parent / "before.pdf")
    logged = sandbox.run(
        [str(app / COMMAND), "--data-dir", str(data_dir), *log_visit_command(exported, at)]
    ).stdout
    check("Đã lưu lượt hỗ trợ" in logged, f"log-visit did not say it saved:\n{logged}")
    pdf = data_dir.parent / "after.pdf"
    after = week_total(sandbox, app, data_dir, week, pdf)
    # One visit of two services is two sessions on the report.
    check(after == before + 2, f"week {week}: {before} sessions before the visit, {after} after")
    check_embedded_fonts(pdf)
    print(f"smoke: the visit logged is counted in week {week}'s PDF ({before} → {after}), "
          "printed in the bundled font with no system font available")  # fmt: skip


def make_old_store(data_dir: Path) -> None:
    """A laptop's data file of schema 0001 holding one household (as tests/test_store.py
    makes it), written by this checkout's code."""
    from villagehelper.paths import DATABASE_FILE
    from villagehelper.store import migrate

    data_dir.mkdir(parents=True)
    database = data_dir / DATABASE_FILE
    migrate.upgrade(database, clock=lambda: datetime.now(UTC), target=OLD_REVISION)
    sync = "NULL, NULL, 'dirty', 0, '2026-01-05T03:00:00.000000Z'"
    with sqlite3.connect(database) as connection:
        connection.executescript(
            f"""
            INSERT INTO communes VALUES ('10999', 'Xã Gia Lộc', '31', 'Thành phố Hải Phòng');
            INSERT INTO villages VALUES ('v1', '10999', 'Thôn Khay', 'thon khay', 'thon', 1,
                {sync});
            INSERT INTO households VALUES ('h1', 'v1', '{OLD_HOUSEHOLD_HEAD}', 'Xóm 2',
                '0912345678', '', NULL, 'x', {sync});
            """
        )
    connection.close()
    check(migrate.current_revision(database) == OLD_REVISION, "the old store was not made")


def check_old_store_upgraded(sandbox: Sandbox, app: Path, data_dir: Path) -> None:
    make_old_store(data_dir)
    households = data_dir.parent / "old-households.csv"
    command = [str(app / COMMAND), "--data-dir", str(data_dir), "export", "households"]
    sandbox.run([*command, "--out", str(households)])
    check(OLD_HOUSEHOLD_HEAD in households.read_text(encoding="utf-8-sig"), "old household lost")
    backups = [path.name for path in (data_dir / "backups").rglob("*") if path.is_file()]
    check(
        any(f"before-upgrade-{OLD_REVISION}" in name for name in backups),
        f"no backup before the upgrade: {backups}",
    )
    sandbox.run([*command, "--out", str(households)])  # opens again, now at the newest schema
    print(f"smoke: a data file of schema {OLD_REVISION} is upgraded (backup kept) and read back")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_answering(url: str, server: subprocess.Popen[str]) -> None:
    """Until the server answers HTTP (or has died), for at most a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        check(server.poll() is None, f"the commune server exited ({server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # an answer, if not a page
        except OSError:
            time.sleep(0.1)  # polling the port: the server tells nobody it is up
    raise SystemExit(f"smoke: FAILED: the commune server never answered on {url}")


def check_scheduled_sync(sandbox: Sandbox, app: Path, work: Path) -> None:
    """A leader's scheduled ``villagehelper sync`` from the installed command: enrolled
    with a one-time code on a real commune server (this checkout's, on loopback)."""
    server_command = [str(Path(sys.executable).with_name("villagehelper-server"))]
    server_command += ["--db", str(work / "commune-server.sqlite3")]

    def server(*args: str) -> str:
        done = subprocess.run([*server_command, *args], check=True, capture_output=True, text=True)
        return done.stdout

    server("add-commune", "10999", "Xã Gia Lộc")
    code = server("issue-code", "--commune", "10999", "--role", "leader").split()[-1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    running = subprocess.Popen(
        [*server_command, "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        _wait_until_answering(url, running)
        laptop = [str(app / COMMAND), "--data-dir", str(work / "synced-laptop")]
        sandbox.run([*laptop, "enroll", "--server", url, "--code", code])
        said = sandbox.run([*laptop, "sync"]).stdout.strip().splitlines()
        check(len(said) == 1 and "gửi" in said[0], f"sync said: {said}")
    finally:
        running.terminate()
        running.wait(timeout=30)
    print(f"smoke: enrolled on a commune server and synced from the command line: {said[0]}")


def check_spreadsheet(sandbox: Sandbox, app: Path, data_dir: Path) -> None:
    """openpyxl and its templates are in the bundle: an XLSX export opens as a workbook."""
    sheet = data_dir.parent / "households.xlsx"
    sandbox.run(
        [
            str(app / COMMAND),
            "--data-dir",
            str(data_dir),
            "export",
            "households",
            "--out",
            str(sheet),
        ]
    )
    with zipfile.ZipFile(sheet) as workbook:
        check("xl/workbook.xml" in workbook.namelist(), f"{sheet} is not a workbook")
    print("smoke: households exported to XLSX")


def check_size(app: Path) -> None:
    size_mb = installed_size(app) / 1e6
    print(f"smoke: installed size {size_mb:.0f} MB (budget {SIZE_BUDGET_MB} MB)")
    check(size_mb <= SIZE_BUDGET_MB, f"installed size {size_mb:.0f} MB over {SIZE_BUDGET_MB} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the folder scripts/build_app.py wrote")
    args = parser.parse_args(argv)
    deb, tarball = deb_and_tarball(args.dist.resolve())
    with tempfile.TemporaryDirectory(prefix="villagehelper-smoke-") as scratch:
        work = Path(scratch)
        sandbox = Sandbox(work / "home", hide_python=can_hide_python())
        if sandbox.hide_python:
            check_no_python_reachable(sandbox)
        else:
            print("smoke: WARNING: not root or no unshare: Python stays visible, env only")
        app = install_deb(deb, work / "installed")
        print(f"smoke: {deb.name} installed into {app}")
        check_size(app)
        check_version(sandbox, app)
        # Named as volunteers name their folders: spaces, Vietnamese, # and %.
        data_dir = work / "Dữ liệu tổ #1 (50% xong)"
        exported = make_demo_data(sandbox, app, data_dir, households=40, sessions=150)
        check_window_opens(sandbox, app, data_dir)
        check_visit_counted(sandbox, app, data_dir, exported)
        check_spreadsheet(sandbox, app, data_dir)
        check_old_store_upgraded(sandbox, app, work / "old-data")
        check_scheduled_sync(sandbox, app, work)
        unpacked = unpack_tarball(tarball, work / "Chương trình của tôi")
        check_version(sandbox, unpacked)
        check_window_opens(sandbox, unpacked, data_dir)
        print(f"smoke: {tarball.name} runs the same from {unpacked}")
    print("smoke: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
