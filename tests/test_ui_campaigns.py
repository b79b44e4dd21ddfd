"""The campaigns screen (F8) driven like a team would: the list of campaigns, progress
by village equal to the core's campaign_progress and to what this test logged (counted
here by hand), who is left in a village, a leader's buttons, keyboard only."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from tests.campaign_support import (
    household_of,
    linked,
    new_campaign,
    person_of,
    store_list,
    target_row,
    unmatched,
)
from tests.conftest import Team, wait_idle
from tests.test_campaign_left_print import pdf_pages
from villagehelper.campaigns.matching import TargetMatch
from villagehelper.campaigns.people import KnownPerson
from villagehelper.campaigns.progress import campaign_progress
from villagehelper.ops import sessions
from villagehelper.ops.inputs import ServiceOutcome, VisitInput
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.campaigns.view import CampaignsView
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow

SERVICE = "CASHLESS_WELFARE"


@dataclass(frozen=True)
class Village:
    campaign_id: str
    other_campaign_id: str


def _people(team: Team, village_id: str, *names: str) -> tuple[str, list[str]]:
    with allowed_here():
        household_id, by_name = household_of(team.store, village_id, *names)
    return household_id, [by_name[name] for name in names]


def _visit(team: Team, household_id: str, member_id: str, outcome: ServiceOutcome) -> None:
    with allowed_here():
        sessions.log_visit(
            team.store, VisitInput(household_id, team.member_id, [outcome], member_id)
        )


def _listed(line: int, person: KnownPerson) -> TargetMatch:
    """The list names the person as the logbook does."""
    return linked(target_row(line, person.full_name, person.birth_year, ""), person)


@pytest.fixture
def campaigns(village_team: Team) -> Village:
    """Thôn Khay: Ánh done, Bình follow-up, Chi not yet, and an unmatched row «Đoàn Văn
    Dũng»; Thôn Hữu Chung: Én failed.  A second campaign, due later (listed second),
    with one person not reached."""
    team = village_team
    home, (anh, binh) = _people(team, team.village_id, "Lê Thị Ánh", "Lê Văn Bình")
    other, (chi,) = _people(team, team.village_id, "Hà Thị Chi")
    far, (en,) = _people(team, team.other_village_id, "Vi Thị Én")
    with allowed_here():
        campaign_id = new_campaign(team.store, team.leader_id, (SERVICE,))
        rows = [
            _listed(line, person_of(team.store, member))
            for line, member in enumerate((anh, binh, chi, en), start=2)
        ]
        rows.append(unmatched(target_row(6, "Đoàn Văn Dũng", 1961, "Thôn Khay")))
        store_list(team.store, campaign_id, rows)
        second = new_campaign(
            team.store, team.leader_id, ("VSSID",), date(2026, 12, 15), name="Cài VssID"
        )
        store_list(team.store, second, [_listed(2, person_of(team.store, en))])
    _visit(team, home, anh, ServiceOutcome(SERVICE))
    _visit(
        team, home, binh, ServiceOutcome(SERVICE, "follow_up", follow_up_date=date(2026, 11, 28))
    )
    _visit(team, far, en, ServiceOutcome(SERVICE, "failed", failure_reason="Không có điện thoại"))
    # A session of another service counts for nothing here.
    _visit(team, other, chi, ServiceOutcome("VSSID"))
    return Village(campaign_id, second)


def _screen(qtbot: QtBot, ctx: AppContext) -> CampaignsView:
    view = CampaignsView(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 700)
    view.show()
    wait_idle(qtbot, ctx)
    return view


def _table(view: CampaignsView) -> list[list[str]]:
    table = view.progress_table
    return [table.texts(row) for row in range(table.rowCount())]


def test_progress_by_village_is_what_was_logged_and_what_the_core_counts(
    qtbot: QtBot, app_ctx: AppContext, campaigns: Village, village_team: Team
) -> None:
    view = _screen(qtbot, app_ctx)
    listed = [view.campaign_table.texts(row) for row in range(view.campaign_table.rowCount())]
    assert [row[0] for row in listed] == [
        "Nhận lương hưu không dùng tiền mặt",
        "Cài VssID",
    ]
    assert listed[0][2] == "30/11/2026"
    assert listed[0][3:] == ["3 / 5", "Đang mở"]
    assert listed[1][3:] == ["0 / 1", "Đang mở"]
    # Village, total, reached, done, follow-up, failed, not yet — counted by hand.
    expected = [
        ["Thôn Hữu Chung", "1", "1", "0", "0", "1", "0"],
        ["Thôn Khay", "4", "2", "1", "1", "0", "2"],
        ["Tổng cộng", "5", "3", "1", "1", "1", "2"],
    ]
    assert _table(view) == expected
    with allowed_here(), village_team.store.reading() as session:
        core = campaign_progress(session, campaigns.campaign_id)
    assert [
        [str(v) for v in (r.total, r.reached, r.done, r.follow_up, r.failed, r.not_yet)]
        for r in (*core.by_village, core.total)
    ] == [row[1:] for row in expected]
    # The first village is chosen: its one person left is shown.
    assert [view.left_table.texts(r)[0] for r in range(view.left_table.rowCount())] == ["Vi Thị Én"]
    view.progress_table.setCurrentCell(1, 0)
    wait_idle(qtbot, app_ctx)
    left = [view.left_table.texts(r) for r in range(view.left_table.rowCount())]
    # Sorted the Vietnamese way (given name first); Ánh is done and not listed.
    assert [row[0] for row in left] == ["Lê Văn Bình", "Hà Thị Chi", "Đoàn Văn Dũng"]
    assert left[0][3].startswith("Hẹn lại")
    assert left[2][1] == "1961"
    assert "chưa gắn" in left[2][3]
    assert view.left_title.text() == "Thôn Khay: còn 3 người"


def test_a_new_session_updates_the_screen(
    qtbot: QtBot, app_ctx: AppContext, campaigns: Village, village_team: Team
) -> None:
    view = _screen(qtbot, app_ctx)
    view.progress_table.setCurrentCell(1, 0)
    wait_idle(qtbot, app_ctx)
    people = {view.left_table.texts(r)[0]: r for r in range(view.left_table.rowCount())}
    assert "Hà Thị Chi" in people

    def log_chi() -> object:
        from villagehelper.campaigns.progress import who_is_left

        store = village_team.store
        with store.reading() as session:
            chi = next(
                p
                for p in who_is_left(session, campaigns.campaign_id, village_team.village_id)
                if p.full_name == "Hà Thị Chi"
            )
        assert chi.household_id is not None and chi.member_id is not None
        visit = VisitInput(
            chi.household_id, village_team.member_id, [ServiceOutcome(SERVICE)], chi.member_id
        )
        return sessions.log_visit(store, visit)

    app_ctx.write(view, log_chi).run()
    wait_idle(qtbot, app_ctx)
    assert _table(view)[1] == ["Thôn Khay", "4", "3", "2", "1", "0", "1"]
    names = [view.left_table.texts(r)[0] for r in range(view.left_table.rowCount())]
    assert names == ["Lê Văn Bình", "Đoàn Văn Dũng"]


def test_only_a_leader_sees_the_create_and_import_buttons(
    qtbot: QtBot, app_ctx: AppContext, campaigns: Village, village_team: Team
) -> None:
    view = _screen(qtbot, app_ctx)
    assert not view.create_button.isVisible()
    assert not view.import_button.isVisible()
    app_ctx.update_preferences(volunteer_id=village_team.leader_id)
    wait_idle(qtbot, app_ctx)
    assert view.create_button.isVisible()
    assert view.import_button.isVisible()
    # No leader has a PIN yet: the leader logging goes straight to the form.
    view.create_button.click()
    wait_idle(qtbot, app_ctx)
    from villagehelper.ui.campaigns.create_dialog import CreateCampaignDialog

    dialog = view.findChild(CreateCampaignDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_f8_and_the_keyboard_alone_reach_every_list(
    qtbot: QtBot, app_ctx: AppContext, campaigns: Village
) -> None:
    window, view = _f8(qtbot, app_ctx)
    assert window.tabs.currentWidget() is view
    assert window.tabs.tabToolTip(6) == "Chiến dịch (F8)"
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert view.campaign_table.hasFocus()
    QTest.keyClick(view.campaign_table, Qt.Key.Key_Down)
    wait_idle(qtbot, app_ctx)
    assert view.progress is not None and view.progress.campaign_id == campaigns.other_campaign_id
    assert _table(view) == [
        ["Thôn Hữu Chung", "1", "0", "0", "0", "0", "1"],
        ["Tổng cộng", "1", "0", "0", "0", "0", "1"],
    ]
    QTest.keyClick(view.campaign_table, Qt.Key.Key_Up)
    wait_idle(qtbot, app_ctx)
    QTest.keyClick(view.campaign_table, Qt.Key.Key_Tab)
    assert view.progress_table.hasFocus()
    QTest.keyClick(view.progress_table, Qt.Key.Key_Down)
    wait_idle(qtbot, app_ctx)
    assert view.left_title.text() == "Thôn Khay: còn 3 người"
    QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert view.left_table.hasFocus()


def test_a_leader_creates_a_campaign_and_mistakes_are_said_at_their_field(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    from villagehelper.ui.campaigns.create_dialog import CreateCampaignDialog

    view = _screen(qtbot, app_ctx)
    assert view.campaign_table.rowCount() == 0
    dialog = CreateCampaignDialog(app_ctx, view.services, village_team.leader_id, view)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.deadline.setText("20/12/2026")
    dialog.save()  # no name, no service
    wait_idle(qtbot, app_ctx)
    assert dialog.isVisible()
    assert not dialog.name_error.isHidden()
    assert "tên chiến dịch" in dialog.name_error.text().lower()
    dialog.name.setText("Cài VssID cho người cao tuổi")
    dialog.save()
    wait_idle(qtbot, app_ctx)
    assert dialog.name_error.isHidden()
    assert "Chưa chọn loại hỗ trợ" in dialog.services_error.text()
    assert dialog.services.hasFocus()
    codes = [
        item.data(Qt.ItemDataRole.UserRole)
        for r in range(dialog.services.count())
        if (item := dialog.services.item(r)) is not None
    ]
    dialog.services.setCurrentRow(codes.index("VSSID"))
    QTest.keyClick(dialog.services, Qt.Key.Key_Space)  # ticked with the keyboard
    dialog.deadline.setText("1/1/2020")
    dialog.save()
    wait_idle(qtbot, app_ctx)
    assert "đã qua" in dialog.deadline.problem()
    dialog.deadline.setText("20/12/2026")
    dialog.save()
    wait_idle(qtbot, app_ctx)
    assert not dialog.isVisible()
    wait_idle(qtbot, app_ctx)
    listed = view.campaign_table.texts(0)
    assert listed[0] == "Cài VssID cho người cao tuổi"
    assert listed[2:] == ["20/12/2026", "0 / 0", "Đang mở"]


def test_enter_on_a_person_left_opens_their_household(
    qtbot: QtBot, app_ctx: AppContext, campaigns: Village, village_team: Team
) -> None:
    view = _screen(qtbot, app_ctx)
    view.progress_table.setCurrentCell(1, 0)  # Thôn Khay
    wait_idle(qtbot, app_ctx)
    opened: list[str] = []
    view.sig_open_household.connect(opened.append)
    names = [view.left_table.texts(r)[0] for r in range(view.left_table.rowCount())]
    view.left_table.setFocus()
    view.left_table.setCurrentCell(names.index("Hà Thị Chi"), 0)
    QTest.keyClick(view.left_table, Qt.Key.Key_Return)
    with sqlite3.connect(village_team.store.path) as db:
        (chi_household,) = db.execute(
            "SELECT household_id FROM members WHERE full_name = ?", ("Hà Thị Chi",)
        ).fetchone()
    assert opened == [chi_household]
    view.left_table.setCurrentCell(names.index("Đoàn Văn Dũng"), 0)  # linked to nobody
    QTest.keyClick(view.left_table, Qt.Key.Key_Return)
    assert opened == [chi_household]


def test_tab_titles_say_their_key_while_all_fit_and_only_their_name_when_not(
    qtbot: QtBot, app_ctx: AppContext
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app_ctx)
    tabs = window.tabs
    window.resize(1366, 700)
    qtbot.waitUntil(lambda: tabs.width() > 1300)
    texts = [tabs.tabText(index) for index in range(tabs.count())]
    assert texts[0] == "Ghi lượt hỗ trợ (F2)"
    assert texts[6] == "Chiến dịch (F8)"
    bar = tabs.tabBar()

    def needed() -> int:
        return sum(bar.tabSizeHint(index).width() for index in range(bar.count()))

    # A little narrower than the full titles need (their width follows the font the
    # session's earlier tests left the application with, so it is measured, not fixed).
    full = needed()
    window.resize(full - 40 + window.width() - tabs.width(), 700)
    qtbot.waitUntil(lambda: tabs.width() < full)
    assert tabs.tabText(6) == "Chiến dịch"
    assert tabs.tabToolTip(6) == "Chiến dịch (F8)"
    assert needed() <= tabs.width()
    QTest.keyClick(window, Qt.Key.Key_F8)  # the key still works
    assert tabs.currentWidget() is window.campaigns


# --- printing who is left -------------------------------------------------------------


def _chi_is_done(team: Team) -> None:
    """Hà Thị Chi (Thôn Khay, head of her own household) helped after all."""
    with sqlite3.connect(team.store.path) as db:
        chi, household = db.execute(
            "SELECT id, household_id FROM members WHERE full_name = ?", ("Hà Thị Chi",)
        ).fetchone()
    _visit(team, household, chi, ServiceOutcome(SERVICE))


@dataclass
class SaveDialog:
    """The save dialog, answering ``answer``; the names it proposed."""

    answer: Path
    proposed: list[str]


@pytest.fixture
def save_dialog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SaveDialog:
    dialog = SaveDialog(tmp_path / "out" / "con-lai.pdf", [])
    dialog.answer.parent.mkdir()

    def choose(_parent: object, _title: str, name: str, _filter: str) -> tuple[str, str]:
        dialog.proposed.append(Path(name).name)
        return str(dialog.answer), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    return dialog


def _f8(qtbot: QtBot, ctx: AppContext) -> tuple[MainWindow, CampaignsView]:
    """The main window, F8 pressed: the campaigns screen read."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, ctx)
    QTest.keyClick(window, Qt.Key.Key_F8)
    wait_idle(qtbot, ctx)
    return window, window.campaigns


def _chosen(qtbot: QtBot, ctx: AppContext, row: int) -> CampaignsView:
    """The screen with the first campaign's progress row ``row`` chosen."""
    view = _screen(qtbot, ctx)
    view.progress_table.setCurrentCell(row, 0)
    wait_idle(qtbot, ctx)
    return view


def test_ctrl_p_saves_the_chosen_villages_list_of_who_is_left(
    qtbot: QtBot,
    app_ctx: AppContext,
    campaigns: Village,
    village_team: Team,
    save_dialog: SaveDialog,
) -> None:
    _chi_is_done(village_team)
    window, view = _f8(qtbot, app_ctx)
    view.progress_table.setCurrentCell(1, 0)  # Thôn Khay
    wait_idle(qtbot, app_ctx)
    assert view.print_button.isEnabled()
    assert "Thôn Khay" in view.print_button.toolTip()
    save_dialog.answer = save_dialog.answer.parent / "danh sách" / "khay"  # ".pdf" added
    save_dialog.answer.parent.mkdir()

    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, app_ctx)

    saved = save_dialog.answer.with_name("khay.pdf")
    assert save_dialog.proposed == ["con-lai-nhan-luong-huu-khong-dung-tien-mat-thon-khay.pdf"]
    assert view.notice.message.text() == f"Đã lưu danh sách người còn lại (1 trang): {saved}"
    assert view.notice.open_button.isVisible() and view.notice.saved_path == saved
    (page,) = [" ".join(text.split()) for text in pdf_pages(saved) if text.strip()]
    assert "DANH SÁCH NGƯỜI DÂN CHƯA ĐƯỢC HỖ TRỢ XONG" in page
    assert "Thôn Khay – hạn hoàn thành 30/11/2026" in page
    for left in ("Lê Văn Bình", "Đoàn Văn Dũng"):
        assert left in page
    assert "Hà Thị Chi" not in page  # done just now
    assert "Vi Thị Én" not in page  # left, but in Thôn Hữu Chung
    assert "Còn 2 người" in page
    assert "Nguyễn Thị Hệ" in page  # prepared by the member logging on this laptop


def test_the_total_row_prints_every_village_from_its_own_page(
    qtbot: QtBot, app_ctx: AppContext, campaigns: Village, save_dialog: SaveDialog
) -> None:
    view = _chosen(qtbot, app_ctx, 2)  # Tổng cộng
    view.print_button.click()
    wait_idle(qtbot, app_ctx)
    assert save_dialog.proposed == [
        "con-lai-nhan-luong-huu-khong-dung-tien-mat-tat-ca-cac-thon.pdf"
    ]
    pages = [" ".join(text.split()) for text in pdf_pages(save_dialog.answer)]
    pages = [page for page in pages if page]
    assert len(pages) == 2
    assert "Thôn Hữu Chung – hạn hoàn thành" in pages[0] and "Vi Thị Én" in pages[0]
    assert "Lê Văn Bình" not in pages[0]
    assert "Thôn Khay – hạn hoàn thành" in pages[1]
    assert pages[1].startswith("UBND")  # its village's first page: no page number
    assert "Lê Văn Bình" in pages[1] and "Hà Thị Chi" in pages[1]
    assert "Vi Thị Én" not in pages[1]
    for page in pages:
        # Once: the next village's letterhead is not also painted at this page's foot
        # (the marks over its capitals reach above the line Qt breaks the page at).
        assert page.count("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == 1 and "TỔ TRƯỞNG" in page


def test_a_file_that_cannot_be_replaced_is_explained_and_nothing_is_lost(
    qtbot: QtBot, app_ctx: AppContext, campaigns: Village, save_dialog: SaveDialog
) -> None:
    view = _chosen(qtbot, app_ctx, 1)
    before = [view.left_table.texts(r) for r in range(view.left_table.rowCount())]
    # Something the new file cannot replace (on Windows: the old list open in a reader).
    occupied = save_dialog.answer
    occupied.mkdir()
    (occupied / "keep.txt").write_text("giữ nguyên")
    view.print_button.click()
    qtbot.waitUntil(lambda: view.findChild(QMessageBox, "userErrorBox") is not None)
    box = view.findChild(QMessageBox, "userErrorBox")
    assert isinstance(box, QMessageBox)
    assert f"Không ghi được tệp «{occupied}»" in box.text()
    assert "đang mở" in box.text() and "chọn thư mục khác" in box.text()
    box.close()
    wait_idle(qtbot, app_ctx)
    assert "Không ghi được tệp" in view.notice.message.text()
    assert not view.notice.open_button.isVisible()
    assert (occupied / "keep.txt").read_text() == "giữ nguyên"
    assert sorted(p.name for p in occupied.parent.iterdir()) == ["con-lai.pdf"]
    assert [view.left_table.texts(r) for r in range(view.left_table.rowCount())] == before
    assert view.print_button.isEnabled()


def test_printing_is_disabled_and_says_why_until_a_campaign_with_a_list_is_chosen(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, save_dialog: SaveDialog
) -> None:
    view = _screen(qtbot, app_ctx)
    assert not view.print_button.isEnabled()
    assert "Chọn một chiến dịch có danh sách" in view.print_button.toolTip()
    QTest.keyClick(view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    with allowed_here():
        new_campaign(village_team.store, village_team.leader_id)  # no list yet
    view.reload()
    wait_idle(qtbot, app_ctx)
    assert view.campaign_table.rowCount() == 1
    assert not view.print_button.isEnabled()
    QTest.keyClick(view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, app_ctx)
    assert save_dialog.proposed == []


def test_the_tally_screens_pdf_counts_the_open_campaigns_as_they_stand(
    qtbot: QtBot, app_ctx: AppContext, campaigns: Village, save_dialog: SaveDialog
) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from tests.test_ui_tally import tally_view
    from villagehelper.ui.tally.actions import ReportPreview

    view = tally_view(qtbot, app_ctx)  # this week's
    view.pdf_button.click()
    wait_idle(qtbot, app_ctx)
    # The preview shows the same table: painted to a PDF as its printer would.
    view.preview_button.click()
    wait_idle(qtbot, app_ctx)
    preview = view.findChild(ReportPreview, "tallyPreview")
    assert isinstance(preview, ReportPreview)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    previewed = save_dialog.answer.with_name("preview.pdf")
    printer.setOutputFileName(str(previewed))
    preview.paintRequested.emit(printer)
    preview.close()
    for pdf in (save_dialog.answer, previewed):
        text = " ".join(" ".join(pdf_pages(pdf)).split())
        assert "TIẾN ĐỘ CÁC CHIẾN DỊCH" in text
        # Deadline, then total, reached, done, follow-up, failed, not yet: as logged above.
        assert "30/11/2026 5 3 1 1 1 2" in text
        assert "15/12/2026 1 0 0 0 0 1" in text
        assert "Lê Văn Bình" not in text  # the commune's report has counts, never names
