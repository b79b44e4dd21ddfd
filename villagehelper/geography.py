"""The official 2025 administrative list (34 provinces, 3,321 communes).

Data from the ``vietnam-provinces`` package, read locally: nothing is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward

from villagehelper.text import search_key


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
    provinces = {int(p.code): p.name for p in Province.iter_all()}
    communes = [
        OfficialCommune(
            code=f"{int(ward.code):05d}",
            name=ward.name,
            province_code=f"{int(ward.province_code):02d}",
            province_name=provinces[int(ward.province_code)],
        )
        for ward in Ward.iter_all()
    ]
    return tuple(communes)


def commune_by_code(code: str) -> OfficialCommune | None:
    wanted = code.strip().zfill(5)
    return next((c for c in all_communes() if c.code == wanted), None)


def find_communes(query: str, limit: int = 50) -> list[OfficialCommune]:
    """Communes whose name or province contains every word typed, diacritics ignored."""
    words = search_key(query).split()
    found = [c for c in all_communes() if all(w in c.search_key for w in words)]
    return found[:limit]
