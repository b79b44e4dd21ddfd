"""The commune's report on the server from what laptops synced through a real server
(SQLite and PostgreSQL): the commune's replica brought up to date, the laptops' engine on
it, the PDF and the XLSX read back against each laptop's own tally of the same week."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import openpyxl

from tests.sync_support import COMMUNE, LoopbackServer, enrol_laptop, open_laptop, set_up_commune
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server.commune_report.figures import figures_on_server
from villagehelper.server.commune_report.pdf import commune_report_pdf
from villagehelper.server.commune_report.table import Orientation
from villagehelper.server.commune_report.xlsx import commune_report_xlsx
from villagehelper.server.replicas import CommuneReplicas
from villagehelper.store.kinds import Outcome
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week

WEEK = iso_week(2026, 48)  # the test clock's week: Monday 23 November 2026


def test_the_servers_report_equals_the_laptops_tally_after_they_synced(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader.store
    huu = team.add_village(leader, "Thôn Hữu Chung")
    commune.leader.sync()
    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    volunteer.sync()  # learns the villages and the team
    for laptop, village, head, services in (
        (commune.leader, commune.village_id, "Lê Văn Tám", ("VNEID_L1", "DVC_ACCOUNT")),
        (volunteer, huu.id, "Đỗ Thị Mai", ("VNEID_L1", "EHEALTH")),
        (volunteer, commune.village_id, "Vũ Văn Cường", ("VSSID",)),
    ):
        household = households.create_household(
            laptop.store, HouseholdInput(village, head), [MemberInput(head, 1958)]
        )
        sessions.log_visit(
            laptop.store,
            VisitInput(
                household.id,
                commune.member_id,
                [
                    ServiceOutcome(code)
                    if index == 0
                    else ServiceOutcome(code, Outcome.FAILED, None, "mất mạng")
                    for index, code in enumerate(services)
                ],
            ),
        )
        laptop.sync()
    commune.leader.sync()  # the leader's laptop now holds the volunteer's work too

    replicas = CommuneReplicas(sync_server.db, tmp_path / "replicas")
    figures = figures_on_server(replicas, COMMUNE, WEEK)
    on_laptop = compute_tally(leader, WEEK)
    assert figures.commune == on_laptop  # the same engine on the same rows

    pdf = commune_report_pdf(figures, Orientation.SERVICES_AS_ROWS, printed_on=WEEK.last)
    page = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode("utf-8")
    flat = re.sub(r"\s+", " ", page)
    assert "UBND XÃ GIA LỘC" in flat and "TUẦN 48 (23/11 – 29/11/2026)" in flat
    total = next(line for line in page.splitlines() if line.strip().startswith("Tổng cộng"))
    assert [int(value) for value in total.split()[-3:]] == [
        on_laptop.totals.sessions,
        on_laptop.totals.people,
        on_laptop.totals.cumulative,
    ]
    for head in ("Lê Văn Tám", "Đỗ Thị Mai", "Vũ Văn Cường"):
        assert head not in flat

    book = openpyxl.load_workbook(
        io.BytesIO(commune_report_xlsx(figures, Orientation.VILLAGES_AS_ROWS))
    )
    rows = {row[1]: row for row in book["Báo cáo"].iter_rows(min_row=6, values_only=True)}
    for listed in team.list_villages(leader):
        village_tally = compute_tally(leader, WEEK, village_id=listed.id)
        assert rows[listed.name][-3:] == (
            village_tally.totals.sessions,
            village_tally.totals.people,
            village_tally.totals.cumulative,
        )
    assert rows["Tổng cộng"][-3] == 5
