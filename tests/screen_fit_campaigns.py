"""The campaign part of the screen-fit driver (tests/screen_fit_driver.py): a campaign
with a long name whose list holds the driver's household with the long history (so the
log-a-visit screen shows its campaign line too), the F8 screen, "Tạo chiến dịch…"
with every field's error shown, and the list import's first and confirmation steps."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tests.campaign_support import (
    linked,
    person_of,
    store_list,
    target_row,
    unmatched,
    village_names,
)
from villagehelper.campaigns import store_ops
from villagehelper.campaigns.matching import Candidate, MatchKind, TargetMatch
from villagehelper.errors import ValidationError
from villagehelper.ops import households
from villagehelper.store.engine import Store

if TYPE_CHECKING:
    from tests.screen_fit_driver import Driver
    from villagehelper.ui.campaigns.import_dialog import ImportDialog

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
        # Its first step, a file to choose.
        with allowed_here(), driver.ctx.store.reading() as session:  # the driver's own read
            campaign_id = session.scalars(select(Campaign.id)).one()
        dialog = ImportDialog(driver.ctx, campaign_id, window, choose_file=lambda _parent: None)
        dialog.show()
        return dialog

    driver.look_at_dialog("import a list", import_a_list)
    opened: list[ImportDialog] = []

    def confirm() -> ImportDialog:
        opened.append(confirm_doubtful(driver))
        return opened[-1]

    driver.look_at_dialog("confirm doubtful matches", confirm)  # stored, then looked at
    assert opened[0].pages.currentWidget() is opened[0].confirm, "no confirmation step"
    window.tabs.setCurrentIndex(0)


def confirm_doubtful(driver: Driver) -> ImportDialog:
    """The import's confirmation step: a row of the list beside three long-named people
    who may be the one, each with many reasons (the matcher's most words at once)."""
    from sqlalchemy import select

    from villagehelper.store.models import Campaign
    from villagehelper.store.thread_guard import allowed_here
    from villagehelper.ui.campaigns.import_dialog import ImportDialog
    from villagehelper.ui.campaigns.import_work import MatchedList

    store = driver.ctx.store
    with allowed_here():  # the driver's own reads
        with store.reading() as session:
            campaign_id = session.scalars(select(Campaign.id)).one()
        household = households.get_household(store, driver.household_id)
        people = [person_of(store, member.id) for member in household.members[-3:]]
        villages = village_names(store)
    reasons = ("tên viết tắt", "năm sinh lệch 1 năm", "khác thôn", "số điện thoại của người nhà")
    row = target_row(
        40, "Nguyễn Hoàng B. K. Thị Phương Dương", 1958, "thon lang tren", phone="0987654301"
    )
    candidates = tuple(Candidate(person, 0.4, reasons) for person in people)
    matched = MatchedList(
        "danh-sach.xlsx", (TargetMatch(row, MatchKind.DOUBTFUL, candidates),), villages
    )
    dialog = ImportDialog(driver.ctx, campaign_id, driver.window, choose_file=lambda _parent: None)
    dialog.show()
    # As after reading a file: stored on the worker, then the confirmation comes.
    dialog.matched = matched
    dialog.store_list()
    return dialog
