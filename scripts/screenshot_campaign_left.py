"""Regenerate docs/screenshots/campaign-left.png: the team's printed "who is left" list of
one village (reports/campaign_left.py), from the demo data the other screenshots use.

    python scripts/screenshot_campaign_left.py [--out docs/screenshots]

The demo's first village, a campaign for cashless welfare made a week before the
screenshots' moment, every person of that village over 60 on its list (linked as the
matcher would link them), and a few of them already visited: some done, some to see
again, one that failed.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date, timedelta
from pathlib import Path

# The laptop screenshots' moment (scripts/screenshot_support.py); the campaign started
# a week before it.
from screenshot_support import MOMENT, first_page_png

from villagehelper.campaigns import store_ops
from villagehelper.campaigns.left_printout import left_printout
from villagehelper.campaigns.matching import Candidate, MatchKind, TargetMatch
from villagehelper.campaigns.people import known_people
from villagehelper.campaigns.target_rows import TargetRow
from villagehelper.clock import vietnam_today
from villagehelper.demo.generate import generate_demo
from villagehelper.ops import sessions
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.ops.team import list_team_members, list_villages
from villagehelper.reports.campaign_left import write_left_pdf
from villagehelper.store.engine import open_store
from villagehelper.store.kinds import Outcome

SERVICE = "CASHLESS_WELFARE"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    today = vietnam_today(MOMENT)
    moments = {"now": MOMENT - timedelta(days=7)}
    with tempfile.TemporaryDirectory() as work:
        store = open_store(Path(work) / "demo", clock=lambda: moments["now"])
        generate_demo(store, households=400, sessions=2500, seed=2025)
        village = list_villages(store)[0]
        commune = store.commune()
        assert commune is not None  # the demo sets its commune
        leader = next(member for member in list_team_members(store) if member.is_leader)
        with store.transaction() as session:
            campaign_id = store_ops.create_campaign(
                session,
                name="Chi trả lương hưu, trợ cấp không dùng tiền mặt",
                service_codes=(SERVICE,),
                deadline=date(2026, 12, 31),
                created_by=leader.id,
            ).row_id
            elderly = [
                person
                for person in known_people(session, commune.code)
                if person.village_id == village.id
                and person.birth_year
                and person.birth_year <= today.year - 60
            ][:40]
            matches = [
                TargetMatch(
                    TargetRow(line, p.full_name, p.birth_year, village.name, p.phone, None),
                    MatchKind.LINKED,
                    (Candidate(p, 0.999, ()),),
                )
                for line, p in enumerate(elderly, start=2)
            ]
            store_ops.add_targets(session, campaign_id, matches, {village.id: village.name})
        moments["now"] = MOMENT
        later = ServiceOutcome(SERVICE, Outcome.FOLLOW_UP, today + timedelta(days=3))
        failed = ServiceOutcome(SERVICE, Outcome.FAILED, failure_reason="Chưa có tài khoản")
        outcomes = [ServiceOutcome(SERVICE)] * 8 + [later] * 4 + [failed]
        for person, outcome in zip(elderly, outcomes, strict=False):
            visit = VisitInput(person.household_id, leader.id, [outcome], person.member_id)
            sessions.log_visit(store, visit)
        printout = left_printout(store, campaign_id, village.id, prepared_by_id=leader.id)
        pdf = Path(work) / "campaign-left.pdf"
        write_left_pdf(printout, pdf, today)
        store.close()
        target = args.out / "campaign-left"
        first_page_png(pdf, target)
        print(f"wrote {target}.png")


if __name__ == "__main__":
    main()
