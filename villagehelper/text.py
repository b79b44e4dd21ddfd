"""Vietnamese text handling: normalisation, search keys, collation, phone numbers.

Everything a person types passes through :func:`clean_text` at the boundary (forms,
imports, HTTP), so the store only ever holds NFC text.  Search and sorting use derived
keys stored beside the text, never the text itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# U+00D0/U+00F0 (Icelandic eth) look exactly like Đ/đ.  Windows-1258 text read back as
# Windows-1252 turns Đ/đ (bytes 0xD0/0xF0) into them, and some fonts and keyboards type
# them directly.  Neither letter exists in Vietnamese, so the mapping loses nothing.
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})

# Characters nobody can see: control characters from broken imports (PostgreSQL refuses
# NUL in text, so one would stop sync), and the BOM, zero-width space, soft hyphen and
# direction marks that pasting from Excel, Word or a web page brings along.  Two names
# that look the same must be stored the same, or search cannot find one of them.
# Controls that are white space (tab, newline, U+0085) are not here: they become spaces.
# ZWJ U+200D stays because emoji sequences in notes need it.
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and
# the Arabic letter mark: invisible too, and worse, they reorder what follows them on
# screen and in every export, so "Lò Văn\u202eA" shows as another name, and a file name
# or a phone number can be made to read backwards.  No Vietnamese text needs one.
BIDI_CONTROLS = "\u061c\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff"
    + BIDI_CONTROLS
    + "]"
)
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def without_bidi_controls(text: str) -> str:
    """``text`` without the characters that reorder it on screen (for exports: rows
    stored before :func:`clean_text` dropped them may still hold some)."""
    return _BIDI.sub("", text)


_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    """NFC, eth→Đ, invisible characters dropped, trimmed, inner white space one space."""
    if value is None:
        return ""
    # Invisible characters go before NFC: removing one afterwards could leave a letter
    # next to a combining mark, which is no longer NFC.  The eth mapping also comes first
    # so that the final NFC sees the finished letters.
    text = _INVISIBLE.sub("", value).translate(_LOOKALIKES)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


def clean_multiline(value: str | None) -> str:
    """:func:`clean_text` for each line of a note, keeping the line breaks a person typed
    (at most one empty line in a row)."""
    if value is None:
        return ""
    lines = [clean_text(line) for line in value.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def clean_optional(value: str | None) -> str | None:
    """:func:`clean_text`, but ``None`` when nothing is left."""
    text = clean_text(value)
    return text or None


def _is_mark(ch: str) -> bool:
    # Every Vietnamese tone and vowel-quality mark is a nonspacing mark (Mn) with a
    # non-zero combining class.  Mn/Me with class 0 (U+034F…) are invisible too; spacing
    # marks (Mc) are vowel signs of Indic scripts, i.e. letters, unless they have a
    # combining class (U+1D165…), in which case NFD moves them like any other mark.
    return unicodedata.combining(ch) != 0 or unicodedata.category(ch) in {"Mn", "Me"}


def search_key(value: str | None) -> str:
    """Key that ignores case, diacritics, tone-mark placement and đ/d.

    casefold → NFD → drop combining marks → đ→d → collapse spaces.  Dropping every mark
    makes "hòa" and "hoà" (tone on a different vowel) the same key.
    """
    decomposed = unicodedata.normalize("NFD", clean_text(value).casefold())
    bare = "".join(ch for ch in decomposed if not _is_mark(ch))
    # A mark typed on its own between two spaces leaves a double space behind.
    return _SPACES.sub(" ", bare.replace("đ", "d")).strip()


# --- Collation -----------------------------------------------------------------------

# The Vietnamese alphabet in dictionary order.  It has no f, j, w or z; those sit at
# their Latin places so that foreign names (and "Phường 12" style words) still sort.
# Each character is one letter: ă, â, đ, ê, ô, ơ, ư are single precomposed code points.
_ALPHABET = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}

# Tone marks in the order dictionaries use: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Vowel-quality marks belong to the letter (ă â ê ô ơ ư), not to the tone.
_QUALITY_MARKS = frozenset("\u0306\u0302\u031b")

# A key is "primary \x02 secondary".  The separators sort below every character a
# primary can hold (the lowest is "!": clean_text removes controls and the text is
# split at its spaces), which makes "An" < "An Bình" < "Anh" and lets tones decide only
# between equal letters.  name_sort_key joins whole keys with \x01.  No NUL anywhere:
# PostgreSQL cannot store it.
_COMPONENT_SEPARATOR = "\x01"
_LEVEL_SEPARATOR = "\x02"
_WORD_SEPARATOR = "\x03"
# Alphabet letters become one character each in a block whose code points follow the
# alphabet; ASCII digits and punctuation keep their own code points, below the block,
# as dictionaries print them.  Any other character is written as this marker (just
# above the block) followed by itself: it sorts after z, among its kind by code point,
# and the encoding can never produce a surrogate or run past U+10FFFF.
_LETTER_BLOCK = 0x100
_OTHER_MARKER = chr(_LETTER_BLOCK + len(_ALPHABET))


def _encode_letter(letter: str) -> str:
    rank = _LETTER_RANK.get(letter)
    if rank is not None:
        return chr(_LETTER_BLOCK + rank)
    return letter if letter.isascii() else _OTHER_MARKER + letter


def _word_levels(word: str) -> tuple[str, str]:
    """Primary part (letters) and secondary part (one tone digit) of a lower-case word."""
    primary: list[str] = []
    tone = 0
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_RANK:
            # A syllable has one tone; if a typo gives it two, the key still must not
            # depend on the order they were typed in.
            tone = max(tone, _TONE_RANK[ch])
        elif ch in _QUALITY_MARKS and primary:
            # Marks follow their base letter in NFD, and tones are never appended, so
            # the quality mark meets its letter whatever the order of the marks.  Only
            # a real Vietnamese letter keeps it; on any other letter (c̆, ŏ) it is
            # ignored like every foreign mark.
            combined = unicodedata.normalize("NFC", primary[-1] + ch)
            if combined in _LETTER_RANK:
                primary[-1] = combined
        elif not _is_mark(ch):
            primary.append(ch)
    return "".join(_encode_letter(letter) for letter in primary), str(tone)


def collation_key(text: str) -> str:
    """A string whose plain code-point order is Vietnamese alphabetical order.

    Primary level: letters (a < ă < â < b …, d < đ), word by word; secondary level:
    tones, so "Ba" < "Bà" < "Bả" < "Bã" < "Bá" < "Bạ" only when the letters are equal.
    Case is ignored.
    """
    levels = [_word_levels(word) for word in clean_text(text).casefold().split(" ")]
    primary = _WORD_SEPARATOR.join(letters for letters, _ in levels)
    # One tone digit per word: equal primaries have equal word counts, so the digits of
    # two keys being compared always line up word for word.
    secondary = "".join(tone for _, tone in levels)
    return primary + _LEVEL_SEPARATOR + secondary


def name_sort_key(full_name: str) -> str:
    """Sort key for a person's name the way commune lists do: given, middle, family.

    Each part is compared whole (tones included) before the next one is looked at, so
    everybody called "An" comes before everybody called "Án", and a name without a
    middle name comes first among equal given names.
    """
    words = clean_text(full_name).split(" ")
    family = words[0] if len(words) > 1 else ""
    middle = " ".join(words[1:-1])
    # Keys never are a prefix of one another (see collation_key), so joining them gives
    # exactly the order of the (given, middle, family) tuple.
    return _COMPONENT_SEPARATOR.join(collation_key(part) for part in (words[-1], middle, family))


# --- Phone numbers -------------------------------------------------------------------


class InvalidPhoneError(ValueError):
    """A phone number that cannot be a Vietnamese number; the message says why."""


_MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
_MOBILE_DIGITS = 10
_LANDLINE_DIGITS = 11
_COUNTRY_CODE = "84"
# What people put between digit groups: spaces, dots, brackets, slashes, and every kind
# of dash (Word turns "-" into "–").
_PHONE_SEPARATORS = re.compile(r"[\s.()/\-\u2010-\u2015\u2212]")
_EXAMPLE = "ví dụ 0912 345 678"


def _halfwidth(text: str) -> str:
    # Chinese and Japanese input methods type full-width digits (０９１２); the store
    # keeps ASCII digits only, so that one number has one stored form.
    return "".join(chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in text)


@dataclass(frozen=True)
class Phone:
    """A Vietnamese phone number in its one stored form: national digits, leading 0."""

    national: str

    def display(self) -> str:
        """Grouped for reading: 0912 345 678; 0220 375 1234; 024 3825 1234."""
        digits = self.national
        if len(digits) == _LANDLINE_DIGITS and digits.startswith(("024", "028")):
            # Hà Nội and TP. Hồ Chí Minh have two-digit area codes and 8-digit numbers.
            return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"

    def masked(self) -> str:
        """Last three digits only, for lists on a shared screen."""
        return "•" * (len(self.national) - 3) + self.national[-3:]


def parse_phone(raw: str) -> Phone:
    """Accepts 0912 345 678, 0912.345.678, +84 912 345 678, 84912345678, 0084…

    Mobiles have 10 digits (03/05/07/08/09…); landlines 11 (02x area codes).
    """
    shown = clean_text(raw)
    text = _PHONE_SEPARATORS.sub("", _halfwidth(shown))
    international = text.startswith(("+", "00"))
    if international:
        text = text.removeprefix("+") if text.startswith("+") else text[2:]
    if not text:
        raise InvalidPhoneError(
            f"«{shown}» không có chữ số nào. Hãy nhập số điện thoại, {_EXAMPLE}, "
            "hoặc để trống ô này."
        )
    if not (text.isascii() and text.isdigit()):
        raise InvalidPhoneError(
            f"Số điện thoại «{shown}» có ký tự không phải chữ số. Chỉ nhập chữ số, {_EXAMPLE}."
        )
    if international and not text.startswith(_COUNTRY_CODE):
        raise InvalidPhoneError(
            f"«{shown}» là số nước ngoài. Chỉ nhận số Việt Nam (+84), {_EXAMPLE}."
        )
    # Without "+" or "00", a leading 84 is still the country code when the number is
    # long enough: a national number written without its 0 has at most 10 digits.
    if international or (text.startswith(_COUNTRY_CODE) and len(text) > 10):
        text = text[len(_COUNTRY_CODE) :]
    # "+84 (0) 912…" keeps its 0; "+84 912…" and "912 345 678" lack it.
    national = text if text.startswith("0") else "0" + text
    if national.startswith(_MOBILE_PREFIXES):
        if len(national) != _MOBILE_DIGITS:
            raise InvalidPhoneError(
                f"Số di động «{shown}» phải có {_MOBILE_DIGITS} chữ số (bắt đầu bằng 0), "
                f"nhưng có {len(national)}. Kiểm tra lại số, {_EXAMPLE}."
            )
    elif national.startswith("02"):
        if len(national) != _LANDLINE_DIGITS:
            raise InvalidPhoneError(
                f"Số cố định «{shown}» phải có {_LANDLINE_DIGITS} chữ số (mã vùng 02x), "
                f"nhưng có {len(national)}. Kiểm tra lại số, ví dụ 0220 375 1234."
            )
    elif national.startswith("01") and len(national) == _LANDLINE_DIGITS:
        raise InvalidPhoneError(
            f"«{shown}» là số di động 11 số cũ (đầu 01x), đã đổi sang 10 số từ năm 2018. "
            "Hãy hỏi người dân số mới, ví dụ 0168 xxx xxxx nay là 038 xxx xxxx."
        )
    else:
        raise InvalidPhoneError(
            f"«{shown}» không phải số điện thoại Việt Nam: số di động bắt đầu bằng 03, "
            f"05, 07, 08 hoặc 09; số cố định bằng 02. Kiểm tra lại số, {_EXAMPLE}."
        )
    return Phone(national)


def canonical_phone(raw: str | None) -> str | None:
    """Stored form of an optional phone number: ``None`` when blank."""
    if raw is None or not clean_text(raw):
        return None
    return parse_phone(raw).national


def format_number(number: int) -> str:
    """A count the Vietnamese way: 1.234.567 (dot between thousands)."""
    return f"{number:,}".replace(",", ".")


# A citizen identity number (căn cước, CCCD) is 12 digits, the first three the province
# of birth (001–096), so it starts with 0.  People type it grouped ("001 203 004 567")
# as often as not: a run of digits with single spaces, dots or dashes between them.
_DIGIT_RUN = re.compile(r"\d(?:[ .\-]?\d)*")
_CITIZEN_ID_DIGITS = 12


def looks_like_citizen_id(text: str) -> bool:
    """Whether ``text`` holds what looks like a full citizen identity number: a run of
    exactly 12 digits starting with 0 (two phone numbers side by side make 20)."""
    for run in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", run.group())
        if len(digits) == _CITIZEN_ID_DIGITS and digits.startswith("0"):
            return True
    return False
