"""The official 2025 administrative list (34 provinces, 3,321 communes).

Data from the ``vietnam-provinces`` package, read locally: nothing is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from villagehelper.text import clean_text, search_key

# Search-key forms of the words that say what kind of unit a commune is ("Xã Gia Lộc",
# "Phường Hoàn Kiếm", "Đặc khu Côn Đảo"); typing just "gia loc" is an exact match.
_KIND_PREFIXES = ("xa ", "phuong ", "dac khu ")


@dataclass(frozen=True)
class OfficialCommune:
    code: str  # 5 digits, never reused (QĐ 19/2025/QĐ-TTg)
    name: str
    province_code: str  # 2 digits
    province_name: str

    @property
    def search_key(self) -> str:
        return search_key(f"{self.name} {self.province_name}")


@cache
def all_communes() -> tuple[OfficialCommune, ...]:
    """Every commune, ordered by code."""
    # The package's names are NFC but ten of them have a double space after "Xã" or
    # "Phường"; they go through the same cleaning as anything typed, or a stored commune
    # name would not equal the same name typed by hand.
    # Imported here: the list is needed by the first-run wizard only, not at each start.
    from vietnam_provinces import Province, Ward

    provinces = {int(p.code): clean_text(p.name) for p in Province.iter_all()}
    communes = [
        OfficialCommune(
            code=f"{int(ward.code):05d}",
            name=clean_text(ward.name),
            province_code=f"{int(ward.province_code):02d}",
            province_name=provinces[int(ward.province_code)],
        )
        for ward in Ward.iter_all()
    ]
    return tuple(sorted(communes, key=lambda commune: commune.code))


@cache
def _communes_by_code() -> dict[str, OfficialCommune]:
    return {commune.code: commune for commune in all_communes()}


def commune_by_code(code: str) -> OfficialCommune | None:
    """The commune with this code; leading zeros may be left out ("4" is "00004")."""
    return _communes_by_code().get(code.strip().zfill(5))


@dataclass(frozen=True)
class _Indexed:
    commune: OfficialCommune
    bare_name: str  # name key without "xa"/"phuong"/"dac khu"
    name: str  # " name key " with a space at each end: word starts are " w"
    everything: str  # " name key province key "


@cache
def _search_index() -> tuple[_Indexed, ...]:
    index = []
    for commune in all_communes():
        name = search_key(commune.name)
        bare = next((name[len(p) :] for p in _KIND_PREFIXES if name.startswith(p)), name)
        province = search_key(commune.province_name)
        index.append(_Indexed(commune, bare, f" {name} ", f" {name} {province} "))
    return tuple(index)


def find_communes(query: str, limit: int = 50) -> list[OfficialCommune]:
    """Communes whose name or province has a word starting with each word typed.

    Diacritics, case and tone placement are ignored.  Best matches first: the name
    itself, then the words typed in that order inside the name, then in name and
    province ("hai phong" → every commune of Hải Phòng), then the words in any order.
    """
    key = search_key(query)
    # Words match at word starts only: matching anywhere made "hai" find "Thái Nguyên"
    # and "an" find "Hoàn Kiếm", burying the commune the person meant.
    starts = [f" {word}" for word in key.split()]
    phrase = f" {key}"
    ranked: list[tuple[int, int, OfficialCommune]] = []
    for position, entry in enumerate(_search_index()):
        if not all(start in entry.everything for start in starts):
            continue
        if entry.bare_name == key:
            rank = 0
        elif phrase in entry.name:
            rank = 1
        elif phrase in entry.everything:
            rank = 2
        else:
            rank = 3
        ranked.append((rank, position, entry.commune))
    ranked.sort(key=lambda hit: hit[:2])
    return [commune for _, _, commune in ranked[:limit]]
