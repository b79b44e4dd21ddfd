"""Importing a commune's list into a campaign, on the laptop: a real XLSX file, the dialog
driven by the keyboard (the path typed, Enter to read, Enter to store, 1–3 / K / T to
settle the doubtful rows), what is stored read back with plain SQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.campaign_support import new_campaign, village_names
from tests.conftest import Team, wait_idle
from villagehelper.campaigns import store_ops
from villagehelper.campaigns.matching import MatchKind, TargetMatch, match_targets
from villagehelper.campaigns.people import known_people
from villagehelper.campaigns.target_rows import read_target_list
from villagehelper.ops.households import create_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput
from villagehelper.store.thread_guard import allowed_here
from villagehelper.ui.campaigns.import_dialog import ImportDialog, run_import
from villagehelper.ui.shell.context import AppContext

HEADER = ["STT", "Họ và tên", "Năm sinh", "Thôn", "Số điện thoại", "4 số cuối CCCD"]
STORED = (
    "full_name, birth_year, village_id, phone, id_last_digits, member_id, household_id, match_state"
)


def _xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["DANH SÁCH NGƯỜI NHẬN LƯƠNG HƯU"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def _people(team: Team) -> None:
    """Two Nguyễn Thị Lan of nearly the same age in the two villages: a list row naming
    one with no village cannot tell which."""
    with allowed_here():
        create_household(
            team.store,
            HouseholdInput(team.village_id, "Trần Văn Bình", phone="0912000111"),
            [MemberInput("Trần Văn Bình", 1960), MemberInput("Nguyễn Thị Lan", 1950)],
        )
        create_household(
            team.store,
            HouseholdInput(team.other_village_id, "Lê Văn Cường"),
            [MemberInput("Lê Văn Cường", 1955), MemberInput("Nguyễn Thị Lan", 1950)],
        )
        create_household(
            team.store,
            HouseholdInput(team.village_id, "Phạm Thị Mai", phone="0988777666"),
            [MemberInput("Phạm Thị Mai", 1970)],
        )


LIST_ROWS: list[list[object]] = [
    [1, "Trần Văn Bình", 1960, "Thôn Khay", "0912 000 111", "001203004567"],
    [2, "Nguyen Thi Lan", 1950, "", "", ""],
    [3, "Hoàng Văn Dũng", 1982, "Khay", "", "4321"],
    [4, "Phạm Thị Mai", 1970, "Khay", "0988777666", ""],
]


def _stored(database: Path, campaign_id: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return sorted(
            db.execute(
                f"SELECT {STORED} FROM campaign_targets WHERE campaign_id = ? AND deleted = 0",
                (campaign_id,),
            ).fetchall(),
            key=repr,
        )


def _core_matches(team: Team, path: Path) -> list[TargetMatch]:
    with allowed_here(), team.store.reading() as session:
        people = known_people(session, "10999")
    with allowed_here():
        return match_targets(read_target_list(path), people, village_names(team.store))


def _leader_campaign(team: Team) -> str:
    with allowed_here():
        return new_campaign(team.store, team.leader_id)


def _open(qtbot: QtBot, ctx: AppContext, campaign_id: str) -> ImportDialog:
    dialog = ImportDialog(ctx, campaign_id, choose_file=lambda _parent: None)
    qtbot.addWidget(dialog)
    # Keys go to the active window: the first dialog a test process shows is made active
    # a moment after show(), and keys sent before that were seen to arrive late.
    with qtbot.waitActive(dialog):
        dialog.show()
    return dialog


def _read(qtbot: QtBot, ctx: AppContext, dialog: ImportDialog, path: Path) -> None:
    assert path.as_posix().isascii()  # keyClicks types ASCII only (docs/TESTING.md)
    QTest.keyClicks(dialog.path, str(path))
    QTest.keyClick(dialog.path, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)


def test_an_imported_list_is_stored_as_the_core_stores_it_and_2_confirms_candidate_2(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, tmp_path: Path
) -> None:
    _people(village_team)
    campaign_id = _leader_campaign(village_team)
    path = _xlsx(tmp_path / "luong-huu.xlsx", LIST_ROWS)
    dialog = _open(qtbot, app_ctx, campaign_id)

    _read(qtbot, app_ctx, dialog, path)
    assert dialog.pages.currentIndex() == 1, dialog.problems.toPlainText()
    matches = _core_matches(village_team, path)
    kinds = [match.kind for match in matches]
    summary = dialog.summary.text()
    assert f"Khớp chắc chắn (tự liên kết): {kinds.count(MatchKind.LINKED)}" in summary
    assert f"Cần xác nhận (có người giống): {kinds.count(MatchKind.DOUBTFUL)}" in summary
    assert f"Chưa khớp ai (để xem sau hoặc thêm mới): {kinds.count(MatchKind.UNMATCHED)}" in (
        summary
    )
    database = village_team.store.path
    assert _stored(database, campaign_id) == []  # read and matched: nothing stored yet

    QTest.keyClick(dialog.store_button, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    assert dialog.pages.currentWidget() is dialog.confirm

    # The same file through the core alone, into a second campaign: the same rows.
    reference = _leader_campaign(village_team)
    with allowed_here(), village_team.store.transaction() as session:
        store_ops.add_targets(session, reference, matches, village_names(village_team.store))
    assert _stored(database, campaign_id) == _stored(database, reference)
    assert all(row[4] is None or len(str(row[4])) <= 4 for row in _stored(database, campaign_id))

    # The doubtful row of the two Nguyễn Thị Lan: "2" links the second candidate shown.
    lan = next(match for match in matches if match.row.full_name == "Nguyen Thi Lan")
    assert lan.kind == MatchKind.DOUBTFUL and len(lan.candidates) >= 2
    while dialog.confirm.current is not None and dialog.confirm.current.row.line != lan.row.line:
        QTest.keyClick(dialog.confirm, Qt.Key.Key_PageDown)
    current = dialog.confirm.current
    assert current is not None and current.row.line == lan.row.line
    QTest.keyClick(dialog.confirm, Qt.Key.Key_2)
    wait_idle(qtbot, app_ctx)
    second = lan.candidates[1].person
    with sqlite3.connect(database) as db:
        linked = db.execute(
            "SELECT member_id, household_id, match_state FROM campaign_targets WHERE id = ?",
            (current.target_id,),
        ).fetchone()
    assert linked == (second.member_id, second.household_id, "linked")


def test_k_leaves_a_doubtful_row_for_review_and_t_adds_the_person_as_new(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, tmp_path: Path
) -> None:
    _people(village_team)
    campaign_id = _leader_campaign(village_team)
    rows: list[list[object]] = [
        [1, "Nguyễn Thị Lan", 1950, "", "", ""],
        [2, "Nguyen Thi Lan", 1950, "", "", ""],
    ]
    path = _xlsx(tmp_path / "hai-dong.xlsx", rows)
    dialog = _open(qtbot, app_ctx, campaign_id)
    _read(qtbot, app_ctx, dialog, path)
    QTest.keyClick(dialog.store_button, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    shown = dialog.confirm.rows
    assert [row.row.line for row in shown] == [3, 4], "both rows wait for a person"
    QTest.keyClick(dialog.confirm, Qt.Key.Key_K)
    wait_idle(qtbot, app_ctx)
    assert dialog.confirm.current is not None
    assert dialog.confirm.current.target_id == shown[1].target_id  # moved on by itself
    # No village on the row: adding asks for one, and nothing changes meanwhile.
    QTest.keyClick(dialog.confirm, Qt.Key.Key_T)
    wait_idle(qtbot, app_ctx)
    box = dialog.findChild(QMessageBox, "userErrorBox")
    assert box is not None and "thôn" in box.text()
    with sqlite3.connect(village_team.store.path) as db:
        states = dict(
            db.execute(
                "SELECT id, match_state FROM campaign_targets WHERE campaign_id = ?",
                (campaign_id,),
            ).fetchall()
        )
        people = db.execute("SELECT count(*) FROM members").fetchone()[0]
    assert states == {shown[0].target_id: "unmatched", shown[1].target_id: "doubtful"}
    assert people == 5


@pytest.mark.parametrize(
    "bad",
    [
        ([1, "Lê Văn Tám", "19a5", "Khay", "", ""], "Năm sinh", 3),
        ([1, "", 1950, "Khay", "0912000111", ""], "Họ và tên", 3),
    ],
)
def test_a_bad_file_shows_its_line_and_column_and_stores_nothing(
    qtbot: QtBot,
    app_ctx: AppContext,
    village_team: Team,
    tmp_path: Path,
    bad: tuple[list[object], str, int],
) -> None:
    cells, column, line = bad
    campaign_id = _leader_campaign(village_team)
    good: list[object] = [2, "Phạm Thị Mai", 1970, "Khay", "", ""]
    path = _xlsx(tmp_path / "sai.xlsx", [cells, good])
    dialog = _open(qtbot, app_ctx, campaign_id)
    _read(qtbot, app_ctx, dialog, path)
    assert dialog.pages.currentIndex() == 0
    assert dialog.problems.isVisible()
    assert f"Dòng {line}, cột «{column}»" in dialog.problems.toPlainText()
    assert "chưa nhập dòng nào" in dialog.problems.toPlainText()
    assert _stored(village_team.store.path, campaign_id) == []


def test_t_adds_a_doubtful_rows_person_as_new_in_the_village_the_list_names(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team, tmp_path: Path
) -> None:
    _people(village_team)
    campaign_id = _leader_campaign(village_team)
    path = _xlsx(tmp_path / "mot-dong.xlsx", [[1, "Nguyen Thi Lan", None, "Khay", "", ""]])
    matches = _core_matches(village_team, path)
    assert [match.kind for match in matches] == [MatchKind.DOUBTFUL]
    dialog = _open(qtbot, app_ctx, campaign_id)
    _read(qtbot, app_ctx, dialog, path)
    QTest.keyClick(dialog.store_button, Qt.Key.Key_Return)
    wait_idle(qtbot, app_ctx)
    QTest.keyClick(dialog.confirm, Qt.Key.Key_T)
    wait_idle(qtbot, app_ctx)
    with sqlite3.connect(village_team.store.path) as db:
        target = db.execute(
            "SELECT t.match_state, m.full_name, h.head_name, h.village_id "
            "FROM campaign_targets t JOIN members m ON m.id = t.member_id "
            "JOIN households h ON h.id = t.household_id WHERE t.campaign_id = ?",
            (campaign_id,),
        ).fetchall()
        lans = db.execute("SELECT count(*) FROM members WHERE full_name = ?", ("Nguyen Thi Lan",))
        added = lans.fetchone()[0]
    assert target == [("added", "Nguyen Thi Lan", "Nguyen Thi Lan", village_team.village_id)]
    assert added == 1  # a new member, not one of the two Nguyễn Thị Lan
    assert "Đã thêm thành người mới." in dialog.confirm.state.text()
    QTest.keyClick(dialog.confirm, Qt.Key.Key_T)  # again, by a slip: nobody added twice
    wait_idle(qtbot, app_ctx)
    with sqlite3.connect(village_team.store.path) as db:
        again = db.execute("SELECT count(*) FROM members WHERE full_name = ?", ("Nguyen Thi Lan",))
        assert again.fetchone()[0] == 1


def test_run_import_opens_the_dialog_over_the_campaign_screen_with_the_path_field_ready(
    qtbot: QtBot, app_ctx: AppContext, village_team: Team
) -> None:
    campaign_id = _leader_campaign(village_team)
    screen = QWidget()
    qtbot.addWidget(screen)
    screen.show()
    run_import(screen, app_ctx, campaign_id)
    dialogs = screen.findChildren(ImportDialog)
    assert len(dialogs) == 1
    assert dialogs[0].isVisible() and dialogs[0].isModal()
    assert dialogs[0].pages.currentIndex() == 0
    assert dialogs[0].width() <= 1366 and dialogs[0].height() <= 768
