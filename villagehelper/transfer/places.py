"""The commune and villages a households file names, checked and created in the
import's own transaction (so a rejected file leaves the laptop as it was)."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from villagehelper.errors import UserError, ValidationError
from villagehelper.geography import commune_by_code
from villagehelper.ids import new_id
from villagehelper.ops import validate
from villagehelper.ops.team import require_commune
from villagehelper.store.changelog import Changes, record_insert
from villagehelper.store.engine import Store
from villagehelper.store.kinds import VillageKind
from villagehelper.store.models import Commune, Village
from villagehelper.text import search_key
from villagehelper.transfer.columns import URBAN_VILLAGE_TITLES, header_key

# A new village named "Tổ dân phố 3", "TDP 3" or "Khu phố 3" is urban.
_URBAN_NAME = re.compile(r"^(to dan pho|tdp|khu pho)\b")


def _commune_code(text: str, line: int) -> str:
    # Excel drops the leading zero of a code typed as a number (01234 → 1234).
    code = text.strip().zfill(5)
    if not (code.isdigit() and len(code) == 5):
        raise UserError(
            f"Dòng {line}: mã xã «{text}» không hợp lệ; mã xã/phường có 5 chữ số.",
            f"Line {line}: commune code {text!r} is not 5 digits.",
        )
    return code


def file_commune(session: Session, store: Store, codes: dict[int, str]) -> Commune:
    """The laptop's commune after checking the file's (line → "Mã xã" cell).

    A laptop without a commune yet is bound to the file's; a file of another commune
    is refused whole: its rows would land in the wrong commune's villages.
    """
    found: dict[str, int] = {}
    for line, text in codes.items():
        if text.strip():
            found.setdefault(_commune_code(text, line), line)
    if len(found) > 1:
        listed = ", ".join(f"{code} (dòng {line})" for code, line in found.items())
        raise UserError(
            f"Tệp có dữ liệu của nhiều xã: {listed}. Mỗi lần chỉ nhập dữ liệu của một xã.",
            "The file mixes several communes.",
        )
    current = session.scalars(select(Commune)).first()
    if not found:
        return current or require_commune(store)
    code = next(iter(found))
    if current is not None:
        if current.code != code:
            raise UserError(
                f"Tệp này là dữ liệu của xã mã {code}, còn máy này thuộc {current.name} "
                f"(mã {current.code}). Không nhập được dữ liệu của xã khác; hãy kiểm tra lại "
                "tệp hoặc dùng thư mục dữ liệu riêng (--data-dir) cho xã đó.",
                f"The file belongs to commune {code}, this laptop to {current.code}.",
            )
        return current
    official = commune_by_code(code)
    if official is None:
        raise UserError(
            f"Không có xã/phường mã {code} (cột «Mã xã») trong danh mục 2025. Kiểm tra lại "
            "mã 5 chữ số.",
            f"No commune with code {code} in the 2025 list.",
        )
    commune = Commune(**asdict(official))
    session.add(commune)
    return commune


class FileVillages:
    """Villages of the file, found by id or name, or made for it.

    A village the file names but the laptop lacks is *staged*: written without an outbox
    entry so the household checks can see it, then either recorded as a real insert
    (just before the first household using it is written, so it comes first in the
    outbox too) or removed at the end (every row naming it was skipped).
    """

    def __init__(
        self, session: Session, commune_code: str, column_title: str, now: datetime
    ) -> None:
        self._session = session
        self._commune_code = commune_code
        self._urban_column = header_key(column_title) in URBAN_VILLAGE_TITLES
        self._now = now
        self._by_id = {v.id: v for v in session.scalars(select(Village))}
        self._by_key = {v.name_key: v for v in self._by_id.values() if not v.deleted}
        self._staged: dict[str, Village] = {}
        self._made = 0

    def resolve(self, village_id: str | None, name: str) -> str | None:
        """Id of the village a row names (``None`` when it names none)."""
        if village_id is not None:
            known = self._by_id.get(village_id)
            if known is not None:
                if known.deleted:
                    raise ValidationError(
                        "village_id",
                        f"Thôn «{known.name}» đã bị xóa trên máy này; hãy ghi tên thôn khác "
                        "và xóa mã thôn.",
                    )
                return known.id
        if not name:
            if village_id is not None:
                raise ValidationError(
                    "village_name", "Mã thôn này chưa có trên máy: hãy ghi cả tên thôn."
                )
            return None
        clean_name = validate.required_text("village_name", "tên thôn", name)
        # An id this laptop does not know but a name it does: the same village made on
        # another laptop before sync; taking ours avoids two villages of one name.
        known = self._by_key.get(search_key(clean_name))
        if known is not None:
            return known.id
        return self._stage(village_id or new_id(), clean_name).id

    def use(self, village_id: str, changes: Changes) -> None:
        """A household of this village is about to be written."""
        village = self._staged.pop(village_id, None)
        if village is not None:
            record_insert(self._session, village, changes)
            # Inserted now: a flush orders inserts by class name, households first.
            self._session.flush()
            self._made += 1

    def _stage(self, village_id: str, name: str) -> Village:
        urban = self._urban_column or _URBAN_NAME.match(search_key(name)) is not None
        village = Village(
            id=village_id,
            commune_code=self._commune_code,
            name=name,
            kind=VillageKind.TO_DAN_PHO if urban else VillageKind.THON,
            active=True,
            deleted=False,
            updated_at=self._now,
        )
        village.refresh_derived()
        self._session.add(village)
        self._by_id[village.id] = village
        self._by_key.setdefault(village.name_key, village)
        self._staged[village.id] = village
        return village

    def finish(self) -> int:
        """Drop the staged villages no household used; returns how many were made."""
        self._session.flush()
        for village in self._staged.values():
            self._session.delete(village)
        self._staged.clear()
        return self._made
