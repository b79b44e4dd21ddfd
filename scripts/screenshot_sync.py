"""The screenshots of syncing with a commune server: a leader's and a volunteer's laptop
synced through a real server on loopback, then sync settings, conflicts, a wrong clock,
implausible dates, a restore that carries work over, and a new laptop joining.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QTabWidget
from screenshot_support import (
    MOMENT,
    SIZE,
    first_run_wizard,
    save,
    save_modal,
    settle,
)

from villagehelper.ops.team import list_team_members
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store, open_store
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker

if TYPE_CHECKING:
    from villagehelper.server.embedded import EmbeddedServer as EmbeddedServerType
    from villagehelper.ui.shell.main_window import MainWindow as MainWindowType


def synced_commune(root: Path) -> tuple[Store, Store, EmbeddedServerType]:
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

    leader, other, server = synced_commune(root)
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


def household_named(store: Store, head_name: str) -> str:
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
    home = household_named(ahead, "Lê Văn Tám")
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
    home = household_named(leader, "Lê Văn Tám")
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


def shoot_join(app: QApplication, folder: Path, out: Path, server_url: str) -> None:
    """A new laptop's first run: joining the commune server, filled in."""
    with first_run_wizard(app, folder) as (wizard, executor):
        wizard.join_server()
        dialog = wizard.join_dialog
        assert dialog is not None
        dialog.server.setText(server_url)
        dialog.code.setText("K7M2Q-9XHPT")
        dialog.device_name.setText("Máy nhà văn hóa thôn Khay")
        settle(app, executor)
        save(dialog, out, "join-server")
        dialog.reject()
