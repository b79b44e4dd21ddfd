"""The tally screen (F7) driven like a team leader would.

Expected numbers are counted here in plain Python from the sessions each test logs
(``Logged`` below), not read from the engine the screen calls; only the chart is
compared with the engine week by week, as the chart's contract is "the engine's counts".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import Team, wait_idle
from villagehelper.clock import VIETNAM
from villagehelper.ops import sessions as ss
from villagehelper.ops.households import create_household, get_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.team import list_services
from villagehelper.store.thread_guard import allowed_here
from villagehelper.tally.engine import compute_tally
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.main_window import MainWindow
from villagehelper.ui.tally.period import PeriodMode
from villagehelper.ui.tally.view import TallyView

BASIC = ("VNEID_L1", "DVC_ACCOUNT", "BANK_ACCOUNT", "ECOMMERCE_OCOP", "ONLINE_SAFETY")
COLUMNS = ("sessions", "people", "households", "done", "follow_up", "failed", "cumulative")


def vn(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM).astimezone(UTC)


@dataclass(frozen=True)
class Logged:
    """One session as the test logged it: what the expectations are counted from."""

    day: date
    household: str
    village: str
    person: str  # member id, or the household's own id for a visit without a member
    volunteer: str
    service: str
    outcome: str


class Book:
    """Logs visits and remembers them for the plain-Python expectations."""

    def __init__(self, village_team: Team) -> None:
        self.team = village_team
        self.sessions: list[Logged] = []
        self.members: dict[str, list[str]] = {}
        self.village_of: dict[str, str] = {}

    def household(self, village: str, head: str, members: int = 0) -> str:
        with allowed_here():
            created = create_household(
                self.team.store,
                HouseholdInput(village, head),
                [MemberInput(f"{head} {index}", 1960 + index) for index in range(members)],
            )
        household_id = created.id
        with allowed_here():
            detail = get_household(self.team.store, household_id)
        self.members[household_id] = [member.id for member in detail.members]
        self.village_of[household_id] = village
        return household_id

    def visit(
        self,
        day: date,
        household: str,
        volunteer: str,
        services: dict[str, str],
        member: int | None = None,
    ) -> None:
        member_id = self.members[household][member] if member is not None else None
        outcomes = [
            ServiceOutcome(
                code,
                outcome,
                day + timedelta(days=7) if outcome == "follow_up" else None,
                "mất mạng" if outcome == "failed" else "",
            )
            for code, outcome in services.items()
        ]
        with allowed_here():
            ss.log_visit(
                self.team.store,
                VisitInput(
                    household, volunteer, outcomes, member_id=member_id, occurred_at=vn(day)
                ),
            )
        for code, outcome in services.items():
            self.sessions.append(
                Logged(
                    day,
                    household,
                    self.village_of[household],
                    member_id or household,
                    volunteer,
                    code,
                    outcome,
                )
            )

    def expected(
        self, first: date, last: date, village: str | None = None, volunteer: str | None = None
    ) -> dict[str, dict[str, int]]:
        """Counts per service code and for "total", as the report defines them."""
        chosen = [
            s
            for s in self.sessions
            if (village is None or s.village == village)
            and (volunteer is None or s.volunteer == volunteer)
        ]
        result: dict[str, dict[str, int]] = {}
        groups: dict[str, list[Logged]] = defaultdict(list)
        for s in chosen:
            groups[s.service].append(s)
            groups["total"].append(s)
        for key, rows in groups.items():
            inside = [s for s in rows if first <= s.day <= last]
            before = [s for s in rows if first - timedelta(days=7) <= s.day < first]
            result[key] = {
                "sessions": len(inside),
                "people": len({(s.household, s.person) for s in inside}),
                "households": len({s.household for s in inside}),
                "done": sum(s.outcome == "done" for s in inside),
                "follow_up": sum(s.outcome == "follow_up" for s in inside),
                "failed": sum(s.outcome == "failed" for s in inside),
                "cumulative": sum(date(last.year, 1, 1) <= s.day <= last for s in rows),
                "change": len(inside) - len(before),
            }
        return result


LAST_WEEK = (date(2026, 11, 16), date(2026, 11, 22))  # conftest's "now" is Monday 23/11
THIS_WEEK = (date(2026, 11, 23), date(2026, 11, 29))


@pytest.fixture
def book(village_team: Team) -> Book:
    """Two households in Thôn Khay and one in Thôn Hữu Chung, visited over three weeks."""
    t = village_team
    book = Book(t)
    teo = book.household(t.village_id, "Trần Văn Tèo", members=2)
    my = book.household(t.other_village_id, "Lò Thị Mỷ")
    lam = book.household(t.village_id, "Đỗ Văn Lâm", members=1)
    book.visit(date(2026, 11, 10), teo, t.member_id, {"VNEID_L1": "done"}, member=0)
    book.visit(
        date(2026, 11, 16),
        teo,
        t.member_id,
        {"VNEID_L1": "done", "DVC_ACCOUNT": "failed"},
        member=0,
    )
    # One person helped with all five basic skills: Tèo's household reaches the target.
    book.visit(date(2026, 11, 17), teo, t.leader_id, dict.fromkeys(BASIC, "done"), member=1)
    book.visit(date(2026, 11, 18), my, t.member_id, {"VNEID_L2": "follow_up"})
    book.visit(date(2026, 11, 19), my, t.leader_id, {"EHEALTH": "done"})
    book.visit(date(2026, 11, 21), lam, t.member_id, {"VSSID": "done"}, member=0)
    book.visit(date(2026, 11, 23), my, t.member_id, {"VNEID_L1": "done"})  # this week
    return book


def tally_view(qtbot: QtBot, ctx: AppContext, mode: PeriodMode | None = None) -> TallyView:
    view = TallyView(ctx)
    qtbot.addWidget(view)
    view.resize(1366, 720)
    with qtbot.waitSignal(view.sig_loaded, timeout=10_000):
        view.show()
    if mode is not None:
        view.period.set_mode(mode)
        wait_idle(qtbot, ctx)
    return view


def shown(view: TallyView) -> dict[str, dict[str, int | str]]:
    """The service table as the screen shows it, by service label (and "total")."""
    model = view.results.services_model
    result: dict[str, dict[str, int | str]] = {}
    for row in range(model.rowCount()):
        label = model.index(row, 1).data()
        line = model.row(row)
        key = "total" if line.is_total else label
        result[key] = {
            **dict(zip(COLUMNS, model.numbers(row), strict=False)),
            "change": model.index(row, 2 + len(COLUMNS)).data(),
        }
    return result


def change_text(change: int) -> str:
    return f"+{change}" if change > 0 else ("0" if change == 0 else f"−{-change}")


def assert_matches(
    view: TallyView, expected: dict[str, dict[str, int]], store_labels: dict[str, str]
) -> None:
    on_screen = shown(view)
    for code, numbers in expected.items():
        key = "total" if code == "total" else store_labels[code]
        if not (numbers["sessions"] or numbers["cumulative"] or numbers["change"]):
            continue  # nothing this year: a row of zeros the screen leaves out
        line = on_screen[key]
        for column in COLUMNS:
            if code == "total" and column == "cumulative":
                continue
            assert line[column] == numbers[column], (code, column)
        assert line["change"] == change_text(numbers["change"]), code


def labels(ctx: AppContext) -> dict[str, str]:
    with allowed_here():
        return {service.code: service.label_vi for service in list_services(ctx.store)}


# --- numbers ------------------------------------------------------------------------------


def test_last_week_shows_the_logged_numbers_follow_ups_and_basic_skills(
    qtbot: QtBot, app_ctx: AppContext, book: Book
) -> None:
    view = tally_view(qtbot, app_ctx, PeriodMode.LAST_WEEK)
    assert view.period.summary.text() == "Tuần 47/2026: 16/11/2026 – 22/11/2026"
    expected = book.expected(*LAST_WEEK)
    assert_matches(view, expected, labels(app_ctx))
    total = shown(view)["total"]
    # People and households are distinct over services: not the sums of the rows.
    assert total["people"] == 4 and total["households"] == 3
    assert total["sessions"] == 10
    # Only the follow-up of 18/11 is still open at the end of the week.
    assert view.results.follow_ups.text() == "Hẹn lại chưa xong đến hết kỳ: 1 lượt"
    # One household (Tèo's) of the three has a person with all five basic skills.
    assert "1/3 hộ (tỷ lệ 33,3 %)" in view.results.basic_skills.text()
    assert (
        view.results.services_model.headerData(9, Qt.Orientation.Horizontal) == "So với\ntuần trước"
    )


def test_village_and_member_filters_change_the_numbers(
    qtbot: QtBot, app_ctx: AppContext, book: Book, village_team: Team
) -> None:
    view = tally_view(qtbot, app_ctx, PeriodMode.LAST_WEEK)
    names = labels(app_ctx)
    assert view.results.tabs.isTabVisible(1)  # all villages: the village-by-village tab
    view.village.select_id(village_team.other_village_id)
    wait_idle(qtbot, app_ctx)
    assert_matches(view, book.expected(*LAST_WEEK, village=village_team.other_village_id), names)
    assert shown(view)["total"]["sessions"] == 2
    assert not view.results.tabs.isTabVisible(1)

    view.village.select_id(None)
    view.volunteer.select_id(village_team.leader_id)
    wait_idle(qtbot, app_ctx)
    assert_matches(view, book.expected(*LAST_WEEK, volunteer=village_team.leader_id), names)
    assert shown(view)["total"]["sessions"] == 6


def test_all_villages_are_listed_side_by_side(
    qtbot: QtBot, app_ctx: AppContext, book: Book, village_team: Team
) -> None:
    view = tally_view(qtbot, app_ctx, PeriodMode.LAST_WEEK)
    model = view.results.villages_model
    rows = {model.index(row, 0).data(): model.numbers(row) for row in range(model.rowCount())}
    for village_id, name in (
        (village_team.village_id, "Thôn Khay"),
        (village_team.other_village_id, "Thôn Hữu Chung"),
    ):
        counts = book.expected(*LAST_WEEK, village=village_id)["total"]
        assert rows[name][:6] == [counts[column] for column in COLUMNS[:6]]
    assert rows["Toàn xã"][0] == 10
    assert model.index(model.rowCount() - 1, 9).data() == "33,3 %"


def test_this_week_last_week_and_stepping_through_weeks(
    qtbot: QtBot, app_ctx: AppContext, book: Book
) -> None:
    view = tally_view(qtbot, app_ctx)
    picker = view.period
    assert picker.mode() is PeriodMode.THIS_WEEK
    assert (picker.start.text(), picker.end.text()) == ("23/11/2026", "29/11/2026")
    assert shown(view)["total"]["sessions"] == book.expected(*THIS_WEEK)["total"]["sessions"] == 1

    QTest.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # one week back
    wait_idle(qtbot, app_ctx)
    assert picker.mode() is PeriodMode.LAST_WEEK
    assert shown(view)["total"]["sessions"] == 10
    picker.previous_button.click()
    wait_idle(qtbot, app_ctx)
    assert picker.mode() is PeriodMode.WEEK
    assert picker.summary.text() == "Tuần 46/2026: 09/11/2026 – 15/11/2026"
    assert shown(view)["total"]["sessions"] == 1

    # Any day picks its week.
    picker.start.setDate(picker.start.date().addDays(-30))  # 10/10/2026, a Saturday
    wait_idle(qtbot, app_ctx)
    assert (picker.start.text(), picker.end.text()) == ("05/10/2026", "11/10/2026")
    assert shown(view)["total"]["sessions"] == 0

    picker.set_mode(PeriodMode.MONTH)
    wait_idle(qtbot, app_ctx)
    assert (picker.start.text(), picker.end.text()) == ("01/10/2026", "31/10/2026")
    picker.next_button.click()
    wait_idle(qtbot, app_ctx)
    assert picker.summary.text() == "Tháng 11/2026: 01/11/2026 – 30/11/2026"
    november = book.expected(date(2026, 11, 1), date(2026, 11, 30))["total"]
    assert shown(view)["total"]["sessions"] == november["sessions"] == 12
    assert (
        view.results.services_model.headerData(9, Qt.Orientation.Horizontal)
        == "So với\ntháng trước"
    )


def test_the_chart_has_twelve_weeks_of_the_engines_counts(
    qtbot: QtBot, app_ctx: AppContext, book: Book, village_team: Team
) -> None:
    # Some earlier weeks too, so that the twelve weeks are not mostly empty.
    home = next(iter(book.members))
    for weeks_back in (3, 5, 5, 11, 12):
        day = date(2026, 11, 18) - timedelta(weeks=weeks_back)
        book.visit(day, home, village_team.member_id, {"VSSID": "done"})
    view = tally_view(qtbot, app_ctx, PeriodMode.LAST_WEEK)
    history = view.chart.history()
    assert history is not None
    assert [week.label for week in history.weeks] == [f"2026-W{n}" for n in range(36, 48)]
    for index, week in enumerate(history.weeks):
        with allowed_here():
            tally = compute_tally(app_ctx.store, week)
        for row in tally.rows:
            assert history.sessions_of(row.service_code)[index] == row.counts.sessions
        drawn = sum(band.values[index] for band in view.chart.bands())
        assert drawn == tally.totals.sessions
    assert history.totals()[-1] == 10
    assert history.totals()[:2] == (1, 0)  # 02/09 is in W36; 26/08 is before the chart
    assert "T47: 10" in view.chart.accessibleDescription()
    assert "Tuần 47 (16/11/2026 – 22/11/2026): 10 lượt" in view.chart.week_text(11)
    assert not view.chart.grab().isNull()


def test_the_screen_follows_a_visit_logged_elsewhere(
    qtbot: QtBot, app_ctx: AppContext, book: Book, village_team: Team
) -> None:
    view = tally_view(qtbot, app_ctx)
    assert shown(view)["total"]["sessions"] == 1
    with allowed_here():
        logged = ss.log_visit(
            app_ctx.store,
            VisitInput(next(iter(book.members)), village_team.member_id, [ServiceOutcome("VSSID")]),
        )
    with qtbot.waitSignal(view.sig_loaded, timeout=10_000):
        app_ctx.hub.sig_changed.emit(logged.changes)
    assert shown(view)["total"]["sessions"] == 2


# --- printing and files ----------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed"
)


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return " ".join(done.stdout.split())


@needs_poppler
def test_save_pdf_writes_the_report_with_its_counts(
    qtbot: QtBot, app_ctx: AppContext, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = tally_view(qtbot, app_ctx, PeriodMode.LAST_WEEK)
    target = tmp_path / "out" / "tuan-47"  # the suffix is added
    target.parent.mkdir()
    asked: list[str] = []

    def choose(_parent: object, _title: str, proposed: str, _filter: str) -> tuple[str, str]:
        asked.append(Path(proposed).name)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    QTest.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, app_ctx)
    assert asked == ["bao-cao-2026-W47.pdf"]
    saved = tmp_path / "out" / "tuan-47.pdf"
    assert view.message.text() == f"Đã lưu báo cáo PDF (1 trang): {saved}"
    text = pdf_text(saved)
    assert "BÁO CÁO KẾT QUẢ HỖ TRỢ NGƯỜI DÂN" in text
    assert "TUẦN 47 (16/11 – 22/11/2026)" in text
    # Sessions, people, done, follow-up, failed, cumulative (10/11 counts there too).
    assert "Tổng cộng 10 4 8 1 1 11" in text
    assert "Nguyễn Thị Hệ" in text  # prepared by the member logging on this laptop
    assert "Phạm Đăng Xuyết" in text  # the leader signs


def test_export_excel_writes_a_workbook_openpyxl_reads(
    qtbot: QtBot, app_ctx: AppContext, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = tally_view(qtbot, app_ctx, PeriodMode.LAST_WEEK)
    target = tmp_path / "bao-cao.xlsx"
    monkeypatch.setattr(view.report, "ask_path", lambda *_args: target)
    QTest.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, app_ctx)
    assert view.message.text() == f"Đã xuất bảng tính Excel: {target}"
    book_xlsx = openpyxl.load_workbook(target)
    sheet = book_xlsx["Báo cáo"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][0] == "TUẦN 47 (16/11 – 22/11/2026)"
    vssid = next(row for row in values if row[1] == labels(app_ctx)["VSSID"])
    assert vssid[2:6] == [1, 1, 1, 1]
    villages = [row[0] for row in book_xlsx["Theo thôn, thành viên"].iter_rows(values_only=True)]
    assert "Thôn Khay" in villages and "Nguyễn Thị Hệ" in villages


def test_an_unwritable_place_is_explained_and_nothing_is_lost(
    qtbot: QtBot, app_ctx: AppContext, book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = tally_view(qtbot, app_ctx, PeriodMode.LAST_WEEK)
    before = shown(view)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    target = blocker / "bao-cao.pdf"
    monkeypatch.setattr(view.report, "ask_path", lambda *_args: target)
    view.pdf_button.click()
    qtbot.waitUntil(lambda: view.findChild(QMessageBox, "userErrorBox") is not None)
    box = view.findChild(QMessageBox, "userErrorBox")
    assert isinstance(box, QMessageBox)
    assert str(target) in box.text() and "Không ghi được tệp" in box.text()
    assert "Không ghi được tệp" in view.message.text()
    box.close()
    assert shown(view) == before  # the tally is still on screen
    assert blocker.read_text() == "a file where a folder should be"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "not-a-folder"]
    assert view.pdf_button.isEnabled()


@needs_poppler
def test_print_preview_and_printing_paint_the_same_report(
    qtbot: QtBot, app_ctx: AppContext, book: Book, tmp_path: Path
) -> None:
    view = tally_view(qtbot, app_ctx, PeriodMode.LAST_WEEK)
    overview = view.overview
    assert overview is not None
    dialog = view.report.preview_dialog(overview)
    qtbot.addWidget(dialog)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    preview_pdf = tmp_path / "preview.pdf"
    printer.setOutputFileName(str(preview_pdf))
    dialog.paintRequested.emit(printer)
    dialog.show()  # the preview widget paints its pages offscreen too
    qtbot.wait(50)
    dialog.close()
    assert "TUẦN 47 (16/11 – 22/11/2026)" in pdf_text(preview_pdf)

    paper = QPrinter(QPrinter.PrinterMode.HighResolution)
    paper.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed_pdf = tmp_path / "printed.pdf"
    paper.setOutputFileName(str(printed_pdf))
    view.report.print_to(paper, view.report.document(overview))
    assert pdf_text(printed_pdf) == pdf_text(preview_pdf)
    assert view.message.text().startswith("Đã gửi 1 trang tới máy in")


# --- the window ---------------------------------------------------------------------------


def test_f7_opens_the_tally_screen_with_keyboard_first_controls(
    qtbot: QtBot, app_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    wait_idle(qtbot, app_ctx)
    QTest.keyClick(window, Qt.Key.Key_F7)
    view = window.tally
    assert window.tabs.currentWidget() is view
    assert window.tabs.tabToolTip(5) == "Báo cáo tuần (F7)"
    wait_idle(qtbot, app_ctx)
    assert view.overview is not None
    assert view.print_button.isEnabled()
    assert "Ctrl+P" in view.print_button.toolTip()
    assert view.results.services_table.accessibleName() == "Kết quả theo loại hỗ trợ"
    # Tab goes through the filters, then the buttons, then the tables.
    chain: list[QWidget] = [view.period.combo]
    while (following := chain[-1].nextInFocusChain()) not in (None, view.period.combo):
        chain.append(following)
    order: list[QWidget] = [
        view.period.combo,
        view.period.start,
        view.village,
        view.volunteer,
        view.preview_button,
        view.print_button,
        view.pdf_button,
        view.excel_button,
        view.results.services_table,
    ]
    positions = [chain.index(widget) for widget in order]
    assert positions == sorted(positions)
    # The keys work wherever the focus is on the screen, even on the tab bar after F7.
    asked: list[str] = []
    monkeypatch.setattr(view.report, "ask_path", lambda title, *_rest: asked.append(title))
    window.tabs.tabBar().setFocus()
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Xuất bảng tính Excel"]  # then cancelled: nothing is written
    QTest.keyClick(window, Qt.Key.Key_F2)
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert len(asked) == 1  # hidden, the screen's keys are not active


def test_the_tally_screen_loads_no_database_layer_at_import() -> None:
    # The screen is built when F7 is first pressed; importing it must stay light.
    code = "import sys; import villagehelper.ui.tally.view; print('sqlalchemy' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.stdout.strip() == "False"
