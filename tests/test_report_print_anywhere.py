"""The printed weekly report is the same on every machine: one page for a normal week,
in the bundled font, no word broken, no table row split across pages.

Field report: on a Linux laptop without Times New Roman the report took two pages, words
broke inside a syllable ("Thàn/h công", "ngư/ời"), the national name wrapped, a row split
across the page break and its numbers printed over the repeated header.  The machine is
reproduced with fontconfig pointed at a configuration with no fonts (or DejaVu only),
the report is printed by the real command in its own process and read back with poppler.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Team
from villagehelper.ops.households import create_household
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.sessions import log_visit
from villagehelper.ops.team import list_services
from villagehelper.store.thread_guard import allowed_here
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week
from villagehelper.tally.results import Counts, Tally
from villagehelper.text import format_number

pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("pdftotext", "pdffonts", "pdfinfo")),
    reason="poppler-utils (pdftotext, pdffonts, pdfinfo) not installed",
)

WEEK = iso_week(2026, 47)  # 16/11 – 22/11/2026, before the test clock's "now"
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BUNDLED = {"VillageHelperSerif", "VillageHelperSerif-Bold", "VillageHelperSerif-Italic"}
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def fontconfig(folder: Path, font_dirs: tuple[Path, ...]) -> Path:
    """A fontconfig configuration that knows only ``font_dirs`` (none: no font at all)."""
    folder.mkdir()
    config = folder / "fonts.conf"
    dirs = "".join(f"<dir>{font_dir}</dir>" for font_dir in font_dirs)
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig>{dirs}<cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return config


def run_on_this_machine(config: Path | None, *arguments: str) -> None:
    """Python with ``arguments``, in a process that sees only the fonts of ``config``
    (``None``: the fonts this machine has)."""
    env = {key: value for key, value in os.environ.items() if key != "FONTCONFIG_FILE"}
    if config is not None:
        env["FONTCONFIG_FILE"] = str(config)
    subprocess.run(
        [sys.executable, *arguments],
        check=True,
        capture_output=True,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )


def print_the_week(config: Path | None, data_dir: Path, pdf: Path) -> None:
    """``villagehelper tally --pdf`` for 2026-W47, as a person runs it."""
    run_on_this_machine(
        config,
        "-m",
        "villagehelper.cli",
        "tally",
        "--data-dir",
        str(data_dir),
        "--week",
        "2026-W47",
        "--pdf",
        str(pdf),
    )


def assert_one_page_in_the_bundled_font(pdf: Path) -> None:
    assert re.search(r"^Pages:\s+1$", run("pdfinfo", str(pdf)), re.M)
    listing = [line for line in run("pdffonts", str(pdf)).splitlines()[2:] if line.strip()]
    assert {line.split()[0].split("+")[-1] for line in listing} == BUNDLED
    assert all(line.split()[-5] == "yes" for line in listing)  # embedded


def log_every_service(village_team: Team) -> list[str]:
    """A busy week: every one of the fourteen services asked for, some several times,
    with each outcome; the services' labels."""
    store = village_team.store
    services = list_services(store)
    households = [
        create_household(
            store, HouseholdInput(village_team.village_id, head), [MemberInput(head, 1960 + n)]
        ).id
        for n, head in enumerate(("Trần Văn Tèo", "Lò Thị Mỷ", "Hà Văn Sáu", "Vi Thị Lả"))
    ]
    outcomes = (
        ServiceOutcome("", "done"),
        ServiceOutcome("", "follow_up", date(2026, 11, 30)),
        ServiceOutcome("", "failed", None, "mất mạng"),
    )
    minute = 0
    for index, service in enumerate(services):
        for repeat in range(1 + index % 4):
            minute += 1
            outcome = replace(outcomes[(index + repeat) % 3], service_code=service.code)
            log_visit(
                store,
                VisitInput(
                    households[(index + repeat) % len(households)],
                    village_team.member_id,
                    [outcome],
                    occurred_at=datetime(2026, 11, 16 + index % 5, 2, minute, tzinfo=UTC),
                ),
            )
    return [service.label_vi for service in services]


@pytest.mark.parametrize("machine", ["no fonts at all", "DejaVu only"])
def test_a_busy_week_prints_on_one_page_in_the_bundled_font_on_any_machine(
    machine: str, village_team: Team, tmp_path: Path
) -> None:
    from villagehelper.reports.counts_table import COLUMNS

    labels = log_every_service(village_team)
    assert len(labels) == 14
    assert all(row.counts.sessions for row in compute_tally(village_team.store, WEEK).rows)
    font_dirs = (DEJAVU,) if machine == "DejaVu only" else ()
    config = fontconfig(tmp_path / "fontconfig", font_dirs)
    pdf = tmp_path / "báo cáo.pdf"
    print_the_week(config, tmp_path / "data", pdf)
    assert_one_page_in_the_bundled_font(pdf)

    text = run("pdftotext", "-layout", str(pdf), "-")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    # Each on one line (beside the issuing body, on the same printed line).
    assert any(line.endswith(NATIONAL_NAME) for line in lines), text
    assert any(line.endswith(MOTTO) for line in lines), text
    # Every word whole: a word broken across two lines is not among the printed words.
    printed = set(text.split())
    expected = {
        word
        for phrase in (*labels, *COLUMNS, NATIONAL_NAME, MOTTO, "Người lập biểu", "TỔ TRƯỞNG")
        for word in phrase.split()
    }
    assert expected - printed == set()
    for name in ("Nguyễn Thị Hệ", "Phạm Đăng Xuyết"):
        assert name in " ".join(lines)


def word_boxes(pdf: Path) -> list[tuple[str, ...]]:
    """Every word of ``pdf`` with its box; the digits of a date left out (the date line
    could change between two runs at midnight; digits all have the same width)."""
    boxes = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
        run("pdftotext", "-bbox", str(pdf), "-"),
    )
    return [(*box[:4], "#" if box[4].isdigit() else box[4]) for box in boxes]


def test_every_word_is_in_the_same_place_whatever_fonts_the_machine_has(
    village_team: Team, tmp_path: Path
) -> None:
    log_every_service(village_team)
    machines = {
        "no fonts": fontconfig(tmp_path / "none", ()),
        "DejaVu only": fontconfig(tmp_path / "dejavu", (DEJAVU,)),
        "this machine's fonts": None,
    }
    printed = {}
    for machine, config in machines.items():
        pdf = tmp_path / f"{machine}.pdf"
        print_the_week(config, tmp_path / "data", pdf)
        printed[machine] = word_boxes(pdf)
    assert len(printed["no fonts"]) > 200
    assert printed["DejaVu only"] == printed["no fonts"]
    assert printed["this machine's fonts"] == printed["no fonts"]


# The tally screen's own print path (ui/tally_actions.py), in a process of its own.
PRINT_FROM_THE_SCREEN = """
import sys
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget

from villagehelper.preferences import Preferences
from villagehelper.store.engine import open_store
from villagehelper.tally.periods import iso_week
from villagehelper.tally.overview import tally_overview
from villagehelper.ui.shell.context import AppContext
from villagehelper.ui.shell.executor import Worker
from villagehelper.ui.tally.actions import ReportActions

app = QApplication(sys.argv[:1])
store = open_store(Path(sys.argv[1]))
executor = Worker()
screen = QWidget()
overview = tally_overview(store, iso_week(2026, 47))  # before the context guards the store
actions = ReportActions(AppContext(store, executor, Preferences()), lambda: None, screen)
document = actions.document(overview)
printer = actions._printer(document)  # as the print dialog receives it
printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
printer.setOutputFileName(sys.argv[2])
actions.print_to(printer, document)
executor.shutdown()
store.close()
"""


def test_the_screens_print_path_uses_the_bundled_font_on_a_machine_without_fonts(
    village_team: Team, tmp_path: Path
) -> None:
    labels = log_every_service(village_team)
    config = fontconfig(tmp_path / "fontconfig", ())
    pdf = tmp_path / "paper.pdf"
    run_on_this_machine(config, "-c", PRINT_FROM_THE_SCREEN, str(tmp_path / "data"), str(pdf))
    assert_one_page_in_the_bundled_font(pdf)
    printed = set(run("pdftotext", "-layout", str(pdf), "-").split())
    assert {word for label in labels for word in label.split()} - printed == set()


# --- long tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    top: float
    bottom: float


def printed_words(pdf: Path) -> list[Word]:
    """Every word of ``pdf`` with its page and vertical place (pdftotext -bbox)."""
    xhtml = run("pdftotext", "-bbox", str(pdf), "-")
    words: list[Word] = []
    for page, body in enumerate(re.split(r"<page ", xhtml)[1:], start=1):
        for match in re.finditer(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            body,
        ):
            words.append(Word(page, match[3], float(match[1]), float(match[2])))
    return words


# Words of no heading, so that a row's words are never taken for the header's.
VOCABULARY = [
    "hướng",
    "dẫn",
    "cài",
    "đặt",
    "ứng",
    "dụng",
    "điện",
    "thoại",
    "tài",
    "khoản",
    "định",
    "danh",
    "mức",
    "dịch",
    "vụ",
    "trực",
    "tuyến",
    "bảo",
    "hiểm",
    "xã",
    "hội",
    "ví",
    "ngân",
    "hàng",
    "chữ",
    "ký",
    "cá",
    "nhân",
    "phòng",
    "chống",
    "lừa",
    "đảo",
]


def long_tally(template: Tally, words_per_row: list[int]) -> Tally:
    """One row per entry of ``words_per_row``: "R7a …words… R7z", 107 sessions; a total
    of at least 1.000, told apart from every row."""
    rows = tuple(
        replace(
            template.rows[0],
            service_code=f"s{n}",
            label_vi=" ".join(
                [f"R{n}a", *(VOCABULARY[(n + i) % len(VOCABULARY)] for i in range(count)), f"R{n}z"]
            ),
            counts=Counts(100 + n),
        )
        for n, count in enumerate(words_per_row, start=1)
    )
    return replace(
        template, rows=rows, totals=Counts(1000 + sum(100 + n for n in range(1, len(rows) + 1)))
    )


def only(by_text: dict[str, list[Word]], text: str, where: str) -> Word:
    """The one place ``text`` is printed (a row cut by a page break shows twice)."""
    found = by_text.get(text, [])
    assert len(found) == 1, f"{where}: {text!r} printed {len(found)} times"
    return found[0]


def assert_rows_whole_under_a_header(words: list[Word], rows: int) -> None:
    by_text: dict[str, list[Word]] = {}
    for word in words:
        by_text.setdefault(word.text, []).append(word)
    pages_with_rows: set[int] = set()
    for n in range(1, rows + 1):
        first, last, sessions = (
            only(by_text, token, f"row {n}") for token in (f"R{n}a", f"R{n}z", str(100 + n))
        )
        # The row on one page: its name from first word to last, its numbers beside it.
        assert first.page == last.page == sessions.page, f"row {n} split across pages"
        assert first.top <= sessions.top and sessions.bottom <= last.bottom, f"row {n}"
        pages_with_rows.add(first.page)
    from villagehelper.reports.counts_table import COLUMNS

    heading_words = {word for heading in COLUMNS for word in heading.split()}
    for page in pages_with_rows:
        stt = only({"STT": [w for w in by_text["STT"] if w.page == page]}, "STT", f"page {page}")
        header = [
            word
            for word in words
            if word.page == page and word.text in heading_words and abs(word.top - stt.top) < 40
        ]
        header_bottom = max(word.bottom for word in header)
        on_page = [
            word
            for word in words
            if word.page == page and re.fullmatch(r"R\d+[az]|\d{3}", word.text)
        ]
        # The header row repeated on top of every page, nothing printed over it.
        assert all(word.top >= header_bottom for word in on_page), f"page {page}"


def assert_signatures_with_the_total(words: list[Word], tally: Tally) -> None:
    (total,) = [word for word in words if word.text == format_number(tally.totals.sessions)]
    signature = [word for word in words if word.text in {"TRƯỞNG", "biểu", "Xuyết", "Hệ"}]
    assert len(signature) == 4
    assert {word.page for word in signature} == {total.page}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(words_per_row=st.lists(st.integers(min_value=0, max_value=24), min_size=1, max_size=70))
def test_long_tables_never_split_a_row_and_repeat_the_header(
    village_team: Team, qapp: object, words_per_row: list[int]
) -> None:
    from tests.test_report_pdf import build
    from villagehelper.reports.weekly import write_pdf

    with allowed_here():  # the test's own reading, beside the Qt application
        tally = long_tally(compute_tally(village_team.store, WEEK), words_per_row)
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "long.pdf"
        pages = write_pdf(build(tally), pdf)
        words = printed_words(pdf)
    assert max(word.page for word in words) == pages
    assert_rows_whole_under_a_header(words, len(words_per_row))
    assert_signatures_with_the_total(words, tally)


def test_a_table_of_many_long_names_takes_several_pages_each_with_its_header(
    village_team: Team, qapp: object, tmp_path: Path
) -> None:
    from tests.test_report_pdf import build
    from villagehelper.reports.weekly import write_pdf

    with allowed_here():  # the test's own reading, beside the Qt application
        tally = long_tally(compute_tally(village_team.store, WEEK), [14] * 40)
    pdf = tmp_path / "long.pdf"
    pages = write_pdf(build(tally), pdf)
    assert pages >= 3
    words = printed_words(pdf)
    assert {word.page for word in words if word.text == "STT"} == set(range(1, pages + 1))
    assert_rows_whole_under_a_header(words, 40)
    assert_signatures_with_the_total(words, tally)


@pytest.mark.parametrize("rows", range(18, 34, 3))
def test_the_signatures_never_go_to_a_page_alone(
    rows: int, village_team: Team, qapp: object, tmp_path: Path
) -> None:
    # From a table that ends high on the page to one that ends at its bottom: somewhere
    # the signatures no longer fit under it.
    from tests.test_report_pdf import build
    from villagehelper.reports.weekly import write_pdf

    with allowed_here():  # the test's own reading, beside the Qt application
        tally = long_tally(compute_tally(village_team.store, WEEK), [2] * rows)
    pdf = tmp_path / "tally.pdf"
    write_pdf(build(tally), pdf)
    words = printed_words(pdf)
    assert_rows_whole_under_a_header(words, rows)
    assert_signatures_with_the_total(words, tally)
    last_row = next(word for word in words if word.text == f"R{rows}a")
    assert last_row.page == max(word.page for word in words)


def vietnamese_letters() -> set[str]:
    """Every letter of Vietnamese, each vowel with each of the five tones, both cases."""
    vowels = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    lower = {unicodedata.normalize("NFC", vowel + tone) for vowel in vowels for tone in tones}
    lower |= set("bcdđghklmnpqrstvx")
    return lower | {letter.upper() for letter in lower}


def test_the_bundled_fonts_are_whole_and_have_every_vietnamese_letter(qapp: object) -> None:
    from PySide6.QtGui import QRawFont

    from villagehelper.report_font import FONTS_DIR, REPORT_FONT_FILES
    from villagehelper.reports.fonts import REPORT_FAMILY

    letters = vietnamese_letters()
    assert len(letters) == 2 * (12 * 6 + 17)
    assert all(len(letter) == 1 for letter in letters)  # precomposed, as typed and stored
    assert (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8").count("Open Font License") >= 2
    for name in REPORT_FONT_FILES:
        data = name.read_bytes()
        # The whole file's checksum is the TrueType constant: the renaming left it sound.
        padded = data + b"\0" * (-len(data) % 4)
        assert sum(struct.unpack(f">{len(padded) // 4}L", padded)) & 0xFFFFFFFF == 0xB1B0AFBA
        font = QRawFont(data, 12.0)
        assert font.isValid() and font.familyName() == REPORT_FAMILY, name
        assert {letter for letter in letters if not font.supportsCharacter(ord(letter))} == set()
