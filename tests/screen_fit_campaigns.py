"""The campaign part of the screen-fit driver (tests/screen_fit_driver.py): a campaign
with a long name whose list holds the driver's household with the long history (so the
log-a-visit screen shows its campaign line too), the F8 screen, and "Tạo chiến dịch…"
with every field's error shown."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tests.campaign_support import linked, person_of, store_list, target_row, unmatched
from villagehelper.campaigns import store_ops
from villagehelper.errors import ValidationError
from villagehelper.ops import households
from villagehelper.store.engine import Store

if TYPE_CHECKING:
    from tests.screen_fit_driver import Driver

LONG_CAMPAIGN = "Hỗ trợ người hưởng lương hưu và trợ cấp xã hội nhận tiền không dùng tiền mặt"


def add_campaign(store: Store, leader_id: str, household_id: str) -> None:
    with store.transaction() as session:
        campaign_id = store_ops.create_campaign(
            session,
            name=LONG_CAMPAIGN,
            service_codes=("CASHLESS_WELFARE", "VSSID", "EHEALTH"),
            deadline=date(2026, 12, 31),
            created_by=leader_id,
        ).row_id
    members = households.get_household(store, household_id).members
    rows = [
        linked(
            target_row(line, member.full_name, member.birth_year, ""), person_of(store, member.id)
        )
        for line, member in enumerate(members, start=2)
    ]
    stranger = target_row(len(rows) + 2, "Nguyễn Hoàng Bảo Khánh Thị Phương", 1949, "Thôn Khay")
    store_list(store, campaign_id, [*rows, unmatched(stranger)])


def look_at_campaigns(driver: Driver) -> None:
    from sqlalchemy import select

    from villagehelper.store.models import Campaign
    from villagehelper.store.thread_guard import allowed_here
    from villagehelper.ui.campaigns.create_dialog import CreateCampaignDialog
    from villagehelper.ui.campaigns.import_dialog import ImportDialog

    window = driver.window
    view = window.campaigns
    window.tabs.setCurrentWidget(view)
    driver.look("F8 campaigns", window)

    def create_with_errors() -> CreateCampaignDialog:
        dialog = CreateCampaignDialog(driver.ctx, view.services, "nobody", window)
        dialog.show()
        dialog.deadline.setText("31/02/2026")
        dialog.save()  # the deadline's error
        for field in ("name", "service_codes"):
            message = f"«{field}»: " + "Hãy chọn ít nhất một loại hỗ trợ cho chiến dịch. " * 2
            dialog.show_error(ValidationError(field, message))
        return dialog

    driver.look_at_dialog("create a campaign (errors)", create_with_errors)

    def import_a_list() -> ImportDialog:
        # Its first step, a file to choose (its confirmation step: test_ui_campaign_import).
        with allowed_here(), driver.ctx.store.reading() as session:  # the driver's own read
            campaign_id = session.scalars(select(Campaign.id)).one()
        dialog = ImportDialog(driver.ctx, campaign_id, window, choose_file=lambda _parent: None)
        dialog.show()
        return dialog

    driver.look_at_dialog("import a list", import_a_list)
    window.tabs.setCurrentIndex(0)
