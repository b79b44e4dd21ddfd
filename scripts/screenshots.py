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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget

from villagehelper.demo.generate import generate_demo
from villagehelper.ops.team import list_team_members
from villagehelper.preferences import DEFAULT_RETENTION_MONTHS, Preferences
from villagehelper.store.engine import Store, open_store
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.shell.app import apply_text_size
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.shell.i18n import install_language

if TYPE_CHECKING:
    from villagehelper.server.embedded import EmbeddedServer as EmbeddedServerType
    from villagehelper.ui.shell.main_window import MainWindow as MainWindowType

# A fixed Thursday afternoon, so the pictures do not change from run to run.
MOMENT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
SIZE = (1366, 768)


def settle(app: QApplication, executor: Worker, rounds: int = 4) -> None:
    """Let queued database work finish and its results reach the widgets."""
    for _ in range(rounds):
        while executor.busy():
            app.processEvents()
        app.processEvents()


def save(widget: QWidget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


def save_modal(
    app: QApplication, out: Path, name: str, dialog_name: str, start: Callable[[], None]
) -> None:
    """Call ``start``, which leads to the modal dialog whose objectName is ``dialog_name``
    (run with exec()); grab it once it is up, then close it as "No" / "Cancel"."""
    import time

    seen: list[QDialog] = []

    def look() -> None:
        for widget in app.topLevelWidgets():
            if seen or not isinstance(widget, QDialog) or not widget.isVisible():
                continue
            if widget.objectName() == dialog_name:
                seen.append(widget)
                save(widget, out, name)
                widget.reject()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(look)
    timer.start()
    start()
    deadline = time.monotonic() + 60
    while not seen:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{dialog_name} did not open: {name}.png not made")
        app.processEvents()
    timer.stop()


def demo_store(folder: Path) -> Store:
    store = open_store(folder, clock=lambda: MOMENT)
    generate_demo(store, households=400, sessions=2500, seed=2025)
    return store


def with_language(app: QApplication, language: str) -> list[QTranslator]:
    for translator in app.findChildren(QTranslator):
        QCoreApplication.removeTranslator(translator)
    return install_language(app, language)


def shoot_wizard(app: QApplication, folder: Path, out: Path) -> None:
    from villagehelper.ui.first_run.wizard import FirstRunWizard

    store = open_store(folder, clock=lambda: MOMENT)
    executor = Worker()
    wizard = FirstRunWizard(store, executor)
    wizard.resize(900, 620)
    wizard.show()
    settle(app, executor)
    search = wizard.findChild(QWidget, "communeSearch")
    if search is not None:
        search.setProperty("text", "gia loc")
    settle(app, executor)
    save(wizard, out, "wizard")
    wizard.close()
    executor.shutdown()
    store.close()


def choose_services(
    app: QApplication,
    executor: Worker,
    window: MainWindowType,
    household_id: str,
    codes: tuple[str, ...],
) -> None:
    """Open the household on log a visit and tick ``codes``; the first one is a
    follow-up (its date shows)."""
    view = window.log_visit
    view.choose_household(household_id)
    settle(app, executor)
    for code in codes:
        view.services.button(code).setChecked(True)
    row = view.services.row(codes[0])
    if row is not None:
        row.follow_up.setChecked(True)
    settle(app, executor)


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
    import subprocess
    from datetime import timedelta

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
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(out / "weekly-report"),
        ],
        check=True,
    )
    print(f"wrote {out / 'weekly-report.png'}")


def leader_window(
    app: QApplication, store: Store, retention_months: int = DEFAULT_RETENTION_MONTHS
) -> tuple[MainWindowType, Worker]:
    """The main window as the demo commune's leader would have it (no PINs)."""
    from villagehelper.ui.shell.main_window import MainWindow

    executor = Worker()
    leader = next(m for m in list_team_members(store) if m.is_leader)
    ctx = AppContext(
        store, executor, Preferences(volunteer_id=leader.id, retention_months=retention_months)
    )
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    settle(app, executor)
    return window, executor


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


def _synced_commune(root: Path) -> tuple[Store, Store, EmbeddedServerType]:
    """A leader's laptop and a volunteer's, synced through a real server on loopback,
    with one conflict (both edited a household's notes) and one likely duplicate."""
    from villagehelper.ops import households, sessions, team
    from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
    from villagehelper.server import accounts
    from villagehelper.server.database import open_server_db
    from villagehelper.server.embedded import EmbeddedServer
    from villagehelper.sync import client

    # The server keeps the laptops' fixed time: their clocks agree (no clock warning).
    db = open_server_db(f"sqlite+pysqlite:///{root / 'server.sqlite3'}", clock=lambda: MOMENT)
    accounts.add_commune(db, "10999", "Xã Gia Lộc")
    server = EmbeddedServer(db)
    leader = open_store(root / "leader", clock=lambda: MOMENT)
    team.set_commune(leader, "10999")
    khay = team.add_village(leader, "Thôn Khay")
    team.add_village(leader, "Thôn Hữu Chung")
    chief = team.add_team_member(leader, "Phạm Đăng Xuyết", "leader", khay.id)
    team.add_team_member(leader, "Nguyễn Thị Hệ", "member", khay.id)
    tam = households.create_household(leader, HouseholdInput(khay.id, "Lê Văn Tám"))
    sessions.log_visit(leader, VisitInput(tam.id, chief.id, [ServiceOutcome("VNEID_L1")]))
    client.enrol(leader, server.url, accounts.issue_code(db, "10999", "leader"), "Máy tổ trưởng")
    client.sync_once(leader)
    other = open_store(root / "volunteer", clock=lambda: MOMENT)
    client.enrol(
        other, server.url, accounts.issue_code(db, "10999", "volunteer"), "Máy nhà văn hóa"
    )
    client.sync_once(other)
    households.update_household(
        leader, tam.id, HouseholdInput(khay.id, "Lê Văn Tám", notes="Mắt kém, cần chữ to")
    )
    households.update_household(
        other, tam.id, HouseholdInput(khay.id, "Lê Văn Tám", notes="Con trai ở Hà Nội giúp")
    )
    households.create_household(other, HouseholdInput(khay.id, "Lê Văn Tám", "Xóm 2"))
    client.sync_once(leader)
    client.sync_once(other)
    client.sync_once(leader)
    sessions.log_visit(leader, VisitInput(tam.id, chief.id, [ServiceOutcome("EHEALTH")]))
    return leader, other, server


def shoot_sync(app: QApplication, root: Path, out: Path) -> None:
    """Settings → sync (enrolled), the status bar, and the leader's conflict review."""
    from villagehelper.ui.shell.main_window import MainWindow

    leader, other, server = _synced_commune(root)
    executor = Worker()
    chief = next(m for m in list_team_members(leader) if m.is_leader)
    ctx = AppContext(leader, executor, Preferences(volunteer_id=chief.id))
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    settle(app, executor)
    while window.sync.status is None or window.sync.running:
        app.processEvents()
    window.tabs.setCurrentWidget(window.settings)
    settle(app, executor)
    save(window, out, "sync-settings")
    dialog = window.review_conflicts()
    settle(app, executor)
    save(dialog, out, "sync-conflicts")
    dialog.close()
    shoot_clock_wrong(app, window, executor, server, out)
    shoot_implausible(app, window, executor, server, folder=root / "ahead", out=out)
    shoot_restore(app, window, executor, (leader, other), out)
    window.close()
    executor.shutdown()
    shoot_join(app, root / "joining", out, server.url)
    server.stop()
    other.close()
    leader.close()


def sync_window(app: QApplication, window: MainWindowType, executor: Worker) -> None:
    """One sync round of ``window``'s laptop, as "Đồng bộ ngay" runs it."""
    window.sync.sync_now()
    while window.sync.running:
        app.processEvents()
    settle(app, executor)


def _household_named(store: Store, head_name: str) -> str:
    from sqlalchemy import select

    from villagehelper.store.models import Household

    with store.reading() as session:
        found = session.scalars(
            select(Household.id).where(Household.head_name == head_name).order_by(Household.id)
        ).first()
    assert found is not None, head_name
    return found


def shoot_clock_wrong(
    app: QApplication,
    window: MainWindowType,
    executor: Worker,
    server: EmbeddedServerType,
    out: Path,
) -> None:
    """The banner over the screens when a sync finds the laptop's clock wrong: the commune
    server reads seven hours less (a wrong time zone).  With the server's time back in
    step, the next round takes the banner away: no other picture shows it."""
    server.db.clock = lambda: MOMENT - timedelta(hours=7)
    window.tabs.setCurrentWidget(window.sessions)
    sync_window(app, window, executor)
    while not window.clock_banner.isVisible():
        app.processEvents()
    settle(app, executor)
    save(window, out, "clock-wrong")
    server.db.clock = lambda: MOMENT
    sync_window(app, window, executor)
    while window.clock_banner.isVisible():
        app.processEvents()


def shoot_implausible(
    app: QApplication,
    window: MainWindowType,
    executor: Worker,
    server: EmbeddedServerType,
    *,
    folder: Path,
    out: Path,
) -> None:
    """A laptop whose clock was set to 2031 (a mistyped year) sends a visit; the server
    holds its sessions back, and the leader's review lists them with why."""
    from villagehelper.ops import sessions
    from villagehelper.ops.inputs import ServiceOutcome, VisitInput
    from villagehelper.server import accounts
    from villagehelper.sync import client

    ahead = open_store(folder, clock=lambda: MOMENT.replace(year=2031))
    code = accounts.issue_code(server.db, "10999", "volunteer")
    client.enrol(ahead, server.url, code, "Máy thôn Hữu Chung")
    client.sync_once(ahead)
    member = next(m for m in list_team_members(ahead) if not m.is_leader)
    services = [ServiceOutcome("VNEID_L2"), ServiceOutcome("EHEALTH")]
    home = _household_named(ahead, "Lê Văn Tám")
    sessions.log_visit(ahead, VisitInput(home, member.id, services))
    client.sync_once(ahead)
    ahead.close()
    sync_window(app, window, executor)
    dialog = window.review_conflicts()
    settle(app, executor)
    tabs = dialog.findChild(QTabWidget)
    assert tabs is not None
    tabs.setCurrentWidget(dialog.implausible)
    settle(app, executor)
    save(dialog, out, "implausible-dates")
    dialog.close()


def shoot_restore(
    app: QApplication,
    window: MainWindowType,
    executor: Worker,
    laptops: tuple[Store, Store],
    out: Path,
) -> None:
    """Settings → restore the backup made this afternoon: before anything is replaced the
    question says what the backup lacks — work on the server, and work not yet sent,
    which is carried over unless the box is unticked.  Answered "No"."""
    from villagehelper.backups.copies import backup_now
    from villagehelper.ops import sessions
    from villagehelper.ops.inputs import ServiceOutcome, VisitInput
    from villagehelper.sync import client

    leader, other = laptops  # the window's (the leader's) and the volunteer's
    backup = backup_now(leader.data_dir, MOMENT, key=leader.key).path
    home = _household_named(leader, "Lê Văn Tám")
    volunteer = next(m for m in list_team_members(other) if not m.is_leader)
    sessions.log_visit(other, VisitInput(home, volunteer.id, [ServiceOutcome("VNEID_L1")]))
    client.sync_once(other)  # since the backup: a visit on the server …
    sync_window(app, window, executor)
    chief = next(m for m in list_team_members(leader) if m.is_leader)
    for service in ("VNEID_L2", "DVC_ACCOUNT"):  # … and two not sent yet
        sessions.log_visit(leader, VisitInput(home, chief.id, [ServiceOutcome(service)]))
    window.tabs.setCurrentWidget(window.settings)
    settle(app, executor)
    save_modal(
        app,
        out,
        "restore-carry",
        "restoreQuestion",
        lambda: window.settings.restore(backup, confirm=True),
    )
    settle(app, executor)


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


def shoot_join(app: QApplication, folder: Path, out: Path, server_url: str) -> None:
    """A new laptop's first run: joining the commune server, filled in."""
    from villagehelper.ui.first_run.wizard import FirstRunWizard

    store = open_store(folder, clock=lambda: MOMENT)
    executor = Worker()
    wizard = FirstRunWizard(store, executor)
    wizard.resize(900, 620)
    wizard.show()
    settle(app, executor)
    wizard.join_server()
    dialog = wizard.join_dialog
    assert dialog is not None
    dialog.server.setText(server_url)
    dialog.code.setText("K7M2Q-9XHPT")
    dialog.device_name.setText("Máy nhà văn hóa thôn Khay")
    settle(app, executor)
    save(dialog, out, "join-server")
    dialog.reject()
    wizard.close()
    executor.shutdown()
    store.close()


# The laptop pictures: a 1366×768 screen, at 100 % and at 125 % scaling with large text.
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
    window.close()
    executor.shutdown()


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
            command = [sys.executable, __file__, "--out", str(out), "--laptop", prefix]
            subprocess.run(command + (["--large-text"] if large else []), env=env, check=True)


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
        finally:
            store.close()
    laptop_pictures(args.out)
    QTimer.singleShot(0, app.quit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
