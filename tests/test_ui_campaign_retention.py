"""The leader is offered the campaigns' list rows past the retention period like the
households: the daily job opens the purge dialog for list rows alone, the dialog says
how many rows of which campaign go, and its button erases them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.campaign_support import doubtful, new_campaign, store_list, target_row, unmatched
from tests.conftest import FakeClock, Team, wait_idle
from villagehelper.ops import households as hh
from villagehelper.ops import retention
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.personal_fields import ERASED_NAME
from villagehelper.store.models import CampaignTarget
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.settings.purge_dialog import PurgeDialog
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow

CAMPAIGN = "Nhận lương hưu không dùng tiền mặt"
LISTED = [
    doubtful(
        target_row(2, "Vu Thi Nguyet", 1954, "Thôn Khay", phone="0987654321", id_last_digits="4321")
    ),
    unmatched(target_row(3, "Đỗ Thị Hoa", 1948, "Thôn Khay", phone="0912000111")),
]


def _list_ending_30_november_2026(village_team: Team) -> tuple[str, ...]:
    with allowed_here():
        campaign_id = new_campaign(
            village_team.store, village_team.leader_id, deadline=date(2026, 11, 30), name=CAMPAIGN
        )
        return store_list(village_team.store, campaign_id, LISTED).target_ids


def test_list_rows_alone_are_offered_and_the_leader_purges_them(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock, tmp_path: Path
) -> None:
    target_ids = _list_ending_30_november_2026(village_team)
    clock.advance(days=800)  # February 2029: the deadline is more than 24 months past
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app_ctx)

    with qtbot.waitSignal(window.retention.sig_purge_due, timeout=5000):
        window.retention.run_now()

    dialog = window.findChild(PurgeDialog, "purgeDialog")
    assert isinstance(dialog, PurgeDialog) and dialog.isVisible()
    assert dialog.what_label.text().startswith(
        "2 dòng danh sách chiến dịch không gắn với ai trong sổ, của các chiến dịch đã hết hạn "
        "trước 31/01/2027"  # 23/11/2026 + 800 days = 31/01/2029, less 24 months
    )
    # The leader confirms by campaign, its rows and its deadline, never by name.
    assert _rows_shown(dialog) == [["Danh sách chiến dịch", CAMPAIGN, "2", "30/11/2026"]]
    assert dialog.purge_button.isEnabled() and dialog.purge_button.text() == "Xóa 2 dòng danh sách"
    dialog.grab().save(str(tmp_path / "purge-list-rows.png"))

    with qtbot.waitSignal(window.retention.sig_purged, timeout=5000) as purged:
        dialog.purge_button.click()  # a leader logging, no PINs: the gate lets them on
    assert purged.args is not None and purged.args[0].list_rows == 2
    with allowed_here(), app_ctx.store.reading() as session:
        names = {session.get(CampaignTarget, target_id).full_name for target_id in target_ids}  # type: ignore[union-attr]
    assert names == {ERASED_NAME}
    window.close()


def test_households_and_list_rows_are_offered_together(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, clock: FakeClock, tmp_path: Path
) -> None:
    _list_ending_30_november_2026(village_team)
    with allowed_here():
        hh.create_household(
            village_team.store,
            HouseholdInput(village_team.other_village_id, "Lê Thị Quyên"),
            [MemberInput("Lê Thị Quyên", 1950)],
        )
        clock.advance(days=800)  # 23/11/2026 + 800 days: 31/01/2029
        plan = retention.plan_purge(village_team.store, 24)

    dialog = PurgeDialog(app_ctx, plan)
    qtbot.addWidget(dialog)
    dialog.show()

    assert dialog.what_label.text().startswith(
        "1 hộ (1 người) không liên hệ từ trước 31/01/2027, và 2 dòng danh sách chiến dịch"
    )
    assert _rows_shown(dialog) == [
        ["Thôn Hữu Chung", "Lê Thị Quyên", "1", "23/11/2026"],
        ["Danh sách chiến dịch", CAMPAIGN, "2", "30/11/2026"],
    ]
    assert dialog.purge_button.text() == "Xóa thông tin của 1 hộ và 2 dòng danh sách"
    dialog.grab().save(str(tmp_path / "purge-both.png"))


def _rows_shown(dialog: PurgeDialog) -> list[list[str]]:
    table = dialog.table
    return [
        [item.text() if (item := table.item(row, column)) else "" for column in range(4)]
        for row in range(table.rowCount())
    ]
