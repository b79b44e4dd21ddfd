"""How two written forms of a person's name agree, the way a volunteer would judge it.

A commune's list writes names as its clerk typed them: without diacritics, in capitals,
with the tone on the other vowel ("Hoà"/"Hòa"), with the middle name cut to an initial
("Nguyễn T. Hoa") or left out ("Nguyễn Hoa" for "Nguyễn Thị Hoa").  Every such form is
compared here word by word on the project's search key (``text.search_key``), and only
where the list did write diacritics are they held against the stored name: "Hoa" and
"Hòa" are two different given names, but "Hoa" in a list typed without any mark says
nothing about the tone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from villagehelper.text import clean_text, search_key

# The five tone marks: a syllable carries one, and where it sits (hoà / hòa) is a
# spelling habit, not part of the name.  Vowel-quality marks (ă â ê ô ơ ư) and đ are.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_WORD = re.compile(r"[^\W_]+\.?")


class NameAgreement(StrEnum):
    EXACT = "exact"  # every word the same (diacritics too, where the list wrote them)
    INITIALS = "initials"  # the same words, one or more cut to an initial: "Nguyễn T. Hoa"
    SHORTER = "shorter"  # a middle name left out on one side: "Nguyễn Hoa"
    MARKS_DIFFER = "marks_differ"  # the same letters, other diacritics: "Hoa" / "Hòa"


@dataclass(frozen=True, slots=True)
class NameWord:
    folded: str  # search key of the word: case, diacritics and đ folded
    spelled: str  # the letters with their vowel marks, then the tone: "hoa\u0300"
    abbreviated: bool  # "T." or a single letter: stands for any word starting so


@dataclass(frozen=True, slots=True)
class NameForm:
    words: tuple[NameWord, ...]
    marked: bool  # written with diacritics at all (a list typed without gives none)

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(word.folded for word in self.words)


def _spelled(word: str) -> str:
    letters = []
    tone = ""
    for character in unicodedata.normalize("NFD", word):
        if character in _TONES:
            tone = character
        else:
            letters.append(character)
    return unicodedata.normalize("NFC", "".join(letters)) + tone


@lru_cache(maxsize=8192)
def _word(bare: str) -> tuple[str, str]:
    # A commune's names are made of a few hundred syllables: each is folded once.
    return search_key(bare), _spelled(bare)


def name_form(full_name: str) -> NameForm:
    """The words of ``full_name`` as the comparison needs them."""
    text = clean_text(full_name).casefold()
    tokens = []
    for token in _WORD.findall(text):
        bare = token.rstrip(".")
        folded, spelled = _word(bare)
        if folded:
            tokens.append((bare, folded, spelled, token.endswith(".")))
    words = []
    for position, (_bare, folded, spelled, dotted) in enumerate(tokens):
        # "T." stands for a word; so does a lone letter in the middle ("Nguyễn T Hoa"),
        # but not a given name of one letter ("Lê Thị Ý").
        inside = 0 < position < len(tokens) - 1
        words.append(NameWord(folded, spelled, dotted or (inside and len(folded) == 1)))
    marked = any(bare != folded for bare, folded, _spelled, _dotted in tokens)
    return NameForm(tuple(words), marked=marked)


def block_key(form: NameForm) -> tuple[str, str] | None:
    """Family name and given name folded: two forms of one name always share them (a
    list shortens the middle of a name, never its ends)."""
    if len(form.words) < 2:
        return None
    first, last = form.words[0], form.words[-1]
    if first.abbreviated or last.abbreviated:
        return None
    return first.folded, last.folded


def _same_word(a: NameWord, b: NameWord) -> bool:
    return a.folded == b.folded


def _fits(a: NameWord, b: NameWord) -> bool:
    """Equal, or one is an initial (or a shortening such as "Ng.") of the other."""
    if a.folded == b.folded:
        return True
    if a.abbreviated:
        return b.folded.startswith(a.folded)
    return b.abbreviated and a.folded.startswith(b.folded)


def _within(short: tuple[NameWord, ...], long: tuple[NameWord, ...]) -> bool:
    """Whether ``short``'s words appear in ``long`` in order (middle words may be left out)."""
    remaining = iter(long)
    return all(any(_fits(word, other) for other in remaining) for word in short)


def agreement(listed: NameForm, known: NameForm) -> NameAgreement | None:
    """How the name a list gives agrees with a stored one; None when they are not two
    forms of one name."""
    a, b = listed.words, known.words
    if len(a) < 2 or len(b) < 2 or not (_same_word(a[0], b[0]) and _same_word(a[-1], b[-1])):
        return None
    if len(a) == len(b):
        pairs = list(zip(a, b, strict=True))
        if all(_same_word(x, y) for x, y in pairs):
            kind = NameAgreement.EXACT
        elif all(_fits(x, y) for x, y in pairs):
            kind = NameAgreement.INITIALS
        else:
            return None
        # Where both wrote diacritics, the words written out must carry the same ones.
        written_out = [(x, y) for x, y in pairs if not (x.abbreviated or y.abbreviated)]
        if listed.marked and known.marked and any(x.spelled != y.spelled for x, y in written_out):
            return NameAgreement.MARKS_DIFFER
        return kind
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if _within(short[1:-1], long[1:-1]):
        return NameAgreement.SHORTER
    return None
