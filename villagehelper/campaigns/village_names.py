"""Which of the commune's villages a list means by the name it writes.

Lists name a village as "Thôn Cao Xá", "thôn Cao Xa", "CAO XÁ", "TDP Hồng Phong", or
inside an address ("Thôn Cao Xá, xã Gia Lộc"); a numbered one as "Thôn 3", "thôn Ba" or
"Thôn III".  The kind word (thôn, xóm, tổ dân phố…) is dropped and number words read as
digits, so each of these finds the village the commune keeps under its own spelling.
"""

from __future__ import annotations

from collections.abc import Mapping

from villagehelper.text import search_key

# Words that say what kind of place follows, longest first so that "to dan pho" goes
# before "to".  Folded, as search_key leaves them.
_KIND_WORDS = (
    "to dan pho",
    "khu dan cu",
    "khu pho",
    "tdp",
    "thon",
    "xom",
    "lang",
    "ban",
    "ap",
    "khu",
    "to",
    "doi",
)
_NUMBER_WORDS = {
    "mot": "1",
    "hai": "2",
    "ba": "3",
    "bon": "4",
    "tu": "4",
    "nam": "5",
    "sau": "6",
    "bay": "7",
    "tam": "8",
    "chin": "9",
    "muoi": "10",
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}


def village_key(name: str) -> str:
    """ "Thôn Cao Xá" → "cao xa"; "thôn Ba", "Thôn 3" and "THÔN III" → "3"."""
    words = " ".join(search_key(name).replace(".", " ").replace(",", " ").split())
    for kind in _KIND_WORDS:
        if words.startswith(kind + " "):
            words = words[len(kind) + 1 :]
            break
    words = " ".join(
        (part.lstrip("0") or "0") if part.isdigit() else part for part in words.split()
    )
    return _NUMBER_WORDS.get(words, words)


class VillageNames:
    """The commune's villages, found by any way a list writes their names."""

    def __init__(self, villages: Mapping[str, str]) -> None:
        self._by_key: dict[str, str | None] = {}
        for village_id, name in sorted(villages.items()):
            key = village_key(name)
            # Two villages under one key (a "Thôn 3" and a "Tổ 3") cannot be told apart
            # by the name alone: neither is chosen for it.
            self._by_key[key] = None if key in self._by_key else village_id

    def find(self, written: str) -> str | None:
        """The id of the village ``written`` names, or None when it names none (or two)."""
        if not written.strip():
            return None
        # An address: the village is its first part ("Thôn Cao Xá, xã Gia Lộc").
        for part in (written, written.split(",", 1)[0], written.split(" - ", 1)[0]):
            key = village_key(part)
            if key in self._by_key:
                return self._by_key[key]
        return self._inside(search_key(written))

    def _inside(self, text: str) -> str | None:
        """A village whose name appears as whole words inside ``text`` (an address
        written in another order), when exactly one does."""
        padded = f" {' '.join(text.replace(',', ' ').replace('.', ' ').split())} "
        found = {
            village_id
            for key, village_id in self._by_key.items()
            if village_id is not None and not key.isdigit() and f" {key} " in padded
        }
        return found.pop() if len(found) == 1 else None
