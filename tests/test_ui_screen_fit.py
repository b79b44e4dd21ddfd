"""Every window and dialog fits the cultural house's 1366×768 laptop, at 100 % and 125 %
scaling, with and without the app's large text: nothing outside the area Windows leaves a
window, no text cut (tests/layout_check.py says what that means).

Qt fixes the screen and the scaling when it starts, so each combination runs the windows in
a process of its own (tests/screen_fit_driver.py) on an offscreen screen of 1366×768.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import Team
from tests.layout_check import TASKBAR, TITLE_BAR
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.shell.context import AppContext

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "screen_fit_driver.py"
WIDTH, HEIGHT = 1366, 768


def laptop_screen(folder: Path) -> str:
    """The offscreen platform with one 1366×768 screen at 96 dpi."""
    config = folder / "laptop-screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT}
    screen |= {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return f"offscreen:configfile={config}"


def run_driver(folder: Path, scale: str, large_text: bool) -> dict[str, object]:
    out = folder / "report.json"
    env = dict(os.environ)
    env |= {"QT_QPA_PLATFORM": laptop_screen(folder), "QT_SCALE_FACTOR": scale}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "tests.screen_fit_driver", str(out)]
    done = subprocess.run(  # noqa: PLW1510  (the exit code is asserted, with stderr)
        command + (["--large-text"] if large_text else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


@pytest.mark.parametrize("large_text", [False, True], ids=["normal-text", "large-text"])
@pytest.mark.parametrize("scale", ["1", "1.25"], ids=["100%", "125%"])
def test_every_window_fits_the_laptop_screen(tmp_path: Path, scale: str, large_text: bool) -> None:
    report = run_driver(tmp_path, scale, large_text)
    # The screen really was the laptop's, in Qt's scaled pixels.
    factor = float(scale)
    assert report["screen"] == [round(WIDTH / factor), round(HEIGHT / factor)]
    sizes = report["sizes"]
    assert isinstance(sizes, dict)
    assert len(sizes) >= 30, sorted(sizes)  # the driver did open every window
    problems = report["problems"]
    assert isinstance(problems, list)
    assert problems == [], "\n".join(str(p) for p in problems)
    # Measured: no window taller than Windows leaves (697 px at 100 %, 543 at 125 %).
    tallest = max(int(size[1]) for size in sizes.values())
    assert tallest <= HEIGHT / factor - TASKBAR


def test_log_a_visit_and_the_tally_have_room_at_125_percent_with_large_text(
    tmp_path: Path,
) -> None:
    """The cramped case: 1093×543 px. With a household and its history chosen (and
    today's list full), a volunteer sees at least three rows of services whole, without
    scrolling; F7 shows everything without sideways scrolling (the chart goes below)."""
    report = run_driver(tmp_path, "1.25", large_text=True)
    measures = report["measures"]
    assert isinstance(measures, dict)
    assert measures["service rows seen"] >= 3
    assert measures["F7 sideways scroll bars"] == []


# --- every window is in the driver ----------------------------------------------------

UI = ROOT / "villagehelper" / "ui"
WINDOW_BASES = {"QDialog", "QMainWindow", "QWizard", "QPrintPreviewDialog", "QMessageBox"}
# Windows the driver does not open, and why each fits anyway.
NOT_DRIVEN = {
    # A message box of one or two sentences asked with the static QMessageBox functions:
    # Qt sizes it to its text within the screen, and ScreenFit places it (the driver opens
    # several message boxes built the same way, the longest texts included).
    "shell/app.py": "start-up messages (QMessageBox.critical)",
    "lock/leader_gate.py": "no leader with a PIN (QMessageBox.information)",
    "settings/pin_settings.py": "remove a PIN? (QMessageBox.question)",
    "settings/recovery.py": "restore a backup? (QMessageBox.question/critical)",
    "settings/settings_view.py": "restore from a file? (QMessageBox, exec)",
    "household/privacy_panel.py#information": "export written (QMessageBox.information)",
    "shell/single_instance.py#critical": "the lock file cannot be made (QMessageBox.critical)",
}


def _window_classes() -> dict[str, str]:
    """Every class of villagehelper/ui that is a window or dialog: name → file."""
    found = {}
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                if bases & WINDOW_BASES:
                    found[node.name] = path.relative_to(UI).as_posix()
    return found


def test_the_driver_opens_every_window_class() -> None:
    classes = _window_classes()
    assert len(classes) >= 14, classes
    driver = DRIVER.read_text(encoding="utf-8")
    # MainWindow and the review dialogs open through the main window's own methods.
    opened_by_window = {"ConflictsDialog": "review_conflicts", "SetAsideDialog": "review_set_aside"}
    opened_by_window |= {"PurgeDialog": "offer_purge", "HouseholdPage": "HouseholdPage"}
    opened_by_window |= {"EditDialog": "edit_household", "MergeDialog": "merge_duplicate"}
    opened_by_window |= {"ReportPreview": "report.preview()", "FirstRunWizard": "FirstRunWizard"}
    opened_by_window |= {"CreateCampaignDialog": "look_at_campaigns"}
    opened_by_window |= {"ImportDialog": "look_at_campaigns"}  # tests/screen_fit_campaigns.py
    missing = [
        name
        for name in classes
        if name not in driver and opened_by_window.get(name, "\0") not in driver
    ]
    assert missing == [], f"windows no test opens on the laptop screen: {missing}"


def test_every_message_box_is_driven_or_said_why_not() -> None:
    """Each file that shows a QMessageBox: the driver opens its boxes, or NOT_DRIVEN says
    why the box fits anyway."""
    driven = {"shell/feedback.py", "household/page.py", "lock/window_lock.py"}
    driven |= {"shell/single_instance.py", "household/privacy_panel.py"}
    driven |= {"log_visit/visit_undo.py"}
    shown = {
        path.relative_to(UI).as_posix()
        for path in UI.rglob("*.py")
        if "QMessageBox" in path.read_text(encoding="utf-8") and path.name != "screen_fit.py"
    }
    exempt = {key.split("#")[0] for key in NOT_DRIVEN}
    assert shown - driven - exempt == set()


# --- in this process: the clamping itself ---------------------------------------------


def test_a_window_asking_for_more_than_the_screen_is_shrunk_and_moved_inside(
    qtbot: QtBot,
) -> None:
    from PySide6.QtCore import QPoint, QSize
    from PySide6.QtWidgets import QDialog

    from villagehelper.ui.shell.screen_fit import fit_window

    dialog = QDialog()
    qtbot.addWidget(dialog)
    screen = dialog.screen().geometry()
    # Remembered from a bigger screen: larger than this one and partly off it.
    dialog.move(QPoint(screen.right() - 50, screen.bottom() - 20))
    fit_window(dialog, QSize(screen.width() + 400, screen.height() + 300))
    dialog.show()
    placed = dialog.geometry()
    assert placed.top() >= screen.top() + TITLE_BAR  # the title bar can be reached
    assert placed.bottom() <= screen.bottom() - TASKBAR  # above the taskbar
    assert placed.left() >= screen.left() and placed.right() <= screen.right()
    assert placed.width() >= screen.width() - 8  # as large as the screen allows


def test_the_chart_legend_wraps_long_service_names_instead_of_cutting_them(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    """F7's legend beside a narrow chart: every service name whole, on more lines."""
    from datetime import date

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontMetrics

    from villagehelper.ops import households, sessions
    from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
    from villagehelper.ops.team import list_services
    from villagehelper.tally.history import weekly_history
    from villagehelper.ui.tally.chart import WeeklyChart

    store = village_team.store
    with allowed_here():
        home = households.create_household(
            store, HouseholdInput(village_team.village_id, "Lê Văn Tám")
        )
    with allowed_here():
        for service in list_services(store)[:6]:
            visit = VisitInput(home.id, village_team.member_id, [ServiceOutcome(service.code)])
            sessions.log_visit(store, visit)
    chart = WeeklyChart()
    qtbot.addWidget(chart)
    chart.resize(360, 420)  # the chart's narrowest
    font = chart.font()
    font.setPointSize(15)  # the app's large text
    chart.setFont(font)
    with allowed_here():
        chart.set_history(weekly_history(store, date(2026, 11, 23)))
    metrics = QFontMetrics(chart.font())
    rows = chart.legend_rows()
    assert len(rows) == 6
    for band, lines in rows:
        total = metrics.horizontalAdvance(str(band.total))
        room = chart.width() - total  # more than the name ever gets: fewest lines needed
        needed = metrics.boundingRect(
            0, 0, room, 100 * metrics.height(), Qt.TextFlag.TextWordWrap, band.label
        ).height()
        assert lines * metrics.height() >= needed, band.label
    # "Cài đặt VNeID, tài khoản định danh điện tử mức 1" does not fit one line at 360 px.
    assert any(lines > 1 for _band, lines in rows)
