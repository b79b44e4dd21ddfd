"""Which PINs a team member may choose to guard the laptop's data key.

Six to eight digits: a 4-digit PIN falls to a search of a stolen key file within an hour
(:mod:`villagehelper.keys.wrapping` makes each guess cost scrypt, not more), and the
PINs anyone tries first — one digit repeated, a straight run — are refused outright.
"""

from __future__ import annotations

import itertools

from villagehelper.errors import UserError

PIN_MIN_DIGITS = 6  # 4 digits fall to a search of the stolen key file within an hour
PIN_MAX_DIGITS = 8

_LENGTHS_VI = f"{PIN_MIN_DIGITS} đến {PIN_MAX_DIGITS}"
_LENGTHS_EN = f"{PIN_MIN_DIGITS} to {PIN_MAX_DIGITS}"


def check_pin_rules(pin: str) -> None:
    """Refuse PINs that are short, long, not digits, or guessed first by anyone."""
    if not (pin.isascii() and pin.isdigit()):
        raise UserError(
            f"Mã PIN chỉ gồm chữ số (0–9). Hãy chọn từ {_LENGTHS_VI} chữ số.",
            f"A PIN is digits only (0–9). Choose {_LENGTHS_EN} digits.",
        )
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise UserError(
            f"Mã PIN cần từ {_LENGTHS_VI} chữ số. Mã dài hơn thì khó đoán hơn.",
            f"A PIN needs {_LENGTHS_EN} digits. Longer ones are harder to guess.",
        )
    if len(set(pin)) == 1:
        raise UserError(
            "Mã PIN không được là một chữ số lặp lại (như 111111). Hãy chọn các chữ số khác "
            "nhau, không theo thứ tự.",
            "A PIN cannot repeat one digit (like 111111). Mix different digits, in no order.",
        )
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {-1}):
        raise UserError(
            "Mã PIN không được là dãy số liền nhau (như 123456 hay 654321). Hãy chọn các chữ "
            "số không theo thứ tự, ví dụ ngày đáng nhớ mà người khác không biết.",
            "A PIN cannot be a straight run (like 123456 or 654321). Choose digits in no "
            "order, e.g. a date others do not know.",
        )
