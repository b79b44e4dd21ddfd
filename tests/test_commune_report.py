"""The commune's report made on the server without Qt (server/commune_report/): its PDF
read back with poppler (pdftotext, pdffonts, pdfinfo) and its XLSX with openpyxl, every
figure against a recount in plain SQL over the same sessions."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from tests.conftest import Team
from villagehelper.catalog import FIRST_CATALOG
from villagehelper.errors import ValidationError
from villagehelper.ops.households import create_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.sessions import log_visit
from villagehelper.ops.team import add_village
from villagehelper.server.commune_report.figures import (
    CommuneFigures,
    VillageTally,
    commune_figures,
)
from villagehelper.server.commune_report.pdf import commune_report_pdf
from villagehelper.server.commune_report.table import Orientation, parse_orientation
from villagehelper.server.commune_report.xlsx import commune_report_xlsx
from villagehelper.store.engine import Store
from villagehelper.store.thread_guard import allowed_here
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week, parse_period
from villagehelper.tally.results import BasicSkills, Counts, ServiceTally, Tally

WEEK = iso_week(2026, 47)  # 16/11 – 22/11/2026, before the test clock's "now"
PRINTED_ON = date(2026, 11, 23)
HEADS = ("Trần Văn Tèo", "Lò Thị Mỷ", "Đinh Công Bằng")
# (household index, day of November, services): two in the week before, one after.
VISITS = (
    (0, 17, ("VNEID_L1", "DVC_ACCOUNT")),
    (0, 18, ("VNEID_L2",)),
    (1, 19, ("VNEID_L1", "EHEALTH", "VSSID")),
    (2, 20, ("VNEID_L1",)),
    (2, 21, ("ONLINE_SAFETY", "DIGITAL_SKILLS")),
    (1, 2, ("BANK_ACCOUNT",)),  # earlier this year: lũy kế only
    (0, 9, ("VNEID_L1",)),
    (2, 23, ("OTHER",)),  # the week after: counted nowhere here
)


def run(*command: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = () if page is None else ("-f", str(page), "-l", str(page))
    return run("pdftotext", "-layout", *pages, str(pdf), "-")


def page_count(pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.MULTILINE)
    assert match is not None
    return int(match[1])


def printed(pdf: Path, report: CommuneFigures, orientation: Orientation, **names: str) -> Path:
    """The server's report written to ``pdf``, printed on :data:`PRINTED_ON`."""
    pdf.write_bytes(commune_report_pdf(report, orientation, printed_on=PRINTED_ON, **names))
    return pdf


def squeeze(value: str) -> str:
    return re.sub(r"\s+", " ", value)


def log_week(village_team: Team) -> tuple[str, ...]:
    """Three households in three villages and the visits above; the village names."""
    store = village_team.store
    third = add_village(store, "Thôn Phương Điếm")
    villages = (village_team.village_id, village_team.other_village_id, third.id)
    households = [
        create_household(store, HouseholdInput(village, head), [MemberInput(head, 1960 + index)]).id
        for index, (village, head) in enumerate(zip(villages, HEADS, strict=True))
    ]
    for household, day, services in VISITS:
        log_visit(
            store,
            VisitInput(
                households[household],
                village_team.member_id,
                [ServiceOutcome(code) for code in services],
                occurred_at=datetime(2026, 11, day, 3, 0, tzinfo=UTC),
            ),
        )
    return ("Thôn Khay", "Thôn Hữu Chung", "Thôn Phương Điếm")


def recount(store: Store, first: str, last: str) -> Counter[tuple[str, str]]:
    """Sessions per (village name, service label) between two days, in plain SQL."""
    query = text(
        "SELECT v.name, s.label_vi, count(*) FROM help_sessions h "
        "JOIN households o ON o.id = h.household_id JOIN villages v ON v.id = o.village_id "
        "JOIN services s ON s.code = h.service_code "
        "WHERE NOT h.voided AND date(h.occurred_at) BETWEEN :first AND :last "
        "GROUP BY v.name, s.label_vi"
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query, {"first": first, "last": last}).all()
    return Counter({(village, label): int(count) for village, label, count in rows})


def trailing_numbers(line: str, count: int) -> list[int]:
    """The last ``count`` numbers of a table line (a label may end with a digit)."""
    return [int(token.replace(".", "")) for token in line.split()[-count:]]


def table_lines(page_text: str, count: int) -> dict[str, list[int]]:
    """Row number (or "total") -> the last ``count`` numbers of its line."""
    rows: dict[str, list[int]] = {}
    for line in page_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("Tổng cộng"):
            rows["total"] = trailing_numbers(stripped, count)
        elif re.match(r"^\d+\s", stripped) and len(stripped.split()) > count:
            rows[stripped.split()[0]] = trailing_numbers(stripped, count)
    return rows


@pytest.fixture
def figures(village_team: Team) -> tuple[CommuneFigures, tuple[str, ...]]:
    names = log_week(village_team)
    return commune_figures(village_team.store, WEEK), names


def test_villages_as_rows_prints_every_village_and_total_as_recounted(
    village_team: Team, figures: tuple[CommuneFigures, tuple[str, ...]], tmp_path: Path
) -> None:
    report, names = figures
    pdf = printed(
        tmp_path / "villages.pdf",
        report,
        Orientation.VILLAGES_AS_ROWS,
        prepared_by="Nguyễn Thị Hệ",
        signer_name="Phạm Đăng Xuyết",
    )
    assert page_count(pdf) == 1  # a normal week: one page
    page = pdf_text(pdf)
    flat = squeeze(page)
    for phrase in (
        "UBND XÃ GIA LỘC",
        "/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Gia Lộc, ngày 23 tháng 11 năm 2026",
        "BÁO CÁO KẾT QUẢ HỖ TRỢ NGƯỜI DÂN",
        "TUẦN 47 (16/11 – 22/11/2026)",
        "Người lập biểu",
        "TM. ỦY BAN NHÂN DÂN",
        "Nguyễn Thị Hệ",
        "Phạm Đăng Xuyết",
    ):
        assert phrase in flat, phrase
    # The national name and the motto each on one line.
    lines = page.splitlines()
    assert any(line.rstrip().endswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") for line in lines)
    assert any(line.rstrip().endswith("Độc lập - Tự do - Hạnh phúc") for line in lines)
    for head in HEADS:  # counts only
        assert head not in flat

    week = recount(village_team.store, "2026-11-16", "2026-11-22")
    year = recount(village_team.store, "2026-01-01", "2026-11-22")
    # Columns: the services with work this year, in catalog order, as the table heads them.
    services = [row.label_vi for row in report.commune.rows if row.counts.cumulative]
    assert {label for _, label in year} == set(services)
    width = len(services) + 3
    rows = table_lines(page, width)
    for number, village in enumerate(sorted(names, key=lambda name: report_order(report, name))):
        cells = [week[(village, label)] for label in services]
        village_year = sum(count for (name, _), count in year.items() if name == village)
        expected = [*cells, sum(cells), 1 if sum(cells) else 0, village_year]
        assert rows[str(number + 1)] == expected, village
        assert village in flat
    service_totals = [sum(week[(name, label)] for name in names) for label in services]
    assert rows["total"] == [*service_totals, sum(week.values()), 3, sum(year.values())]

    fonts = run("pdffonts", str(pdf))
    embedded = [line for line in fonts.splitlines() if "VillageHelperSerif" in line]
    assert embedded and all(" yes " in line for line in embedded), fonts


def report_order(report: CommuneFigures, name: str) -> int:
    return [village.name for village in report.villages].index(name)


def test_services_as_rows_gives_the_same_figures_turned(
    village_team: Team, figures: tuple[CommuneFigures, tuple[str, ...]], tmp_path: Path
) -> None:
    report, names = figures
    pdf = printed(tmp_path / "services.pdf", report, Orientation.SERVICES_AS_ROWS)
    assert page_count(pdf) == 1
    page = pdf_text(pdf)
    week = recount(village_team.store, "2026-11-16", "2026-11-22")
    year = recount(village_team.store, "2026-01-01", "2026-11-22")
    villages = [village.name for village in report.villages]
    assert sorted(villages) == sorted(names)
    services = [row.label_vi for row in report.commune.rows if row.counts.cumulative]
    rows = table_lines(page, len(villages) + 3)
    for number, label in enumerate(services, start=1):
        cells = [week[(village, label)] for village in villages]
        service_year = sum(count for (_, name), count in year.items() if name == label)
        # One person per household here: people = villages with this service this week.
        people = sum(1 for cell in cells if cell)
        assert rows[str(number)] == [*cells, sum(cells), people, service_year], label
    village_totals = [
        sum(count for (name, _), count in week.items() if name == village) for village in villages
    ]
    assert rows["total"] == [*village_totals, sum(week.values()), 3, sum(year.values())]


def test_the_xlsx_holds_the_same_numbers_as_numbers(
    village_team: Team, figures: tuple[CommuneFigures, tuple[str, ...]]
) -> None:
    report, _ = figures
    book = openpyxl.load_workbook(
        io.BytesIO(commune_report_xlsx(report, Orientation.SERVICES_AS_ROWS))
    )
    sheet = book["Báo cáo"]
    assert sheet["A1"].value == "BÁO CÁO KẾT QUẢ HỖ TRỢ NGƯỜI DÂN"
    assert sheet["A2"].value == "TUẦN 47 (16/11 – 22/11/2026)"
    assert sheet["A3"].value == "UBND XÃ GIA LỘC"
    headings = [cell.value for cell in sheet[5]]
    villages = [village.name for village in report.villages]
    assert headings == ["STT", "Loại hỗ trợ", *villages, "Cộng", "Số người", "Lũy kế từ đầu năm"]
    assert sheet["A5"].font.bold and sheet["A5"].border.left.style == "thin"
    week = recount(village_team.store, "2026-11-16", "2026-11-22")
    by_label = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[1]}
    for (village, label), count in week.items():
        assert by_label[label][2 + villages.index(village)] == count
    total = by_label["Tổng cộng"]
    assert total[2 + len(villages)] == sum(week.values())
    assert isinstance(total[2], int)  # numbers, not text
    assert sheet.freeze_panes == "C6"


def test_a_long_table_repeats_its_header_on_every_page(village_team: Team, tmp_path: Path) -> None:
    store = village_team.store
    names = [f"Thôn Xóm Đông {number:02d}" for number in range(60)]
    for name in names:
        village = add_village(store, name)
        household = create_household(store, HouseholdInput(village.id, "Hộ"), []).id
        log_visit(
            store,
            VisitInput(
                household,
                village_team.member_id,
                [ServiceOutcome("VNEID_L1")],
                occurred_at=datetime(2026, 11, 18, 3, 0, tzinfo=UTC),
            ),
        )
    report = commune_figures(store, WEEK)
    pdf = printed(tmp_path / "long.pdf", report, Orientation.VILLAGES_AS_ROWS)
    pages = page_count(pdf)
    assert pages >= 2
    seen: list[str] = []
    for number in range(1, pages + 1):
        page = pdf_text(pdf, number)
        if any(name in page for name in names):
            assert "STT" in page and "Thôn, tổ dân phố" in page, number
        if number > 1:
            assert page.strip().splitlines()[0].strip() == str(number)  # its page number
        seen += [name for name in names if name in page]
    assert sorted(seen) == sorted(names)  # every village once, none lost at a break
    last = pdf_text(pdf, pages)
    assert "Tổng cộng" in last and "TM. ỦY BAN NHÂN DÂN" in last
    assert any(name in last for name in names)  # the signatures never go alone


def test_more_villages_than_a_page_holds_as_columns_are_cut_into_tables() -> None:
    """Forty villages as columns: the grid is cut into landscape tables, one under the
    other, each with its header; together their total rows give every village's total
    once, then the commune's sessions, people and lũy kế."""
    villages = 40
    pdf = commune_report_pdf(
        made_up_figures(villages, len(FIRST_CATALOG)),
        Orientation.SERVICES_AS_ROWS,
        printed_on=PRINTED_ON,
    )
    pages = pdf_pages_text(pdf)
    totals = [
        [int(token) for token in line.split()[2:]]
        for page in pages
        for line in page.splitlines()
        if line.strip().startswith("Tổng cộng")
    ]
    assert len(totals) >= 2  # cut into several tables
    assert [value for part in totals for value in part] == [1] * villages + [villages] * 3
    assert all("STT" in page and "Loại hỗ trợ" in page for page in pages)
    assert "CHỦ TỊCH" in pages[-1]


def test_periods_and_layouts_are_read_from_text() -> None:
    assert parse_period("2026-W47") == WEEK
    assert parse_period("2026-12").label == "2026-12"
    quarter = parse_period("2026-q4")
    assert (quarter.first, quarter.last, quarter.label) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
        "2026-Q4",
    )
    assert quarter.previous().label == "2026-Q3"
    assert parse_orientation("Services") is Orientation.SERVICES_AS_ROWS
    for bad in ("2026-Q5", "2026-13", "tuần 47"):
        with pytest.raises(ValidationError):
            parse_period(bad)
    with pytest.raises(ValidationError):
        parse_orientation("diagonal")


def test_a_quarter_counts_its_three_months(
    village_team: Team, figures: tuple[CommuneFigures, tuple[str, ...]], tmp_path: Path
) -> None:
    quarter = commune_figures(village_team.store, parse_period("2026-Q4"))
    pdf = printed(tmp_path / "quarter.pdf", quarter, Orientation.VILLAGES_AS_ROWS)
    page = pdf_text(pdf)
    assert "QUÝ IV/2026 (01/10 – 31/12/2026)" in squeeze(page)
    whole = recount(village_team.store, "2026-10-01", "2026-12-31")
    width = sum(1 for row in quarter.commune.rows if row.counts.cumulative) + 3
    assert table_lines(page, width)["total"][-3] == sum(whole.values())


MAKE_PDF = """
import sys
from pathlib import Path
from villagehelper.server.commune_report.figures import commune_figures
from villagehelper.server.commune_report.pdf import commune_report_pdf
from villagehelper.server.commune_report.table import Orientation
from villagehelper.store.engine import open_store
from villagehelper.tally.periods import iso_week
from datetime import date
store = open_store(Path(sys.argv[1]))
figures = commune_figures(store, iso_week(2026, 47))
pdf = commune_report_pdf(figures, Orientation.VILLAGES_AS_ROWS, printed_on=date(2026, 11, 23))
Path(sys.argv[2]).write_bytes(pdf)
print(sorted(name for name in sys.modules if name.partition(".")[0] == "PySide6"))
"""


def test_a_server_without_fonts_or_qt_prints_the_same_report(
    village_team: Team, figures: tuple[CommuneFigures, tuple[str, ...]], tmp_path: Path
) -> None:
    report, _ = figures
    here = printed(tmp_path / "here.pdf", report, Orientation.VILLAGES_AS_ROWS)
    folder = tmp_path / "no fonts"
    folder.mkdir()
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    bare = tmp_path / "bare.pdf"
    village_team.store.close()
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    loaded = run(
        sys.executable, "-c", MAKE_PDF, str(village_team.store.data_dir), str(bare), env=env
    )
    assert loaded.strip() == "[]"  # no Qt in the process that made it
    assert pdf_text(bare) == pdf_text(here)
    fonts = run("pdffonts", str(bare), env=env)
    assert "VillageHelperSerif" in fonts and " no " not in fonts.split("\n", 2)[2]


def test_the_same_figures_as_the_laptops_printout(
    village_team: Team, qapp: object, tmp_path: Path
) -> None:
    """The laptop's weekly PDF (Qt) and the server's for the same week and data: every
    service's sessions, people and lũy kế, and the totals, read back the same."""
    from villagehelper.reports.weekly import build_weekly_document, write_pdf

    with allowed_here():
        log_week(village_team)
        laptop_tally = compute_tally(village_team.store, WEEK)
        report = commune_figures(village_team.store, WEEK)
    laptop = tmp_path / "laptop.pdf"
    write_pdf(
        build_weekly_document(
            laptop_tally,
            commune_name="Xã Gia Lộc",
            village_name=None,
            prepared_by="Nguyễn Thị Hệ",
            leader_name="Phạm Đăng Xuyết",
            printed_on=PRINTED_ON,
        ),
        laptop,
    )
    server = printed(tmp_path / "server.pdf", report, Orientation.SERVICES_AS_ROWS)
    # Laptop: sessions, people, done, follow-up, failed, lũy kế.  Server: one column per
    # village, then sessions, people, lũy kế.
    laptop_rows = table_lines(pdf_text(laptop), 6)
    server_rows = table_lines(pdf_text(server), len(report.villages) + 3)
    assert len(laptop_rows) == len(server_rows) > 4
    for number, on_paper in laptop_rows.items():
        sessions, people, *_, cumulative = on_paper
        assert server_rows[number][-3:] == [sessions, people, cumulative], number


def made_up_figures(villages: int, services: int = 1) -> CommuneFigures:
    """Figures of ``villages`` villages with one session of each of the first
    ``services`` services of the catalog, without a database: the layout alone is under
    test."""
    one = Counts(sessions=1, people=1, households=1, done=1, cumulative=1)
    skills = BasicSkills((), 0, 0)
    catalog = FIRST_CATALOG[:services]

    def tally(counts: Counts) -> Tally:
        rows = tuple(ServiceTally(code, vi, en, basic, counts) for code, vi, en, basic in catalog)
        return Tally(WEEK, WEEK.previous(), None, None, rows, counts, skills)

    total = Counts(sessions=villages, people=villages, cumulative=villages)
    return CommuneFigures(
        "10999",
        "Xã Gia Lộc",
        tally(total),
        tuple(VillageTally(f"Thôn Đông {number:03d}", tally(one)) for number in range(villages)),
    )


def test_a_normal_week_with_every_service_is_one_page_either_way() -> None:
    """Seven villages, every service of the catalog asked for: one page, landscape when
    the services are the columns.  (With more villages and every service, the report
    flows onto a second page, its header repeated.)"""
    figures = made_up_figures(7, len(FIRST_CATALOG))
    for orientation in Orientation:
        pdf = commune_report_pdf(figures, orientation, printed_on=PRINTED_ON)
        pages = pdf_pages_text(pdf)
        assert len(pages) == 1, orientation
        assert all(label in squeeze(pages[0]) for label in ("Tổng cộng", "CHỦ TỊCH"))


def test_the_signatures_never_go_to_a_page_alone() -> None:
    """Whatever the length of the table, its last page holds its last village and the
    total above the signatures (where it ends near a page's foot, they move together)."""
    moved = 0
    for villages in range(22, 31):  # one page, the tail carried over, then not needed
        figures = made_up_figures(villages)
        pdf = commune_report_pdf(figures, Orientation.VILLAGES_AS_ROWS, printed_on=PRINTED_ON)
        pages = re.findall(rb"/Type /Page\b", pdf)
        with_signatures = pdf_pages_text(pdf)[-1]
        assert f"Thôn Đông {villages - 1:03d}" in with_signatures, villages
        assert "Tổng cộng" in with_signatures and "CHỦ TỊCH" in with_signatures
        assert "STT" in with_signatures  # a new page's table starts with its header
        moved += len(pages) > 1 and f"Thôn Đông {villages - 2:03d}" not in with_signatures
    assert moved  # some lengths did need the last rows carried over


def pdf_pages_text(pdf: bytes) -> list[str]:
    completed = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    )
    return completed.stdout.decode("utf-8").split("\f")[:-1]


def test_a_village_named_like_a_formula_stays_text_in_the_xlsx() -> None:
    injection = '=HYPERLINK("http://x","y")'
    figures = made_up_figures(3)
    odd = dataclasses.replace(figures.villages[0], name=injection)
    figures = dataclasses.replace(figures, villages=(odd, *figures.villages[1:]))
    for orientation in Orientation:
        book = openpyxl.load_workbook(io.BytesIO(commune_report_xlsx(figures, orientation)))
        sheet = book["Báo cáo"]
        texts = [cell.value for row in sheet.iter_rows() for cell in row]
        assert "'" + injection in texts, orientation
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
