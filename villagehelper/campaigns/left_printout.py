"""What the campaigns screen prints as "who is left" (Qt-free; reports/campaign_left.py
typesets it): one village's list, or every village's where someone is left, each with
the names that sign it — the person printing prepares it, the village's leader signs.
"""

from __future__ import annotations

from dataclasses import dataclass

from villagehelper.campaigns.left_list import LeftList, left_list, left_lists
from villagehelper.errors import UserError
from villagehelper.ops.report_names import report_names
from villagehelper.store.engine import Store


@dataclass(frozen=True)
class SignedList:
    left: LeftList
    prepared_by: str
    leader_name: str


@dataclass(frozen=True)
class LeftPrintout:
    commune_name: str
    lists: tuple[SignedList, ...]


def left_printout(
    store: Store,
    campaign_id: str,
    village_id: str | None,
    *,
    every_village: bool = False,
    prepared_by_id: str | None = None,
) -> LeftPrintout:
    """The list of ``village_id`` (None: the people of no known village), or with
    ``every_village`` the list of each village where someone is left.

    Nobody left anywhere is a :class:`UserError`: an empty commune-wide printout helps
    nobody, while one village's empty list still says "Không còn ai" (as the CLI's).
    """
    with store.reading() as session:
        lists = (
            left_lists(session, campaign_id)
            if every_village
            else [left_list(session, campaign_id, village_id)]
        )
    if not lists:
        raise UserError(
            "Mọi người trong danh sách của chiến dịch đã được hỗ trợ xong: không có ai để in.",
            "Everyone on the campaign's list is done: nobody to print.",
        )
    signed = []
    commune_name = ""
    for listed in lists:
        names = report_names(store, village_id=listed.village_id, prepared_by_id=prepared_by_id)
        commune_name = names.commune_name
        signed.append(SignedList(listed, names.prepared_by, names.leader_name))
    return LeftPrintout(commune_name, tuple(signed))
