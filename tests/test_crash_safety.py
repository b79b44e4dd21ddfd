"""Crash safety: the app SIGKILLed at random moments while it logs visits and syncs.

The full run is ``python -m benchmarks.crash --kills 300 --seed 1`` (a few minutes);
here a reduced one, with a fixed seed, within about a minute on a 2-core machine.  The
harness (``tests/crash_harness.py``) and the driver it kills (``tests/crash_driver.py``)
say what is checked after each kill and at the end.  Below it, the checks themselves are
shown to catch what they are meant to catch.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from tests import crash_harness
from tests.conftest import Team
from tests.crash_harness import LaptopFile, LocalRow, ServerFeed, outbox_problems, where_killed
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput

KILLS = 30
SEED = 20261202


def test_killed_at_random_moments_the_app_loses_nothing_and_syncs_cleanly(
    tmp_path: Path,
) -> None:
    figures = crash_harness.run(KILLS, SEED, tmp_path)

    assert figures.kills == KILLS
    # Every kill was checked (a check that fails raises), and the end was too.
    assert figures.checks >= KILLS * 8
    assert figures.fresh_laptops == 3
    assert figures.first_sync_kills == 3 * crash_harness.FRESH_KILLS
    assert figures.acknowledged["visit"] > KILLS
    assert figures.acknowledged["sync"] > 0
    # Where a kill lands is up to the clock (about an eighth land inside a COMMIT in the
    # full run, too few to insist on here); a fresh laptop's first operation is its
    # first sync, so six kills timed for it and none inside a sync round would mean a
    # broken harness.
    assert figures.count(crash_harness.SYNC_PLACES) > 0


# --- the checks catch what they are for -----------------------------------------------------


def _visit(village_team: Team) -> list[str]:
    store = village_team.store
    home = households.create_household(store, HouseholdInput(village_team.village_id, "Lê Văn Tư"))
    visit = VisitInput(home.id, village_team.member_id, [ServiceOutcome("VNEID_L1")])
    return list(sessions.log_visit(store, visit).session_ids)


def _raw(village_team: Team, sql: str) -> None:
    with village_team.store.engine.begin() as connection:
        connection.execute(text(sql))


def test_an_outbox_written_by_the_app_is_consistent(village_team: Team) -> None:
    _visit(village_team)
    laptop = crash_harness.read_laptop(village_team.store.path)
    assert laptop.integrity == "ok"
    assert laptop.outbox
    assert outbox_problems(laptop) == []
    assert laptop.summaries_exact


def test_a_dirty_row_without_its_outbox_entry_is_caught(village_team: Team) -> None:
    (session_id,) = _visit(village_team)
    _raw(village_team, f"DELETE FROM outbox WHERE row_id = '{session_id}'")
    laptop = crash_harness.read_laptop(village_team.store.path)
    assert outbox_problems(laptop) == [
        f"('help_session', '{session_id}') is dirty with nothing in the outbox"
    ]


def test_a_row_marked_synced_with_changes_waiting_is_caught(village_team: Team) -> None:
    (session_id,) = _visit(village_team)
    _raw(village_team, f"UPDATE help_sessions SET sync_state = 'synced' WHERE id = '{session_id}'")
    laptop = crash_harness.read_laptop(village_team.store.path)
    assert [problem for problem in outbox_problems(laptop) if "marked synced" in problem]


def _laptop(
    rows: dict[tuple[str, str], LocalRow], outbox: list[tuple[int, str, str, str, str, str]]
) -> LaptopFile:
    return LaptopFile("ok", "device", 0, rows, outbox, {}, {}, summaries_exact=True)


def test_an_entry_naming_no_row_and_a_change_queued_twice_are_caught() -> None:
    laptop = _laptop(
        {("help_session", "s2"): LocalRow("dirty", None)},
        [
            (1, "c1", "help_session", "s1", "insert", "{}"),
            (2, "c1", "help_session", "s2", "insert", "{}"),
        ],
    )
    assert outbox_problems(laptop) == [
        "outbox entry 1 (help_session s1) names no row",
        "change id c1 is queued 2 times",
    ]


def test_an_insert_queued_after_an_edit_of_its_row_is_caught() -> None:
    laptop = _laptop(
        {("household", "h"): LocalRow("dirty", 3)},
        [(1, "c1", "household", "h", "update", "{}"), (2, "c2", "household", "h", "insert", "{}")],
    )
    assert outbox_problems(laptop) == [
        "household h: insert queued after its edits: ['update', 'insert']"
    ]


def test_a_cursor_past_a_page_it_never_applied_is_caught() -> None:
    laptop = replace(_laptop({("household", "h"): LocalRow("synced", 3)}, []), cursor=7)
    feed = ServerFeed(9, {("household", "h"): 5, ("help_session", "s"): 6, ("member", "m"): 8})
    assert crash_harness.cursor_problems(laptop, feed) == [
        "('household', 'h') is held at version 3, not 5",
        "('help_session', 's') (version 6 <= cursor 7) is missing",
    ]
    beyond = replace(laptop, cursor=10)
    assert crash_harness.cursor_problems(beyond, feed) == [
        "cursor 10 is beyond the server's feed (9)"
    ]


def test_where_a_kill_landed_is_read_from_the_trace() -> None:
    trace = [
        "0.0 ready 1",
        '0.1 begin 0 visit {"household_id": "h"}',
        "0.2 sql BEGIN",
        "0.3 sql COMMIT",
    ]
    landing = where_killed(trace)
    assert (landing.place, landing.in_commit) == ("visit", True)
    assert landing.in_flight == (0, "visit", {"household_id": "h"})
    assert where_killed([*trace, "0.4 committed", "0.5 done 0 visit", "0.6 ack 0 visit"]).place == (
        "between operations"
    )
    sync = ["0.0 ready 2", "0.1 begin 0 sync {}", "0.2 http> /v1/snapshot"]
    assert where_killed(sync).place == "snapshot download"
    assert where_killed([*sync, "0.3 http< /v1/snapshot", "0.4 sql BEGIN"]).place == (
        "snapshot adoption"
    )
    assert where_killed([*sync[:2], "0.2 http> /v1/push"]).place == "upload"
    assert where_killed([*sync[:2], "0.2 http> /v1/changes", "0.3 http< /v1/changes"]).place == (
        "download"
    )
