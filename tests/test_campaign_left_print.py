"""The team's printed "who is left" list (reports/campaign_left.py), made through the
command line as a leader would: a real PDF read back with pdftotext."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.campaign_support import linked, new_campaign, person_of, store_list, target_row
from tests.conftest import Team
from villagehelper.campaigns.left_list import LeftList, LeftPerson
from villagehelper.campaigns.left_printout import SignedList
from villagehelper.campaigns.progress import LeftTarget, TargetStatus
from villagehelper.cli import dispatch
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.reports.campaign_left import build_lists_documents
from villagehelper.reports.weekly import printing_app, write_pdf
from villagehelper.store.kinds import Outcome

HEAD, SPOUSE, DAUGHTER = "Trần Văn Thuận", "Vũ Thị Nguyệt", "Trần Thị Mai"
FOLLOW_UP = date(2026, 11, 27)


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")


def _campaign_with(team: Team, names: list[str]) -> tuple[str, str, dict[str, str]]:
    saved = households.create_household(
        team.store,
        HouseholdInput(team.village_id, names[0]),
        [MemberInput(name, 1950 + n) for n, name in enumerate(names)],
    )
    members = {m.full_name: m.id for m in households.get_household(team.store, saved.id).members}
    campaign_id = new_campaign(team.store, team.leader_id)
    rows = [
        linked(target_row(line, name, 1950 + n, ""), person_of(team.store, members[name]))
        for n, (line, name) in enumerate(enumerate(names, start=2))
    ]
    store_list(team.store, campaign_id, rows)
    return campaign_id, saved.id, members


def _head_done_spouse_later(team: Team, household_id: str, ids: dict[str, str]) -> None:
    """The head helped (done); the spouse to see again on FOLLOW_UP; the daughter not yet."""
    done = ServiceOutcome("CASHLESS_WELFARE")
    later = ServiceOutcome("CASHLESS_WELFARE", Outcome.FOLLOW_UP, FOLLOW_UP)
    for outcome, person in ((done, HEAD), (later, SPOUSE)):
        visit = VisitInput(household_id, team.member_id, [outcome], ids[person])
        sessions.log_visit(team.store, visit)


def test_the_printed_list_names_who_is_left_and_where_they_stand(
    village_team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign_id, household_id, ids = _campaign_with(village_team, [HEAD, SPOUSE, DAUGHTER])
    _head_done_spouse_later(village_team, household_id, ids)
    pdf = tmp_path / "còn lại.pdf"
    data_dir = str(village_team.store.path.parent)

    command = ["campaign", "left", campaign_id, "--village", "khay", "--pdf", str(pdf)]
    assert dispatch.main([*command, "--data-dir", data_dir]) == 0

    said = capsys.readouterr().out
    assert f"{SPOUSE} (1951) — Hẹn lại 27/11/2026" in said and DAUGHTER in said
    assert HEAD + " (" not in said  # done: not on the list
    page = " ".join(pdf_pages(pdf)[0].split())
    assert "DANH SÁCH NGƯỜI DÂN CHƯA ĐƯỢC HỖ TRỢ XONG" in page
    assert "Chiến dịch: Nhận lương hưu không dùng tiền mặt" in page
    assert "Thôn Khay – hạn hoàn thành 30/11/2026" in page
    assert f"1 {DAUGHTER} 1952 {HEAD}" in page  # sorted by given name: Mai, Nguyệt
    # The status cell holds "Hẹn lại" over its date: its lines come above and below.
    assert f"Hẹn lại 2 {SPOUSE} 1951 {HEAD} 27/11/2026" in page
    assert "Chưa hỗ trợ" in page and "Còn 2 người" in page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page  # the decree's letterhead
    assert "TỔ TRƯỞNG" in page.upper()


def test_a_long_list_repeats_its_header_row_on_every_page(
    village_team: Team, tmp_path: Path
) -> None:
    names = [f"Nguyễn Văn Người {n:02d}" for n in range(60)]
    campaign_id, _household_id, _ids = _campaign_with(village_team, names)
    pdf = tmp_path / "dài.pdf"
    data_dir = str(village_team.store.path.parent)

    command = ["campaign", "left", campaign_id, "--village", "Thôn Khay", "--pdf", str(pdf)]
    assert dispatch.main([*command, "--data-dir", data_dir]) == 0

    pages = [page for page in pdf_pages(pdf) if page.strip()]
    assert len(pages) >= 2
    for page in pages[:-1] if len(pages) > 2 else pages:
        assert "Họ và tên" in page and "Tình trạng" in page
    printed = " ".join(pages)
    assert all(name in printed for name in names)


def test_an_unknown_village_is_said_plainly_with_the_villages_there_are(
    village_team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign_id, _household_id, _ids = _campaign_with(village_team, [HEAD])
    data_dir = str(village_team.store.path.parent)
    command = ["campaign", "left", campaign_id, "--village", "Thôn Đoài", "--data-dir", data_dir]
    assert dispatch.main(command) == 1
    said = capsys.readouterr().err
    assert "Không tìm thấy thôn «Thôn Đoài»" in said and "Thôn Khay" in said


def test_the_weekly_report_prints_the_open_campaigns_progress_in_counts(
    village_team: Team, tmp_path: Path
) -> None:
    _campaign_id, household_id, ids = _campaign_with(village_team, [HEAD, SPOUSE, DAUGHTER])
    _head_done_spouse_later(village_team, household_id, ids)
    data_dir = str(village_team.store.path.parent)
    whole, other = tmp_path / "xã.pdf", tmp_path / "hữu chung.pdf"

    week = ["--week", "2026-W48"]  # the store's clock: Monday 23 November 2026
    assert dispatch.main(["tally", *week, "--pdf", str(whole), "--data-dir", data_dir]) == 0
    village = ["--village", "Thôn Hữu Chung", "--pdf", str(other)]
    assert dispatch.main(["tally", *week, *village, "--data-dir", data_dir]) == 0

    printed = " ".join(" ".join(pdf_pages(whole)).split())
    assert "TIẾN ĐỘ CÁC CHIẾN DỊCH (tính đến ngày lập báo cáo)" in printed
    # Three on the list: one done, one to see again, one not yet (the campaign's name
    # wraps in its cell, its lines read around the numbers').
    assert "30/11/2026 3 2 1 1 0 1" in printed and "Nhận lương hưu không" in printed
    assert all(name not in printed for name in (HEAD, SPOUSE, DAUGHTER))
    elsewhere = " ".join(" ".join(pdf_pages(other)).split())
    assert "30/11/2026 0 0 0 0 0 0" in elsewhere


def _village_list(village: str, people: int) -> LeftList:
    return LeftList(
        "Nhận lương hưu không dùng tiền mặt",
        ("Nhận an sinh xã hội, lương hưu không dùng tiền mặt",),
        date(2026, 12, 31),
        village,
        tuple(
            LeftPerson(
                LeftTarget(
                    f"t{n}",
                    f"Người {village} {n:02d}",
                    1950,
                    None,
                    TargetStatus.NOT_YET,
                    None,
                    None,
                    None,
                    "unmatched",
                ),
                None,
            )
            for n in range(people)
        ),
        None,
    )


def test_each_villages_pages_are_numbered_from_its_own_first_page(tmp_path: Path) -> None:
    # Each village's team takes its own pages away: Decree 30 numbers a document from
    # its second page, so the second village's first page has no number and its next
    # page says 2, whatever came before it in the file.
    lists = [SignedList(_village_list(v, 45), "Lê Thị Hà", "Trần Văn An") for v in ("Khay", "Đoài")]
    app = printing_app()  # noqa: F841 (kept until the PDF is written)
    documents = build_lists_documents(
        lists, commune_name="Xã Gia Lộc", printed_on=date(2026, 12, 7)
    )
    pdf = tmp_path / "moi-thon.pdf"
    write_pdf(documents, pdf)
    pages = [page for page in pdf_pages(pdf) if page.strip()]
    tops = [page.strip().splitlines()[0].strip() for page in pages]
    starts = [n for n, page in enumerate(pages) if "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page]
    assert len(starts) == 2 and starts[0] == 0
    second = starts[1]
    assert second >= 2 and len(pages) - second >= 2  # each village's list spans pages
    expected = ["" if n in (0, second) else str(n - (second if n > second else 0) + 1)
                for n in range(len(pages))]  # fmt: skip
    assert [top if top.isdigit() else "" for top in tops] == expected
    # Every row printed once, none over a repeated header row (in one long document the
    # second village's header was painted over the row split at the page's foot).
    for page in pages:
        headers = [line for line in page.splitlines() if "Họ và tên" in line]
        assert headers and not any("Người" in line or "1950" in line for line in headers), headers
    printed = "\n".join(pages)
    for signed in lists:
        for entry in signed.left.people:
            assert printed.count(entry.person.full_name) == 1, entry.person.full_name
