"""The log-a-visit screen names who of the chosen household an open campaign still
needs, and starts the form with that person and the campaign's service; once their
visit is saved done, the household is shown plainly again."""

from __future__ import annotations

import sqlite3

from pytestqt.qtbot import QtBot

from tests.campaign_support import (
    household_of,
    linked,
    new_campaign,
    person_of,
    store_list,
    target_row,
)
from tests.conftest import Team, wait_idle
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.log_visit.screen import LogVisitView
from villagehelper.ui.shell.context import AppContext

HEAD = "Trần Văn Thuận"
SPOUSE = "Vũ Thị Nguyệt"
CAMPAIGN = "Nhận lương hưu không dùng tiền mặt"


def _household(team: Team, *names: str) -> tuple[str, dict[str, str]]:
    with allowed_here():
        return household_of(team.store, team.village_id, *names)


def _view(qtbot: QtBot, ctx: AppContext, household_id: str) -> LogVisitView:
    view = LogVisitView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    wait_idle(qtbot, ctx)
    view.choose_household(household_id)
    wait_idle(qtbot, ctx)
    return view


def test_the_form_names_the_person_on_the_list_and_picks_the_campaign_service(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    household_id, ids = _household(village_team, HEAD, SPOUSE)
    with allowed_here():
        campaign_id = new_campaign(village_team.store, village_team.leader_id)
        spouse = person_of(village_team.store, ids[SPOUSE])
        store_list(
            village_team.store, campaign_id, [linked(target_row(2, SPOUSE, 1950, ""), spouse)]
        )
    view = _view(qtbot, app_ctx, household_id)
    hint = view.form.campaign_hint
    assert hint.isVisible()
    assert hint.text() == f"{SPOUSE} có trong danh sách chiến dịch «{CAMPAIGN}»"
    assert view.member.currentData() == ids[SPOUSE]
    assert [item.service_code for item in view.services.chosen()] == ["CASHLESS_WELFARE"]
    assert view.services.button("CASHLESS_WELFARE").isChecked()
    view.save()  # Enter: done, for her
    wait_idle(qtbot, app_ctx)
    with sqlite3.connect(village_team.store.path) as db:
        logged = db.execute("SELECT member_id, service_code, outcome FROM help_sessions").fetchall()
    assert logged == [(ids[SPOUSE], "CASHLESS_WELFARE", "done")]
    # Done: the next time the household is chosen, nothing is said or chosen for her.
    view.choose_household(household_id)
    wait_idle(qtbot, app_ctx)
    assert not view.form.campaign_hint.isVisible()
    assert view.services.chosen() == []
    assert view.member.currentData() == ids[HEAD]


def test_a_household_on_no_list_starts_plain(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    household_id, ids = _household(village_team, HEAD, SPOUSE)
    other_id, other_ids = _household(village_team, "Đỗ Thị Lan")
    with allowed_here():
        campaign_id = new_campaign(village_team.store, village_team.leader_id)
        lan = person_of(village_team.store, other_ids["Đỗ Thị Lan"])
        store_list(
            village_team.store, campaign_id, [linked(target_row(2, "Đỗ Thị Lan", 1950, ""), lan)]
        )
    view = _view(qtbot, app_ctx, household_id)
    assert not view.form.campaign_hint.isVisible()
    assert view.services.chosen() == []
    assert view.member.currentData() == ids[HEAD]
    view.choose_household(other_id)
    wait_idle(qtbot, app_ctx)
    assert "Đỗ Thị Lan có trong danh sách" in view.form.campaign_hint.text()


def test_a_list_stored_while_the_household_is_shown_brings_the_line(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    household_id, ids = _household(village_team, HEAD, SPOUSE)
    view = _view(qtbot, app_ctx, household_id)
    assert not view.form.campaign_hint.isVisible()
    store = village_team.store

    def store_a_list() -> object:
        campaign_id = new_campaign(store, village_team.leader_id)
        head = person_of(store, ids[HEAD])
        return store_list(store, campaign_id, [linked(target_row(2, HEAD, 1950, ""), head)])

    app_ctx.write(view, store_a_list).run()  # as a sync would, on the worker
    wait_idle(qtbot, app_ctx)
    assert view.form.campaign_hint.isVisible()
    assert view.form.campaign_hint.text().startswith(f"{HEAD} có trong danh sách")


def test_a_campaign_with_many_of_the_household_takes_one_line(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    names = (HEAD, SPOUSE, "Trần Thị Mai", "Trần Văn Nam")
    household_id, ids = _household(village_team, *names)
    store = village_team.store
    with allowed_here():
        campaign_id = new_campaign(store, village_team.leader_id)
        rows = [
            linked(target_row(line, name, 1950, ""), person_of(store, ids[name]))
            for line, name in enumerate(names, start=2)
        ]
        store_list(store, campaign_id, rows)
    view = _view(qtbot, app_ctx, household_id)
    hint = view.form.campaign_hint.text()
    assert "\n" not in hint
    assert hint.endswith(f"và 2 người khác có trong danh sách chiến dịch «{CAMPAIGN}»")
    named = [name for name in names if name in hint]
    assert len(named) == 2
    assert view.member.currentData() in {ids[name] for name in named}
