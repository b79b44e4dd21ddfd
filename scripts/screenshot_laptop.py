"""The laptop-*.png screenshots: log a visit, the household page and the tally on a
1366×768 screen at 100 % and at 125 % with large text, each variant in a process of its own.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication
from screenshot_support import (
    choose_services,
    save,
    settle,
)

from villagehelper.ops.team import list_team_members
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker

if TYPE_CHECKING:
    from villagehelper.ui.shell.main_window import MainWindow

# The laptop pictures: a 1366×768 screen, at 100 % and at 125 % scaling with large text.
# Each variant runs this script again, in a process of its own.
SCREENSHOTS_SCRIPT = Path(__file__).with_name("screenshots.py")
LAPTOP_SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768}
LAPTOP_VARIANTS = (("1", False, "laptop-100"), ("1.25", True, "laptop-125-large"))


def shoot_laptop(app: QApplication, store: Store, out: Path, prefix: str) -> None:
    """Log a visit, the household page and the weekly tally as they open on the laptop's
    screen (this process was started on it): each window at the size it gives itself."""
    from villagehelper.ui.household.page import HouseholdPage
    from villagehelper.ui.shell.main_window import MainWindow
    from villagehelper.ui.shell.screen_fit import install_screen_fit
    from villagehelper.ui.tally.period import PeriodMode

    install_screen_fit(app)
    executor = Worker()
    volunteer = next(m for m in list_team_members(store) if m.is_leader)
    ctx = AppContext(store, executor, Preferences(volunteer_id=volunteer.id))
    window = MainWindow(ctx)
    window.show()
    settle(app, executor)
    view = window.log_visit
    view.search.line.setText("nguyen van")
    settle(app, executor)
    hit = view.search.model.hit(0)
    assert hit is not None, "the demo has no Nguyễn Văn"
    chosen = ("CASHLESS_WELFARE", "VNEID_L1", "DVC_DOSSIER")
    choose_services(app, executor, window, hit.id, chosen)
    save(window, out, f"{prefix}-log-visit")
    page = HouseholdPage(ctx, hit.id, window)
    page.show()
    settle(app, executor)
    save(page, out, f"{prefix}-household-page")
    page.close()
    window.tabs.setCurrentWidget(window.tally)
    window.tally.period.set_mode(PeriodMode.LAST_WEEK)
    settle(app, executor)
    save(window, out, f"{prefix}-tally")
    shoot_update(app, executor, window, out, prefix)
    window.close()
    executor.shutdown()


def shoot_update(
    app: QApplication, executor: Worker, window: MainWindow, out: Path, prefix: str
) -> None:
    """The «Có phiên bản mới» banner and its dialog, for an update the server offers."""
    from datetime import UTC, datetime

    from villagehelper.exchange.update_offer import UpdateOffer, this_platform

    offer = UpdateOffer(
        version="0.2.0",
        platform=this_platform(),
        filename="VillageHelper-0.2.0-setup.exe",
        size=96_400_000,
        sha256="0" * 64,
        notes="- Sửa lỗi in báo cáo tuần khi tên thôn dài.\n- Thêm dịch vụ VNeID mức 2.\n"
        "- Tải dữ liệu của xã nhanh hơn khi mạng yếu.",
        published_at=datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
    )
    window.tabs.setCurrentWidget(window.log_visit)
    window.update_banner.show_offer(offer)
    settle(app, executor)
    save(window, out, f"{prefix}-update-banner")
    dialog = window.update_banner.open_dialog()
    assert dialog is not None
    settle(app, executor)
    save(dialog, out, f"{prefix}-update-dialog")
    dialog.reject()


def laptop_pictures(out: Path) -> None:
    """Each laptop variant in a process of its own: Qt takes the screen and the scaling
    only when it starts."""
    import json
    import subprocess

    with tempfile.TemporaryDirectory() as work:
        config = Path(work) / "laptop-screen.json"
        screen = LAPTOP_SCREEN | {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
        config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
        for scale, large, prefix in LAPTOP_VARIANTS:
            env = dict(os.environ)
            env |= {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale}
            command = [
                sys.executable,
                str(SCREENSHOTS_SCRIPT),
                "--out",
                str(out),
                "--laptop",
                prefix,
            ]
            subprocess.run(command + (["--large-text"] if large else []), env=env, check=True)
