"""Property: whatever the laptop's clock says (± years), once a sync has measured it no
purge erases a household that the retention rule, applied at the true time, would keep;
and a clock that agrees with the server purges what the rule says."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FakeClock
from villagehelper.ops import households, retention, team
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.ops.trusted_time import MARGIN, UntrustedClockError, note_server_time
from villagehelper.paths import DATABASE_FILE
from villagehelper.store.engine import open_store

TRUE_NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
YEARS = timedelta(days=5 * 365)

offsets = st.one_of(
    st.timedeltas(min_value=-MARGIN, max_value=MARGIN),  # a clock the server confirms
    st.timedeltas(min_value=-YEARS, max_value=YEARS),
)


@pytest.fixture(scope="module")
def empty_laptop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("template")
    store = open_store(folder)
    team.set_commune(store, "10999")
    team.add_village(store, "Thôn Khay")
    store.close()
    yield folder / DATABASE_FILE


@settings(max_examples=30, deadline=None)
@given(
    offset=offsets,
    ages=st.lists(st.integers(min_value=0, max_value=1500), min_size=1, max_size=8),
    months=st.sampled_from([1, 6, 24, 36]),
)
def test_no_purge_erases_what_the_rule_at_the_true_time_keeps(
    empty_laptop: Path, offset: timedelta, ages: list[int], months: int
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shutil.copy(empty_laptop, folder / DATABASE_FILE)
        clock = FakeClock(TRUE_NOW)
        store = open_store(folder, clock=clock)
        try:
            village = team.list_villages(store)[0].id
            made = {}
            for number, age in enumerate(ages):
                clock.now = TRUE_NOW - timedelta(days=age, hours=number)
                made[
                    households.create_household(store, HouseholdInput(village, f"Hộ {number}")).id
                ] = clock.now
            clock.now = TRUE_NOW + offset
            with store.transaction() as session:  # a sync just measured the clock
                note_server_time(session, TRUE_NOW, clock.now)
            plan = retention.plan_purge(store, months)
            with contextlib.suppress(UntrustedClockError):
                retention.carry_out_purge(store, plan)
            erased = {
                household_id
                for household_id in made
                if households.get_household(store, household_id).erased
            }
        finally:
            store.close()
        true_cutoff = retention.months_before(TRUE_NOW, months)
        kept_by_rule = {h for h, at in made.items() if at >= true_cutoff + MARGIN}
        assert not erased & kept_by_rule
        if abs(offset) <= MARGIN:
            assert erased >= {h for h, at in made.items() if at < true_cutoff - MARGIN}
