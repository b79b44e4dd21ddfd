"""The campaign pictures of scripts/screenshots.py: the campaigns screen (the list,
progress by village, who is left) and the log-a-visit screen naming a person a campaign
still needs.

The demo data has no campaign, so one is made here the way a leader's laptop would: a
list of every fourth person of the commune (three rows nobody in the logbook matches),
stored with the core's add_targets, and some of them visited today.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication
from screenshot_support import MOMENT, SIZE, save, settle
from sqlalchemy import select

from villagehelper.campaigns import store_ops
from villagehelper.campaigns.matching import Candidate, MatchKind, TargetMatch
from villagehelper.campaigns.people import KnownPerson, known_people
from villagehelper.campaigns.target_rows import TargetRow
from villagehelper.clock import vietnam_today
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.ops.sessions import log_visit
from villagehelper.ops.team import list_team_members
from villagehelper.preferences import Preferences
from villagehelper.store.engine import Store
from villagehelper.store.models import Commune, Village
from villagehelper.store.peek import CommuneLabel
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker

SERVICE = "CASHLESS_WELFARE"
OUTCOMES = ("done", "done", "done", "follow_up", "failed", None, None, None)
STRANGERS = ("Hoàng Văn Khải", "Lò Thị Mai", "Đinh Văn Tường")


def _row(line: int, person: KnownPerson, village: str) -> TargetRow:
    return TargetRow(line, person.full_name, person.birth_year, village, person.phone, None)


def demo_campaign(store: Store, leader_id: str) -> KnownPerson:
    """A campaign with a list, some of it reached today; returns a person still to
    reach (for the visit picture)."""
    today = vietnam_today(MOMENT)
    with store.transaction() as session:
        commune = session.scalars(select(Commune)).one()
        villages = {v.id: v.name for v in session.scalars(select(Village))}
        people = known_people(session, commune.code)[::4]
        campaign_id = store_ops.create_campaign(
            session,
            name="Nhận lương hưu không dùng tiền mặt",
            service_codes=(SERVICE,),
            deadline=today + timedelta(days=20),
            created_by=leader_id,
        ).row_id
        store_ops.create_campaign(
            session,
            name="Cài VssID cho người cao tuổi",
            service_codes=("VSSID",),
            deadline=today + timedelta(days=45),
            created_by=leader_id,
        )
        matches = [
            TargetMatch(
                _row(line, person, villages[person.village_id]),
                MatchKind.LINKED,
                (Candidate(person, 0.99, ()),),
            )
            for line, person in enumerate(people, start=2)
        ]
        first_village = villages[people[0].village_id]
        matches += [
            TargetMatch(
                TargetRow(line, name, 1958, first_village, None, None), MatchKind.UNMATCHED, ()
            )
            for line, name in enumerate(STRANGERS, start=len(people) + 2)
        ]
        store_ops.add_targets(session, campaign_id, matches, villages)
    left = people[-1]
    for index, person in enumerate(people[:-1]):
        outcome = OUTCOMES[index % len(OUTCOMES)]
        if outcome is None:
            continue
        log_visit(
            store,
            VisitInput(
                person.household_id,
                leader_id,
                [
                    ServiceOutcome(
                        SERVICE,
                        outcome,
                        follow_up_date=today + timedelta(days=3)
                        if outcome == "follow_up"
                        else None,
                        failure_reason="Chưa có tài khoản ngân hàng" if outcome == "failed" else "",
                    )
                ],
                person.member_id,
            ),
        )
    return left


def shoot_campaigns(app: QApplication, store: Store, out: Path) -> None:
    from villagehelper.ui.shell.main_window import MainWindow

    leader = next(m for m in list_team_members(store) if m.is_leader)
    left = demo_campaign(store, leader.id)
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
