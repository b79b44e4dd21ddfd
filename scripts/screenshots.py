"""Regenerate docs/screenshots/*.png from the demo data (offscreen, no display needed).

    python scripts/screenshots.py [--out docs/screenshots]

Every picture is the real window rendered by Qt (QWidget.grab), in Vietnamese, and the
log-a-visit screen once more in English.  The laptop-*.png pictures show log a visit, the
household page and the tally on a 1366×768 screen at 100 % and at 125 % scaling with large
text, each window at the size it takes there (one process per variant).  A question the
app asks modally (a QMessageBox run with exec()) is grabbed from inside its own event
loop, then answered "No".
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from screenshot_campaigns import shoot_campaigns
from screenshot_laptop import laptop_pictures, shoot_laptop
from screenshot_support import (
    MOMENT,
    SIZE,
    choose_services,
    demo_store,
    first_page_png,
    first_run_wizard,
    leader_window,
    save,
    settle,
    with_language,
)
from screenshot_sync import shoot_sync

from villagehelper.ops.team import list_team_members
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.shell.app import apply_text_size
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker


def shoot_wizard(app: QApplication, folder: Path, out: Path) -> None:
    with first_run_wizard(app, folder) as (wizard, executor):
        search = wizard.findChild(QWidget, "communeSearch")
        if search is not None:
            search.setProperty("text", "gia loc")
        settle(app, executor)
        save(wizard, out, "wizard")


def shoot_main(app: QApplication, store: Store, out: Path, language: str) -> None:
    from villagehelper.ui.household.page import HouseholdPage
    from villagehelper.ui.shell.main_window import MainWindow

    executor = Worker()
    volunteer = next(m for m in list_team_members(store) if m.is_leader)
    ctx = AppContext(store, executor, Preferences(language=language, volunteer_id=volunteer.id))
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    settle(app, executor)
    suffix = "" if language == "vi" else f"-{language}"

    view = window.log_visit
    view.search.line.setText("nguyen van")
    settle(app, executor)
    hit = view.search.model.hit(0)
    if hit is not None:
        choose_services(app, executor, window, hit.id, ("VNEID_L2", "EHEALTH"))
    save(window, out, f"log-visit{suffix}")
    if language != "vi":
        window.close()
        executor.shutdown()
        return

    screens: list[tuple[str, Callable[[], QWidget]]] = [
        ("sessions", lambda: window.sessions),
        ("households", lambda: window.households),
        ("follow-ups", lambda: window.follow_ups),
        ("settings", lambda: window.settings),
    ]
    for name, screen in screens:
        window.tabs.setCurrentWidget(screen())
        settle(app, executor)
        save(window, out, name)

    from villagehelper.ui.tally.period import PeriodMode

    window.tabs.setCurrentWidget(window.tally)
    window.tally.period.set_mode(PeriodMode.LAST_WEEK)  # a whole week of the demo's visits
    settle(app, executor)
    save(window, out, "tally")

    if hit is not None:
        page = HouseholdPage(ctx, hit.id, window)
        page.resize(1000, 700)
        page.show()
        settle(app, executor)
        save(page, out, "household-page")
        page.close()
    window.close()
    executor.shutdown()


def shoot_weekly_report(store: Store, out: Path, work: Path) -> None:
    """Page 1 of the printed weekly tally for the demo's last full week, as a PNG."""
    import shutil

    from villagehelper.clock import vietnam_today
    from villagehelper.reports.weekly import build_weekly_document, write_pdf
    from villagehelper.tally.engine import compute_tally
    from villagehelper.tally.periods import week_containing

    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found (apt poppler-utils): weekly report page skipped")
        return
    today = vietnam_today(MOMENT)
    tally = compute_tally(store, week_containing(today - timedelta(days=7)))
    commune = store.commune()
    team = list_team_members(store)
    leader = next(m for m in team if m.is_leader)
    document = build_weekly_document(
        tally,
        commune_name=commune.name if commune else "",
        village_name=None,
        prepared_by=next(m for m in team if not m.is_leader).full_name,
        leader_name=leader.full_name,
        printed_on=today,
    )
    pdf = work / "weekly.pdf"
    write_pdf(document, pdf)
    first_page_png(pdf, out / "weekly-report")
    print(f"wrote {out / 'weekly-report.png'}")


def shoot_purge(app: QApplication, store: Store, out: Path) -> None:
    """The daily retention check offers the leader the households past the period.  The
    demo holds one year, so this commune keeps personal details for 12 months."""
    from villagehelper.ui.settings.purge_dialog import PurgeDialog

    window, executor = leader_window(app, store, retention_months=12)
    window.retention.run_now()
    settle(app, executor)
    dialog = window.findChild(PurgeDialog, "purgeDialog")
    assert isinstance(dialog, PurgeDialog), "the demo has no household past 12 months"
    settle(app, executor)
    save(dialog, out, "purge-offer")
    dialog.reject()  # "Để sau": nothing is erased
    window.close()
    executor.shutdown()


def shoot_already_open(app: QApplication, out: Path) -> None:
    """What a second start of the app on the same data folder says."""
    from villagehelper.ui.shell.single_instance import already_open_box

    box = already_open_box(None)
    box.show()
    app.processEvents()
    save(box, out, "already-open")
    box.close()


def shoot_lock(app: QApplication, store: Store, out: Path) -> None:
    """The window locked (two members have a PIN) and the PIN settings of a member."""
    from villagehelper.keys.key_file import Keyring
    from villagehelper.ui.shell.main_window import MainWindow

    team = list_team_members(store)
    leader = next(m for m in team if m.is_leader)
    member = next(m for m in team if not m.is_leader)
    keyring = Keyring.load(store.data_dir)
    key = keyring.data_key()
    keyring.set_pin(leader.id, leader.full_name, "258036", key, is_leader=True)
    keyring.set_pin(member.id, member.full_name, "917264", key)
    executor = Worker()
    ctx = AppContext(store, executor, Preferences(volunteer_id=member.id), data_key=key)
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    window.tabs.setCurrentWidget(window.settings)
    settle(app, executor)
    while ctx.key_worker.busy():
        app.processEvents()
    save(window, out, "pin-settings")
    window.window_lock.lock_now()
    while not window.window_lock.is_locked:
        app.processEvents()
    settle(app, executor)
    save(window, out, "lock-screen")
    window.close()
    executor.shutdown()
    ctx.shutdown_key_worker()
    for holder in (leader, member):
        keyring.remove_pin(holder.id, key)  # the English pictures show an unlocked app


def main(argv: list[str] | None = None) -> int:
    # The script builds and reads its demo data on this thread between pictures, on
    # purpose; the store's GUI-thread guard is for the app and its tests.
    with allowed_here():
        return _shoot(argv)


def _shoot(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--laptop", metavar="PREFIX", help="only the laptop pictures")
    parser.add_argument("--large-text", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    apply_text_size(args.large_text)
    if args.laptop:
        with tempfile.TemporaryDirectory() as work:
            with_language(app, "vi")
            store = demo_store(Path(work) / "demo")
            try:
                shoot_laptop(app, store, args.out, args.laptop)
            finally:
                store.close()
        return 0
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        with_language(app, "vi")
        shoot_wizard(app, root / "fresh", args.out)
        store = demo_store(root / "demo")
        try:
            shoot_main(app, store, args.out, "vi")
            shoot_weekly_report(store, args.out, root)
            shoot_purge(app, store, args.out)
            shoot_sync(app, root / "sync", args.out)
            shoot_lock(app, store, args.out)
            shoot_already_open(app, args.out)
            with_language(app, "en")
            shoot_main(app, store, args.out, "en")
            # Last: the demo campaign it adds would show on the pictures above.
            with_language(app, "vi")
            shoot_campaigns(app, store, args.out)
        finally:
            store.close()
    laptop_pictures(args.out)
    QTimer.singleShot(0, app.quit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
