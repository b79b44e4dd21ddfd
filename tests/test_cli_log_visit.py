"""``villagehelper log-visit``: a visit logged on the command line is the screen's visit.

Through the command's entry point on real SQLite files (and once as a subprocess, as a
scheduled task or the packaged app's smoke test runs it): the visit is in the store,
counted in the weekly tally, shown by the operations the screen shows visits with exactly
as a visit saved by the screen; every bad input is refused with exit code 1, a message
in Vietnamese then English, and the data file unchanged.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from villagehelper.catalog import FIRST_CATALOG
from villagehelper.cli.dispatch import main
from villagehelper.cli.telling import EXIT_USER_ERROR
from villagehelper.cli.visit_options import parse_service_option
from villagehelper.clock import vietnam_today
from villagehelper.errors import ValidationError
from villagehelper.keys.command_unlock import MEMBER_ENV, PIN_ENV
from villagehelper.keys.key_file import Keyring
from villagehelper.keys.wrapping import ScryptCost
from villagehelper.ops import households, sessions, team
from villagehelper.ops.inputs import HouseholdInput, MemberInput, ServiceOutcome, VisitInput
from villagehelper.ops.session_filter import SessionFilter
from villagehelper.ops.session_queries import (
    SessionRow,
    follow_ups,
    household_history,
    list_sessions,
)
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.engine import Store, open_store
from villagehelper.typed_dates import format_day

HEAD = "Trần Văn Thuận"
DAUGHTER = "Trần Thị Mai"
VOLUNTEER, VOLUNTEER_PIN = "Nguyễn Thị Hệ", "975319"
CHEAP = ScryptCost(n=16, r=1, p=1)  # the PIN's cost travels with its entry


@dataclass(frozen=True)
class Laptop:
    data_dir: Path
    household_id: str
    daughter_id: str
    volunteer_id: str

    def opened(self) -> Store:
        return open_store(self.data_dir)


def _laptop(data_dir: Path) -> Laptop:
    """A team of Xã Gia Lộc with one household of two (the head and his daughter)."""
    store = open_store(data_dir)
    try:
        team.set_commune(store, "10999")
        khay = team.add_village(store, "Thôn Khay")
        team.add_village(store, "Thôn Hữu Chung")
        team.add_team_member(store, "Phạm Đăng Xuyết", "leader", khay.id)
        volunteer = team.add_team_member(store, VOLUNTEER, "member", khay.id)
        saved = households.create_household(
            store,
            HouseholdInput(khay.id, HEAD, "Xóm Đông, số 12", "0912345678"),
            [MemberInput(HEAD, 1950), MemberInput(DAUGHTER, 1985)],
        )
        detail = households.get_household(store, saved.id)
    finally:
        store.close()
    daughter = next(m.id for m in detail.members if m.full_name == DAUGHTER)
    return Laptop(data_dir, saved.id, daughter, volunteer.id)


@pytest.fixture
def laptop(tmp_path: Path) -> Laptop:
    return _laptop(tmp_path / "Dữ liệu tổ #1")


def _today() -> date:
    return vietnam_today()  # the command's store reads the real clock


def _run(laptop: Laptop, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(laptop.data_dir), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _fingerprint(laptop: Laptop) -> str:
    """Every row of every table, read with plain SQL (the file is not encrypted)."""
    with sqlite3.connect(laptop.data_dir / DATABASE_FILE) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


def _tally_totals(laptop: Laptop, capsys: pytest.CaptureFixture[str]) -> list[int]:
    """The weekly tally's total line: sessions, people, households, done, follow-up,
    failed, year to date."""
    code, out, _ = _run(laptop, capsys, "tally", "--week", "this")
    assert code == 0
    total = next(line for line in out.splitlines() if line.strip().startswith("Tổng cộng"))
    return [int(cell.replace(".", "")) for cell in total.split()[2:]]


def _sessions_sql(laptop: Laptop) -> list[tuple[object, ...]]:
    with sqlite3.connect(laptop.data_dir / DATABASE_FILE) as db:
        return db.execute(
            "SELECT service_code, outcome, follow_up_date, failure_reason, note, member_id, "
            "volunteer_id, visit_id FROM help_sessions WHERE household_id = ? "
            "ORDER BY service_code",
            (laptop.household_id,),
        ).fetchall()


def test_a_visit_logged_is_stored_and_counted_in_the_weekly_tally(
    laptop: Laptop, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tally_totals(laptop, capsys)
    follow_up = _today() + timedelta(days=10)
    code, out, err = _run(
        laptop, capsys, "log-visit", "--household", laptop.household_id,
        "--service", "vneid_l1=thành công",
        "--service", f"VNEID_L2=follow-up:{follow_up:%d%m%Y}",
        "--service", "EHEALTH=failed:Điện thoại hết pin",
        "--note", "Mang theo CCCD lần sau", "--by", "nguyen thi he",
    )  # fmt: skip
    assert (code, err) == (0, "")
    rows = _sessions_sql(laptop)
    head_id = next(
        m.id for m in households.get_household(laptop.opened(), laptop.household_id).members
        if m.full_name == HEAD
    )  # fmt: skip
    assert [row[:7] for row in rows] == [
        ("EHEALTH", "failed", None, "Điện thoại hết pin", "Mang theo CCCD lần sau",
         head_id, laptop.volunteer_id),
        ("VNEID_L1", "done", None, "", "Mang theo CCCD lần sau", head_id, laptop.volunteer_id),
        ("VNEID_L2", "follow_up", follow_up.isoformat(), "", "Mang theo CCCD lần sau",
         head_id, laptop.volunteer_id),
    ]  # fmt: skip
    assert len({row[7] for row in rows}) == 1  # one visit
    # What was saved is said, Vietnamese first, with the ids to find it again.
    assert out.index("Đã lưu lượt hỗ trợ") < out.index("Visit saved")
    assert HEAD in out and f"hẹn lại {format_day(follow_up)}" in out
    assert str(rows[0][7]) in out
    after = _tally_totals(laptop, capsys)
    sessions_, people, households_, done, followed, failed = (
        a - b for a, b in zip(after[:6], before[:6], strict=True)
    )
    assert (sessions_, people, households_, done, followed, failed) == (3, 1, 1, 1, 1, 1)


def _comparable(row: SessionRow) -> tuple[object, ...]:
    """A session as the screens show it, without what differs between two laptops."""
    return (
        row.head_name, row.village_name, row.member_name, row.service_code, row.service_label,
        row.outcome, row.follow_up_date, row.failure_reason, row.note, row.volunteer_name,
        row.voided, row.replaces_id,
    )  # fmt: skip


def _as_the_screens_show(laptop: Laptop, until: date) -> dict[str, list[tuple[object, ...]]]:
    store = laptop.opened()
    try:
        today = vietnam_today(store.now())
        todays = SessionFilter(start=today, end=today, include_voided=True)
        return {
            "previous services": [
                _comparable(r) for r in household_history(store, laptop.household_id)
            ],
            "today's list": [_comparable(r) for r in list_sessions(store, todays)],
            "follow-ups": [(f.status, _comparable(f.session)) for f in follow_ups(store, until)],
        }
    finally:
        store.close()


def test_the_visit_shows_where_the_screens_visit_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    by_command = _laptop(tmp_path / "command")
    by_screen = _laptop(tmp_path / "screen")
    follow_up = _today() + timedelta(days=3)
    code, _, err = _run(
        by_command, capsys, "log-visit", "--household", by_command.household_id,
        "--member", DAUGHTER.upper(), "--consent", "--note", "Lần đầu",
        "--service", "DVC_ACCOUNT", "--service", f"VSSID=hen-lai:{follow_up:%d/%m/%y}",
        "--by", by_command.volunteer_id,
    )  # fmt: skip
    assert (code, err) == (0, "")
    # What the log-a-visit screen hands to the core when Enter saves the same visit.
    store = by_screen.opened()
    try:
        sessions.log_visit(
            store,
            VisitInput(
                household_id=by_screen.household_id,
                volunteer_id=by_screen.volunteer_id,
                services=[
                    ServiceOutcome("DVC_ACCOUNT"),
                    ServiceOutcome("VSSID", "follow_up", follow_up_date=follow_up),
                ],
                member_id=by_screen.daughter_id,
                note="Lần đầu",
                consent=True,
            ),
        )
    finally:
        store.close()
    shown = _as_the_screens_show(by_command, until=follow_up)
    assert shown == _as_the_screens_show(by_screen, until=follow_up)
    assert len(shown["previous services"]) == 2 and len(shown["follow-ups"]) == 1
    consented = {
        m.full_name: m.consent
        for m in households.get_household(by_command.opened(), by_command.household_id).members
    }
    assert consented == {HEAD: False, DAUGHTER: True}


def _bad_inputs(laptop: Laptop) -> dict[str, tuple[list[str], str]]:
    """Each refused input: its arguments and a word of what the person is told."""
    at_home = ["--household", laptop.household_id]
    other = [*at_home, "--service", "OTHER"]
    new = ["--new-household", "Lê Văn Tám", "--village", "Thôn Khay"]
    by = ["--by", VOLUNTEER]
    today = _today()

    def follow_up(days: int) -> list[str]:
        return [*at_home, "--service", f"VNEID_L2=follow-up:{format_day(today + timedelta(days))}"]

    in_two_days = f"{format_day(today + timedelta(days=2))} 08:00"
    return {
        "unknown service": ([*at_home, "--service", "VNEID_L9", *by], "VNEID_L9"),
        "no service": ([*at_home, *by], "Chưa chọn loại hỗ trợ"),
        "unknown household": (["--household", "no-such", "--service", "OTHER", *by], "no-such"),
        "no household": (["--service", "OTHER", *by], "đúng một hộ"),
        "two households": ([*other, "--find", "Trần", *by], "đúng một hộ"),
        "nothing found": (["--find", "Không Ai", "--service", "OTHER", *by], "Không tìm thấy"),
        "follow-up passed": ([*follow_up(-1), *by], "đã qua"),
        "follow-up too far": ([*follow_up(400), *by], "xa quá"),
        "follow-up unreadable": ([*at_home, "--service", "VSSID=follow-up:31/02", *by], "31/02"),
        "follow-up without date": ([*at_home, "--service", "VSSID=follow-up", *by], "ngày hẹn"),
        "failed without reason": ([*at_home, "--service", "VSSID=failed:", *by], "lý do"),
        "unknown result": ([*at_home, "--service", "VNEID_L2=maybe", *by], "maybe"),
        "same service twice": ([*other, "--service", "other=done", *by], "hai lần"),
        "citizen id in the note": ([*other, "--note", "CCCD 001085012345", *by], "căn cước"),
        "unknown member": ([*other, "--member", "Ai Đó", *by], "Ai Đó"),
        "nobody named as logging": (other, "--by"),
        "a stranger logging": ([*other, "--by", "Người Lạ"], "Người Lạ"),
        "a time in the future": ([*other, "--at", in_two_days, *by], "tương lai"),
        "a time that does not read": ([*other, "--at", "hôm qua", *by], "hôm qua"),
        "unknown village": ([*new[:3], "Thôn Xa", "--service", "OTHER", *by], "Thôn Xa"),
        "new household like one there": (
            ["--new-household", "Tran Van Thuan", *new[2:], "--service", "OTHER", *by],
            "đã có",
        ),
        "new household, citizen id in the note": (
            [*new, "--service", "OTHER", "--note", "số CCCD 001085012345", *by],
            "căn cước",
        ),
        "new household, citizen id in a reason": (
            [*new, "--service", "OTHER=failed:sai CCCD 001085012345", *by],
            "căn cước",
        ),
        "new household with a bad service": ([*new, "--service", "NOPE", *by], "NOPE"),
        "new household with a bad follow-up": (
            [*new, "--service", "VSSID=hẹn lại:1/1/2020", *by],
            "đã qua",
        ),
    }


BAD_INPUTS = list(_bad_inputs(Laptop(Path(), "h", "d", "v")))


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_refused_plainly_and_nothing_is_written(
    case: str, laptop: Laptop, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments, told = _bad_inputs(laptop)[case]
    before = _fingerprint(laptop)
    code, out, err = _run(laptop, capsys, "log-visit", *arguments)
    assert code == EXIT_USER_ERROR, out + err
    assert told in err
    assert err.startswith("Lỗi: ") and "\nError: " in err  # Vietnamese, then English
    assert "Traceback" not in err and "Đã lưu" not in out
    assert _fingerprint(laptop) == before


def test_a_new_household_is_created_with_its_visit(
    laptop: Laptop, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        laptop, capsys, "log-visit", "--new-household", "Lê Văn Tám", "--village", "thon khay",
        "--phone", "0987654321", "--service", "VNEID_L1", "--by", VOLUNTEER,
    )  # fmt: skip
    assert (code, err) == (0, "")
    store = laptop.opened()
    try:
        found = households.find_households(store, "Lê Văn Tám").hits
        assert [(h.head_name, h.village_name) for h in found] == [("Lê Văn Tám", "Thôn Khay")]
        history = household_history(store, found[0].id)
    finally:
        store.close()
    assert [(r.service_code, r.member_name, r.volunteer_name) for r in history] == [
        ("VNEID_L1", "Lê Văn Tám", VOLUNTEER)
    ]
    assert found[0].id in out
    # The same head again is a probable duplicate: refused, unless said to be new.
    again = ["log-visit", "--new-household", "Lê Văn Tám", "--village", "Thôn Khay",
             "--service", "OTHER", "--by", VOLUNTEER]  # fmt: skip
    assert _run(laptop, capsys, *again)[0] == EXIT_USER_ERROR
    assert _run(laptop, capsys, *again, "--new-anyway")[0] == 0


def test_find_logs_for_the_one_household_found_and_whole_household_names_nobody(
    laptop: Laptop, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        laptop, capsys, "log-visit", "--find", "0912345678", "--whole-household",
        "--service", "ONLINE_SAFETY", "--by", VOLUNTEER,
    )  # fmt: skip
    assert code == 0 and "cả hộ / whole household" in out
    assert [(row[0], row[5]) for row in _sessions_sql(laptop)] == [("ONLINE_SAFETY", None)]


def test_at_gives_the_visit_its_time_in_vietnam_time(
    laptop: Laptop, capsys: pytest.CaptureFixture[str]
) -> None:
    yesterday = _today() - timedelta(days=1)
    code, out, _ = _run(
        laptop, capsys, "log-visit", "--household", laptop.household_id, "--service", "OTHER",
        "--at", f"{yesterday:%d/%m/%Y} 21:15", "--by", VOLUNTEER,
    )  # fmt: skip
    assert code == 0 and f"{format_day(yesterday)} 21:15" in out
    store = laptop.opened()
    try:
        (row,) = household_history(store, laptop.household_id)
    finally:
        store.close()
    wanted = datetime.combine(yesterday, time(21, 15), tzinfo=timezone(timedelta(hours=7)))
    assert row.occurred_at == wanted  # 14:15 UTC: an evening visit stays on its own day


def test_the_installed_command_logs_a_visit_and_lists_the_codes(laptop: Laptop) -> None:
    command = [sys.executable, "-m", "villagehelper.cli", "--data-dir", str(laptop.data_dir)]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args], capture_output=True, text=True, timeout=120, check=False, env=env
        )

    helped = run("log-visit", "--help")
    assert helped.returncode == 0
    assert "VNEID_L2" in helped.stdout and "villagehelper services" in helped.stdout
    listed = run("services")
    codes = [line.split()[0] for line in listed.stdout.splitlines()]
    store = laptop.opened()
    try:
        assert codes == [info.code for info in team.list_services(store)]
    finally:
        store.close()
    logged = run("log-visit", "--household", laptop.household_id, "--service", "VNEID_L1",
                 "--by", VOLUNTEER)  # fmt: skip
    assert logged.returncode == 0, logged.stderr
    assert [row[:2] for row in _sessions_sql(laptop)] == [("VNEID_L1", "done")]


def test_with_pins_the_visit_is_the_pin_holders_and_by_cannot_name_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    laptop = _laptop(tmp_path / "pins")
    keyring = Keyring.load(laptop.data_dir, cost=CHEAP)  # as the app's first start does
    key = keyring.data_key()
    open_store(laptop.data_dir, key=key).close()  # converts the plain file
    keyring.set_pin(laptop.volunteer_id, VOLUNTEER, VOLUNTEER_PIN, key)
    monkeypatch.setenv(MEMBER_ENV, VOLUNTEER)
    monkeypatch.setenv(PIN_ENV, VOLUNTEER_PIN)
    visit = ["log-visit", "--household", laptop.household_id, "--service", "OTHER"]
    code, _, err = _run(laptop, capsys, *visit, "--by", "Phạm Đăng Xuyết")
    assert code == EXIT_USER_ERROR and "mã PIN" in err
    store = open_store(laptop.data_dir, key=key)
    try:
        assert household_history(store, laptop.household_id) == []
    finally:
        store.close()
    assert _run(laptop, capsys, *visit)[0] == 0
    store = open_store(laptop.data_dir, key=key)
    try:
        history = household_history(store, laptop.household_id)
    finally:
        store.close()
    assert [(r.service_code, r.volunteer_name) for r in history] == [("OTHER", VOLUNTEER)]


# --- the --service option's reading ---------------------------------------------------

SPELLINGS = {
    "done": ("done", "DONE", "thành công", "thanh-cong", "Thanh_Cong"),
    "follow_up": ("follow-up", "follow_up", "Follow Up", "hẹn lại", "hen-lai", "HẸN LẠI"),
    "failed": ("failed", "Failed", "chưa thành công", "chua-thanh-cong", "CHUA_THANH_CONG"),
}
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d%m%Y", "%d-%m-%Y", "%d.%m.%Y", " %d / %m / %Y ")
CODES = [code for code, *_ in FIRST_CATALOG]


@st.composite
def service_options(draw: st.DrawFn) -> tuple[str, date, ServiceOutcome]:
    """A --service value as a person may type it, the day it is typed, what it means."""
    code = draw(st.sampled_from(CODES))
    typed_code = draw(st.sampled_from((code, code.lower(), f" {code} ")))
    today = draw(st.dates(date(2001, 1, 1), date(2098, 12, 31)))
    outcome = draw(st.sampled_from(list(SPELLINGS)))
    word = draw(st.sampled_from(SPELLINGS[outcome]))
    if outcome == "done":
        text = draw(st.sampled_from((typed_code, f"{typed_code}={word}", f"{typed_code}={word}:")))
        return text, today, ServiceOutcome(typed_code.strip())
    if outcome == "follow_up":
        day = today + timedelta(days=draw(st.integers(0, 364)))
        typed_day = day.strftime(draw(st.sampled_from(DATE_FORMATS)))
        expected = ServiceOutcome(typed_code.strip(), "follow_up", follow_up_date=day)
        return f"{typed_code}={word}:{typed_day}", today, expected
    reason = draw(st.text(min_size=1, max_size=40).filter(lambda text: text.strip()))
    return (
        f"{typed_code}={word}:{reason}",
        today,
        ServiceOutcome(typed_code.strip(), "failed", failure_reason=reason.strip()),
    )


@given(service_options())
def test_every_way_of_typing_a_result_reads_as_meant(
    option: tuple[str, date, ServiceOutcome],
) -> None:
    text, today, expected = option
    assert parse_service_option(text, today) == expected


@given(st.text(max_size=60), st.dates(date(2001, 1, 1), date(2098, 12, 31)))
def test_any_text_reads_or_is_refused_with_a_message(text: str, today: date) -> None:
    try:
        parsed = parse_service_option(text, today)
    except ValidationError as error:
        assert error.message_vi and error.message_en
        return
    assert parsed.service_code.strip()
    if parsed.outcome == "follow_up":
        assert parsed.follow_up_date is not None and parsed.follow_up_date >= today
