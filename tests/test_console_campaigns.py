"""The console's campaigns page over plain HTTP, against a real server on SQLite and
PostgreSQL with a real leader's laptop syncing through it: a campaign created on the
page arrives on the laptop with the fields the laptop's own creation writes; the
laptop's list and visits, once synced, give the page the numbers the laptop's own
progress gives; bad input is refused in words a person can act on with nothing
written; a viewer and a province officer look but cannot write; no resident's name is
on the page."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, text

from tests import console_admin_support as support
from tests.campaign_support import (
    linked,
    new_campaign,
    person_of,
    store_list,
    target_row,
    unmatched,
)
from tests.console_admin_support import COMMUNE, admin_console, post_form, server_db_url, sync
from tests.console_browser import ConsoleServer
from villagehelper.campaigns.progress import CampaignProgress, campaign_progress
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.server.leader_writes import CONSOLE_AUTHOR
from villagehelper.store.engine import Store
from villagehelper.store.models import Campaign, TeamMember

__all__ = ["admin_console", "server_db_url"]

PAGE = f"/xa/{COMMUNE}/chien-dich/"
CREATE = f"{PAGE}tao"
NAME = "Nhận lương hưu không dùng tiền mặt"
SERVICE = "CASHLESS_WELFARE"
RESIDENTS = ("Trần Văn Thuận", "Vũ Thị Nguyệt", "Đỗ Văn Khiêm", "Lương Thị Sen")
STRANGER = "Hoàng Văn Khải"  # on the list, in nobody's household


@dataclass(frozen=True)
class Commune:
    """The console, the commune's leader's laptop (synced once) and its administrator."""

    console: ConsoleServer
    laptop: Store
    admin: requests.Session

    @property
    def base(self) -> str:
        return self.console.url


@pytest.fixture
def commune(admin_console: ConsoleServer, tmp_path: Path) -> Iterator[Commune]:
    laptop = support.leader_laptop(admin_console, tmp_path / "to-truong")
    yield Commune(admin_console, laptop, support.commune_admin(admin_console))
    laptop.close()


def _server_campaign(console: ConsoleServer) -> tuple[str, dict[str, object]]:
    """The one campaign the server holds: its id and fields."""
    with console.db.engine.connect() as connection:
        row_id, fields = connection.execute(
            text("SELECT row_id, fields FROM records WHERE entity = 'campaign'")
        ).one()
    return row_id, json.loads(fields)


def _server_fields(console: ConsoleServer, row_id: str) -> dict[str, object]:
    with console.db.engine.connect() as connection:
        fields = connection.execute(
            text("SELECT fields FROM records WHERE row_id = :r"), {"r": row_id}
        ).scalar_one()
    return dict(json.loads(fields))


def _campaigns(store: Store) -> dict[str, Campaign]:
    with store.reading() as session:
        return {c.id: c for c in session.scalars(select(Campaign))}


def _leader_id(store: Store) -> str:
    with store.reading() as session:
        return session.scalars(select(TeamMember.id).where(TeamMember.role == "leader")).one()


def _create(admin: requests.Session, base: str, **fields: str) -> requests.Response:
    return post_form(admin, base, PAGE, CREATE, **fields)


def _visit(store: Store, household: str, member: str, outcome: str) -> None:
    item = ServiceOutcome(
        SERVICE,
        outcome,
        date(2026, 11, 27) if outcome == "follow_up" else None,
        "Chưa có tài khoản ngân hàng" if outcome == "failed" else "",
    )
    sessions.log_visit(store, VisitInput(household, _leader_id(store), [item], member))


def _page_progress(page: str) -> dict[str, tuple[int, ...]]:
    """Village → (reached, total, done, follow-up, failed, not yet) as the page's table
    writes them, the total row under "Tổng cộng"."""
    cells = r"\s*<td>(\d+)/(\d+)</td>" + r"\s*<td>(\d+)</td>" * 4
    found = re.findall(r'<th scope="row">([^<]+)</th>' + cells, page)
    return {name: tuple(int(n) for n in numbers) for name, *numbers in found}


def _as_numbers(progress: CampaignProgress) -> dict[str, tuple[int, ...]]:
    rows = [*progress.by_village, progress.total]
    return {
        v.village_name: (v.reached, v.total, v.done, v.follow_up, v.failed, v.not_yet) for v in rows
    }


def test_a_campaign_made_on_the_page_reaches_the_laptop_and_the_page_counts_as_the_laptop(
    commune: Commune,
) -> None:
    console, laptop, admin, base = commune.console, commune.laptop, commune.admin, commune.base
    before = console.clock.now
    made = _create(
        admin, base, name=f"  {NAME} ", deadline="2026-11-30",
        **{f"service_{SERVICE}": "1", "service_VSSID": "1"},
    )  # fmt: skip
    assert (made.status_code, made.headers["location"]) == (303, PAGE)
    campaign_id, on_server = _server_campaign(console)
    # The laptop's own creation, for the fields it writes (as the server holds them).
    own_id = new_campaign(laptop, _leader_id(laptop), (SERVICE,), date(2026, 12, 5), "Của tổ")
    sync(laptop)
    arrived = _campaigns(laptop)[campaign_id]
    assert (arrived.name, arrived.service_codes, arrived.deadline) == (
        NAME, f"{SERVICE},VSSID", date(2026, 11, 30)
    )  # fmt: skip
    assert (arrived.created_by, arrived.closed, arrived.commune_code) == ("console", False, COMMUNE)
    assert before < arrived.created_at <= console.clock.now
    assert on_server["created_at"] == arrived.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert set(_server_fields(console, own_id)) == set(on_server)

    # The leader's laptop: two villages, a list of five, four visits.
    other_village = team.add_village(laptop, "Thôn Hữu Chung").id
    khay = next(v.id for v in team.list_villages(laptop) if v.name == "Thôn Khay")
    first = households.create_household(
        laptop, HouseholdInput(khay, RESIDENTS[0]), [MemberInput(n, 1950) for n in RESIDENTS[:2]]
    )
    second = households.create_household(
        laptop, HouseholdInput(other_village, RESIDENTS[2]),
        [MemberInput(n, 1956) for n in RESIDENTS[2:]],
    )  # fmt: skip
    members = {
        m.full_name: (household.id, m.id)
        for household in (first, second)
        for m in households.get_household(laptop, household.id).members
    }
    rows = [
        linked(target_row(line, name, None, ""), person_of(laptop, members[name][1]))
        for line, name in enumerate(RESIDENTS, start=2)
    ]
    store_list(laptop, campaign_id, [*rows, unmatched(target_row(6, STRANGER, 1958, "Thôn Khay"))])
    for name, outcome in zip(RESIDENTS[:3], ("done", "follow_up", "failed"), strict=True):
        _visit(laptop, *members[name], outcome)
    _visit(laptop, *members[RESIDENTS[0]], "failed")  # after a done one: still done
    sync(laptop)

    page = admin.get(f"{base}{PAGE}").text
    with laptop.reading() as session:
        expected = _as_numbers(campaign_progress(session, campaign_id))
    shown = _page_progress(page.split(NAME, 1)[1].split("<section", 1)[0])
    assert shown == expected
    # The page's own ground truth, written out: 3 of 5 reached.
    assert shown["Tổng cộng"] == (3, 5, 1, 1, 1, 2)
    for name in (*RESIDENTS, STRANGER, "Trần Văn", "Nguyệt"):
        assert name not in page

    closed = post_form(admin, base, PAGE, f"{PAGE}{campaign_id}/dong")
    assert closed.status_code == 303
    sync(laptop)
    assert _campaigns(laptop)[campaign_id].closed
    assert "đã đóng" in admin.get(f"{base}{PAGE}").text

    actions = [(action, target) for _, action, target in support.audit_actions(console)]
    assert ("campaign_created", campaign_id) in actions
    assert ("campaign_closed", campaign_id) in actions
    with console.db.engine.connect() as connection:
        authors = connection.execute(
            text("SELECT DISTINCT device_id FROM audit_log WHERE row_id = :c"), {"c": campaign_id}
        ).scalars().all()  # fmt: skip
    assert authors == [CONSOLE_AUTHOR]


def test_bad_input_is_refused_in_plain_words_and_writes_nothing(commune: Commune) -> None:
    console, laptop, admin, base = commune.console, commune.laptop, commune.admin, commune.base
    before = support.server_rows(console)
    service = {f"service_{SERVICE}": "1"}
    refusals = [
        ({"name": "   ", "deadline": "2026-11-30", **service}, "Chưa nhập tên chiến dịch."),
        (
            {"name": NAME, "deadline": "2026-11-30", "service_KHONG_CO": "1"},
            "Không có loại hỗ trợ mã «KHONG_CO» trong danh mục.",
        ),
        ({"name": NAME, "deadline": "2026-11-30"}, "Chưa chọn loại hỗ trợ nào cho chiến dịch"),
        (
            {"name": NAME, "deadline": "2026-11-20", **service},
            "Hạn hoàn thành 20/11/2026 đã qua: hãy chọn một ngày từ hôm nay trở đi.",
        ),
        ({"name": NAME, "deadline": "31/02/2027", **service}, "Không có ngày 31/02/2027"),
        ({"name": NAME, "deadline": "", **service}, "Chưa nhập ngày. Hãy gõ ngày/tháng/năm"),
    ]
    for fields, said in refusals:
        answer = _create(admin, base, **fields)
        assert answer.status_code == 400, fields
        message = re.search(r'<p class="error" role="alert" id="loi">([^<]+)</p>', answer.text)
        assert message is not None and said in message.group(1), (fields, answer.text)
    # What was typed stays in the form, to be corrected rather than typed again.
    kept = _create(admin, base, name=NAME, deadline="2026-11-20", **service)
    assert (
        f'value="{NAME}"' in kept.text
        and f'name="service_{SERVICE}" value="1" checked' in kept.text
    )
    for fields in ({}, {"csrf": "sai"}):
        answer = admin.post(
            f"{base}{CREATE}", data={"name": NAME, "deadline": "2026-11-30", **service, **fields}
        )
        assert answer.status_code == 403 and "mã bảo vệ" in answer.text
    assert support.server_rows(console) == before
    sync(laptop)
    assert _campaigns(laptop) == {}


def test_a_viewer_and_a_province_officer_look_and_cannot_write(commune: Commune) -> None:
    console, base = commune.console, commune.base
    made = _create(commune.admin, base, name=NAME, deadline="2026-11-30", service_VSSID="1")
    assert made.status_code == 303
    campaign_id, _ = _server_campaign(console)
    before = support.server_rows(console)
    viewer = console.signed_in_session("Lê Văn Xem", "--commune", COMMUNE, role="viewer")
    province = console.signed_in_session("Sở Hải Phòng", "--province", "31", role="admin")
    for officer in (viewer, province):
        page = officer.get(f"{base}{PAGE}")
        assert page.status_code == 200 and NAME in page.text
        assert "chien-dich/tao" not in page.text and "/dong" not in page.text
        assert post_form(officer, base, PAGE, CREATE, name="Khác", deadline="2026-11-30",
                         service_VSSID="1").status_code == 403  # fmt: skip
        assert post_form(officer, base, PAGE, f"{PAGE}{campaign_id}/dong").status_code == 403
    assert support.server_rows(console) == before


def test_the_page_speaks_english_when_chosen(commune: Commune) -> None:
    admin, base = commune.admin, commune.base
    admin.get(f"{base}/ngon-ngu/en", params={"tiep": PAGE})
    page = html.unescape(admin.get(f"{base}{PAGE}").text)
    assert "The commune's campaigns" in page and "imported on a team leader's laptop" in page
    refused = _create(admin, base, name=NAME, deadline="2026-11-20", service_VSSID="1")
    assert "The deadline 2026-11-20 is in the past: choose today or later." in refused.text
