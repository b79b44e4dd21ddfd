"""Work for the console's count pages' tests: a leader's and a volunteer's laptop that
log sessions in two villages and sync them through the console's real server, and the
figures read back from a page.  The expected numbers are always the laptops' own tally
(``compute_tally`` on the leader's laptop, which holds everyone's work after its sync),
never the page under test."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.sync_support import Laptop, LoopbackServer, enrol_laptop, open_laptop, set_up_commune
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.store.kinds import Outcome

# The residents the laptops log: none of these names may appear on a console page.
RESIDENTS = ("Lê Văn Tám", "Đỗ Thị Mai", "Vũ Văn Cường", "Trần Thị Lụa")


@dataclass
class SyncedCommune:
    """The leader's laptop (holding every laptop's work after its last sync) and the
    volunteer's."""

    leader: Laptop
    volunteer: Laptop
    villages: dict[str, str]  # name → id


def two_laptops_synced(server: LoopbackServer, tmp_path: Path) -> SyncedCommune:
    """Two laptops, two villages, four households; one follow-up, some failures."""
    commune = set_up_commune(server, tmp_path)
    leader = commune.leader
    huu = team.add_village(leader.store, "Thôn Hữu Chung")
    leader.sync()
    volunteer = enrol_laptop(server, open_laptop(tmp_path, "volunteer"))
    volunteer.sync()  # learns the villages and the team
    work = (
        (leader, commune.village_id, RESIDENTS[0], ("VNEID_L1", "DVC_ACCOUNT")),
        (volunteer, huu.id, RESIDENTS[1], ("VNEID_L1", "EHEALTH", "BANK_ACCOUNT")),
        (volunteer, commune.village_id, RESIDENTS[2], ("VSSID",)),
        (leader, huu.id, RESIDENTS[3], ("DVC_ACCOUNT", "VNEID_L1")),
    )
    for laptop, village, head, services in work:
        household = households.create_household(
            laptop.store, HouseholdInput(village, head), [MemberInput(head, 1958)]
        )
        outcomes = [
            ServiceOutcome(code)
            if index == 0
            else ServiceOutcome(code, Outcome.FOLLOW_UP, date(2026, 12, 1))
            if index == 1
            else ServiceOutcome(code, Outcome.FAILED, None, "mất mạng")
            for index, code in enumerate(services)
        ]
        sessions.log_visit(laptop.store, VisitInput(household.id, commune.member_id, outcomes))
        laptop.sync()
    leader.sync()  # the leader's laptop now holds the volunteer's work too
    return SyncedCommune(
        leader, volunteer, {"Thôn Khay": commune.village_id, "Thôn Hữu Chung": huu.id}
    )


def count_shown(text: str) -> int:
    """A count as a Vietnamese page writes it: 2.167, a dot between thousands."""
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", text.strip()), f"not a Vietnamese count: {text!r}"
    return int(text.strip().replace(".", ""))


def number_with_id(page: str, element_id: str) -> int:
    """The number an element of the page shows (``<span id="...">12</span>``)."""
    found = re.search(rf'id="{element_id}">\s*([\d.]+)\s*<', page)
    assert found is not None, f"no #{element_id} on the page"
    return count_shown(found[1])


def table_rows(page: str, table_id: str) -> dict[str, list[int]]:
    """A table's rows by their header cell's text: the numbers of their cells."""
    start = page.index(f'<table id="{table_id}">')
    table = page[start : page.index("</table>", start)]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header is None:
            continue
        name = re.sub(r"<[^>]+>", "", header[1]).strip()
        rows[name] = [count_shown(cell) for cell in re.findall(r"<td>\s*([\d.]+)\s*</td>", row)]
    return rows


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext lays it out."""
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode("utf-8")


def total_line(text: str) -> list[int]:
    """The last three numbers of the report's total row: sessions, people, lũy kế."""
    total = next(line for line in text.splitlines() if line.strip().startswith("Tổng cộng"))
    return [int(value) for value in total.split()[-3:]]
