"""A laptop's first download of a whole commune: the tally summaries are suspended while
it runs and refilled once at its end, and tallies stay exact all along."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.sync_support import (
    Commune,
    LoopbackServer,
    enrol_laptop,
    fast_connection,
    laptop_snapshot,
    open_laptop,
    server_snapshot,
    set_up_commune,
)
from tests.test_tally_summaries import assert_exact, assert_tallies_match_the_sessions
from villagehelper.exchange.feed import follow_feed
from villagehelper.ops import households, sessions
from villagehelper.ops.inputs import HouseholdInput, ServiceOutcome, VisitInput
from villagehelper.store import sync_state
from villagehelper.store.engine import Store
from villagehelper.store.kinds import Outcome
from villagehelper.sync import client
from villagehelper.sync.http import ServerUnreachableError
from villagehelper.tally.engine import compute_tally
from villagehelper.tally.periods import iso_week
from villagehelper.tally.results import Tally
from villagehelper.tally.summaries import suspended, tally_triggers

WEEK = iso_week(2026, 48)  # the tests' clock starts on Monday 23 November 2026
PERIODS = (WEEK, iso_week(2026, 49))


def _busy_commune(server: LoopbackServer, tmp_path: Path) -> Commune:
    """A commune with several households, people, done work, follow-ups and a void."""
    commune = set_up_commune(server, tmp_path)
    leader = commune.leader.store
    for number in range(6):
        home = households.create_household(
            leader, HouseholdInput(commune.village_id, f"Nguyễn Văn Hộ {number}")
        )
        sessions.log_visit(
            leader,
            VisitInput(
                home.id,
                commune.leader_id,
                [
                    ServiceOutcome("VNEID_L1"),
                    ServiceOutcome(
                        "VNEID_L2", Outcome.FOLLOW_UP, follow_up_date=date(2026, 11, 30)
                    ),
                ],
            ),
        )
    visit = sessions.log_visit(
        leader, VisitInput(home.id, commune.member_id, [ServiceOutcome("EHEALTH")])
    )
    sessions.void_session(leader, visit.session_ids[0], commune.leader_id, "Ghi nhầm hộ")
    commune.leader.sync()
    return commune


def _tally(store: Store) -> Tally:
    return compute_tally(store, WEEK)


def _triggers(store: Store) -> list[str]:
    with store.engine.connect() as connection:
        return sorted(tally_triggers(connection))


def _suspended(store: Store) -> bool:
    with store.engine.connect() as connection:
        return suspended(connection)


def test_a_whole_commune_download_suspends_the_summaries_and_refills_them_at_its_end(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    expected = _tally(commune.leader.store)
    assert expected.totals.sessions == 12  # the void is not counted
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "new"))
    triggers = _triggers(laptop.store)
    assert triggers  # a new store keeps its summaries by triggers
    seen: list[tuple[bool, Tally]] = []

    def look(phase: str, _done: int, _total: int) -> None:
        if phase == "pull":  # after each page's transaction
            seen.append((_suspended(laptop.store), _tally(laptop.store)))

    # The feed itself, not the commune's snapshot (test_sync_snapshot.py).
    client.sync_once(
        laptop.store, connect=fast_connection, page_size=4, progress=look, use_snapshot=False
    )

    # Suspended from the first page to the one before the last; each tally then came
    # from the sessions themselves, and the last one is the commune's.
    assert len(seen) > 3
    assert [flag for flag, _ in seen] == [True] * (len(seen) - 1) + [False]
    assert seen[-1][1] == expected
    assert _triggers(laptop.store) == triggers
    assert not _suspended(laptop.store)
    assert_exact(laptop.store)
    assert_tallies_match_the_sessions(laptop.store, PERIODS)
    assert laptop_snapshot(laptop.store) == server_snapshot(sync_server.db)


def test_a_download_in_one_page_keeps_the_summaries_by_their_triggers(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "new"))
    flags: list[bool] = []
    client.sync_once(
        laptop.store,
        connect=fast_connection,
        progress=lambda phase, _d, _t: flags.append(_suspended(laptop.store)),
        use_snapshot=False,
    )
    assert flags == [False]
    assert _tally(laptop.store) == _tally(commune.leader.store)
    assert_exact(laptop.store)


def test_a_download_cut_short_stays_suspended_and_the_next_one_resumes(
    sync_server: LoopbackServer, tmp_path: Path
) -> None:
    commune = _busy_commune(sync_server, tmp_path)
    laptop = enrol_laptop(sync_server, open_laptop(tmp_path, "new"))
    with laptop.store.reading() as session:
        credentials = sync_state.enrolled(session)
    assert credentials is not None
    connection = fast_connection(credentials.server_url, credentials.token)
    pages = 0

    def six_pages_then_offline(since: int) -> dict[str, Any]:
        nonlocal pages
        if pages == 6:
            raise ServerUnreachableError("Mất mạng.", "Offline.")
        pages += 1
        return connection.get("/v1/changes", {"since": since, "limit": 4})

    with pytest.raises(ServerUnreachableError):
        follow_feed(laptop.store, six_pages_then_offline)
    connection.close()
    assert _suspended(laptop.store)

    # Work goes on offline on the half-downloaded laptop; its tallies stay exact.
    home = households.create_household(
        laptop.store, HouseholdInput(commune.village_id, "Trần Thị Lụa")
    )
    sessions.log_visit(
        laptop.store, VisitInput(home.id, commune.member_id, [ServiceOutcome("DIGITAL_SKILLS")])
    )
    assert _tally(laptop.store).totals.sessions >= 1
    assert_tallies_match_the_sessions(laptop.store, PERIODS)

    laptop.sync()
    assert not _suspended(laptop.store)
    assert_exact(laptop.store)
    assert _tally(laptop.store).totals.sessions == 13
    commune.leader.sync()
    assert _tally(laptop.store) == _tally(commune.leader.store)
