"""The printed weekly report: its PDF read back with poppler (pdftotext, pdffonts)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from tests.conftest import Team
from villagehelper.ops.households import create_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.sessions import log_visit
from villagehelper.store.models import Service
from villagehelper.store.thread_guard import allowed_here
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week
from villagehelper.tally.results import Counts, Tally
from villagehelper.text import format_number

if TYPE_CHECKING:
    from PySide6.QtGui import QTextDocument

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) not installed",
)

HEADS = ("Trần Văn Tèo", "Lò Thị Mỷ")
WEEK = iso_week(2026, 47)  # 16/11 – 22/11/2026, before the test clock's "now"
PRINTED_ON = date(2026, 11, 23)


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = () if page is None else ("-f", str(page), "-l", str(page))
    return run("pdftotext", "-layout", *pages, str(pdf), "-")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def logged_week(village_team: Team) -> Tally:
    """Seeds a week (on this thread: Qt is loaded, so the store guards it)."""
    with allowed_here():
        return _log_week(village_team)


def _log_week(village_team: Team) -> Tally:
    store = village_team.store
    with store.reading() as session:
        codes = session.scalars(
            select(Service.code).where(Service.active).order_by(Service.sort_order)
        ).all()
    households = [
        create_household(
            store,
            HouseholdInput(village_team.village_id, head),
            [MemberInput(head, 1970), MemberInput(f"{head} con", 2001)],
        ).id
        for head in HEADS
    ]
    visits = [
        (
            households[0],
            [ServiceOutcome(codes[0]), ServiceOutcome(codes[1], "failed", None, "mất mạng")],
        ),
        (households[1], [ServiceOutcome(codes[0])]),
        (households[1], [ServiceOutcome(codes[2], "follow_up", date(2026, 11, 30))]),
    ]
    for day, (household, services) in enumerate(visits, start=16):
        log_visit(
            store,
            VisitInput(
                household,
                village_team.member_id,
                services,
                occurred_at=datetime(2026, 11, day, 3, 0, tzinfo=UTC),
            ),
        )
    return compute_tally(store, WEEK)


def build(tally: Tally, village_name: str | None = "Thôn Khay") -> QTextDocument:
    from villagehelper.reports.weekly import build_weekly_document

    return build_weekly_document(
        tally,
        commune_name="Xã Gia Lộc",
        village_name=village_name,
        prepared_by="Nguyễn Thị Hệ",
        leader_name="Phạm Đăng Xuyết",
        printed_on=PRINTED_ON,
    )


def test_the_pdf_says_what_the_engine_counted(
    village_team: Team, qapp: object, tmp_path: Path
) -> None:
    from villagehelper.reports.weekly import write_pdf

    tally = logged_week(village_team)
    assert tally.totals.sessions == 4
    pdf = tmp_path / "weekly.pdf"
    assert write_pdf(build(tally), pdf) == 1

    text = pdf_text(pdf)
    flat = squeeze(text)
    for phrase in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND XÃ GIA LỘC",
        "TỔ CÔNG NGHỆ SỐ",  # the issuing body wraps in its column
        "ĐỒNG THÔN KHAY",
        "Gia Lộc, ngày 23 tháng 11 năm 2026",
        "BÁO CÁO KẾT QUẢ HỖ TRỢ NGƯỜI DÂN",
        "TUẦN 47 (16/11 – 22/11/2026)",
        "Người lập biểu",
        "TỔ TRƯỞNG",
        "(Ký, ghi rõ họ tên)",
        "Nguyễn Thị Hệ",
        "Phạm Đăng Xuyết",
    ):
        assert phrase in flat, phrase
    # Counts only: no head of household, no member.
    for head in HEADS:
        assert head not in flat

    # "STT  label…  sessions people done follow-up failed cumulative" (labels may wrap,
    # the numbers sit on the row's middle line with its STT).
    printed = {
        int(match[1]): match[2].split()
        for match in re.finditer(r"^\s*(\d+)\s+\D.*?((?:\s+[\d.]+){6})\s*$", text, re.M)
    }
    total_line = next(line for line in text.splitlines() if "Tổng cộng" in line)

    def expected(counts: Counts) -> list[str]:
        values = (
            counts.sessions,
            counts.people,
            counts.done,
            counts.follow_up,
            counts.failed,
            counts.cumulative,
        )
        return [format_number(value) for value in values]

    # Only services with activity this year are printed, in the engine's order.
    active = [row for row in tally.rows if row.counts.sessions or row.counts.cumulative]
    assert len(active) == 3
    assert printed == {n: expected(row.counts) for n, row in enumerate(active, start=1)}
    assert total_line.split("Tổng cộng", 1)[1].split() == expected(tally.totals)
    # 4 sessions; 2 people, as no member was named (each household counts as one person).
    assert expected(tally.totals)[:2] == ["4", "2"]


def test_the_fonts_embedded_are_the_bundled_metric_twin_of_times(
    village_team: Team, qapp: object, tmp_path: Path
) -> None:
    # VillageHelper Serif: Liberation Serif 2, metric-compatible with Times New Roman,
    # shipped with the app (reports/fonts.py), whatever the machine has installed.
    from villagehelper.reports.weekly import write_pdf

    pdf = tmp_path / "weekly.pdf"
    with allowed_here():
        tally = compute_tally(village_team.store, WEEK)
    write_pdf(build(tally, None), pdf)
    listing = run("pdffonts", str(pdf)).splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in listing if line.strip()}
    assert names, "no font in the PDF"
    assert all(name.startswith("VillageHelperSerif") for name in names), names
    assert "VillageHelperSerif-Bold" in names
    assert all(line.split()[-5] == "yes" for line in listing if line.strip())  # embedded


def test_page_numbers_start_on_page_two(village_team: Team, qapp: object, tmp_path: Path) -> None:
    from villagehelper.reports.weekly import write_pdf

    with allowed_here():
        tally = compute_tally(village_team.store, WEEK)
    template = tally.rows[0]
    # More services than one page holds: the table breaks and its header repeats.
    rows = tuple(
        replace(template, service_code=f"s{n}", label_vi=f"Dịch vụ thử {n}", counts=Counts(n))
        for n in range(1, 46)
    )
    long_tally = replace(tally, rows=rows, totals=Counts(sum(range(1, 46))))
    pdf = tmp_path / "long.pdf"
    pages = write_pdf(build(long_tally), pdf)
    assert pages == 2

    first = [line.strip() for line in pdf_text(pdf, 1).splitlines() if line.strip()]
    second = [line.strip() for line in pdf_text(pdf, 2).splitlines() if line.strip()]
    assert first[0].startswith("UBND XÃ GIA LỘC")
    assert not any(re.fullmatch(r"\d+", line) for line in first)
    assert second[0] == "2"
    assert any(line.startswith("STT") for line in second)  # header row repeated
    assert "Tổng cộng" in squeeze(" ".join(second))
    assert numbers_after_total(second) == format_number(sum(range(1, 46)))


def numbers_after_total(lines: list[str]) -> str:
    line = next(line for line in lines if "Tổng cộng" in line)
    return line.split("Tổng cộng", 1)[1].split()[0]
