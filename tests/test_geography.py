"""The official 2025 list: counts, codes, look-up by code, search without diacritics."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from villagehelper.geography import (
    OfficialCommune,
    all_communes,
    commune_by_code,
    find_communes,
)
from villagehelper.text import clean_text, search_key

# After the 2025 reform (Nghị quyết 202/2025/QH15 and the 2025 commune resolutions).
PROVINCES = 34
COMMUNES = 3321
HAI_PHONG = "31"


def test_counts_match_the_2025_reform() -> None:
    communes = all_communes()
    assert len(communes) == COMMUNES
    assert len({c.province_code for c in communes}) == PROVINCES
    assert len({c.province_name for c in communes}) == PROVINCES


def test_codes_are_unique_five_digit_and_provinces_two_digit() -> None:
    communes = all_communes()
    assert len({c.code for c in communes}) == len(communes)
    assert all(len(c.code) == 5 and c.code.isascii() and c.code.isdigit() for c in communes)
    assert all(len(c.province_code) == 2 and c.province_code.isdigit() for c in communes)
    # One name per province code.
    names = {(c.province_code, c.province_name) for c in communes}
    assert len(names) == PROVINCES


def test_names_are_stored_the_way_typed_text_is() -> None:
    # The package has names with a double space after "Xã"; a stored commune name must
    # equal the same name typed by hand and cleaned.
    for commune in all_communes():
        for name in (commune.name, commune.province_name):
            assert clean_text(name) == name, name
            assert unicodedata.is_normalized("NFC", name)
        assert commune.name.split(" ")[0] in {"Xã", "Phường", "Đặc"}, commune.name


def test_commune_by_code() -> None:
    gia_loc = commune_by_code("10999")
    assert gia_loc == OfficialCommune("10999", "Xã Gia Lộc", HAI_PHONG, "Thành phố Hải Phòng")
    assert commune_by_code(" 10999 ") == gia_loc
    assert commune_by_code("99999") is None
    assert commune_by_code("") is None
    assert commune_by_code("abc") is None


def test_every_commune_is_found_by_its_code_with_or_without_leading_zeros() -> None:
    for commune in all_communes():
        assert commune_by_code(commune.code) == commune
        assert commune_by_code(commune.code.lstrip("0")) == commune


def test_find_gia_loc_typed_without_diacritics() -> None:
    for query in ("gia loc", "Gia Lộc", "GIA LOC", "  gia   lộc ", "xa gia loc", "gia lo"):
        codes = [c.code for c in find_communes(query)]
        assert "10999" in codes, query
    # Communes named exactly "Gia Lộc" come before those that only contain the words.
    found = find_communes("gia loc")
    exact = [search_key(c.name).split(" ", 1)[1] == "gia loc" for c in found]
    assert exact == sorted(exact, reverse=True)
    assert exact[0]


def test_find_hai_phong_returns_its_communes_first() -> None:
    hai_phong = [c for c in all_communes() if c.province_code == HAI_PHONG]
    assert len(hai_phong) > 50
    found = find_communes("hai phong", limit=len(all_communes()))
    assert set(hai_phong) <= set(found)
    # Anything else must have both words in its own name, and comes after.
    others = found[len(hai_phong) :]
    assert set(found[: len(hai_phong)]) == set(hai_phong)
    for commune in others:
        words = search_key(commune.name).split()
        assert any(w.startswith("hai") for w in words), commune
        assert any(w.startswith("phong") for w in words), commune
    assert all(c.province_code == HAI_PHONG for c in find_communes("hai phong"))
    assert find_communes("Hải Phòng") == find_communes("hai phong")


def test_words_match_at_word_starts_only() -> None:
    # "an" is inside "Hoàn Kiếm" and "Thanh Hóa"; a commune list search for "an" that
    # started with those would hide the communes called "… An".
    for commune in find_communes("an", limit=len(all_communes())):
        words = search_key(f"{commune.name} {commune.province_name}").split()
        assert any(word.startswith("an") for word in words), commune


def test_limit_and_nothing_found() -> None:
    assert len(find_communes("xa", limit=7)) == 7
    assert find_communes("khong co xa nao ten nay") == []


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(all_communes()), st.data())
def test_a_commune_is_found_by_the_start_of_its_name_typed_plainly(
    commune: OfficialCommune, data: st.DataObject
) -> None:
    # The plain form is built by hand here (not with search_key) from the letters of
    # the Vietnamese alphabet.
    plain = {"ă": "a", "â": "a", "đ": "d", "ê": "e", "ô": "o", "ơ": "o", "ư": "u"}
    bare = "".join(
        ch
        for ch in unicodedata.normalize("NFD", commune.name.lower())
        if not unicodedata.combining(ch) or ch in "\u0306\u0302\u031b"
    )
    letters = unicodedata.normalize("NFC", bare)
    typed = "".join(plain.get(ch, ch) for ch in letters)
    words = typed.split(" ")[1:]  # without "xã"/"phường"
    count = data.draw(st.integers(1, len(words)), label="words typed")
    query = " ".join(words[:count])
    if data.draw(st.booleans(), label="caps"):
        query = query.upper()
    assert commune in find_communes(query, limit=len(all_communes()))
