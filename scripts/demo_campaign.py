"""A demo campaign for the screenshots, made the way a leader's laptop makes one: a list
of every fourth person of the commune (three rows nobody in the logbook matches), stored
with the core's add_targets, some of them visited on the day of ``moment``; and a second
campaign with no list yet.  The laptop's pictures (screenshot_campaigns.py) and the
console's (screenshot_console.py, once the laptop synced) show the same campaign.

No Qt here: the console's script drives a browser, not the app.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from villagehelper.campaigns import store_ops
from villagehelper.campaigns.matching import Candidate, MatchKind, TargetMatch
from villagehelper.campaigns.people import KnownPerson, known_people
from villagehelper.campaigns.target_rows import TargetRow
from villagehelper.clock import vietnam_today
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.ops.sessions import log_visit
from villagehelper.store.engine import Store
from villagehelper.store.models import Commune, Village

SERVICE = "CASHLESS_WELFARE"
OUTCOMES = ("done", "done", "done", "follow_up", "failed", None, None, None)
STRANGERS = ("Hoàng Văn Khải", "Lò Thị Mai", "Đinh Văn Tường")


def _row(line: int, person: KnownPerson, village: str) -> TargetRow:
    return TargetRow(line, person.full_name, person.birth_year, village, person.phone, None)


def demo_campaign(store: Store, leader_id: str, moment: datetime) -> KnownPerson:
    """A campaign with a list, some of it reached today; returns a person still to
    reach (for the visit picture)."""
    today = vietnam_today(moment)
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
