"""The campaign pictures of scripts/screenshots.py: the campaigns screen (the list,
progress by village, who is left) and the log-a-visit screen naming a person a campaign
still needs.

The demo data has no campaign, so one is made the way a leader's laptop would
(demo_campaign.py: a list of every fourth person of the commune, some visited today).
"""

from __future__ import annotations

from pathlib import Path

from demo_campaign import SERVICE, demo_campaign
from PySide6.QtWidgets import QApplication
from screenshot_support import MOMENT, SIZE, save, settle
from sqlalchemy import select

from villagehelper.ops.team import list_team_members
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store
from villagehelper.store.models import Commune
from villagehelper.store.peek import CommuneLabel
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker


def shoot_campaigns(app: QApplication, store: Store, out: Path) -> None:
    from villagehelper.ui.shell.main_window import MainWindow

    leader = next(m for m in list_team_members(store) if m.is_leader)
    left = demo_campaign(store, leader.id, MOMENT)
    executor = Worker()
    ctx = AppContext(store, executor, Preferences(language="vi", volunteer_id=leader.id))
    with store.reading() as session:
        commune = session.scalars(select(Commune)).one()
        # Named here: the window's own peek at the file is refused while this process
        # holds the store open after the pictures before.
        label = CommuneLabel(commune.name, commune.province_name)
    window = MainWindow(ctx, label)
    window.resize(*SIZE)
    window.show()
    settle(app, executor)
    view = window.campaigns
    window.tabs.setCurrentWidget(view)
    settle(app, executor)
    view.progress_table.setCurrentCell(0, 0)
    settle(app, executor)
    save(window, out, "campaigns")

    window.tabs.setCurrentWidget(window.log_visit)
    visit = window.log_visit
    visit.choose_household(left.household_id)
    settle(app, executor)
    visit.services_scroll.ensureWidgetVisible(visit.services.button(SERVICE))  # chosen
    settle(app, executor)
    save(window, out, "log-visit-campaign-hint")
    window.close()
    executor.shutdown()
