"""The console keeps a finished report PDF per process (``commune_report/kept.py``):
asked again, the same report is the kept file; one session synced by a laptop into the
period gives a new file with the new count; a new day a new date line.  Through a real
server and real laptops' syncs (SQLite and PostgreSQL); the expected numbers are the
leader's laptop's own tally."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.console_browser import COMMUNE, ConsoleServer, console, server_db_url
from tests.console_pages_support import pdf_text, total_line, two_laptops_synced
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server.commune_report.kept import forget_kept_reports, kept_report_counts
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week

__all__ = ["console", "server_db_url"]

WEEK = iso_week(2026, 48)  # the test clock's week


def _report(client: requests.Session, url: str) -> bytes:
    answer = client.get(f"{url}/xa/{COMMUNE}/bao-cao.pdf", params={"ky": WEEK.label})
    assert answer.status_code == 200, answer.text
    return answer.content


def test_a_kept_report_is_given_again_until_a_synced_session_changes_it(
    console: ConsoleServer, tmp_path: Path
) -> None:
    forget_kept_reports()
    synced = two_laptops_synced(console.server, tmp_path)
    client = console.signed_in_session("Hoa", "--commune", COMMUNE, role="viewer")
    before = compute_tally(synced.leader.store, WEEK).totals

    first = _report(client, console.url)
    assert total_line(pdf_text(first)) == [before.sessions, before.people, before.cumulative]
    hits, typeset = kept_report_counts()
    assert (hits, typeset) == (0, 1)
    assert _report(client, console.url) == first
    assert kept_report_counts() == (1, 1)  # the kept file, not typeset again

    # The volunteer helps one more person in the week and syncs: one new session.
    volunteer = synced.volunteer
    village = synced.villages["Thôn Hữu Chung"]
    household = households.create_household(
        volunteer.store, HouseholdInput(village, "Phan Văn Bảy"), [MemberInput("Bảy", 1960)]
    )
    helper = team.list_team_members(volunteer.store)[0].id
    visit = VisitInput(household.id, helper, [ServiceOutcome("VSSID")])
    sessions.log_visit(volunteer.store, visit)
    volunteer.sync()
    synced.leader.sync()  # the leader's laptop, whose tally is the expected one
    after = compute_tally(synced.leader.store, WEEK).totals
    assert after.sessions == before.sessions + 1

    changed = _report(client, console.url)
    assert total_line(pdf_text(changed)) == [after.sessions, after.people, after.cumulative]
    assert kept_report_counts() == (1, 2)

    console.clock.advance(days=1)  # the date line moves with the day
    client = console.signed_in_session("Lan", "--commune", COMMUNE, role="viewer")
    next_day = _report(client, console.url)
    assert kept_report_counts() == (1, 3)
    assert total_line(pdf_text(next_day)) == total_line(pdf_text(changed))
    assert pdf_text(next_day) != pdf_text(changed)
