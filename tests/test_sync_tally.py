"""The commune-wide weekly tally on the server: leaders only, same engine as laptops."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import requests

from tests.sync_support import LoopbackServer, enrol_laptop, open_laptop, set_up_commune
from villagehelper.exchange import wire
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.store import sync_state
from villagehelper.store.kinds import Outcome

WEEK = "2026-W48"  # the test clock's week: Monday 23 November 2026


def _get(server: LoopbackServer, token: str, **params: str) -> requests.Response:
    return requests.get(
        f"{server.url}/v1/tally/week",
        params=params,
        headers={"Authorization": f"Bearer {token}", wire.PROTOCOL_HEADER: "1"},
        timeout=30,
    )


def _token(store_state: object) -> str:
    assert isinstance(store_state, sync_state.Enrolled)
    return store_state.token


def test_leader_gets_the_commune_tally_village_by_village(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = set_up_commune(sync_server, tmp_path)
    leader = commune.leader.store
    second_village = team.add_village(leader, "Thôn Hữu Chung")
    khay = households.create_household(leader, HouseholdInput(commune.village_id, "Lê Văn Tám"))
    huu = households.create_household(leader, HouseholdInput(second_village.id, "Đỗ Thị Mai"))
    sessions.log_visit(
        leader,
        VisitInput(
            khay.id,
            commune.leader_id,
            [
                ServiceOutcome("VNEID_L1"),
                ServiceOutcome("DVC_ACCOUNT", Outcome.FOLLOW_UP, follow_up_date=date(2026, 12, 1)),
            ],
        ),
    )
    sessions.log_visit(leader, VisitInput(huu.id, commune.leader_id, [ServiceOutcome("VNEID_L1")]))
    commune.leader.sync()
    with leader.reading() as session:
        credentials = sync_state.enrolled(session)

    answer = _get(sync_server, _token(credentials), week=WEEK)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["period"] == {"label": WEEK, "start": "2026-11-23", "end": "2026-11-29"}
    totals = body["totals"]
    assert (totals["sessions"], totals["households"], totals["done"], totals["follow_up"]) == (
        3,
        2,
        2,
        1,
    )
    vneid = next(row for row in body["services"] if row["code"] == "VNEID_L1")
    assert vneid["sessions"] == 2
    by_village = {row["name"]: row["sessions"] for row in body["villages"]}
    assert by_village == {"Thôn Khay": 2, "Thôn Hữu Chung": 1}

    # New work shows in the next request (the replica catches up).
    sessions.log_visit(leader, VisitInput(huu.id, commune.leader_id, [ServiceOutcome("OTHER")]))
    commune.leader.sync()
    assert _get(sync_server, _token(credentials), week=WEEK).json()["totals"]["sessions"] == 4

    csv_answer = _get(sync_server, _token(credentials), week=WEEK, format="csv")
    assert csv_answer.status_code == 200
    text = csv_answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert "Thôn Hữu Chung" in text and "Tổng cộng" in text


def test_volunteers_and_bad_weeks_are_refused(sync_server: LoopbackServer, tmp_path: Path) -> None:
    set_up_commune(sync_server, tmp_path)
    volunteer = enrol_laptop(sync_server, open_laptop(tmp_path, "volunteer"))
    with volunteer.store.reading() as session:
        credentials = sync_state.enrolled(session)
    refused = _get(sync_server, _token(credentials), week=WEEK)
    assert refused.status_code == 403
    assert "Chỉ tổ trưởng" in refused.json()["message_vi"]
    assert _get(sync_server, "nobody.secret", week=WEEK).status_code == 401

    leader = set_up_commune(sync_server, tmp_path / "again").leader
    with leader.store.reading() as session:
        leader_credentials = sync_state.enrolled(session)
    bad_week = _get(sync_server, _token(leader_credentials), week="2026-W99")
    assert bad_week.status_code == 400
    assert "tuần" in bad_week.json()["message_vi"].lower()
