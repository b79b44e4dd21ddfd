"""The laptop's data key and the PINs wrapping it (villagehelper.keys)."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FakeClock
from villagehelper.errors import UserError
from villagehelper.keys.key_file import Keyring, PinHolder
from villagehelper.keys.lockout import FREE_ATTEMPTS
from villagehelper.keys.on_disk import KEYRING_FILE, KeyringDamagedError
from villagehelper.keys.pin_rules import check_pin_rules
from villagehelper.keys.wrapping import ScryptCost, unwrap_key, wrap_key

# Real cost in the tests that are about the file; a cheap one where many PINs are tried.
CHEAP = ScryptCost(n=16, r=1, p=1)


def _passes(pin: str) -> bool:
    try:
        check_pin_rules(pin)
    except UserError:
        return False
    return True


good_pins = st.text(alphabet="0123456789", min_size=6, max_size=8).filter(_passes)


def _keyring(folder: Path, clock: FakeClock | None = None) -> Keyring:
    # Time passing in these tests moves both the wall clock and the monotonic one
    # (a wait is counted on the latter while a keyring is open).
    ticking = clock or FakeClock()

    def monotonic() -> float:
        return ticking.now.timestamp()  # read at each call: the test moves the clock

    return Keyring.load(folder, clock=ticking, cost=CHEAP, monotonic=monotonic)


def test_a_new_folder_gets_a_random_key_kept_open_until_a_pin_is_set(tmp_path: Path) -> None:
    first = _keyring(tmp_path / "a")
    other = _keyring(tmp_path / "b")
    assert len(first.data_key()) == 32
    assert first.data_key() != other.data_key()
    assert not first.has_pins
    assert _keyring(tmp_path / "a").data_key() == first.data_key()  # kept, not remade


def test_once_a_pin_is_set_the_file_holds_neither_the_pin_nor_the_key(tmp_path: Path) -> None:
    ring = Keyring.load(tmp_path)
    key = ring.data_key()
    ring.set_pin("m-1", "Nguyễn Thị Hệ", "250819", key)
    raw = (tmp_path / KEYRING_FILE).read_bytes()
    assert key not in raw
    assert key.hex().encode() not in raw
    assert b"250819" not in raw
    reopened = Keyring.load(tmp_path)
    with pytest.raises(UserError, match="mã PIN"):
        reopened.data_key()
    assert reopened.unlock("m-1", "250819") == key
    entry = json.loads(raw)["members"]["m-1"]
    # A floor, not the default read back: a six-digit PIN has only a million values, so each
    # guess must cost at least scrypt's n=2**15, r=8 (32 MiB; ~170 ms on a village laptop).
    assert entry["n"] >= 2**15 and entry["r"] >= 8 and entry["p"] >= 1
    assert entry["n"] * entry["r"] * 128 >= 32 * 1024 * 1024


def test_the_lock_screen_list_comes_from_the_file_alone(tmp_path: Path) -> None:
    ring = _keyring(tmp_path)
    key = ring.data_key()
    ring.set_pin("leader", "Phạm Đăng Xuyết", "258036", key, is_leader=True)
    ring.set_pin("member", "Nguyễn Thị Hệ", "917264", key)
    assert _keyring(tmp_path).members_with_pin() == [
        PinHolder("leader", "Phạm Đăng Xuyết", True),
        PinHolder("member", "Nguyễn Thị Hệ", False),
    ]


@settings(max_examples=60, deadline=None)
@given(key=st.binary(min_size=32, max_size=32), member=st.text(min_size=1), pin=good_pins)
def test_wrapping_then_unwrapping_gives_the_key_back(key: bytes, member: str, pin: str) -> None:
    assert unwrap_key(wrap_key(key, member, pin, CHEAP), member, pin) == key


@settings(max_examples=60, deadline=None)
@given(key=st.binary(min_size=32, max_size=32), pin=good_pins, wrong=st.text(max_size=12))
def test_a_wrong_pin_never_unwraps(key: bytes, pin: str, wrong: str) -> None:
    entry = wrap_key(key, "m-1", pin, CHEAP)
    if wrong != pin:
        assert unwrap_key(entry, "m-1", wrong) is None
    # The right PIN for another member's copy opens nothing either.
    assert unwrap_key(entry, "m-2", pin) is None


@settings(max_examples=40, deadline=None)
@given(pin=st.text(alphabet="0123456789", min_size=6, max_size=8))
def test_pin_rules_refuse_repeats_and_straight_runs(pin: str) -> None:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    guessable = len(set(pin)) == 1 or steps in ({1}, {-1})
    assert _passes(pin) is not guessable


@pytest.mark.parametrize(
    ("pin", "says"),
    [
        ("12345", "từ 6 đến 8"),
        ("123456789", "từ 6 đến 8"),
        ("12a456", "chỉ gồm chữ số"),
        ("٣٤٥٦٧٨", "chỉ gồm chữ số"),  # Arabic-Indic digits are digits, but not ours
        ("777777", "lặp lại"),
        ("345678", "liền nhau"),
        ("876543", "liền nhau"),
    ],
)
def test_a_weak_pin_is_refused_saying_what_to_choose(tmp_path: Path, pin: str, says: str) -> None:
    ring = _keyring(tmp_path)
    with pytest.raises(UserError, match=says) as refused:
        ring.set_pin("m-1", "Hệ", pin, ring.data_key())
    assert refused.value.message_en and refused.value.message_en != refused.value.message_vi
    assert not _keyring(tmp_path).has_pins  # nothing changed


def test_a_wrong_pin_is_a_clear_error_and_the_right_one_still_opens(tmp_path: Path) -> None:
    ring = _keyring(tmp_path)
    key = ring.data_key()
    ring.set_pin("m-1", "Hệ", "258036", key)
    with pytest.raises(UserError, match="Mã PIN không đúng") as wrong:
        ring.unlock("m-1", "258037")
    assert "Wrong PIN" in wrong.value.message("en")
    with pytest.raises(UserError, match="Mã PIN không đúng"):
        ring.unlock("nobody", "258036")
    assert ring.unlock("m-1", "258036") == key


def test_after_five_wrong_pins_a_growing_wait_survives_a_restart(tmp_path: Path) -> None:
    clock = FakeClock()
    ring = _keyring(tmp_path, clock)
    key = ring.data_key()
    ring.set_pin("m-1", "Hệ", "258036", key)
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(UserError, match="không đúng"):
            ring.unlock("m-1", "000000")
    restarted = _keyring(tmp_path, clock)
    with pytest.raises(UserError, match="Hãy đợi 30 giây"):
        restarted.unlock("m-1", "258036")  # even the right PIN waits
    clock.advance(seconds=31)
    with pytest.raises(UserError, match="sau 1 phút"):
        restarted.unlock("m-1", "000000")  # the sixth wrong one doubles the wait
    clock.advance(seconds=30)
    with pytest.raises(UserError, match="Hãy đợi"):
        _keyring(tmp_path, clock).unlock("m-1", "258036")
    clock.advance(seconds=31)
    assert _keyring(tmp_path, clock).unlock("m-1", "258036") == key
    assert _keyring(tmp_path, clock).wait_remaining() == timedelta(0)
    with pytest.raises(UserError, match="không đúng") as fresh:
        _keyring(tmp_path, clock).unlock("m-1", "000000")
    assert "đợi" not in fresh.value.message_vi  # a success starts the count again


def test_changing_a_pin_needs_the_current_one(tmp_path: Path) -> None:
    ring = _keyring(tmp_path)
    key = ring.data_key()
    ring.set_pin("m-1", "Hệ", "258036", key, is_leader=True)
    with pytest.raises(UserError, match="không đúng"):
        ring.change_pin("m-1", "999999", "739152")
    ring.change_pin("m-1", "258036", "739152")
    reopened = _keyring(tmp_path)
    assert reopened.unlock("m-1", "739152") == key
    with pytest.raises(UserError):
        reopened.unlock("m-1", "258036")
    assert reopened.members_with_pin() == [PinHolder("m-1", "Hệ", True)]


def test_removing_the_last_pin_puts_the_key_back_in_the_open(tmp_path: Path) -> None:
    ring = _keyring(tmp_path)
    key = ring.data_key()
    ring.set_pin("leader", "Xuyết", "258036", key, is_leader=True)
    ring.set_pin("member", "Hệ", "917264", key)
    ring.remove_pin("member", key)
    after_reset = _keyring(tmp_path)
    assert [h.member_id for h in after_reset.members_with_pin()] == ["leader"]
    with pytest.raises(UserError):
        after_reset.data_key()
    after_reset.remove_pin("leader", key)
    assert _keyring(tmp_path).data_key() == key


def test_a_key_that_is_not_the_laptops_is_never_wrapped(tmp_path: Path) -> None:
    ring = _keyring(tmp_path)
    with pytest.raises(ValueError, match="not the laptop's"):
        ring.set_pin("m-1", "Hệ", "258036", bytes(32))
    assert not _keyring(tmp_path).has_pins


def test_a_damaged_key_file_is_reported_and_never_replaced(tmp_path: Path) -> None:
    (tmp_path / KEYRING_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(KeyringDamagedError, match="Đừng xóa") as damaged:
        Keyring.load(tmp_path)
    assert "Do not delete" in damaged.value.message("en")
    assert (tmp_path / KEYRING_FILE).read_text(encoding="utf-8") == "{not json"


def test_no_temporary_file_is_left_beside_the_key_file(tmp_path: Path) -> None:
    ring = _keyring(tmp_path)
    ring.set_pin("m-1", "Hệ", "258036", ring.data_key())
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEYRING_FILE]
