"""Which household and which resident ``villagehelper log-visit`` logs a visit for.

The screen's ways of choosing, on the command line: a household's id; its search box
(:func:`villagehelper.ops.households.find_households`), which must find exactly one; or
a new household, compared first with the ones it may duplicate
(:func:`villagehelper.ops.duplicates.probable_duplicates`) as the screen warns before
creating.  The resident helped is the head unless another member is named, as the
screen preselects the head.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from villagehelper.errors import NotFoundError, UserError
from villagehelper.text import search_key

if TYPE_CHECKING:
    from villagehelper.ops.households import HouseholdDetail, HouseholdHit
    from villagehelper.ops.inputs import HouseholdInput
    from villagehelper.store.engine import Store

HITS_SHOWN = 10


def _hit_line(hit: HouseholdHit) -> str:
    return f"  {hit.id}  {hit.head_name} — {hit.village_name}" + (
        f", {hit.address_detail}" if hit.address_detail else ""
    )


def existing_household(
    store: Store, *, household_id: str | None, query: str | None
) -> HouseholdDetail:
    """The household named by its id, or the only one the search finds for ``query``."""
    from villagehelper.ops.households import find_households, get_household

    if household_id is not None:
        try:
            return get_household(store, household_id.strip())
        except NotFoundError as error:
            raise UserError(
                f"{error.message_vi} (mã hộ «{household_id}»). Tìm hộ bằng --find TÊN.",
                f"{error.message_en} (id {household_id!r}). Find it with --find TEXT.",
            ) from error
    assert query is not None
    found = find_households(store, query, limit=HITS_SHOWN)
    if len(found.hits) == 1 and not found.more:
        return get_household(store, found.hits[0].id)
    if not found.hits:
        raise UserError(
            f"Không tìm thấy hộ nào theo «{query}». Hộ mới: --new-household "
            '"TÊN CHỦ HỘ" --village THÔN.',
            f"No household found for {query!r}. A new one: --new-household "
            '"HEAD NAME" --village NAME.',
        )
    listed = "\n".join(_hit_line(hit) for hit in found.hits) + ("\n  …" if found.more else "")
    raise UserError(
        f"Có nhiều hộ theo «{query}»; hãy ghi --household MÃ_HỘ của đúng hộ:\n{listed}",
        f"Several households match {query!r}; give --household with the right id.",
    )


def check_new_household(
    store: Store, head_name: str, village: str, phone: str | None
) -> HouseholdInput:
    """The new household's input, its village found by name (as people write it)."""
    from villagehelper.ops.inputs import HouseholdInput
    from villagehelper.ops.team import list_villages

    villages = list_villages(store)
    matching = [v for v in villages if search_key(v.name) == search_key(village)]
    if len(matching) != 1:
        known = ", ".join(v.name for v in villages) or "(chưa có)"
        raise UserError(
            f"Không có thôn «{village}». Các thôn: {known}.",
            f"No village named {village!r}. Villages: {known}.",
        )
    return HouseholdInput(village_id=matching[0].id, head_name=head_name, phone=phone)


def create_checked(
    store: Store, household: HouseholdInput, *, even_if_similar: bool
) -> HouseholdDetail:
    """Create ``household`` with its head as its first member, unless it may already exist
    and ``even_if_similar`` does not say it is really new."""
    from villagehelper.ops.duplicates import probable_duplicates
    from villagehelper.ops.households import create_household, get_household
    from villagehelper.ops.inputs import MemberInput

    if not even_if_similar:
        similar = probable_duplicates(
            store, household.head_name, household.village_id, household.phone
        )
        if similar:
            listed = "\n".join(
                _hit_line(c.household) + "\n    " + "; ".join(c.reasons) for c in similar
            )
            raise UserError(
                "Có thể hộ này đã có. Dùng hộ đó bằng --household MÃ_HỘ, hoặc thêm "
                f"--new-anyway nếu đây đúng là hộ mới:\n{listed}",
                "This household may exist already. Use it with --household ID, or add "
                "--new-anyway if it really is a new one.",
            )
    saved = create_household(store, household, [MemberInput(household.head_name)])
    return get_household(store, saved.id)


def member_helped(
    detail: HouseholdDetail, named: str | None, *, whole_household: bool
) -> str | None:
    """The member helped: the one ``named`` (id or name), nobody for the whole household,
    else the head (the screen's first choice)."""
    if whole_household:
        return None
    members = [m for m in detail.members if not m.erased]
    if named is None:
        return next((m.id for m in members if m.full_name == detail.head_name), None)
    found = [m for m in members if m.id == named.strip()] or [
        m for m in members if search_key(m.full_name) == search_key(named)
    ]
    if len(found) != 1:
        listed = ", ".join(f"{m.full_name} ({m.id})" for m in members) or "(chưa có)"
        raise UserError(
            f"«{named}» không phải đúng một nhân khẩu của hộ {detail.head_name}. "
            f"Nhân khẩu: {listed}.",
            f"{named!r} is not exactly one member of {detail.head_name}'s household. "
            f"Members: {listed}.",
        )
    return found[0].id
