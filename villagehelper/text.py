"""Vietnamese text handling: normalisation, search keys, collation, phone numbers.

Everything a person types passes through :func:`clean_text` at the boundary (forms,
imports, HTTP), so the store only ever holds NFC text.  Search and sorting use derived
keys stored beside the text, never the text itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# U+00D0 (Icelandic eth) looks exactly like Đ and some keyboards and old fonts produce it.
_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ", "\u0110": "Đ", "\u0111": "đ"})
_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    """NFC, eth→Đ, trimmed, inner runs of white space collapsed to one space."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", value).translate(_LOOKALIKES)
    return _SPACES.sub(" ", text).strip()


def clean_optional(value: str | None) -> str | None:
    text = clean_text(value)
    return text or None


def search_key(value: str | None) -> str:
    """Key that ignores case, diacritics, tone-mark placement and đ/d.

    casefold → NFD → drop combining marks → đ→d → collapse spaces.  Dropping every mark
    makes "hòa" and "hoà" (tone on a different vowel) the same key.
    """
    text = clean_text(value).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.replace("đ", "d")).strip()


# --- Collation -----------------------------------------------------------------------

# The Vietnamese alphabet, in dictionary order.  Letters outside it (f, j, w, z, digits)
# sort after their Latin neighbours by code point, which is what school lists do.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}

# Tone marks in the order dictionaries use: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Vowel-quality marks belong to the letter (ă â ê ô ơ ư), not to the tone.
_QUALITY_MARKS = {"\u0306", "\u0302", "\u031b"}


def _letters_and_tones(word: str) -> tuple[list[str], int]:
    """Split a lower-case word into base letters (with quality marks) and its tone."""
    letters: list[str] = []
    tone = 0
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_RANK:
            tone = _TONE_RANK[ch]
        elif ch in _QUALITY_MARKS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        elif not unicodedata.combining(ch):
            letters.append(ch)
    return letters, tone


def _encode_letters(letters: list[str]) -> str:
    # Each letter becomes one character whose code point orders as the alphabet does;
    # unknown characters keep their own order above the alphabet block.
    out = []
    for letter in letters:
        rank = _LETTER_RANK.get(letter)
        out.append(chr(0x100 + rank) if rank is not None else chr(0x200 + ord(letter)))
    return "".join(out)


def collation_key(text: str) -> str:
    """A string whose plain code-point order is Vietnamese alphabetical order.

    Primary level: letters (a < ă < â < b …, d < đ), word by word; secondary level:
    tones, so "Ba" < "Bà" < "Bả" < "Bã" < "Bá" < "Bạ" only when the letters are equal.
    """
    words = clean_text(text).casefold().split(" ")
    primary: list[str] = []
    secondary: list[str] = []
    for word in words:
        letters, tone = _letters_and_tones(word)
        primary.append(_encode_letters(letters))
        secondary.append(str(tone))
    # "\x01" separates words and sorts below every letter, so "An" < "An Bình" < "Anh".
    return "\x01".join(primary) + "\x00" + "".join(secondary)


def name_sort_key(full_name: str) -> str:
    """Sort key for a person's name the way commune lists do: given, middle, family."""
    words = clean_text(full_name).split(" ")
    if len(words) > 1:
        words = [words[-1], *words[1:-1], words[0]]
    return collation_key(" ".join(words))


# --- Phone numbers -------------------------------------------------------------------


class InvalidPhoneError(ValueError):
    """A phone number that cannot be a Vietnamese number; the message says why."""


_MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
_PHONE_PUNCTUATION = re.compile(r"[\s.\-()/]")


@dataclass(frozen=True)
class Phone:
    """A Vietnamese phone number in its one stored form: national digits, leading 0."""

    national: str

    def display(self) -> str:
        # 0912 345 678 for mobiles; 0220 375 1234 for landlines.
        digits = self.national
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"

    def masked(self) -> str:
        """Last three digits only, for lists on a shared screen."""
        return "•" * (len(self.national) - 3) + self.national[-3:]


def parse_phone(raw: str) -> Phone:
    """Accepts 0912 345 678, 0912.345.678, +84 912 345 678, 84912345678, 0084…

    Mobiles have 10 digits (03/05/07/08/09…); landlines 11 (02x area codes).
    """
    text = _PHONE_PUNCTUATION.sub("", clean_text(raw))
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("0084"):
        text = "0" + text[4:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    if not text.isdigit():
        raise InvalidPhoneError(
            f"Số điện thoại «{clean_text(raw)}» có ký tự không phải chữ số. "
            "Chỉ nhập chữ số, ví dụ 0912 345 678."
        )
    if not text.startswith("0"):
        text = "0" + text
    if text.startswith(_MOBILE_PREFIXES):
        if len(text) != 10:
            raise InvalidPhoneError(
                f"Số di động «{clean_text(raw)}» phải có 10 chữ số (bắt đầu bằng 0), "
                f"nhưng có {len(text)}."
            )
    elif text.startswith("02"):
        if len(text) != 11:
            raise InvalidPhoneError(
                f"Số cố định «{clean_text(raw)}» phải có 11 chữ số (mã vùng 02x), "
                f"nhưng có {len(text)}."
            )
    else:
        raise InvalidPhoneError(
            f"«{clean_text(raw)}» không phải số điện thoại Việt Nam: số di động bắt đầu "
            "bằng 03, 05, 07, 08 hoặc 09; số cố định bằng 02."
        )
    return Phone(text)


def canonical_phone(raw: str | None) -> str | None:
    """Stored form of an optional phone number: ``None`` when blank."""
    if raw is None or not clean_text(raw):
        return None
    return parse_phone(raw).national
