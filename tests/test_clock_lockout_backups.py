"""A wrong clock must not lock the team out for years (PIN waits) nor destroy the daily
backups (rotation): issue 13, cases 2 and 3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from villagehelper.backups.copies import daily_backup, list_backups
from villagehelper.errors import UserError
from villagehelper.keys.key_file import Keyring
from villagehelper.keys.lockout import FREE_ATTEMPTS, LONGEST_WAIT_SECONDS
from villagehelper.keys.wrapping import ScryptCost
from villagehelper.ops import households as hh
from villagehelper.ops import team
from villagehelper.ops.inputs import HouseholdInput
from villagehelper.store.engine import open_store

CHEAP = ScryptCost(n=16, r=1, p=1)
IN_2031 = datetime(2031, 12, 6, 8, 0, tzinfo=UTC)
TRUE_NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
HOUR = timedelta(seconds=LONGEST_WAIT_SECONDS)


class Monotonic:
    """The process's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def _ring(folder: Path, clock: FakeClock, monotonic: Monotonic) -> Keyring:
    return Keyring.load(folder, clock=clock, cost=CHEAP, monotonic=monotonic)


def _locked_out_in_2031(folder: Path, failures: int) -> bytes:
    clock, monotonic = FakeClock(IN_2031), Monotonic()
    ring = _ring(folder, clock, monotonic)
    key = ring.data_key()
    ring.set_pin("m-1", "Hệ", "258036", key)
    for _ in range(failures):
        with pytest.raises(UserError):
            ring.unlock("m-1", "000000")
    return key


@pytest.mark.parametrize("failures", [FREE_ATTEMPTS, FREE_ATTEMPTS + 12])
def test_wrong_pins_under_a_2031_clock_lock_out_for_an_hour_at_most_once_corrected(
    tmp_path: Path, failures: int
) -> None:
    key = _locked_out_in_2031(tmp_path, failures)
    clock, monotonic = FakeClock(TRUE_NOW), Monotonic()  # the clock put right, app restarted
    ring = _ring(tmp_path, clock, monotonic)
    assert timedelta(0) < ring.wait_remaining() <= HOUR
    with pytest.raises(UserError) as waiting:
        ring.unlock("m-1", "258036")
    assert "Hãy đợi 60 phút" in waiting.value.message_vi
    # Restarting does not start the hour again.
    clock.advance(minutes=30)
    assert _ring(tmp_path, clock, Monotonic()).wait_remaining() <= timedelta(minutes=30)
    clock.advance(minutes=31)
    assert _ring(tmp_path, clock, Monotonic()).unlock("m-1", "258036") == key


def test_within_the_app_the_wait_follows_the_monotonic_clock_not_the_wall_clock(
    tmp_path: Path,
) -> None:
    clock, monotonic = FakeClock(TRUE_NOW), Monotonic()
    ring = _ring(tmp_path, clock, monotonic)
    key = ring.data_key()
    ring.set_pin("m-1", "Hệ", "258036", key)
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(UserError):
            ring.unlock("m-1", "000000")
    clock.now = datetime(2019, 1, 1, tzinfo=UTC)  # set back while the lock screen is up
    assert ring.wait_remaining() == timedelta(seconds=30)
    monotonic.seconds += 31
    assert ring.unlock("m-1", "258036") == key


def _data_dir(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    store = open_store(data_dir)
    try:
        team.set_commune(store, "10999")
        village = team.add_village(store, "Thôn Khay")
        hh.create_household(store, HouseholdInput(village.id, "Lê Thị Quyên"))
    finally:
        store.close()
    return data_dir


def test_daily_backups_made_under_a_2031_clock_do_not_swallow_the_corrected_ones(
    tmp_path: Path,
) -> None:
    data_dir = _data_dir(tmp_path)
    keep = 5
    for day in range(keep + 2):  # a week with the clock five years ahead
        assert daily_backup(data_dir, IN_2031 + timedelta(days=day), keep) is not None
    made = []
    for day in range(keep + 3):  # then the clock is put right
        moment = TRUE_NOW + timedelta(days=day)
        check = daily_backup(data_dir, moment, keep)
        assert check is not None and check.path.exists(), f"day {day}: deleted at once"
        made.append(check.path)
        kept = [backup.path for backup in list_backups(data_dir)]
        assert len(kept) == keep
        # The most recently made are kept: every one since the correction (up to
        # ``keep``), then the newest of those named 2031.
        assert set(made[-keep:]) <= set(kept)
    names_2031 = [b for b in list_backups(data_dir) if b.taken.startswith("2031")]
    assert names_2031 == []  # rotated out, one a day, once enough correct ones exist


def test_daily_backups_under_a_clock_set_back_to_2019_keep_the_newest_made(
    tmp_path: Path,
) -> None:
    data_dir = _data_dir(tmp_path)
    keep = 4
    for day in range(keep + 1):
        assert daily_backup(data_dir, TRUE_NOW + timedelta(days=day), keep) is not None
    made = []
    in_2019 = datetime(2019, 1, 1, 8, 0, tzinfo=UTC)  # the CMOS battery died
    for day in range(keep + 2):
        check = daily_backup(data_dir, in_2019 + timedelta(days=day), keep)
        assert check is not None
        made.append(check.path)
        kept = {backup.path for backup in list_backups(data_dir)}
        assert len(kept) == keep
        assert set(made[-keep:]) <= kept, f"day {day}: a backup made since was deleted"


def test_the_backup_offered_after_damage_is_the_newest_made_not_one_named_2031(
    tmp_path: Path,
) -> None:
    from villagehelper.backups.copies import newest_good_backup

    data_dir = _data_dir(tmp_path)
    daily_backup(data_dir, IN_2031, 14)
    made_since = daily_backup(data_dir, TRUE_NOW, 14)
    assert made_since is not None
    good = newest_good_backup(data_dir, now=TRUE_NOW + timedelta(hours=1))
    assert good is not None and good.path == made_since.path
