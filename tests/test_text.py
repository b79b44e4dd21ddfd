"""Vietnamese text handling: cleaning, search keys, collation, phone numbers.

Names are generated from their parts (onset, vowels, coda, tone) so that the expected
search key and the expected order are computed from the parts, by rules written here
from Vietnamese orthography, never from the output of the code under test.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from villagehelper.text import (
    InvalidPhoneError,
    Phone,
    canonical_phone,
    clean_optional,
    clean_text,
    collation_key,
    name_sort_key,
    parse_phone,
    search_key,
)

# Enough examples to reach the corners of the generators, few enough for a fast suite;
# tests that draw whole lists of names run fewer.
PROPERTY = settings(max_examples=150, deadline=None)
HEAVY = settings(max_examples=60, deadline=None)

# --- Vietnamese names built from their parts ------------------------------------------

# Initial consonants, vowel groups and final consonants of Vietnamese syllables.  Each
# character is one letter of the alphabet (precomposed: "ơ" is one letter), so "ngh" is
# three letters and "ươ" two.
ONSETS = [
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
    "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
]  # fmt: skip
NUCLEI = [
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay",
    "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua",
    "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ưu", "ươ", "yê", "oai", "oay",
    "uây", "uôi", "ươi", "ươu", "uyê", "yêu", "uya",
]  # fmt: skip
CODAS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]

NGANG, HUYEN, HOI, NGA, SAC, NANG = "", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
# Dictionary order of the tones: ngang < huyền < hỏi < ngã < sắc < nặng.
TONE_ORDER = [NGANG, HUYEN, HOI, NGA, SAC, NANG]
# The 29 letters of the Vietnamese alphabet in dictionary order.
ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o",
    "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "x", "y",
]  # fmt: skip
# What a letter becomes when typed without marks on a plain keyboard.
PLAIN = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u", "đ": "d"}

SPACES = [" ", "  ", "\t", "\u00a0", " \n "]
EDGES = ["", " ", "  ", "\t", "\n"]


@dataclass(frozen=True)
class Letter:
    base: str  # one lower-case letter of ALPHABET
    tone: str = NGANG  # the combining tone mark it carries, if any


Word = tuple[Letter, ...]


def word_tone(word: Word) -> str:
    return next((letter.tone for letter in word if letter.tone), NGANG)


def spell(word: Word) -> str:
    """The NFC spelling of a lower-case word."""
    return "".join(unicodedata.normalize("NFC", x.base + x.tone) for x in word)


def spell_name(words: tuple[Word, ...]) -> str:
    return " ".join(spell(word) for word in words)


def without_tones(words: tuple[Word, ...]) -> tuple[Word, ...]:
    return tuple(tuple(replace(letter, tone=NGANG) for letter in word) for word in words)


# A few parts only, so that generated names often share letters and differ in tones or
# in one letter: the cases where an order can go wrong.
FEW_ONSETS, FEW_NUCLEI, FEW_CODAS = ["", "d", "đ", "ng"], ["a", "ă", "oa"], ["", "n"]


@st.composite
def syllables(draw: st.DrawFn, few: bool = False) -> Word:
    onset = draw(st.sampled_from(FEW_ONSETS if few else ONSETS))
    nucleus = draw(st.sampled_from(FEW_NUCLEI if few else NUCLEI))
    coda = draw(st.sampled_from(FEW_CODAS if few else CODAS))
    tone = draw(st.sampled_from(TONE_ORDER))
    # Any vowel may carry the tone: this covers old style (hòa, thủy, khỏe), new style
    # (hoà, thuỷ, khoẻ) and the misplacements people type.
    toned = draw(st.integers(0, len(nucleus) - 1))
    vowels = [Letter(v, tone if i == toned else NGANG) for i, v in enumerate(nucleus)]
    return (*(Letter(c) for c in onset), *vowels, *(Letter(c) for c in coda))


@dataclass(frozen=True)
class Typed:
    """One way a person could type a name, and what the app must make of it."""

    words: tuple[Word, ...]
    text: str  # as typed
    stored: str  # what clean_text must store: NFC, single spaces, same letter case
    plain: str  # the lower-case name without any mark: what search_key must give


def render(letter: Letter, upper: bool, form: str) -> str:
    base = letter.base.upper() if upper else letter.base
    if form == "nfc":
        return unicodedata.normalize("NFC", base + letter.tone)
    if form == "nfd":
        return unicodedata.normalize("NFD", base + letter.tone)
    # The Windows Vietnamese keyboard types ă â ê ô ơ ư đ precomposed and the tone as a
    # separate combining mark after the vowel: neither NFC nor NFD.
    return base + letter.tone


@st.composite
def typed_names(draw: st.DrawFn, few: bool = False) -> Typed:
    words = tuple(draw(st.lists(syllables(few), min_size=1, max_size=3 if few else 4)))
    casing = draw(st.sampled_from(["lower", "upper", "title", "random"]))
    form = draw(st.sampled_from(["nfc", "nfd", "windows", "mixed"]))
    eth = draw(st.booleans())  # Ð/ð (U+00D0/U+00F0) typed for Đ/đ
    typed_words: list[str] = []
    stored_words: list[str] = []
    for word in words:
        typed_letters: list[str] = []
        stored_letters: list[str] = []
        for index, letter in enumerate(word):
            upper = {
                "lower": False,
                "upper": True,
                "title": index == 0,
                "random": casing == "random" and draw(st.booleans()),
            }[casing]
            if form == "mixed":
                letter_form = draw(st.sampled_from(["nfc", "nfd", "windows"]))
            else:
                letter_form = form
            stored = render(letter, upper, "nfc")
            typed = render(letter, upper, letter_form)
            if eth and letter.base == "đ":
                typed = "\u00d0" if upper else "\u00f0"
            typed_letters.append(typed)
            stored_letters.append(stored)
        typed_words.append("".join(typed_letters))
        stored_words.append("".join(stored_letters))
    text = draw(st.sampled_from(EDGES)) + typed_words[0]
    for typed_word in typed_words[1:]:
        text += draw(st.sampled_from(SPACES)) + typed_word
    text += draw(st.sampled_from(EDGES))
    plain = " ".join("".join(PLAIN.get(x.base, x.base) for x in word) for word in words)
    return Typed(words, text, " ".join(stored_words), plain)


# For comparisons: half the names from the few parts, half from all of them.
comparable_names = st.one_of(typed_names(few=True), typed_names())


# --- clean_text ------------------------------------------------------------------------


@PROPERTY
@given(typed_names())
def test_clean_text_stores_every_typing_of_a_name_in_one_nfc_form(typed: Typed) -> None:
    cleaned = clean_text(typed.text)
    assert cleaned == typed.stored
    assert unicodedata.is_normalized("NFC", cleaned)
    assert "\u00d0" not in cleaned and "\u00f0" not in cleaned
    assert clean_text(cleaned) == cleaned


@PROPERTY
@given(st.text())
def test_clean_text_of_any_text_is_nfc_trimmed_and_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_text(cleaned) == cleaned
    assert "\u00d0" not in cleaned and "\u00f0" not in cleaned
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert all(ch == " " or not ch.isspace() for ch in cleaned)
    assert not any(unicodedata.category(ch) == "Cc" for ch in cleaned)


def test_clean_text_examples() -> None:
    assert clean_text(None) == ""
    assert clean_text("  Nguye\u0302\u0303n   Thi\u0323\tHe\u0323\u0302 ") == "Nguyễn Thị Hệ"
    assert clean_text("\u00d0ặng \u00f0ức") == "Đặng đức"
    # BOM from an Excel CSV, a zero-width space and a soft hyphen from a web page, NUL
    # from a broken file: invisible, so a stored name must not keep them.
    assert clean_text("\ufeffPhạm\u200b Đăng\u00ad Xuyết\x00") == "Phạm Đăng Xuyết"
    # Removing the invisible character must not leave the text decomposed.
    assert clean_text("e\u200b\u0302") == "ê"
    assert clean_optional("  \t ") is None
    assert clean_optional(None) is None
    assert clean_optional(" Thôn  Khay ") == "Thôn Khay"


# --- search_key ------------------------------------------------------------------------


def test_search_key_examples_from_the_domain_notes() -> None:
    expected = "nguyen thi he"
    assert search_key("nguyen thi he") == expected
    assert search_key("Nguyễn Thị Hệ") == expected
    assert search_key("NGUYỄN THỊ HỆ") == expected
    assert search_key("NGUYEN THI HE") == expected
    assert search_key("Nguye\u0302\u0303n Thi\u0323 He\u0323\u0302") == expected


@pytest.mark.parametrize(
    ("old_style", "new_style", "plain"),
    [("hòa", "hoà", "hoa"), ("Thủy", "Thuỷ", "thuy"), ("khỏe", "khoẻ", "khoe"),
     ("Hóa", "Hoá", "hoa"), ("Thúy", "Thuý", "thuy"), ("Họa", "Hoạ", "hoa")],
)  # fmt: skip
def test_search_key_ignores_tone_placement(old_style: str, new_style: str, plain: str) -> None:
    assert search_key(old_style) == search_key(new_style) == plain


def test_search_key_treats_d_and_eth_as_plain_d() -> None:
    assert search_key("Đặng") == search_key("\u00d0ặng") == search_key("dang") == "dang"
    assert search_key("đ\u00f0D") == "ddd"


def test_search_key_of_nothing_is_empty() -> None:
    assert search_key(None) == ""
    assert search_key("   ") == ""
    # A tone mark typed on its own between spaces must not leave a double space.
    assert search_key("a \u0301 b") == "a b"


@PROPERTY
@given(typed_names())
def test_search_key_ignores_case_marks_tone_placement_and_input_form(typed: Typed) -> None:
    assert search_key(typed.text) == typed.plain
    assert search_key(typed.stored) == typed.plain
    assert search_key(typed.plain.upper()) == typed.plain


@PROPERTY
@given(typed_names(), st.data())
def test_any_part_typed_without_marks_finds_the_name(typed: Typed, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(typed.plain)), label="start")
    end = data.draw(st.integers(start, len(typed.plain)), label="end")
    fragment = typed.plain[start:end]
    if data.draw(st.booleans(), label="caps lock"):
        fragment = fragment.upper()
    assert search_key(fragment) in search_key(typed.text)


@PROPERTY
@given(st.text())
def test_search_key_of_any_text_is_its_own_key(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert key == key.casefold()
    assert "đ" not in key
    assert not any(unicodedata.combining(ch) for ch in key)
    assert key == key.strip() and "  " not in key


# --- Collation -------------------------------------------------------------------------

Reference = tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]


def reference_key(words: tuple[Word, ...]) -> Reference:
    """Dictionary order from the rules: letters word by word, then tones word by word."""
    letters = tuple(tuple(ALPHABET.index(x.base) for x in word) for word in words)
    tones = tuple(TONE_ORDER.index(word_tone(word)) for word in words)
    return letters, tones


def shuffled(items: list[str]) -> list[str]:
    # A fixed, thorough mix: reversed, then odd positions before even ones.
    backwards = items[::-1]
    return backwards[1::2] + backwards[::2]


def test_letters_sort_in_alphabet_order_not_code_point_order() -> None:
    assert sorted(shuffled(ALPHABET), key=collation_key) == ALPHABET
    upper = [letter.upper() for letter in ALPHABET]
    assert sorted(shuffled(upper), key=collation_key) == upper
    # Code-point order would put ă, â, đ, ê, ô, ơ, ư after y: the test can tell.
    assert sorted(ALPHABET) != ALPHABET


GIVEN_NAMES_IN_ORDER = [
    "An", "Ánh", "Ăn", "Ân", "Bình", "Chi", "Dũng", "Dương", "Đào", "Đức", "Em", "Ê",
    "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Huệ", "Hùng", "Hương", "Khánh", "Lan", "Linh",
    "Mai", "Minh", "Nam", "Nga", "Ngọc", "Nhung", "Oanh", "Ôn", "Ơn", "Phúc", "Quân",
    "Sơn", "Tâm", "Thảo", "Trang", "Tú", "Tuấn", "Uyên", "Ưng", "Vân", "Xuân", "Yến",
]  # fmt: skip


@pytest.mark.parametrize(
    "expected",
    [
        GIVEN_NAMES_IN_ORDER,
        # Tones, in dictionary order, when the letters are equal.
        ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"],
        ["Ban", "Bàn", "Bản", "Bạn"],
        # Tones only break ties: letters decide first, whatever the tones.
        ["Bạ", "Bác", "Bắc"],
        ["A", "Á", "Ác"],
        ["Lê", "Lệ", "Lê Văn"],
        # Whole words first: a shorter word before a longer one it begins.
        ["An", "An Bình", "Anh"],
        # Every D before every Đ.
        ["Duy", "Dư", "Đa", "Đạt"],
        ["Thôn 1", "Thôn 12", "Thôn 2", "Thôn An"],
    ],
)
def test_collation_expected_orders(expected: list[str]) -> None:
    assert sorted(shuffled(expected), key=collation_key) == expected
    assert sorted(expected[::-1], key=collation_key) == expected


def test_collation_ignores_case_tone_placement_input_form_and_eth() -> None:
    assert collation_key("Hòa") == collation_key("hoà") == collation_key("HO\u0300A")
    assert collation_key("Nguyễn") == collation_key("Nguye\u0302\u0303n")
    assert collation_key("\u00d0ặng") == collation_key("Đặng")
    assert collation_key("Hòa") != collation_key("Hoa")


@pytest.mark.parametrize(
    "text",
    # Quality marks on letters that cannot carry them, Hangul jamo beside the surrogate
    # range, the last code points: the key once crashed or held invalid characters.
    ["c\u0306", "X\u0302 Lan", "\ud7b0", "Lan \U0010fffd", "\U000f0000", "ø ß 字 🙂"],
)
def test_collation_key_of_unusual_text_is_storable(text: str) -> None:
    for key in (collation_key(text), name_sort_key(text)):
        key.encode("utf-8")
        assert "\x00" not in key


@PROPERTY
@given(st.text())
def test_collation_key_of_any_text_is_storable(text: str) -> None:
    # SQLite stores UTF-8 and PostgreSQL refuses NUL: either would break sync.
    for key in (collation_key(text), name_sort_key(text)):
        key.encode("utf-8")
        assert "\x00" not in key


@HEAVY
@given(st.lists(comparable_names, max_size=10))
def test_sorting_by_collation_key_follows_the_alphabet_then_the_tones(
    names: list[Typed],
) -> None:
    ordered = sorted(names, key=lambda typed: collation_key(typed.text))
    references = [reference_key(typed.words) for typed in ordered]
    assert references == sorted(references)


@PROPERTY
@given(comparable_names, comparable_names)
def test_collation_key_agrees_with_the_reference_order(a: Typed, b: Typed) -> None:
    key_a, key_b = collation_key(a.text), collation_key(b.text)
    ref_a, ref_b = reference_key(a.words), reference_key(b.words)
    assert (key_a < key_b) == (ref_a < ref_b)
    assert (key_a == key_b) == (ref_a == ref_b)


@PROPERTY
@given(comparable_names, comparable_names)
def test_tones_only_break_ties(a: Typed, b: Typed) -> None:
    plain_a, plain_b = without_tones(a.words), without_tones(b.words)
    key_a, key_b = collation_key(a.text), collation_key(b.text)
    if plain_a != plain_b:
        bare_a = collation_key(spell_name(plain_a))
        bare_b = collation_key(spell_name(plain_b))
        assert (key_a < key_b) == (bare_a < bare_b)
    else:
        tones_a = [TONE_ORDER.index(word_tone(word)) for word in a.words]
        tones_b = [TONE_ORDER.index(word_tone(word)) for word in b.words]
        assert (key_a < key_b) == (tones_a < tones_b)


@PROPERTY
@given(typed_names())
def test_collation_key_is_the_same_for_every_typing_of_a_name(typed: Typed) -> None:
    assert collation_key(typed.text) == collation_key(typed.stored.lower())


# --- name_sort_key ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Given name first, although the family names say the opposite.
        ("Nguyễn Văn An", "Trần Thị Bình"),
        ("Trần Văn An", "Nguyễn Thị Bình"),
        # Same given name: middle name, although the family names say the opposite.
        ("Trần Thị An", "Nguyễn Văn An"),
        # Same given and middle name: family name.
        ("Lê Văn An", "Nguyễn Văn An"),
        ("Đặng Văn An", "Vũ Văn An"),
        # No middle name comes first among equal given names.
        ("Vũ An", "Nguyễn Bá An"),
        ("An", "Lê An"),
        # The given name is compared whole, tone included, before the middle name.
        ("Trần Văn A", "Lê Văn Á"),
    ],
)
def test_name_sort_key_pairs(first: str, second: str) -> None:
    assert name_sort_key(first) < name_sort_key(second)


def test_name_sort_key_orders_a_class_list() -> None:
    expected = [
        "Nguyễn Thị Ánh",
        "Trần Đức Bình",  # Bình: middle name Đức before Văn
        "Lê Văn Bình",
        "Phạm Thị Dung",
        "Hoàng Văn Đạt",  # d before đ
        "Bùi Thị Hà",  # Thị Hà three times: family name Bùi < Đặng < Vũ
        "Đặng Thị Hà",
        "Vũ Thị Hà",
        "Lý Minh Hải",
    ]
    assert sorted(shuffled(expected), key=name_sort_key) == expected
    assert sorted(expected[::-1], key=name_sort_key) == expected


def test_name_sort_key_ignores_how_the_name_was_typed() -> None:
    assert name_sort_key("  nguyễn   thị hòa ") == name_sort_key("NGUYỄN THỊ HOÀ")


def name_reference(words: tuple[Word, ...]) -> tuple[Reference, Reference, Reference]:
    family = words[:1] if len(words) > 1 else ()
    return reference_key(words[-1:]), reference_key(words[1:-1]), reference_key(family)


@PROPERTY
@given(comparable_names, comparable_names)
def test_name_sort_key_agrees_with_the_reference_order(a: Typed, b: Typed) -> None:
    key_a, key_b = name_sort_key(a.text), name_sort_key(b.text)
    ref_a, ref_b = name_reference(a.words), name_reference(b.words)
    assert (key_a < key_b) == (ref_a < ref_b)
    assert (key_a == key_b) == (ref_a == ref_b)


@HEAVY
@given(st.lists(comparable_names, max_size=10))
def test_name_sort_key_sorts_by_given_then_middle_then_family(names: list[Typed]) -> None:
    ordered = sorted(names, key=lambda typed: name_sort_key(typed.text))
    references = [name_reference(typed.words) for typed in ordered]
    assert references == sorted(references)


# --- Phone numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "0912–345–678",  # en dash, as Word types it
        "(0912) 345-678",
        "+84 912 345 678",
        "+84912345678",
        "(+84) 912 345 678",
        "+84 (0) 912 345 678",
        "84912345678",
        "0084912345678",
        "00 84 912 345 678",
        "912 345 678",
        " 0912 345 678 ",
        "０９１２ ３４５ ６７８",  # full-width digits from a Chinese or Japanese IME
    ],
)
def test_accepted_mobile_forms_give_one_canonical_form(raw: str) -> None:
    assert parse_phone(raw) == Phone("0912345678")
    assert canonical_phone(raw) == "0912345678"


@pytest.mark.parametrize(
    ("raw", "national"),
    [
        ("0220 3751 234", "02203751234"),
        ("0220.375.1234", "02203751234"),
        ("+84 220 375 1234", "02203751234"),
        ("842203751234", "02203751234"),
        ("024 3825 1234", "02438251234"),
        ("(028) 3822 1234", "02838221234"),
    ],
)
def test_landlines_have_eleven_digits(raw: str, national: str) -> None:
    assert parse_phone(raw).national == national


@pytest.mark.parametrize(
    "raw",
    [
        "091234567",  # one digit short
        "09123456789",  # one digit too many for a mobile
        "0220375123",  # landline one digit short
        "022037512345",  # landline one digit too many
        "0912abc678",
        "0912 345 67²",  # a superscript is not a digit
        "O912345678",  # letter O for zero
        "0112345678",  # no network uses 01x any more
        "0412345678",
        "0612345678",
        "01689123456",  # an old 11-digit mobile, renumbered in 2018
        "+1 202 555 0143",  # not Vietnamese
        "---",
        "( )",
        "+",
        "0912 345 678 ext 2",
    ],
)
def test_rejected_numbers_say_what_to_do_in_vietnamese(raw: str) -> None:
    with pytest.raises(InvalidPhoneError) as caught:
        parse_phone(raw)
    message = str(caught.value)
    assert f"«{clean_text(raw)}»" in message  # says which entry is wrong
    assert "ví dụ" in message  # and shows what a right one looks like
    assert any(word in message for word in ("Hãy", "Chỉ", "Kiểm tra", "phải"))
    with pytest.raises(InvalidPhoneError):
        canonical_phone(raw)


def test_invalid_phone_error_is_a_value_error() -> None:
    # Callers that only know ValueError (duplicate search) must still catch it.
    with pytest.raises(ValueError, match="0112345678"):
        parse_phone("0112345678")


@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n"])
def test_blank_phone_is_none(raw: str | None) -> None:
    assert canonical_phone(raw) is None


@pytest.mark.parametrize(
    ("national", "shown", "masked"),
    [
        ("0912345678", "0912 345 678", "•••••••678"),
        ("0386001234", "0386 001 234", "•••••••234"),
        ("02203751234", "0220 375 1234", "••••••••234"),
        ("02438251234", "024 3825 1234", "••••••••234"),
        ("02838221234", "028 3822 1234", "••••••••234"),
    ],
)
def test_phone_display_and_masked(national: str, shown: str, masked: str) -> None:
    phone = Phone(national)
    assert phone.display() == shown
    assert phone.masked() == masked
    assert parse_phone(phone.display()) == phone


# Network prefixes in use since the 2018 renumbering (Viettel, Vinaphone, MobiFone,
# Vietnamobile, Gmobile, Itelecom).
MOBILE_PREFIXES = [
    "032", "033", "034", "035", "036", "037", "038", "039", "052", "056", "058", "059",
    "070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "087",
    "088", "089", "090", "091", "092", "093", "094", "096", "097", "098", "099",
]  # fmt: skip
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def mobile_numbers(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(MOBILE_PREFIXES))
    return prefix + draw(st.text(alphabet="0123456789", min_size=7, max_size=7))


@st.composite
def written_forms(draw: st.DrawFn, national: str) -> str:
    """The number as a person might write it: prefix, grouping, separators."""
    lead = draw(st.sampled_from(["0", "", "+84", "+84 ", "84", "0084", "+84 (0)", "(+84) "]))
    digits = national[1:]
    cuts = sorted(draw(st.lists(st.integers(1, len(digits) - 1), max_size=4, unique=True)))
    groups = [digits[i:j] for i, j in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    separators = st.sampled_from(["", " ", ".", "-", "  ", "–", "/"])
    body = groups[0]
    for group in groups[1:]:
        body += draw(separators) + group
    if lead == "0" and len(groups) > 1 and draw(st.booleans()):
        # "(0912) 345 678": brackets round the first group.
        written = f"({lead}{groups[0]})" + draw(separators) + body[len(groups[0]) :]
    else:
        written = lead + body
    if draw(st.booleans()):
        written = written.translate(FULL_WIDTH)
    return draw(st.sampled_from(EDGES)) + written + draw(st.sampled_from(EDGES))


@PROPERTY
@given(st.data())
def test_any_written_form_of_a_mobile_number_parses_back_to_it(data: st.DataObject) -> None:
    national = data.draw(mobile_numbers(), label="number")
    written = data.draw(written_forms(national), label="written")
    assert parse_phone(written) == Phone(national)
    assert canonical_phone(written) == national


@PROPERTY
@given(mobile_numbers())
def test_display_groups_the_digits_and_masked_keeps_the_last_three(national: str) -> None:
    phone = Phone(national)
    assert phone.display().replace(" ", "") == national
    assert parse_phone(phone.display()) == phone
    assert phone.masked() == "•" * 7 + national[-3:]
